"""The one chapter executor: kernels with the book's environment, over IPC, failures named."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlbook_build.execute import KERNEL_ENV, ChapterError, cached_notebook, execute_chapter, executed_notebook

pytestmark = pytest.mark.book  # starts kernels and builds fixture books

FRONT_MATTER = "---\nfile_format: mystnb\nkernelspec:\n  name: python3\n  display_name: Python 3\n---\n\n# T\n\n"


def chapter(tmp_path: Path, *cells: str) -> Path:
    path = tmp_path / "chapter.md"
    path.write_text(FRONT_MATTER + "\n\n".join(cells) + "\n", encoding="utf-8")
    return path


def cell(source: str, tags: str = "") -> str:
    return "```{code-cell} ipython3\n" + (f":tags: [{tags}]\n" if tags else "") + source + "\n```"


def test_kernels_get_the_book_environment_and_no_tcp_warning(tmp_path, capfd):
    path = chapter(tmp_path, cell(f"import os\nprint(sorted((k, os.environ.get(k)) for k in {sorted(KERNEL_ENV)!r}))"))
    results = execute_chapter(path).cells
    assert results[0].text.strip() == str(sorted(KERNEL_ENV.items()))
    captured = capfd.readouterr()
    assert "without encryption" not in captured.err + captured.out
    assert "Kernel is running over TCP" not in captured.err + captured.out


def test_a_raises_exception_cell_that_does_not_raise_is_named(tmp_path):
    path = chapter(tmp_path, cell("x = 1"), cell("y = x + 1", tags="raises-exception"))
    with pytest.raises(
        ChapterError, match=r"chapter\.md: code cell 2 \(line \d+\) is tagged raises-exception but did not raise"
    ):
        execute_chapter(path)


def test_an_error_demo_runs_on(tmp_path):
    path = chapter(tmp_path, cell("1 / 0", tags="raises-exception"), cell("print('after')"))
    results = execute_chapter(path).cells
    assert results[0].error_name == "ZeroDivisionError" and results[1].text == "after\n"


def test_the_cache_returns_an_unchanged_chapter_and_misses_a_changed_one(tmp_path):
    cache = tmp_path / "cache"
    path = chapter(tmp_path, cell("print(6 * 7)"))
    first, from_cache = executed_notebook(path, cache)
    assert not from_cache and first.cells[-1].outputs[0]["text"] == "42\n"
    again, from_cache = executed_notebook(path, cache)
    assert from_cache and again.cells[-1].outputs[0]["text"] == "42\n"
    path.write_text(path.read_text(encoding="utf-8") + "\nProse changes nothing.\n", encoding="utf-8")
    assert cached_notebook(path, cache) is not None
    path.write_text(path.read_text(encoding="utf-8").replace("6 * 7", "6 * 8"), encoding="utf-8")
    assert cached_notebook(path, cache) is None


def test_a_change_to_the_library_makes_the_cached_chapters_stale(tmp_path, monkeypatch):
    from dlbook_build import execute

    cache = tmp_path / "cache"
    path = chapter(tmp_path, cell("print(6 * 7)"))
    executed_notebook(path, cache)
    assert cached_notebook(path, cache) is not None
    monkeypatch.setattr(execute, "library_hash", lambda: "another dlbook")
    assert cached_notebook(path, cache) is None
    _, from_cache = executed_notebook(path, cache)
    assert not from_cache and cached_notebook(path, cache) is not None


def test_a_page_whose_executed_copy_is_gone_is_executed_again_on_rebuild(tmp_path):
    """Sphinx re-reads only changed sources; a page with no (or a stale) executed copy is re-read and executed too."""
    import shutil

    from book_structure import run_build
    from dlbook_build.project import BuildDirs

    fixtures = Path(__file__).resolve().parent / "fixtures" / "tabs"
    first = run_build("--edition=en", book=fixtures, build_dir=tmp_path)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "executed en/paired.md" in first.stdout
    shutil.rmtree(BuildDirs(tmp_path).cache)
    again = run_build("--edition=en", book=fixtures, build_dir=tmp_path)
    log = again.stdout + again.stderr
    assert again.returncode == 0 and "WARNING" not in log, log[-3000:]
    assert "executed en/paired.md" in again.stdout


def test_a_page_read_before_its_executed_copy_was_stored_is_read_again(tmp_path):
    """The tests (or another build) store a chapter anew: the next build shows those outputs, not the old ones."""
    from book_structure import run_build
    from dlbook_build.execute import store_notebook
    from dlbook_build.project import BuildDirs

    fixtures = Path(__file__).resolve().parent / "fixtures" / "tabs"
    dirs = BuildDirs(tmp_path)
    assert run_build("--edition=en", book=fixtures, build_dir=tmp_path).returncode == 0
    page = dirs.site / "en" / "paired.html"
    assert "tensorflow 6" in page.read_text(encoding="utf-8")
    chapter = fixtures / "en" / "paired.md"
    notebook = cached_notebook(chapter, dirs.cache)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                output["text"] = output["text"].replace("tensorflow 6", "tensorflow 6, stored again")
    store_notebook(chapter, notebook, 1.0, dirs.cache)
    again = run_build("--edition=en", book=fixtures, build_dir=tmp_path)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "tensorflow 6, stored again" in page.read_text(encoding="utf-8")


def test_an_interrupted_build_reuses_what_finished_and_ends_as_a_clean_build_does(tmp_path):
    """A build killed while executing: the next reuses the chapters stored, runs the others, publishes the same site."""
    import os
    import signal
    import subprocess
    import sys

    from book_structure import ROOT, run_build
    from dlbook_build.project import BuildDirs

    book = Path(__file__).resolve().parent / "fixtures" / "interrupted"
    command = [sys.executable, str(ROOT / "tools" / "build_book.py"), "--edition=en", "--jobs=2", "--book", str(book)]
    killed = subprocess.Popen(
        [*command, "--build-dir", str(tmp_path / "killed")], cwd=ROOT, env=dict(os.environ, DLBOOK_TEST_SLEEP="600"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        for line in killed.stdout:
            if line.startswith("executed en/quick.md"):
                break
    finally:
        os.killpg(killed.pid, signal.SIGKILL)  # the build, its warm process, workers and kernels
        killed.wait()
    resumed = run_build("--edition=en", book=book, build_dir=tmp_path / "killed")
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert "executing 1 chapter(s)" in resumed.stdout and "executed en/slow.md" in resumed.stdout
    assert "executed en/quick.md" not in resumed.stdout
    clean = run_build("--edition=en", book=book, build_dir=tmp_path / "clean")
    assert clean.returncode == 0, clean.stdout[-3000:] + clean.stderr[-3000:]
    pages = {site: {p.relative_to(site): p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
             for site in (BuildDirs(tmp_path / "killed").site, BuildDirs(tmp_path / "clean").site)}  # fmt: skip
    killed_pages, clean_pages = pages.values()
    assert killed_pages.keys() == clean_pages.keys() and killed_pages == clean_pages


def test_a_kernel_that_dies_is_named_at_once(tmp_path):
    """A kernel is judged by its process (dlbook_build.kernels), not its heartbeat: a death is seen, not timed out."""
    import time

    path = chapter(tmp_path, cell("print(1)"), cell("import os\nos._exit(3)"))
    start = time.perf_counter()
    with pytest.raises(ChapterError, match=r"chapter\.md: code cell 2 \(line \d+\) failed:\nKernel died"):
        execute_chapter(path)
    assert time.perf_counter() - start < 60  # not the cell's timeout (300 s)


def test_a_line_printed_in_two_chunks_is_stored_as_one_line(tmp_path):
    """However the kernel's buffer was flushed, the stored stream reads as printed (myst-nb would break the line)."""
    import nbformat

    from dlbook_build.execute import join_streams

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print((-10.0, -1.0), 'MSE gradient:', 0.5)")])
    notebook.cells[0].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="(-10.0, -1.0)"),
        nbformat.v4.new_output("stream", name="stdout", text=" MSE gradient: 0.5\n"),
        nbformat.v4.new_output("display_data", data={"text/plain": "<Figure>"}),
        nbformat.v4.new_output("stream", name="stdout", text="after\n"),
    ]
    outputs = join_streams(notebook).cells[0].outputs
    assert [o.get("text") for o in outputs] == ["(-10.0, -1.0) MSE gradient: 0.5\n", None, "after\n"]


def test_a_kernel_runs_whatever_the_length_of_tmpdir(tmp_path):
    """Sockets live in a short private folder: macOS's TMPDIR is long, and a Unix socket path has at most 104 bytes.

    (108 on Linux.)
    """
    import os
    import subprocess
    import sys

    from book_structure import ROOT

    long = tmp_path / ("t" * max(1, 110 - len(str(tmp_path))))
    long.mkdir()
    assert len(str(long)) > 100
    command = [
        sys.executable,
        str(ROOT / "tools" / "execute_chapter.py"),
        "--show",
        str(chapter(tmp_path, cell("print(6 * 7)"))),
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, TMPDIR=str(long)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| 42" in result.stdout


def test_the_warm_process_also_takes_what_torch_imports_at_its_first_optimizer():
    from dlbook_build.kernels import imported_frameworks

    assert imported_frameworks(["import numpy as np\nimport torch"]) == ["numpy", "torch", "torch._dynamo"]
    assert imported_frameworks(["from torch import nn"]) == ["torch", "torch._dynamo"]
    assert imported_frameworks(["import keras", "%matplotlib inline"]) == ["keras"]


def test_a_chapter_being_executed_is_waited_for_not_executed_twice(tmp_path):
    """An edition's Sphinx started while the build executes its chapter (dlbook_build.build) finds it stored after."""
    import threading

    from dlbook_build.execute import execute_missing, wait_for_missing

    cache = tmp_path / "cache"
    path = chapter(tmp_path, cell("print(6 * 7)"))
    found: list[list[Path]] = []
    waiting: list[threading.Thread] = []

    def start_waiting() -> None:  # called with the chapter locked, before it runs
        waiting.append(threading.Thread(target=lambda: found.append(wait_for_missing([path], cache))))
        waiting[0].start()

    assert execute_missing([path], cache, jobs=1, log=lambda line: None, claimed=start_waiting) == []
    waiting[0].join(timeout=60)
    assert found == [[]] and cached_notebook(path, cache) is not None
    (tmp_path / "other").mkdir()
    assert wait_for_missing([chapter(tmp_path / "other", cell("print(1)"))], cache) != []  # nobody runs it: missing


def test_after_a_code_edit_only_that_chapter_runs_and_the_site_is_a_clean_builds(tmp_path):
    """The edited chapter's edition waits for it while the other is built; pages and notebooks as a clean build's."""
    import re
    import shutil

    from book_structure import run_build
    from dlbook_build.project import BuildDirs

    book = tmp_path / "book"
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "interrupted", book)
    edited = BuildDirs(tmp_path / "edited")
    assert run_build(book=book, build_dir=edited.root).returncode == 0
    kept = edited.sphinx_out("en") / "_downloads" / "notebooks" / "slow.ipynb"
    kept_at = kept.stat().st_mtime_ns
    quick = book / "en" / "quick.md"
    quick.write_text(quick.read_text(encoding="utf-8").replace("6 * 7", "6 * 8"), encoding="utf-8")
    again = run_build(book=book, build_dir=edited.root)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "executing 1 chapter(s)" in again.stdout and "executed en/quick.md" in again.stdout
    assert kept.stat().st_mtime_ns == kept_at  # its page did not change: nor did its notebook
    clean = BuildDirs(tmp_path / "clean")
    assert run_build(book=book, build_dir=clean.root).returncode == 0

    def published(site: Path) -> dict[Path, str]:
        """Pages and notebooks, less the checksums Sphinx adds to the links of stylesheets that myst-nb and
        sphinx-exercise write only at the end of a build (present in a rebuild, not in a first build)."""
        shown = (p for p in site.rglob("*") if p.suffix in {".html", ".ipynb"})
        text = {p.relative_to(site): p.read_text(encoding="utf-8") for p in shown}
        return {path: re.sub(r"\?v=[0-9a-f]{8}", "", page) for path, page in text.items()}

    assert "quick 48" in (edited.site / "en" / "quick.html").read_text(encoding="utf-8")
    assert published(edited.site) == published(clean.site)
