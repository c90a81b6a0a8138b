"""Paired TensorFlow / PyTorch cells become synchronised tabs."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from book_structure import run_build

pytestmark = pytest.mark.book  # builds fixture books

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def build(book: Path, out: Path):
    return run_build("--edition=en", book=book, build_dir=out)


def test_pairs_become_synchronised_tab_sets_with_both_outputs(tmp_path):
    result = build(FIXTURES / "tabs", tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    soup = BeautifulSoup((tmp_path / "html" / "en" / "paired.html").read_text(encoding="utf-8"), "html.parser")
    tab_sets = soup.select("div.sd-tab-set.framework-tabs")
    assert len(tab_sets) == 2
    for tab_set in tab_sets:
        labels = tab_set.select("label.sd-tab-label")
        assert [label.get_text(strip=True) for label in labels] == ["TensorFlow", "PyTorch"]
        assert {label["data-sync-group"] for label in labels} == {"framework"}
        assert [label["data-sync-id"] for label in labels] == ["tensorflow", "pytorch"]
        assert tab_set.select_one("input[checked]") is not None  # TensorFlow shown first
        assert len(tab_set.select(".cell .cell_input")) == 2  # both cells' code
    outputs = [o.get_text(strip=True) for o in tab_sets[0].select(".cell_output")]
    assert outputs == ["tensorflow 6", "pytorch 6"]  # both executed


def test_a_tab_without_its_twin_fails_the_build(tmp_path):
    result = build(FIXTURES / "orphan_tab", tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "lonely.md:12" in output and "must be followed directly by its tab-pytorch twin" in output
