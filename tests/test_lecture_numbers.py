"""The numbers the lecture notes print appear in the chapters' executed outputs.

A framework upgrade that changes one of them fails here, in `tox`, instead of
surprising a reader. (The data recipes behind them are pinned in test_data.py.)
"""

from __future__ import annotations

import re

import pytest

from book_structure import BOOK, EDITIONS
from dlbook_build.execute import cell_text, executed_notebook
from dlbook_build.project import CACHE_PATH

LECTURE_NUMBERS = {
    # week 3: stack/concat shapes
    "tensors": ["[2, 2, 3, 4, 5]", "[2, 3, 4, 5, 2]", "[6, 3, 4]", "[2, 9, 4]", "[2, 3, 12]", "[3, 2, 3, 4]"],
    # week 3: the tape's derivatives of 3x² and (3/2)x³ at x = 2
    "gradient-tape": ["12.0", "18.0"],
    # week 4: café gradient at (9, 2), the optimum, argmin, the first steps and the loops
    "gradient-descent": [
        "-126.78691",
        "-3208.8394",
        "9.94457329",
        "2.21570461",
        "59",
        "-9.99",
        "-9.980008",
        "1.9971251",
    ],
    # week 5: closed form and SGD on (β/2 - 1)²
    "optimizers": ["2.583667211565867", "3.9330345167331697", "2.58366721", "3.93303452", "1.9971251"],
    # PyTorch week 2: first step, 30 epochs, closed form
    "pytorch-training": [
        "8587.6875",
        "-1342.2524",
        "1188.9305",
        "-3.6577",
        "8.8111",
        "2.4290",
        "4.0144",
        "2.4459",
        "4.0043",
    ],
    # week 7: the single Dense(1) fit
    "relu-networks": ["2.2616348", "0.6069048"],
}


def printed_whole(number: str, text: str) -> bool:
    """Whether ``number`` stands in ``text`` as a whole number: "59" is not found in "159" or "59.5"."""
    digit = r"[\d.]" if number[0].isdigit() or number[0] == "-" else ""
    pattern = (r"(?<![\d.\-])" if digit else "") + re.escape(number) + (r"(?![\d]|\.\d)" if digit else "")
    return re.search(pattern, text) is not None


def test_numbers_are_matched_whole():
    assert printed_whole("59", "took 59 steps") and printed_whole("59", "[59, 60]")
    assert not printed_whole("59", "159 steps") and not printed_whole("59", "59.5") and not printed_whole("59", "0.59")
    assert printed_whole("12.0", "12.0") and not printed_whole("12.0", "112.0") and not printed_whole("12.0", "12.05")
    assert printed_whole("-3.6577", "W = [-3.6577, 8.8111]") and not printed_whole("3.6577", "-3.6577")
    assert printed_whole("[6, 3, 4]", "TensorShape([6, 3, 4])")


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("chapter", sorted(LECTURE_NUMBERS))
def test_chapter_prints_the_lecture_numbers(edition, chapter):
    notebook, _ = executed_notebook(BOOK / edition / f"{chapter}.md", CACHE_PATH)
    printed = "\n".join(cell_text(c) for c in notebook.cells if c.cell_type == "code")
    missing = [number for number in LECTURE_NUMBERS[chapter] if not printed_whole(number, printed)]
    assert not missing, f"{edition}/{chapter}.md no longer prints the lecture's {missing}"
