"""Executing chapters: the one implementation the build, the tests, the benchmark and the downloads use.

A chapter is read as a notebook (:func:`read_notebook`), run cell by cell in a
fresh kernel (:func:`execute_chapter`) and stored in the jupyter-cache, where
myst-nb finds it when Sphinx renders the page (:func:`executed_notebook`,
:func:`execute_missing`).

Why not jupyter-cache's own (parallel) executor or myst-nb's execution: both
report a failing chapter as a bare traceback. Here a failure names the file,
the cell's number among the code cells and its line in the file, with the
cell's source; a cell tagged ``raises-exception`` must raise and no other cell
may. The notebooks land in the same jupyter-cache either way.

Kernels talk to this process over IPC sockets in a private folder, not TCP:
no port is opened, and ipykernel has no unencrypted-TCP warning to print.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timezone
from multiprocessing import get_context
from pathlib import Path

import nbformat
from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook
from nbclient import NotebookClient
from traitlets.config import Config

from dlbook_build.project import library_hash

#: The kernels' environment: TensorFlow's C++ start-up logs off (they would
#: land in cell outputs), deterministic CPU kernels, fixed hashing, one OpenMP
#: thread (PyTorch's small full-batch loops run faster on one thread, and
#: chapters run in parallel already share the cores), inline figures.
KERNEL_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "TF_DETERMINISTIC_OPS": "1",
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}
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


def _kernel_config(socket_dir: str) -> Config:
    return Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(socket_dir, "kernel")}})


def execute_chapter(
    path: Path, timeout: int = TIMEOUT, notebook: nbformat.NotebookNode | None = None
) -> list[CellResult]:
    """Run every code cell of the chapter at ``path`` in a fresh kernel, in its folder.

    The outputs are also written into ``notebook`` (read from ``path`` unless given).
    Raises :class:`ChapterError` naming the file, cell and line of a cell that fails.
    """
    path = Path(path).resolve()
    notebook = read_notebook(path) if notebook is None else notebook
    source_map = notebook.metadata.get("source_map", [])
    code_cells = [(i, c) for i, c in enumerate(notebook.cells) if c.cell_type == "code"]

    def line_of(cell_index: int) -> int:
        return source_map[cell_index] + 1 if cell_index < len(source_map) else 0

    results: list[CellResult] = []
    # a short private folder: a Unix socket path holds at most 104 bytes on macOS
    # (108 on Linux) and TMPDIR may be long (macOS's /var/folders/...); /tmp then
    temp = tempfile.gettempdir()
    sockets = tempfile.mkdtemp(prefix="dlbook-kernel-", dir=temp if len(temp) <= 64 else "/tmp")
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,  # timing metadata would change the cache key
        resources={"metadata": {"path": str(path.parent)}},
        config=_kernel_config(sockets),
    )
    try:
        with client.setup_kernel(env={**os.environ, **KERNEL_ENV}):
            # as nbclient's own execute() does: the cache and myst-nb need the kernel's language
            info = client.wait_for_reply(client.kc.kernel_info())
            notebook.metadata["language_info"] = info["content"]["language_info"]
            for number, (cell_index, cell) in enumerate(code_cells, start=1):
                tags = list(cell.metadata.get("tags", []))
                start = time.perf_counter()
                client.execute_cell(cell, cell_index)  # allows errors only in raises-exception cells
                result = CellResult(number, line_of(cell_index), cell.source, tags, time.perf_counter() - start, list(cell.outputs))
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
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    return results


def run_notebook(path: Path, timeout: int = TIMEOUT) -> tuple[nbformat.NotebookNode, float]:
    """Execute the chapter: the executed notebook and the seconds it took."""
    notebook = read_notebook(path)
    start = time.perf_counter()
    execute_chapter(path, timeout=timeout, notebook=notebook)
    return notebook, time.perf_counter() - start


def _current_copy(path: Path, cache_path: Path):
    """The chapter's executed copy and its cache record, if its code and ``dlbook`` are unchanged; else None.

    jupyter-cache keys a notebook by its code cells only; the library those
    cells import is part of the key here (a new figure format must show).
    """
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_path))
    try:
        pk, notebook = cache.merge_match_into_notebook(read_notebook(path))
    except KeyError:
        return None
    record = cache.get_cache_record(pk)
    return (notebook, record) if record.data.get("library") == library_hash() else None


def cached_notebook(path: Path, cache_path: Path) -> nbformat.NotebookNode | None:
    """The chapter's executed copy in the jupyter-cache, if its code and ``dlbook`` are unchanged; else None."""
    current = _current_copy(path, cache_path)
    return current[0] if current else None


def stored_at(path: Path, cache_path: Path) -> float | None:
    """When the chapter's current executed copy was stored (seconds since the epoch), or None if there is none."""
    current = _current_copy(path, cache_path)
    if current is None:
        return None
    created = current[1].created  # UTC, naive when it comes back from SQLite
    return (created if created.tzinfo else created.replace(tzinfo=timezone.utc)).timestamp()


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
        for entry, text in zip(traceback[:-1], plain[:-1])
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


def store_notebook(path: Path, notebook: nbformat.NotebookNode, seconds: float, cache_path: Path) -> None:
    """Put an executed chapter into the jupyter-cache, where myst-nb's build finds it.

    Error outputs are stored with short tracebacks (:func:`clean_error_outputs`).
    """
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    clean_error_outputs(notebook)

    get_cache(str(cache_path)).cache_notebook_bundle(
        CacheBundleIn(notebook, str(Path(path).resolve()), data={"execution_seconds": seconds, "library": library_hash()}),
        check_validity=False,
        overwrite=True,
    )


def executed_notebook(path: Path, cache_path: Path, timeout: int = TIMEOUT) -> tuple[nbformat.NotebookNode, bool]:
    """The chapter executed: from the cache if its code is unchanged, else executed now and stored.

    Returns the notebook and whether it came from the cache.
    """
    cached = cached_notebook(path, cache_path)
    if cached is not None:
        return cached, True
    notebook, seconds = run_notebook(path, timeout)
    store_notebook(path, notebook, seconds, cache_path)
    return notebook, False


def execute_missing(chapters: Iterable[Path], cache_path: Path, jobs: int, log=print) -> list[ChapterError]:
    """Execute, ``jobs`` at a time, the chapters the cache does not hold, and store them.

    Returns the failures (each names its file, cell and line); the chapters
    that ran are stored even when another one fails.
    """
    todo = [Path(p) for p in chapters if is_notebook(p) and cached_notebook(p, cache_path) is None]
    if not todo:
        return []
    log(f"executing {len(todo)} chapter(s), {jobs} at a time")
    failures: list[ChapterError] = []
    # spawn, not fork: the parent may be a Sphinx process with threads and open files
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=get_context("spawn")) as pool:
        futures = {path: pool.submit(run_notebook, path) for path in todo}
        for path, future in futures.items():
            try:
                notebook, seconds = future.result()
            except ChapterError as error:
                failures.append(error)
                continue
            store_notebook(path, notebook, seconds, cache_path)  # one writer: the cache is SQLite
            log(f"executed {path.parent.name}/{path.name} in {seconds:.1f} s")
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
            results = execute_chapter(chapter)
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
