"""The numbers the lecture notes print appear in the chapters' executed outputs.

A framework upgrade that changes one of them fails here, in `tox`, instead of
surprising a reader. (The data recipes behind them are pinned in test_data.py.)
"""

from __future__ import annotations

import pytest

from book_structure import BOOK, EDITIONS
from execute_chapter import CACHE_PATH, executed_notebook
from test_chapters import text_outputs

LECTURE_NUMBERS = {
    # week 3: stack/concat shapes
    "tensors": ["[2, 2, 3, 4, 5]", "[2, 3, 4, 5, 2]", "[6, 3, 4]", "[2, 9, 4]", "[2, 3, 12]", "[3, 2, 3, 4]"],
    # week 3: the tape's derivatives of 3x² and (3/2)x³ at x = 2
    "gradient-tape": ["12.0", "18.0"],
    # week 4: café gradient at (9, 2), the optimum, argmin, the first steps and the loops
    "gradient-descent": ["-126.78691", "-3208.8394", "9.94457329", "2.21570461", "59", "-9.99", "-9.980008", "1.9971251"],
    # week 5: closed form and SGD on (β/2 - 1)²
    "optimizers": ["2.583667211565867", "3.9330345167331697", "2.58366721", "3.93303452", "1.9971251"],
    # PyTorch week 2: first step, 30 epochs, closed form
    "pytorch-training": ["8587.6875", "-1342.2524", "1188.9305", "-3.6577", "8.8111", "2.4290", "4.0144", "2.4459", "4.0043"],
    # week 7: the single Dense(1) fit
    "relu-networks": ["2.2616348", "0.6069048"],
}


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("chapter", sorted(LECTURE_NUMBERS))
def test_chapter_prints_the_lecture_numbers(edition, chapter):
    notebook, _ = executed_notebook(BOOK / edition / f"{chapter}.md", CACHE_PATH)
    printed = "\n".join(text_outputs([c for c in notebook.cells if c.cell_type == "code"]))
    missing = [number for number in LECTURE_NUMBERS[chapter] if number not in printed]
    assert not missing, f"{edition}/{chapter}.md no longer prints the lecture's {missing}"
