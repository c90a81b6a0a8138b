"""Every chapter of every edition executes; error demos still raise and nothing else does.

Every chapter the build's jupyter-cache lacks runs once, one per core, cell by
cell, so a failure names its file, cell and line; the executed notebooks go
into that cache, so the site build in test_site.py reuses them instead of
executing the chapters again. Then every chapter runs a second time, to show
it prints the same: here, one per core, for every edition but
``STUDENT_RUN_EDITION``, whose chapters test_notebooks runs a second time as
a student runs the downloaded notebooks, comparing what they print with the
site (each chapter runs twice per ``tox``, not three times).
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

import numpy as np
import pytest

from book_structure import EDITIONS, STUDENT_RUN_EDITION, chapters, read_outline
from dlbook_build.execute import (
    ChapterError,
    Executed,
    cached_notebook,
    cell_text,
    execute_chapters,
    execute_missing,
    last_seconds,
)
from dlbook_build.project import CACHE_PATH as CACHE

CHAPTERS = [p.resolve() for edition in EDITIONS for p in chapters(edition) if read_outline(p).cells]
#: the chapters run a second time here (the student-run edition's run in test_notebooks)
SECOND_RUN = [p for p in CHAPTERS if p.parent.name != STUDENT_RUN_EDITION]
JOBS = os.cpu_count() or 1


@pytest.fixture(scope="session")
def failures() -> dict[Path, ChapterError]:
    """The chapters the cache lacks, executed and stored (as the build does); those that failed."""
    errors = execute_missing(CHAPTERS, CACHE, JOBS, log=lambda _: None)
    return {path: error for path in CHAPTERS for error in errors if str(error).startswith(f"{path}:")}


def longest_first(paths: list[Path]) -> list[Path]:
    """The chapters, the longest first by their stored run (as the build orders them), so no core idles at the end."""
    known = last_seconds(CACHE)
    return sorted(paths, key=lambda path: -known.get(str(path), float("inf")))


@pytest.fixture(scope="session")
def second_runs(failures) -> dict[Path, Executed | ChapterError]:
    """Every chapter but the student-run edition's executed once more, in fresh kernels, one per core."""
    return dict(execute_chapters(longest_first(SECOND_RUN), JOBS))


@pytest.fixture(scope="module", params=CHAPTERS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def executed(request, failures) -> tuple[Path, list]:
    if request.param in failures:
        pytest.fail(str(failures[request.param]))
    notebook = cached_notebook(request.param, CACHE)
    assert notebook is not None, f"{request.param} is not in the cache the build filled"
    return request.param, [c for c in notebook.cells if c.cell_type == "code"]


def test_error_demos_raise_and_no_other_cell_does(executed):
    path, cells = executed
    source_cells = read_outline(path).cells
    assert len(cells) == len(source_cells)
    for number, (cell, source) in enumerate(zip(cells, source_cells, strict=True), start=1):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        where = f"{path}: code cell {number} (line {source.line})"
        if "raises-exception" in source.tags:
            assert errors, f"{where} is tagged raises-exception but no longer raises"
        else:
            assert not errors, f"{where} raised {errors[0]['ename']}: {errors[0]['evalue']}"


def test_cells_write_nothing_to_stderr(executed):
    path, cells = executed
    for number, cell in enumerate(cells, start=1):
        for output in cell.get("outputs", []):
            assert not (output.get("output_type") == "stream" and output.get("name") == "stderr"), (
                f"{path}: code cell {number} wrote to stderr:\n{output.get('text')}"
            )


def text_outputs(cells) -> list[str]:
    """What each code cell printed or returned as text, errors included."""
    return [cell_text(cell) for cell in cells]


@pytest.mark.book
@pytest.mark.parametrize("path", SECOND_RUN, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_second_run_prints_the_same_text(path, failures, second_runs):
    """Two clean builds print the same: seeds are fixed, nothing prints addresses or timings."""
    if path in failures:
        pytest.fail(str(failures[path]))
    cells = [c for c in cached_notebook(path, CACHE).cells if c.cell_type == "code"]
    again = second_runs[path]
    if isinstance(again, ChapterError):
        pytest.fail(f"the second run failed: {again}")
    for number, (before, result) in enumerate(zip(text_outputs(cells), again.cells, strict=True), start=1):
        now = text_outputs([{"outputs": result.outputs}])[0]
        assert now == before, (
            f"{path}: code cell {number} printed differently on a second run:\n{before!r}\n!=\n{now!r}"
        )


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def test_framework_twins_print_the_same_numbers(executed):
    """A tab-tensorflow cell and its tab-pytorch twin print the same numbers."""
    path, cells = executed
    sources = read_outline(path).cells
    texts = text_outputs(cells)
    for number, (source, twin) in enumerate(itertools.pairwise(sources), start=1):
        if "tab-tensorflow" in source.tags and "tab-pytorch" in twin.tags:
            tf_numbers = [float(n) for n in _NUMBER.findall(texts[number - 1])]
            torch_numbers = [float(n) for n in _NUMBER.findall(texts[number])]
            assert len(tf_numbers) == len(torch_numbers) and np.allclose(
                tf_numbers, torch_numbers, rtol=1e-4, atol=1e-6
            ), (
                f"{path}: code cells {number} (TensorFlow) and {number + 1} (PyTorch) print different numbers:\n"
                f"{texts[number - 1]}\n{texts[number]}"
            )
