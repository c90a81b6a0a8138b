import os
import subprocess
from pathlib import Path

import pytest

from book_structure import run_build
from dlbook_build.execute import KERNEL_ENV
from dlbook_build.project import DIRS
from external import require_tex

# TensorFlow imported by the tests themselves starts as the chapters' kernels
# do (quiet, deterministic); the kernels' own backend is for notebooks only
os.environ.update({k: v for k, v in KERNEL_ENV.items() if k != "MPLBACKEND"})


#: fixtures that hold the built site or the executed chapters: a test that uses one is a book test
BOOK_FIXTURES = {"built", "executed", "releases"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that builds or executes the book (``book``; ``tox -e fast`` leaves them out)."""
    for item in items:
        if BOOK_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.book)


#: Fixtures that need a program outside Python, and the check that skips (or, under CI, fails) without it
NEEDS = {"pdfs": require_tex}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture is set up (the book build takes minutes): the programs the test's fixtures need."""
    for name in NEEDS.keys() & set(getattr(item, "fixturenames", ())):
        NEEDS[name]()


@pytest.fixture(scope="session")
def built() -> subprocess.CompletedProcess:
    """Both editions built once for all the tests, exactly as `tox -e book` builds them (-n -W --keep-going)."""
    result = run_build()
    assert result.returncode == 0, f"the book build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    return result


@pytest.fixture(scope="session")
def site(built) -> Path:
    """The published site of that build."""
    return DIRS.site
