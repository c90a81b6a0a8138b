"""A broken book stops the build with a message that names the file and what is wrong."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from book_structure import run_build
from dlbook_build.execute import ChapterError, execute_chapter

pytestmark = pytest.mark.book  # builds fixture books

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def build(book: Path, tmp_path: Path, *editions: str, jobs: int = 2) -> subprocess.CompletedProcess:
    options = ["--jobs", str(jobs), *(f"--edition={edition}" for edition in editions)]
    return run_build(*options, book=book, build_dir=tmp_path)


def test_a_broken_cell_fails_the_build_naming_file_and_cell(tmp_path):
    result = build(FIXTURES / "broken", tmp_path, "en")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"{FIXTURES / 'broken' / 'en' / 'broken.md'}: code cell 2 (line 17) failed" in output
    assert "y = x + name_that_does_not_exist" in output  # the failing cell's source
    assert "NameError" in output


def test_a_broken_chapter_stops_the_build_of_its_edition_only_after_the_others_ran(tmp_path):
    """One chapter at a time (--jobs 1): the failure still names the file and cell, and the edition fails."""
    result = build(FIXTURES / "broken", tmp_path, "en", jobs=1)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "broken.md: code cell 2 (line 17) failed" in output
    assert "the en edition failed" in output
    assert not (tmp_path / "html" / "en").exists(), "a failed edition must not be published"


def test_executing_a_broken_chapter_names_cell_and_line():
    with pytest.raises(ChapterError) as raised:
        execute_chapter(FIXTURES / "broken" / "en" / "broken.md")
    message = str(raised.value)
    assert "broken.md: code cell 2 (line 17) failed" in message
    assert "name_that_does_not_exist" in message


def test_a_chapter_without_its_twin_fails_the_build(tmp_path):
    result = build(FIXTURES / "twinless", tmp_path, "en")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "lonely.md has no twin" in output and "add the ko chapter or remove this one" in output


def test_a_chapter_missing_from_the_table_of_contents_fails_the_build(tmp_path):
    result = build(FIXTURES / "orphan", tmp_path, "en")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "forgotten.md" in output and "toctree" in output


def test_an_unknown_edition_is_refused(tmp_path):
    (tmp_path / "book" / "fr").mkdir(parents=True)
    (tmp_path / "book" / "fr" / "index.md").write_text("# Livre\n")
    result = build(tmp_path / "book", tmp_path, "fr")
    assert result.returncode != 0
    assert "Unknown edition language 'fr'" in result.stdout + result.stderr


def test_a_missing_korean_font_says_how_to_fix_it(monkeypatch):
    import importlib.util

    from dlbook import style

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match="koreanize-matplotlib"):
        style.use_book_style()


def test_a_build_without_node_says_how_to_get_it(monkeypatch, tmp_path):
    """Math is rendered at build time with Node: without it the HTML build stops at once, saying what to install."""
    from types import SimpleNamespace

    from sphinx.errors import ConfigError

    from dlbook_build.sphinx.page_speed import need_node

    def app(builder: str, prerender: bool = True) -> SimpleNamespace:
        return SimpleNamespace(
            builder=SimpleNamespace(format=builder), config=SimpleNamespace(katex_prerender=prerender)
        )

    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no node on it
    with pytest.raises(ConfigError, match=r"install Node\.js.*brew install node"):
        need_node(app("html"))
    need_node(app("latex"))  # the PDF keeps its LaTeX: no Node needed
    need_node(app("html", prerender=False))  # math left to the browser needs no Node either
