import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import background
from book_structure import (
    OLD_RELEASE,
    RELEASE_BASE,
    RELEASE_BUILDS,
    RELEASE_REPO,
    ROOT,
    release_build,
    run_build,
)
from dlbook_build.execute import KERNEL_ENV
from dlbook_build.project import DIRS
from external import require_tex

# TensorFlow imported by the tests themselves starts as the chapters' kernels
# do (quiet, deterministic); the kernels' own backend is for notebooks only
os.environ.update({k: v for k, v in KERNEL_ENV.items() if k != "MPLBACKEND"})


#: fixtures that hold the built site or the executed chapters: a test that uses one is a book test
BOOK_FIXTURES = {"built", "executed", "releases"}


#: fixtures whose work runs in the background once the site is built (tests/background.py): their tests run last
BACKGROUND_FIXTURES = {"typeset_pdfs", "student_runs"}
#: the background work the selected tests use (set once they are collected)
_BACKGROUND_USED: set[str] = set()


def fixtures_of(item: pytest.Item) -> set[str]:
    return set(getattr(item, "fixturenames", ()))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that builds or executes the book (``book``; ``tox -e fast`` leaves them out).

    The tests that wait for background work run last, in their order (the sort is stable).
    """
    for item in items:
        if BOOK_FIXTURES & fixtures_of(item):
            item.add_marker(pytest.mark.book)
    items.sort(key=lambda item: bool(BACKGROUND_FIXTURES & fixtures_of(item)))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the lock's resolutions for other platforms now, if their tests run: they wait for PyPI, not a core."""
    if any(item.path.name == "test_platforms.py" for item in session.items):
        from test_platforms import start_resolutions

        start_resolutions()
    _BACKGROUND_USED.update(name for item in session.items for name in fixtures_of(item))


def pytest_sessionfinish(session: pytest.Session) -> None:
    background.stop()


#: Fixtures that need a program outside Python, and the check that skips (or, under CI, fails) without it
NEEDS = {"typeset_pdfs": require_tex}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture is set up (the book build takes minutes): the programs the test's fixtures need."""
    for name in NEEDS.keys() & set(getattr(item, "fixturenames", ())):
        NEEDS[name]()


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> subprocess.CompletedProcess:
    """Both editions built once for all the tests, exactly as `tox -e book` builds them (-n -W --keep-going).

    Then the background work that reads the built site starts (tests/background.py).
    """
    result = run_build()
    assert result.returncode == 0, f"the book build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    background.start(_BACKGROUND_USED, DIRS.site, tmp_path_factory)
    return result


@pytest.fixture(scope="session")
def site(built) -> Path:
    """The published site of that build."""
    return DIRS.site


@pytest.fixture(scope="session")
def releases() -> Path:
    """A site of two releases, OLD_RELEASE and the latest (built with BOOK_REPO), filed as the workflow files them.

    The two English builds run side by side (one per core), with the shared
    executed chapters; they stay in ``_build/releases/old`` and ``latest`` (the
    latest is also the build for BOOK_BASE_URL that test_instructors reads).
    The site is left in ``_build/releases/served/dlbook/`` (the path of
    RELEASE_BASE) for the browser check (tests/browser/check_releases.mjs),
    which serves ``served/``.
    """
    if RELEASE_BUILDS.exists():
        shutil.rmtree(RELEASE_BUILDS)
    builds = {
        "old": {"BOOK_BASE_URL": RELEASE_BASE, "BOOK_RELEASE": OLD_RELEASE},
        "latest": {"BOOK_BASE_URL": RELEASE_BASE, "BOOK_REPO": RELEASE_REPO},
    }
    with ThreadPoolExecutor(len(builds)) as pool:
        runs = {name: pool.submit(release_build, RELEASE_BUILDS / name, **env) for name, env in builds.items()}
    for name, run in runs.items():
        result = run.result()
        log = result.stdout + result.stderr
        assert result.returncode == 0, f"the {name} release build failed:\n{log[-6000:]}"
        assert "WARNING" not in log, f"the {name} release build warned:\n{log[-6000:]}"
    site = RELEASE_BUILDS / "served" / "dlbook"
    tool = [sys.executable, str(ROOT / "tools" / "add_release.py"), "--site", str(site)]
    for folder, name in [("old", OLD_RELEASE), ("latest", "latest")]:
        result = subprocess.run(
            [*tool, "--build-dir", str(RELEASE_BUILDS / folder), "--release", name],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    return site
