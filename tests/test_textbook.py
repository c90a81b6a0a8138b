"""Every chapter reads as a textbook chapter: a summary section before its exercises, exercises named alike.

The chapters and their sections are the built edition's (its manifest).
"""

from __future__ import annotations

import re

import pytest

from book_structure import BOOK, EDITIONS, manifest, read_outline

#: the section headings every chapter shares, in each edition's words
SUMMARY = {"en": "Summary", "ko": "요약"}
EXERCISES = {"en": "Exercises", "ko": "연습 문제"}


@pytest.mark.parametrize("edition", EDITIONS)
def test_there_are_seven_numbered_chapters(built, edition):
    assert [c["number"] for c in manifest(edition)["chapters"]] == [str(n) for n in range(1, 8)]


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_summary_section_closes_each_chapter_before_its_exercises(built, edition):
    for chapter in manifest(edition)["chapters"]:
        name, number = chapter["docname"], chapter["number"]
        top = [s for s in chapter["sections"] if s["number"] and s["number"].count(".") == 1]
        titles = [s["title"] for s in top]
        assert SUMMARY[edition] in titles, f"{edition}/{name}.md has no {SUMMARY[edition]} section"
        summary = titles.index(SUMMARY[edition])
        assert top[summary]["label"] == f"{name}-summary", (
            f"{edition}/{name}.md: the summary is not labelled {name}-summary"
        )
        assert titles.count(EXERCISES[edition]) == 1, (
            f"{edition}/{name}.md: {titles.count(EXERCISES[edition])} exercises sections"
        )
        assert titles[summary + 1 :][:1] == [EXERCISES[edition]], (
            f"{edition}/{name}.md: {titles[summary + 1 :]} after the summary"
        )
        assert top[summary]["number"] == f"{number}.{summary + 1}"
        # the summary's own text, in the source
        lines = (BOOK / edition / f"{name}.md").read_text(encoding="utf-8").splitlines()
        start = lines.index(f"## {SUMMARY[edition]}") + 1
        text = lines[
            start : next(i for i in range(start, len(lines) + 1) if i == len(lines) or lines[i].startswith("## "))
        ]
        assert sum(1 for line in text if line.strip()) >= 8, (
            f"{edition}/{name}.md: the summary is too short to summarise"
        )


@pytest.mark.parametrize("edition", EDITIONS)
def test_exercises_are_exercises(built, edition):
    """Each chapter has exercises (sphinx-exercise's, numbered and labelled); no prompt calls itself an example."""
    for chapter in manifest(edition)["chapters"]:
        name, exercises = chapter["docname"], chapter["exercises"]
        assert exercises, f"{edition}/{name}.md has no exercise"
        numbers = [f"{chapter['number']}.{n}" for n in range(1, len(exercises) + 1)]
        assert [e["number"] for e in exercises] == numbers and all(e["label"] for e in exercises), (
            f"{edition}/{name}: {exercises}"
        )
        text = (BOOK / edition / f"{name}.md").read_text(encoding="utf-8")
        assert ("directive", "exercise") in read_outline(BOOK / edition / f"{name}.md").outline
        assert not re.search(r"^(Example|예제)\s*[:.]", text, re.MULTILINE), (
            f"{edition}/{name}.md: an exercise begins as an example"
        )
