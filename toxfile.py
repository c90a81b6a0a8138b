"""tox's inline plugin for the book (tox loads ``toxfile.py`` beside ``tox.ini``): two things tox.ini cannot say.

``runs_in``: an environment that runs its commands with another one's
Python. ``tox -e book`` (and serve, bench, fast, pdf, lock) has ``runs_in = py``:
before its commands, this plugin brings the book's one environment, ``py``, up
to date in the same tox process (creating or updating it as ``tox -e py``
would, and doing nothing when it is current), so no second tox starts, and
none needs to be on PATH: ``uvx tox``, ``pipx run tox`` and a virtual
environment's ``bin/tox`` all work.

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
    from tox.config.sets import ConfigSet, EnvConfigSet
    from tox.session.state import State
    from tox.tox_env.api import ToxEnv
    from tox.tox_env.installer import InstallArguments

_LOGGER = logging.getLogger(__name__)

#: The lock of the book's build; an environment whose deps use it gets torch's CPU build on Linux.
LOCK = Path(__file__).with_name("constraints.txt")
#: PyTorch's own index of its CPU-only Linux wheels.
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


#: the session's state, kept by the first hook that sees it: the environments named by ``runs_in`` live there
_SESSION: dict[str, State] = {}


@impl
def tox_add_core_config(core_conf: ConfigSet, state: State) -> None:
    """Keep the session's state: :func:`tox_before_run_commands` finds the ``runs_in`` environment there."""
    _SESSION["state"] = state


@impl
def tox_add_env_config(env_conf: EnvConfigSet, state: State) -> None:
    """``runs_in`` in an environment's section: the environment whose Python runs its commands."""
    env_conf.add_config(
        keys=["runs_in"], of_type=str, default="", desc="an environment brought up to date before the commands run"
    )


@impl
def tox_before_run_commands(tox_env: ToxEnv) -> None:
    """Set up the environment named by ``runs_in`` (as ``tox -e <name> --notest`` would) before the commands."""
    host = tox_env.conf["runs_in"]
    if host:
        env = _SESSION["state"].envs[host]
        with env.display_context(suspend=False):  # its log lines under its own name
            env.setup()


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
    return any(
        Path(line.removeprefix("-c").strip()).name == LOCK.name for line in arguments.lines() if line.startswith("-c")
    )


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
