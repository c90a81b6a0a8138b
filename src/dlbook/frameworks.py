"""The TensorFlow and PyTorch versions the book runs on, checked before a chapter starts.

A downloaded chapter runs on the frameworks the reader already has (Colab's,
a laptop's). :func:`check_frameworks` stops the notebook's first cell with one
sentence when one is missing or outside the supported range, instead of a
traceback twenty cells later. It reads the installed versions from the
packages' metadata, so it costs no framework import, and it needs nothing but
the standard library: the install cell loads this file alone, before pip
installs dlbook's requirements (which would fail on an old framework first).

TensorFlow is named by its import, not by one distribution: ``tensorflow``,
``tensorflow-cpu`` and the platform builds all provide it, and any of them will
do (which is why dlbook's package metadata does not list TensorFlow).
"""

from __future__ import annotations

import importlib.metadata
import re
from dataclasses import dataclass


class FrameworkError(ImportError):
    """A framework the chapters need is missing or outside the supported range."""


@dataclass(frozen=True)
class Framework:
    name: str
    #: distributions that provide it, the usual one first (what to pip install)
    distributions: tuple[str, ...]
    #: supported versions: at least ``minimum``, below ``below``
    minimum: tuple[int, ...]
    below: tuple[int, ...]

    @property
    def range(self) -> str:
        return f">={_dotted(self.minimum)},<{_dotted(self.below)}"

    @property
    def requirement(self) -> str:
        """What to pip install: ``tensorflow>=2.16,<3``."""
        return f"{self.distributions[0]}{self.range}"


#: The frameworks the chapters run on. TensorFlow from 2.16 brings Keras 3.
FRAMEWORKS = (
    Framework(
        "TensorFlow",
        ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tensorflow-intel", "tensorflow-aarch64"),
        (2, 16),
        (3,),
    ),
    Framework("PyTorch", ("torch",), (2, 2), (3,)),
)


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))


def release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string: ``"2.13.0+cpu"`` -> ``(2, 13, 0)``."""
    if not isinstance(version, str):
        raise TypeError(f"expected a version string such as '2.16.1', got {version!r}")
    match = re.match(r"\s*v?(\d+(?:\.\d+)*)", version)
    if match is None:
        raise ValueError(f"expected a version string such as '2.16.1', got {version!r}")
    return tuple(int(part) for part in match.group(1).split("."))


def installed_version(framework: Framework) -> tuple[str, str] | None:
    """The first installed distribution of ``framework`` and its version, or None."""
    for distribution in framework.distributions:
        try:
            return distribution, importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def check_frameworks(frameworks: tuple[Framework, ...] = FRAMEWORKS) -> dict[str, str]:
    """The installed version of each framework; :class:`FrameworkError` if one is missing or out of range."""
    found = {}
    for framework in frameworks:
        installed = installed_version(framework)
        if installed is None:
            raise FrameworkError(
                f"{framework.name} is not installed, and the book needs {framework.range}: "
                f'run pip install "{framework.requirement}" and restart the kernel.'
            )
        distribution, version = installed
        # compare as many parts as the bounds name: 2.16.0rc1 counts as 2.16
        numbers = release(version)
        if (
            not framework.minimum <= numbers[: len(framework.minimum)]
            or not numbers[: len(framework.below)] < framework.below
        ):
            raise FrameworkError(
                f"{framework.name} {version} ({distribution}) is installed, but the book needs {framework.range}: "
                f'run pip install "{distribution}{framework.range}" and restart the kernel.'
            )
        found[framework.name] = version
    return found
