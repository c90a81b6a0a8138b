"""Execute chapters outside Sphinx, cell by cell: ``python tools/execute_chapter.py book/en/tensors.md``.

For authors (quick feedback on one chapter, with each cell's time) and for the
tests. A failing cell is reported with its file, its number among the code
cells, its line in the file and its source. Cells tagged ``raises-exception``
must raise; any other cell must not.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from myst_nb.core.read import read_myst_markdown_notebook
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
#: The jupyter-cache the build and the tests share (conf.py's nb_execution_cache_path).
CACHE_PATH = ROOT / "_build" / ".jupyter_cache"
#: The kernels' environment, for the Sphinx build (conf.py applies it) and for
#: this tool: TensorFlow's C++ start-up logs off (they would land in cell
#: outputs), deterministic CPU kernels, fixed hashing, and one OpenMP thread
#: (PyTorch's small full-batch loops run faster on one thread than on two,
#: and parallel chapter runs already share the cores).
KERNEL_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "TF_DETERMINISTIC_OPS": "1",
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}


class ChapterError(Exception):
    """A chapter's cell did not behave: raised where it should not, or the reverse."""


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
        """All text the cell printed or returned (text/plain), as one string."""
        parts = []
        for output in self.outputs:
            if output.get("output_type") == "stream":
                parts.append(output["text"])
            elif "data" in output and "text/plain" in output["data"]:
                parts.append(output["data"]["text/plain"])
        return "".join(parts)


def read_chapter(path: Path) -> nbformat.NotebookNode:
    """The chapter as a notebook, each code cell knowing its line in the file."""
    return read_myst_markdown_notebook(path.read_text(encoding="utf-8"), add_source_map=True, path=path)


def execute_chapter(path: Path, timeout: int = 300, notebook: nbformat.NotebookNode | None = None) -> list[CellResult]:
    """Run every code cell of the chapter at ``path`` in a fresh kernel, in its folder.

    The outputs are also written into ``notebook`` (read from ``path`` unless given).
    """
    path = Path(path).resolve()
    notebook = read_chapter(path) if notebook is None else notebook
    source_map = notebook.metadata.get("source_map", [])
    code_cells = [(i, c) for i, c in enumerate(notebook.cells) if c.cell_type == "code"]
    results: list[CellResult] = []
    previous_env = {k: os.environ.get(k) for k in KERNEL_ENV}
    os.environ.update(KERNEL_ENV)
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", record_timing=False,  # timing metadata would change the cache key
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        with client.setup_kernel():
            # as nbclient's own execute() does: the cache and myst-nb need the kernel's language
            info = client.wait_for_reply(client.kc.kernel_info())
            notebook.metadata["language_info"] = info["content"]["language_info"]
            for number, (cell_index, cell) in enumerate(code_cells, start=1):
                line = source_map[cell_index] + 1 if cell_index < len(source_map) else 0
                tags = list(cell.metadata.get("tags", []))
                start = time.perf_counter()
                client.execute_cell(cell, cell_index)  # allows errors only in raises-exception cells
                result = CellResult(number, line, cell.source, tags, time.perf_counter() - start, list(cell.outputs))
                results.append(result)
                if "raises-exception" in tags and result.error_name is None:
                    raise ChapterError(
                        f"{path}: code cell {number} (line {line}) is tagged raises-exception but did not raise:\n"
                        f"{cell.source}"
                    )
    except ChapterError:
        raise
    except Exception as error:  # nbclient's CellExecutionError carries the traceback
        failed = len(results) + 1
        cell_index, cell = code_cells[failed - 1]
        line = source_map[cell_index] + 1 if cell_index < len(source_map) else 0
        raise ChapterError(f"{path}: code cell {failed} (line {line}) failed:\n{error}") from error
    finally:
        for key, value in previous_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
        total = time.perf_counter() - start
        print(f"{chapter}: {len(results)} code cells in {total:.1f} s")
        for r in results:
            print(f"  cell {r.index:>3} line {r.line:>4} {r.seconds:6.2f} s  {r.source.splitlines()[0][:60] if r.source else ''}")
            if args.show and r.text:
                print("    | " + r.text.rstrip().replace("\n", "\n    | "))
    return 0


if __name__ == "__main__":
    sys.exit(main())


def cached_notebook(path: Path, cache_path: Path) -> nbformat.NotebookNode | None:
    """The chapter's executed copy in the jupyter-cache, if its code is unchanged."""
    from jupyter_cache import get_cache

    try:
        return get_cache(str(cache_path)).merge_match_into_notebook(read_chapter(Path(path).resolve()))[1]
    except KeyError:
        return None


def run_notebook(path: Path, timeout: int = 300) -> tuple[nbformat.NotebookNode, float]:
    """Execute the chapter (cell by cell, failures name file, cell and line): the notebook and seconds."""
    path = Path(path).resolve()
    notebook = read_chapter(path)
    start = time.perf_counter()
    execute_chapter(path, timeout=timeout, notebook=notebook)
    return notebook, time.perf_counter() - start


def store_notebook(path: Path, notebook: nbformat.NotebookNode, seconds: float, cache_path: Path) -> None:
    """Put an executed chapter into the jupyter-cache, where myst-nb's build finds it."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    get_cache(str(cache_path)).cache_notebook_bundle(
        CacheBundleIn(notebook, str(Path(path).resolve()), data={"execution_seconds": seconds}),
        check_validity=False,
        overwrite=True,
    )


def executed_notebook(path: Path, cache_path: Path, timeout: int = 300) -> tuple[nbformat.NotebookNode, bool]:
    """The chapter executed, from the build's jupyter-cache if its code is unchanged.

    When the cache has no match the chapter is executed here and stored in the
    cache, so the Sphinx build that follows does not execute it again.
    Returns the executed notebook and whether it came from the cache.
    """
    cached = cached_notebook(path, cache_path)
    if cached is not None:
        return cached, True
    notebook, seconds = run_notebook(path, timeout)
    store_notebook(path, notebook, seconds, cache_path)
    return notebook, False


def is_notebook(path: Path) -> bool:
    """Whether a chapter file is a MyST notebook (it has code cells to execute)."""
    from myst_nb.core.read import is_myst_markdown_notebook

    return is_myst_markdown_notebook(Path(path).read_text(encoding="utf-8"))
