"""Execute the chapters Sphinx is about to read, before myst-nb reads them.

myst-nb runs in cache mode and finds every chapter in the jupyter-cache,
because this extension has put it there first: the chapters to be read that
the cache does not hold are executed ``book_execution_jobs`` at a time (one
per core by default) by :func:`dlbook_build.execute.execute_missing`. A
failing chapter stops the build with its file, cell and line. So there is one
way a chapter gets executed, whether the book is built, previewed or tested.
The build driver (:mod:`dlbook_build.build`) executes the chapters itself,
while the editions' Sphinx start (``book_execution_wait``): each waits then
for the chapters it reads that are being executed, and executes none.

Sphinx re-reads a page when its source changes; a page whose executed copy is
missing or stale (the cache was emptied, or ``dlbook`` changed, which is part
of the cache key) is re-read too, so its outputs are executed anew, and so is
a page read before its executed copy was stored (by the tests, say).
"""

from __future__ import annotations

import os
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import ExtensionError
from sphinx.util import logging

from dlbook_build.execute import execute_missing, is_notebook, stored_at, wait_for_missing

logger = logging.getLogger(__name__)


def stale_chapters(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """The unchanged pages whose executed copy is missing, stale, or newer than the page: Sphinx reads them again."""
    cache = Path(app.config.nb_execution_cache_path)
    stale = []
    for docname in sorted(env.found_docs - added - changed - removed):
        source = Path(env.doc2path(docname))
        if source.suffix == ".md" and is_notebook(source):
            stored = stored_at(source, cache)
            if stored is None or stored * 1_000_000 > env.all_docs.get(docname, 0):  # all_docs: read time in µs
                stale.append(docname)
    return stale


def execute_before_reading(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    sources = [Path(env.doc2path(docname)) for docname in sorted(docnames)]
    chapters = [source for source in sources if source.suffix == ".md"]
    cache = Path(app.config.nb_execution_cache_path)
    if app.config.book_execution_wait:
        missing = wait_for_missing(chapters, cache)
        if missing:
            raise ExtensionError(
                f"the build did not execute {', '.join(map(str, missing))} (its log says why): nothing to read"
            )
        return
    failures = execute_missing(chapters, cache, app.config.book_execution_jobs, log=logger.info)
    if failures:
        raise ExtensionError("\n\n".join(str(failure) for failure in failures))


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_execution_jobs", os.cpu_count() or 1, "", types=[int])
    # set by the build driver, which executes the chapters while Sphinx starts: wait for them, execute none
    app.add_config_value("book_execution_wait", False, "", types=[bool])
    app.connect("env-get-outdated", stale_chapters)
    app.connect("env-before-read-docs", execute_before_reading)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
