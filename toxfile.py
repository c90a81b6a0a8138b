"""tox's inline plugin for the book (tox loads ``toxfile.py`` beside ``tox.ini``): two things tox.ini cannot say.

``{tox_python}``, the interpreter running tox. ``tox -e book`` (and serve, bench,
pdf, lock) first brings the book's one environment, ``py``, up to date by
running tox again. Called by name, ``tox`` exists only when it is on PATH; a
virtual environment's ``bin/tox``, ``python -m tox``, ``uvx tox`` and
``pipx run tox`` all start tox without putting it there. ``{tox_python} -m tox``
is the very tox that was started, however it was.

PyTorch's CPU build on Linux. PyPI's Linux torch is the CUDA build (several GB
of nvidia packages); the CPU build is only on PyTorch's own index. Before tox
installs the locked requirements of an environment, torch alone is installed
from that index, ``--no-deps`` (its dependencies come from PyPI at the lock's
versions with everything else); the lock's ``torch==X`` is then satisfied by
the installed ``X+cpu``. The index is asked for torch only: as an extra index
of the whole install, every one of ~150 packages would wait for it (minutes
where it is unreachable). When it cannot be reached the install goes on, and
pip takes torch from PyPI (or from its own configured ``find-links``).
"""

from __future__ import annotations

import logging
import sys
from importlib.metadata import distributions
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from tox.execute.request import StdinSource
from tox.plugin import impl
from tox.tox_env.python.api import Python
from tox.tox_env.python.pip.req_file import PythonDeps

if TYPE_CHECKING:
    from tox.config.sets import ConfigSet
    from tox.session.state import State
    from tox.tox_env.api import ToxEnv
    from tox.tox_env.installer import InstallArguments

_LOGGER = logging.getLogger(__name__)

#: The lock of the book's build; an environment whose deps use it gets torch's CPU build on Linux.
LOCK = Path(__file__).with_name("constraints.txt")
#: PyTorch's own index of its CPU-only Linux wheels.
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


@impl
def tox_add_core_config(core_conf: ConfigSet, state: State) -> None:
    """``{tox_python}`` in tox.ini: the interpreter of the tox that was started (``{tox_python} -m tox`` is it)."""
    core_conf.add_constant(keys=["tox_python"], desc="the Python interpreter running tox", value=sys.executable)


def locked_version(lock_text: str, name: str) -> str | None:
    """The version the lock pins ``name`` to on this machine (markers evaluated here), or None."""
    for line in lock_text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        if canonicalize_name(requirement.name) != canonicalize_name(name):
            continue
        if requirement.marker is None or requirement.marker.evaluate():
            pins = [s.version for s in requirement.specifier if s.operator == "=="]
            return pins[0] if pins else None
    return None


def installed_version(site_packages: Path, name: str) -> str | None:
    """The version of ``name`` installed in ``site_packages``, or None."""
    found = next(iter(distributions(name=name, path=[str(site_packages)])), None)
    return found.version if found else None


def uses_lock(arguments: InstallArguments) -> bool:
    """Whether an environment's deps are constrained by the lock (``-c constraints.txt``)."""
    if not isinstance(arguments, PythonDeps):
        return False
    return any(Path(line.removeprefix("-c").strip()).name == LOCK.name for line in arguments.lines() if line.startswith("-c"))


@impl
def tox_on_install(tox_env: ToxEnv, arguments: InstallArguments, section: str, of_type: str) -> None:
    """Before the locked deps of a Linux environment: torch's CPU build, unless the locked torch is already there.

    tox calls this hook each time it sets an environment up, installing or not;
    with the locked torch in place it returns at once, so it adds nothing to a
    command that installs nothing.
    """
    if of_type != "deps" or not sys.platform.startswith("linux") or not isinstance(tox_env, Python):
        return
    if not uses_lock(arguments):
        return
    version = locked_version(LOCK.read_text(encoding="utf-8"), "torch")
    if version is None:
        return
    have = installed_version(Path(tox_env.conf["env_site_packages_dir"]), "torch")
    if have is not None and Version(have).public == Version(version).public:
        return
    command = [
        str(tox_env.env_python()), "-I", "-m", "pip", "install", "--no-deps", "--only-binary", ":all:",
        "--retries", "2", "--index-url", TORCH_CPU_INDEX, f"torch=={version}",
    ]  # fmt: skip
    outcome = tox_env.execute(command, stdin=StdinSource.OFF, run_id="install_torch_cpu")
    if outcome.exit_code != 0:
        _LOGGER.warning(
            "torch %s's CPU build could not be installed from %s; pip installs PyPI's torch instead "
            "(the CUDA build, several GB of nvidia packages)",
            version,
            TORCH_CPU_INDEX,
        )
