"""Every chapter reads as a textbook chapter: a summary section before its exercises, exercises named alike."""

from __future__ import annotations

import re

import pytest

from book_structure import BOOK, EDITIONS, read_outline
from dlbook_build.pdf import numbered_chapters

#: the section headings every chapter shares, in each edition's words
SUMMARY = {"en": "Summary", "ko": "요약"}
EXERCISES = {"en": "Exercises", "ko": "연습 문제"}
CHAPTERS = [(edition, name) for edition in EDITIONS for name in numbered_chapters(BOOK, edition)]


def test_every_edition_has_its_headings():
    assert set(SUMMARY) == set(EXERCISES) == set(EDITIONS)


def test_there_are_chapters():
    assert len(CHAPTERS) == 7 * len(EDITIONS)


@pytest.mark.parametrize(("edition", "name"), CHAPTERS, ids=lambda v: str(v))
def test_a_summary_section_closes_the_chapter_before_its_exercises(edition, name):
    lines = (BOOK / edition / f"{name}.md").read_text(encoding="utf-8").splitlines()
    label = lines.index(f"({name}-summary)=") if f"({name}-summary)=" in lines else None
    assert label is not None, f"{edition}/{name}.md has no ({name}-summary)= label"
    assert lines[label + 1] == f"## {SUMMARY[edition]}", f"{edition}/{name}.md: the summary label is not on its heading"
    summary = lines[label + 2 : next(i for i in range(label + 2, len(lines) + 1) if i == len(lines) or lines[i].startswith("## "))]
    assert sum(1 for line in summary if line.strip()) >= 8, f"{edition}/{name}.md: the summary is too short to summarise"
    exercises = [i for i, line in enumerate(lines) if line == f"## {EXERCISES[edition]}"]
    assert len(exercises) == 1 and exercises[0] > label, f"{edition}/{name}.md: one exercises section, after the summary"
    later = [line for line in lines[label + 2 : exercises[0]] if line.startswith("## ")]
    assert not later, f"{edition}/{name}.md: {later} between the summary and the exercises"


@pytest.mark.parametrize(("edition", "name"), CHAPTERS, ids=lambda v: str(v))
def test_exercises_are_exercises(edition, name):
    """Each exercise is an {exercise} with a label; no prompt calls itself an example."""
    text = (BOOK / edition / f"{name}.md").read_text(encoding="utf-8")
    outline = read_outline(BOOK / edition / f"{name}.md").outline
    assert ("directive", "exercise") in outline, f"{edition}/{name}.md has no exercise"
    assert not re.search(r"^(Example|예제)\s*[:.]", text, re.MULTILINE), f"{edition}/{name}.md: an exercise begins as an example"
