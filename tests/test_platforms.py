"""One lock for every platform the book is built on, checked by resolution where it cannot be run.

This machine is x86-64 Linux; Linux aarch64 and macOS arm64 are checked the
way an installer on them would start: uv resolves the requirements of dlbook
and of the build (tools/pyproject.toml, with the book, test and lint extras)
under constraints.txt for that platform's wheel tags, from PyPI's metadata, installing nothing. A pin with no wheel for
a platform (``tensorflow_cpu`` on a Mac) makes its resolution fail; a package
that the lock does not pin means the lock is stale (``tox -e lock``).
"""

from __future__ import annotations

import functools
import os
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from uv import find_uv_bin

from book_structure import ROOT

#: uv's target of each supported platform, and the markers it installs under
PLATFORMS = {
    "x86_64-unknown-linux-gnu": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"},
    "aarch64-unknown-linux-gnu": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64"},
    "aarch64-apple-darwin": {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64"},
}
#: the oldest Python the lock serves (Debian 12's) and the newest dlbook allows
PYTHONS = ("3.11.2", "3.13.0")
#: what the chapters print depends on these: the same version on every platform
FRAMEWORKS = ("tensorflow", "keras", "torch", "numpy")
LOCK = ROOT / "constraints.txt"


def marker_environment(platform: str, python: str) -> dict[str, str]:
    return {
        **PLATFORMS[platform],
        "os_name": "posix",
        "python_full_version": python,
        "python_version": ".".join(python.split(".")[:2]),
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
    }


def lock_pins(platform: str, python: str) -> dict[str, str]:
    """The lock's exact version of each package on that platform (its markers evaluated there)."""
    environment = marker_environment(platform, python)
    pins: dict[str, str] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate(environment):
                (spec,) = requirement.specifier
                pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def resolve(platform: str, python: str) -> subprocess.CompletedProcess:
    """uv's resolution of the book's requirements under the lock for that platform (nothing installed)."""
    command = [
        find_uv_bin(), "pip", "compile", "--no-config", "--no-header", "--no-annotate", "--quiet",
        "--python-platform", platform, "--python-version", python,
        "-c", str(LOCK), str(ROOT / "pyproject.toml"), str(ROOT / "tools" / "pyproject.toml"),
        "--extra", "book", "--extra", "test", "--extra", "lint",
    ]  # fmt: skip
    # macOS 14 (Sonoma) or later: the oldest macOS that every locked wheel supports
    env = {**os.environ, "MACOSX_DEPLOYMENT_TARGET": "14.0"}
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600, check=False)


@functools.cache
def start_resolutions() -> dict[tuple[str, str], Future[subprocess.CompletedProcess]]:
    """Every platform's and Python's resolution, started at once in the background (each mostly waits for PyPI).

    conftest.py starts them when the session's tests are collected, so they
    wait for PyPI while the book builds instead of after.
    """
    targets = [(platform, python) for platform in PLATFORMS for python in PYTHONS]
    pool = ThreadPoolExecutor(len(targets), thread_name_prefix="resolve")
    futures = {target: pool.submit(resolve, *target) for target in targets}
    pool.shutdown(wait=False)
    return futures


def resolved(platform: str, python: str) -> dict[str, str]:
    result = start_resolutions()[platform, python].result()
    assert result.returncode == 0, f"the lock does not resolve for {platform} with Python {python}:\n{result.stderr}"
    versions: dict[str, str] = {}
    for line in result.stdout.splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            versions[canonicalize_name(name)] = version.strip()
    return versions


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_lock_resolves_and_pins_every_package(platform, python):
    versions = resolved(platform, python)
    pins = lock_pins(platform, python)
    unpinned = sorted(f"{name}=={version}" for name, version in versions.items() if pins.get(name) != version)
    assert not unpinned, f"resolved for {platform} but not pinned by {LOCK.name} (run tox -e lock): {unpinned}"


@pytest.mark.parametrize("python", PYTHONS)
def test_the_frameworks_have_the_same_versions_on_every_platform(python):
    def frameworks(platform: str) -> dict[str, str]:
        versions = resolved(platform, python)
        # tensorflow-cpu is the same TensorFlow, built without GPU support
        versions.setdefault("tensorflow", versions.get("tensorflow-cpu", "missing"))
        return {name: versions.get(name, "missing") for name in FRAMEWORKS}

    each = {platform: frameworks(platform) for platform in PLATFORMS}
    assert len({tuple(v.items()) for v in each.values()}) == 1, f"the frameworks differ between platforms: {each}"
    assert "missing" not in next(iter(each.values())).values()
