"""Without TeX or Chromium the tests that need them are skipped, saying how to install them; with CI=true they fail.

Each behaviour is run for real: pytest in a subprocess whose PATH has no TeX,
and the browser checks' own lookup (tests/browser/chromium.mjs) in node.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from book_structure import ROOT
from external import TEX_COMMANDS, missing_commands, require

CHROMIUM_MODULE = ROOT / "tests" / "browser" / "chromium.mjs"
#: two PDF tests that need TeX (through the pdfs fixture)
PDF_TESTS = "every_chapter_title or every_font_is_embedded"


def environment(**values: str) -> dict[str, str]:
    """This process's environment without CI (and without anything tox set for this run), plus ``values``."""
    env = {k: v for k, v in os.environ.items() if k != "CI" and not k.startswith("TOX_")}
    return {**env, **values}


def pytest_without_tex(**values: str) -> subprocess.CompletedProcess:
    """The PDF tests run by pytest with a PATH that holds only this environment's Python: no TeX there."""
    path = str(Path(sys.executable).parent)
    assert missing_commands(TEX_COMMANDS, path=path) == list(TEX_COMMANDS)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-ra", "-k", PDF_TESTS, "tests/test_pdf.py"]
    return subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=environment(PATH=path, **values),
        timeout=600,
        check=False,
    )


def test_without_tex_the_pdf_tests_are_skipped_saying_how_to_install_it():
    result = pytest_without_tex()
    assert result.returncode == 0, result.stdout[-3000:]
    summary = result.stdout.splitlines()[-1]
    assert re.search(r"\b4 skipped\b", summary) and "failed" not in summary and "error" not in summary, summary
    # -ra: one line for the skipped tests, naming what is missing and how to install it on each platform
    (reason,) = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED [4]")]
    assert "TeX is missing (xelatex, latexmk," in reason
    assert "Debian/Ubuntu: sudo bash tests/pdf/ensure_tex.sh" in reason and "macOS: brew install" in reason


def test_without_tex_the_pdf_tests_fail_under_ci():
    result = pytest_without_tex(CI="true")
    assert result.returncode == 1, result.stdout[-3000:]
    assert re.search(r"\b4 errors?\b", result.stdout.splitlines()[-1]), result.stdout[-3000:]
    assert "TeX is missing (xelatex" in result.stdout and "CI=true: required" in result.stdout


@pytest.mark.parametrize("ci", ["", "0", "false"])
def test_require_skips_outside_ci(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(
        pytest.skip.Exception, match=r"^Thing is missing \(thing not on PATH\); install it with apt-get install thing$"
    ):
        require("Thing", ["thing"], "apt-get install thing")
    require("Thing", [], "apt-get install thing")  # nothing missing: nothing happens


@pytest.mark.parametrize("ci", ["true", "1", "True"])
def test_require_fails_under_ci(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match=r"Thing is missing .* \(CI=true: required\)"):
        require("Thing", ["thing"], "apt-get install thing")


def node_check(chromium_path: str, **values: str) -> subprocess.CompletedProcess:
    """What a browser check does first: chromiumOrExit, with CHROMIUM_PATH set as given."""
    require(
        "Node.js",
        missing_commands(("node",)),
        "Debian/Ubuntu: sudo apt-get install nodejs npm; macOS: brew install node",
    )
    script = f"import({str(CHROMIUM_MODULE)!r}).then((m) => console.log('found', m.chromiumOrExit('check_x')))"
    env = environment(CHROMIUM_PATH=chromium_path, **values)
    return subprocess.run(["node", "-e", script], capture_output=True, text=True, env=env, timeout=60, check=False)


def test_the_browser_checks_use_the_chromium_named_by_chromium_path():
    result = node_check(sys.executable)
    assert result.returncode == 0 and result.stdout == f"found {sys.executable}\n"


def test_without_chromium_a_browser_check_is_skipped_saying_how_to_install_it(tmp_path):
    result = node_check(str(tmp_path / "no-browser"))
    assert result.returncode == 0
    (line,) = result.stdout.splitlines()
    assert line.startswith(
        f"check_x: SKIPPED: CHROMIUM_PATH={tmp_path / 'no-browser'} is not an executable; install it with"
    )
    assert "Debian/Ubuntu: sudo apt-get install chromium" in line and "macOS: brew install" in line


def test_without_chromium_a_browser_check_fails_under_ci(tmp_path):
    result = node_check(str(tmp_path / "no-browser"), CI="true")
    assert result.returncode == 1 and result.stdout == ""
    assert "check_x: FAILED" in result.stderr and "CI=true: required" in result.stderr


@pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("setpriv"), reason="runs as another user: needs root and setpriv"
)
def test_ensure_tex_as_a_normal_user_installs_nothing_and_lets_the_run_go_on():
    """On a Debian without TeX, tox's `bash tests/pdf/ensure_tex.sh` run by a normal user says what to run, exits 0."""
    folder = Path(tempfile.mkdtemp(prefix="dlbook-debian-"))  # under /tmp, not pytest's root-only folder
    try:
        folder.chmod(0o755)
        # a Debian where no package is installed, whose apt-get must not be called
        (folder / "dpkg-query").write_text("#!/bin/sh\nexit 1\n")
        (folder / "apt-get").write_text("#!/bin/sh\necho apt-get was called >&2\nexit 99\n")
        for tool in ("dpkg-query", "apt-get"):
            (folder / tool).chmod(0o755)
        command = [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "bash",
            str(ROOT / "tests/pdf/ensure_tex.sh"),
        ]
        env = {"PATH": f"{folder}:/usr/bin:/bin", "HOME": str(folder)}
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)
    finally:
        shutil.rmtree(folder)
    assert result.returncode == 0, result.stderr
    assert "apt-get was called" not in result.stderr
    assert (
        result.stderr.startswith("ensure_tex: missing texlive-xetex")
        and "the PDF needs them: sudo bash" in result.stderr
    )
