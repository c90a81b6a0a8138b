"""Executing chapters: the one implementation the build, the tests, the benchmark and the downloads use.

A chapter is read as a notebook (:func:`read_notebook`), run cell by cell in a
fresh kernel (:func:`execute_chapters`) and stored in the jupyter-cache, where
myst-nb finds it when Sphinx renders the page (:func:`executed_notebook`,
:func:`execute_missing`). Kernels are forked from a process that has imported
the frameworks once (:mod:`dlbook_build.kernels`).

Why not jupyter-cache's own (parallel) executor or myst-nb's execution: both
report a failing chapter as a bare traceback, and start every kernel cold.
Here a failure names the file, the cell's number among the code cells and its
line in the file, with the cell's source; a cell tagged ``raises-exception``
must raise and no other cell may. The notebooks land in the same
jupyter-cache either way.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

import nbformat
from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook
from nbclient import NotebookClient

from dlbook_build.kernels import KERNEL_ENV, forked_kernel, imported_frameworks, warm_pool
from dlbook_build.project import library_hash

__all__ = ["KERNEL_ENV"]  # the kernels' environment, for the tests that start kernels of their own
TIMEOUT = 300  # seconds a cell may take


class ChapterError(Exception):
    """A chapter's cell did not behave: raised where it should not, or the reverse."""


def cell_text(cell: dict) -> str:
    """What a code cell printed or returned as text (errors as ``Name: message``), as one string."""
    parts = []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            parts.append(output["text"])
        elif kind == "error":
            parts.append(f"{output['ename']}: {output['evalue']}")
        elif "text/plain" in output.get("data", {}):
            parts.append(output["data"]["text/plain"])
    return "".join(parts)


@dataclass
class CellResult:
    index: int  # 1-based, among code cells
    line: int  # 1-based line of the cell in the chapter file
    source: str
    tags: list[str]
    seconds: float
    outputs: list[dict] = field(default_factory=list)

    @property
    def error_name(self) -> str | None:
        return next((o["ename"] for o in self.outputs if o.get("output_type") == "error"), None)

    @property
    def text(self) -> str:
        return cell_text({"outputs": self.outputs})


def is_notebook(path: Path) -> bool:
    """Whether a chapter file is a MyST notebook (it has front matter and code cells to execute)."""
    return is_myst_markdown_notebook(Path(path).read_text(encoding="utf-8"))


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """The chapter as a notebook, each code cell knowing its line in the file (``metadata.source_map``)."""
    path = Path(path).resolve()
    return read_myst_markdown_notebook(path.read_text(encoding="utf-8"), add_source_map=True, path=path)


@dataclass
class Executed:
    """A chapter run in a fresh kernel: the notebook with its outputs, each code cell's result, the seconds it took."""

    notebook: nbformat.NotebookNode
    cells: list[CellResult]
    seconds: float


def _run_in_worker(path: Path, timeout: int) -> Executed:
    """Run every code cell of the chapter at ``path`` in a kernel forked from this worker, in the chapter's folder."""
    notebook = read_notebook(path)
    source_map = notebook.metadata.get("source_map", [])
    code_cells = [(i, c) for i, c in enumerate(notebook.cells) if c.cell_type == "code"]

    def line_of(cell_index: int) -> int:
        return source_map[cell_index] + 1 if cell_index < len(source_map) else 0

    results: list[CellResult] = []
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,  # timing metadata would change the cache key
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    try:
        with forked_kernel(path.parent) as kernel:
            client.kc = kernel
            # as nbclient's own execute() does: the cache and myst-nb need the kernel's language
            info = client.wait_for_reply(kernel.kernel_info())
            assert info is not None, "wait_for_reply returns None only after a timeout, and none is given"
            notebook.metadata["language_info"] = info["content"]["language_info"]
            for number, (cell_index, cell) in enumerate(code_cells, start=1):
                tags = list(cell.metadata.get("tags", []))
                cell_start = time.perf_counter()
                client.execute_cell(cell, cell_index)  # allows errors only in raises-exception cells
                seconds = time.perf_counter() - cell_start
                result = CellResult(number, line_of(cell_index), cell.source, tags, seconds, list(cell.outputs))
                results.append(result)
                if "raises-exception" in tags and result.error_name is None:
                    raise ChapterError(
                        f"{path}: code cell {number} (line {result.line}) is tagged raises-exception "
                        f"but did not raise:\n{cell.source}"
                    )
    except ChapterError:
        raise
    except Exception as error:  # nbclient's CellExecutionError carries the traceback
        failed = len(results) + 1
        if failed > len(code_cells):
            raise ChapterError(f"{path}: the kernel failed after the last cell:\n{error}") from error
        cell_index, _ = code_cells[failed - 1]
        raise ChapterError(f"{path}: code cell {failed} (line {line_of(cell_index)}) failed:\n{error}") from error
    return Executed(notebook, results, time.perf_counter() - start)


def execute_chapters(
    paths: Iterable[Path], jobs: int = 1, timeout: int = TIMEOUT
) -> Iterator[tuple[Path, Executed | ChapterError]]:
    """Run each chapter in a fresh kernel, ``jobs`` at a time, in the order given; yield each as it finishes.

    A chapter whose cell fails (or a ``raises-exception`` cell that does not
    raise) yields a :class:`ChapterError` naming the file, cell and line.
    """
    paths = [Path(p).resolve() for p in paths]
    if not paths:
        return
    sources = [cell.source for path in paths for cell in read_notebook(path).cells if cell.cell_type == "code"]
    with warm_pool(min(jobs, len(paths)), imported_frameworks(sources)) as pool:
        futures = {pool.submit(_run_in_worker, path, timeout): path for path in paths}
        for future in as_completed(futures):
            try:
                yield futures[future], future.result()
            except ChapterError as error:
                yield futures[future], error


def execute_chapter(path: Path, timeout: int = TIMEOUT) -> Executed:
    """Run one chapter in a fresh kernel; raises :class:`ChapterError` naming the file, cell and line of a failure."""
    [(_, outcome)] = execute_chapters([path], 1, timeout)
    if isinstance(outcome, ChapterError):
        raise outcome
    return outcome


def _current_copy(path: Path, cache_path: Path):
    """The chapter's executed copy and its cache record, if its code and ``dlbook`` are unchanged; else None.

    jupyter-cache keys a notebook by its code cells only; the library those
    cells import is part of the key here (a new figure format must show).
    """
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_path))
    try:
        pk, notebook = cache.merge_match_into_notebook(read_notebook(path))
    except (KeyError, OSError, ValueError):  # not cached, or a copy an interrupted build left unfinished
        return None
    record = cache.get_cache_record(pk)
    return (notebook, record) if record.data.get("library") == library_hash() else None


def cached_notebook(path: Path, cache_path: Path) -> nbformat.NotebookNode | None:
    """The chapter's executed copy in the jupyter-cache, if its code and ``dlbook`` are unchanged; else None."""
    current = _current_copy(path, cache_path)
    return current[0] if current else None


#: In the cache folder: per chapter file as it was executed (its bytes and the library's hash),
#: the cache record of its complete executed copy, written after jupyter-cache has stored it.
STORED_FILES = "dlbook-stored-files.json"


def _file_key(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes() + library_hash().encode()).hexdigest()


def _stored_files(cache_path: Path) -> dict[str, list]:
    try:
        return json.loads((Path(cache_path) / STORED_FILES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def is_current(path: Path, cache_path: Path) -> bool:
    """Whether the cache holds the chapter's current executed copy: :func:`current_record` without its cost.

    An unchanged file whose stored copy is still on disk (jupyter-cache keeps
    each at ``executed/<hashkey>/base.ipynb``) is current without opening the
    cache's database (importing SQLAlchemy alone takes longer than a no-change
    build checks every chapter); anything else asks :func:`current_record`.
    """
    stored = _stored_files(cache_path).get(_file_key(path))
    if stored is not None and Path(cache_path, "executed", stored[1], "base.ipynb").is_file():
        return True
    return current_record(path, cache_path) is not None


def current_record(path: Path, cache_path: Path):
    """The cache record of the chapter's current executed copy, or None: as :func:`cached_notebook`, but cheaper.

    An unchanged file is found by its bytes without parsing it (a no-op build
    asks this of every chapter, several times); a file whose prose changed is
    parsed and matched by its code, as jupyter-cache does.
    """
    from jupyter_cache import get_cache

    stored = _stored_files(cache_path).get(_file_key(path))
    if stored is not None:
        pk, hashkey = stored
        try:
            record = get_cache(str(cache_path)).get_cache_record(pk)
        except KeyError:
            record = None
        if record is not None and record.hashkey == hashkey:
            return record
    current = _current_copy(path, cache_path)
    if current is None:
        return None
    _remember_file(path, current[1], cache_path)
    return current[1]


def _remember_file(path: Path, record, cache_path: Path) -> None:
    """Note that the chapter file, as it is now, has the complete executed copy of ``record``."""
    stored = _stored_files(cache_path) | {_file_key(path): [record.pk, record.hashkey]}
    temporary = Path(cache_path) / f"{STORED_FILES}.{os.getpid()}"
    temporary.write_text(json.dumps(stored, indent=0, sort_keys=True), encoding="utf-8")
    temporary.replace(Path(cache_path) / STORED_FILES)


def stored_at(path: Path, cache_path: Path) -> float | None:
    """When the chapter's current executed copy was stored (seconds since the epoch), or None if there is none."""
    record = current_record(path, cache_path)
    if record is None:
        return None
    created = record.created  # UTC, naive when it comes back from SQLite
    return (created if created.tzinfo else created.replace(tzinfo=UTC)).timestamp()


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: a folder of the machine that ran the chapter, up to an installed package (/…/site-packages/)
_INSTALL_PATH = re.compile(r"(?:/[^\s/:'\"\x1b]+)*/(?:site|dist)-packages/")


def clean_traceback(traceback: list[str]) -> list[str]:
    """An error output's traceback as readers see it: the reader's own frames and the error.

    IPython's traceback is a list of entries: a rule, ``Name  Traceback (most
    recent call last)``, one entry per frame, and ``Name: message``. Kept: the
    heading, the frames in the chapter's cells (``Cell In[n], line k``) and the
    last entry; dropped: the rule and the frames in installed libraries
    (``File /…/site-packages/…``), which show the build machine's paths and bury
    the message. A path into an installed package left in the message loses
    its folders.
    """
    if not isinstance(traceback, list) or not all(isinstance(entry, str) for entry in traceback):
        raise TypeError("traceback must be a list of str (an error output's 'traceback')")
    if not traceback:
        return []
    plain = [_ANSI.sub("", entry) for entry in traceback]
    kept = [
        entry
        for entry, text in zip(traceback[:-1], plain[:-1], strict=True)
        if text.startswith("Cell In[") or "Traceback (most recent call last)" in text
    ]
    return [_INSTALL_PATH.sub("", entry) for entry in [*kept, traceback[-1]]]


def clean_error_outputs(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Shorten every error output's traceback in ``notebook`` (in place, also returned): see :func:`clean_traceback`."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = clean_traceback(list(output.get("traceback", [])))
    return notebook


def join_streams(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Join each cell's consecutive outputs to the same stream into one (in place, also returned).

    A kernel sends what a cell prints in chunks cut where its buffer happened
    to be flushed, which depends on the machine's load; myst-nb ends every
    chunk with a line break when it merges them, so a line cut in two would
    show as two lines, differently from build to build.
    """
    for cell in notebook.cells:
        joined: list = []
        for output in cell.get("outputs", []):
            previous = joined[-1] if joined else None
            if (
                previous is not None and output.get("output_type") == "stream"
                and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")
            ):  # fmt: skip
                previous["text"] += output["text"]
            else:
                joined.append(output)
        if "outputs" in cell:
            cell.outputs = joined
    return notebook


def store_notebook(path: Path, notebook: nbformat.NotebookNode, seconds: float, cache_path: Path) -> None:
    """Put an executed chapter into the jupyter-cache, where myst-nb's build finds it.

    Streams are stored joined (:func:`join_streams`) and error outputs with
    short tracebacks (:func:`clean_error_outputs`).
    """
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    clean_error_outputs(join_streams(notebook))

    record = get_cache(str(cache_path)).cache_notebook_bundle(
        CacheBundleIn(
            notebook, str(Path(path).resolve()), data={"execution_seconds": seconds, "library": library_hash()}
        ),
        check_validity=False,
        overwrite=True,
    )
    _remember_file(path, record, cache_path)  # only now is the copy complete: jupyter-cache writes its record first


def executed_notebook(path: Path, cache_path: Path, timeout: int = TIMEOUT) -> tuple[nbformat.NotebookNode, bool]:
    """The chapter executed: from the cache if its code is unchanged, else executed now and stored.

    Returns the notebook and whether it came from the cache.
    """
    cached = cached_notebook(path, cache_path)
    if cached is not None:
        return cached, True
    executed = execute_chapter(path, timeout)
    store_notebook(path, executed.notebook, executed.seconds, cache_path)
    return executed.notebook, False


def last_seconds(cache_path: Path) -> dict[str, float]:
    """Per chapter file (resolved path), how long its last stored execution took."""
    from jupyter_cache import get_cache

    records = get_cache(str(cache_path)).list_cache_records()
    return {
        record.uri: float(record.data.get("execution_seconds", 0))
        for record in sorted(records, key=lambda r: r.created)
    }


#: In the cache folder: one lock file per chapter, held by the process executing it (:func:`execute_missing`).
LOCKS = "locks"


class _Claims:
    """Exclusive locks (``flock``) on the chapters a process is about to execute, released one by one as each is stored.

    Another process that needs the same chapter (an edition's Sphinx started
    while the build executes its chapters) waits for the lock and then finds
    the chapter in the cache instead of executing it too. The system releases
    a lock when its process ends, killed or not, so an interrupted build holds
    no chapter. Locks are taken in one order (by path), so two processes never
    wait for each other.
    """

    def __init__(self, cache_path: Path) -> None:
        self.folder = Path(cache_path) / LOCKS
        self.held: dict[Path, int] = {}

    def claim(self, paths: Iterable[Path]) -> list[Path]:
        """Lock ``paths``; the ones another process held until now (it may have executed them)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        waited = []
        for path in sorted(paths):
            name = hashlib.sha256(str(path).encode()).hexdigest()[:32]
            descriptor = os.open(self.folder / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
                waited.append(path)
            self.held[path] = descriptor
        return waited

    def release(self, path: Path) -> None:
        descriptor = self.held.pop(path, None)
        if descriptor is not None:
            os.close(descriptor)  # and with it the lock

    def release_all(self) -> None:
        for path in list(self.held):
            self.release(path)


def _missing(chapters: Iterable[Path], cache_path: Path) -> list[Path]:
    return [Path(p).resolve() for p in chapters if is_notebook(p) and not is_current(p, cache_path)]


def wait_for_missing(chapters: Iterable[Path], cache_path: Path) -> list[Path]:
    """The chapters the cache lacks once no process executes them any more: waits for those being executed."""
    todo = _missing(chapters, cache_path)
    with _claims(cache_path) as claims:
        claims.claim(todo)
        return [path for path in todo if not is_current(path, cache_path)]


@contextmanager
def _claims(cache_path: Path) -> Iterator[_Claims]:
    claims = _Claims(cache_path)
    try:
        yield claims
    finally:
        claims.release_all()


def execute_missing(
    chapters: Iterable[Path], cache_path: Path, jobs: int, log: Callable[[str], object] = print,
    claimed: Callable[[], object] | None = None,
) -> list[ChapterError]:  # fmt: skip
    """Execute, ``jobs`` at a time, the chapters the cache does not hold, and store each as it finishes.

    The longest (by their last run; chapters never run first, the longest
    files first) start first, so the cores stay busy to the end. Returns the failures (each names its file,
    cell and line); the chapters that ran are stored even when another one
    fails, or when the build is interrupted.

    Each chapter to run is locked first (:class:`_Claims`): a chapter that
    another process is executing is waited for, not executed twice. Then
    ``claimed`` is called: what may start meanwhile (the build starts the
    editions' Sphinx, which wait for the chapters they read).
    """
    todo = _missing(chapters, cache_path)
    with _claims(cache_path) as claims:
        waited = set(claims.claim(todo))
        todo = [path for path in todo if path not in waited or not is_current(path, cache_path)]
        for path in waited - set(todo):
            claims.release(path)
        if claimed is not None:
            claimed()
        if not todo:
            return []
        known = last_seconds(cache_path)
        todo.sort(key=lambda path: (-known.get(str(path), float("inf")), -path.stat().st_size))
        log(f"executing {len(todo)} chapter(s), {min(jobs, len(todo))} at a time")
        failures: list[ChapterError] = []
        for path, outcome in execute_chapters(todo, jobs):
            if isinstance(outcome, ChapterError):
                failures.append(outcome)
                continue
            store_notebook(path, outcome.notebook, outcome.seconds, cache_path)  # one writer: the cache is SQLite
            claims.release(path)
            log(f"executed {path.parent.name}/{path.name} in {outcome.seconds:.1f} s")
    return failures


def main(argv: list[str] | None = None) -> int:
    """``python tools/execute_chapter.py CHAPTER…``: run chapters without Sphinx, timing each cell."""
    import argparse

    parser = argparse.ArgumentParser(description="Run chapters cell by cell, without Sphinx, and time each cell.")
    parser.add_argument("chapters", nargs="+", type=Path)
    parser.add_argument("--show", action="store_true", help="print each cell's text output")
    args = parser.parse_args(argv)
    for chapter in args.chapters:
        start = time.perf_counter()
        try:
            results = execute_chapter(chapter).cells
        except ChapterError as error:
            print(error, file=sys.stderr)
            return 1
        print(f"{chapter}: {len(results)} code cells in {time.perf_counter() - start:.1f} s")
        for r in results:
            first = r.source.splitlines()[0][:60] if r.source else ""
            print(f"  cell {r.index:>3} line {r.line:>4} {r.seconds:6.2f} s  {first}")
            if args.show and r.text:
                print("    | " + r.text.rstrip().replace("\n", "\n    | "))
    return 0
