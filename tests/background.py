"""Session work that starts once the site is built and runs beside the tests that read it.

Most tests read the built site one at a time, on one core. A few session
fixtures keep both cores busy for a minute each without reading what other
tests change: the PDFs typeset (test_pdf.py), the downloaded notebooks run as a
student runs them (test_notebooks.py). Their modules register that work here
(:func:`after_the_build`); the ``site`` fixture starts it (:func:`start`), in
background threads, when the build is done and if a selected test uses it;
their fixtures wait for its result (:func:`result`), and conftest.py runs
the tests that use them last, when the work is most likely done.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

#: name -> the work (given the site and the session's tmp_path_factory), registered by the tests' modules
_WORK: dict[str, Callable[[Path, pytest.TempPathFactory], Any]] = {}
_STARTED: dict[str, Future] = {}
_POOL = ThreadPoolExecutor(thread_name_prefix="background")


def after_the_build(name: str) -> Callable:
    """Register a function of (site, tmp_path_factory) as the background work ``name``."""

    def register(work: Callable[[Path, pytest.TempPathFactory], Any]) -> Callable:
        _WORK[name] = work
        return work

    return register


def start(names: set[str], site: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Start the registered work of these names (those the selected tests use)."""
    for name in names & _WORK.keys():
        if name not in _STARTED:
            _STARTED[name] = _POOL.submit(_WORK[name], site, tmp_path_factory)


def result(name: str, site: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The work's result: waited for if it was started, else done now (a session that did not start it)."""
    start({name}, site, tmp_path_factory)
    return _STARTED[name].result()


def stop() -> None:
    """At the session's end: wait for work no test waited for (an interrupted session), so no thread outlives it."""
    _POOL.shutdown(wait=True, cancel_futures=True)
