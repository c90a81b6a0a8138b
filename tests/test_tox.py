"""The book's tox commands work however tox was started, not only as ``tox`` on PATH.

``tox -e book`` first brings the book's environment (``py``) up to date in the
same tox process (``runs_in = py``, toxfile.py). Here tox is a
virtual environment's ``bin/tox`` (the book's own environment has one: the
test extra installs tox) and PATH has no tox at all, as for a user who keeps
tox in ``~/venvs/tox`` or starts it with ``uvx tox`` or ``pipx run tox``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from importlib.metadata import distributions
from pathlib import Path

import pytest

from book_structure import ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PATH_WITHOUT_TOX = "/usr/bin:/bin"


@pytest.mark.book  # builds a fixture book through tox
def test_tox_e_book_builds_with_tox_only_in_a_virtual_environment(tmp_path):
    tox = Path(sys.executable).with_name("tox")
    assert tox.exists(), f"{tox}: the test extra installs tox into the book's environment"
    assert shutil.which("tox", path=PATH_WITHOUT_TOX) is None, (
        f"tox is on {PATH_WITHOUT_TOX}: this test would prove nothing"
    )
    # a user's shell: none of the variables tox set for the run of this test
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOX_") and k not in ("VIRTUAL_ENV", "CI")}
    env["PATH"] = PATH_WITHOUT_TOX
    command = [str(tox), "-e", "book", "--", "--book", str(FIXTURES / "tabs"), "--build-dir", str(tmp_path),
               "--edition", "en", "--jobs", "1"]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=900, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    # py brought up to date by the tox that was started, not by a second tox found on PATH
    assert "-m tox" not in output and "commands_pre" not in output, output[:2000]
    assert "tensorflow 6" in (tmp_path / "html" / "en" / "paired.html").read_text(encoding="utf-8")
    # py was only checked: its setup empties its log folder, and an install would have left a log there
    assert not list((ROOT / ".tox" / "py" / "log").iterdir()), "tox -e book reinstalled the book's environment"


def load_toxfile():
    spec = importlib.util.spec_from_file_location("toxfile", ROOT / "toxfile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_torch_is_installed_at_the_version_the_lock_pins_here():
    toxfile = load_toxfile()
    lock = (
        "numpy==2.4.6\ntorch==9.9.9 ; sys_platform == 'never'\n# torch==0.0.1\ntorch==2.13.0 ; python_version >= '3'\n"
    )
    assert toxfile.locked_version(lock, "torch") == "2.13.0"
    assert toxfile.locked_version(lock, "keras") is None
    import torch

    pinned = toxfile.locked_version(toxfile.LOCK.read_text(encoding="utf-8"), "torch")
    assert torch.__version__.split("+")[0] == pinned


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="PyTorch publishes a separate CPU build only for Linux"
)
def test_the_book_environment_has_torchs_cpu_build_on_linux():
    """toxfile.py installs it first: PyPI's Linux torch would be the CUDA build with GBs of nvidia packages."""
    import torch

    assert torch.version.cuda is None, f"torch {torch.__version__} is a CUDA build"
    nvidia = sorted(d.metadata["Name"] for d in distributions() if d.metadata["Name"].lower().startswith("nvidia"))
    assert not nvidia, f"the book's environment holds CUDA packages: {nvidia}"
