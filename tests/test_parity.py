"""The Korean and English editions have the same chapters, sections and code cells in the same order."""

from __future__ import annotations

import pytest

from book_structure import BOOK, EDITIONS, chapters, code_shape, manifest, read_outline

REFERENCE = "en"
OTHERS = [e for e in EDITIONS if e != REFERENCE]
RELATIVE = [p.relative_to(BOOK / REFERENCE) for p in chapters(REFERENCE)]


def test_there_are_two_editions():
    assert set(EDITIONS) == {"ko", "en"}


def test_an_edition_folder_needs_its_settings(tmp_path):
    from dlbook_build.project import load_editions

    (tmp_path / "editions.toml").write_text('[en]\ntitle = "Book"\n')
    for language in ("en", "fr"):
        (tmp_path / language).mkdir()
        (tmp_path / language / "index.md").write_text("# Book\n")
    with pytest.raises(ValueError, match=r"no table for the edition folder\(s\) \['fr'\]"):
        load_editions(tmp_path)


def test_every_edition_needs_the_same_settings(tmp_path):
    from dlbook_build.project import load_editions

    (tmp_path / "editions.toml").write_text(
        '[en]\ntitle = "Book"\nbyline = "By us."\n[en.latex]\npreface = "Preface"\nand = ", "\n'
        '[fr]\ntitle = "Livre"\n[fr.latex]\npreface = "Préface"\n',
        encoding="utf-8",
    )
    for language in ("en", "fr"):
        (tmp_path / language).mkdir()
        (tmp_path / language / "index.md").write_text("# Book\n")
    with pytest.raises(ValueError, match=r"the edition 'fr' lacks the key\(s\) \['byline', 'latex\.and'\]"):
        load_editions(tmp_path)


@pytest.mark.parametrize("edition", OTHERS)
def test_same_chapter_files(edition):
    theirs = {p.relative_to(BOOK / edition) for p in chapters(edition)}
    assert theirs == set(RELATIVE), "every chapter file must exist in every edition"


def contents(edition: str) -> list[tuple[str, str | None]]:
    """The built edition's table of contents (its manifest): each page and its number, numbered chapters first."""
    built = manifest(edition)
    return [(c["docname"], c["number"]) for c in built["chapters"]] + [
        (p["docname"], None) for p in built["back_matter"]
    ]


@pytest.mark.parametrize("edition", OTHERS)
def test_same_table_of_contents(built, edition):
    assert contents(edition) == contents(REFERENCE)
    sections = {
        e: [[(s["number"], s["label"]) for s in c["sections"]] for c in manifest(e)["chapters"]]
        for e in (edition, REFERENCE)
    }
    assert sections[edition] == sections[REFERENCE], "the editions' sections differ in number or label"


def test_every_chapter_is_in_the_table_of_contents(built):
    listed = {docname for docname, _ in contents(REFERENCE)}
    for path in RELATIVE:
        if path.name != "index.md":
            assert path.with_suffix("").as_posix() in listed, f"{path} is not in index.md's toctree"


@pytest.mark.parametrize("edition", OTHERS)
@pytest.mark.parametrize("relative", RELATIVE, ids=str)
def test_same_outline(edition, relative):
    """Headings (levels), labels, directives and code cells with their tags, in order."""
    reference = read_outline(BOOK / REFERENCE / relative)
    other = read_outline(BOOK / edition / relative)
    assert other.outline == reference.outline


@pytest.mark.parametrize("edition", OTHERS)
@pytest.mark.parametrize("relative", RELATIVE, ids=str)
def test_same_code(edition, relative):
    """Code cells agree but for comments and the text of strings."""
    reference = read_outline(BOOK / REFERENCE / relative).cells
    other = read_outline(BOOK / edition / relative).cells
    assert len(other) == len(reference), (
        f"{relative}: {len(other)} code cells in {edition}, {len(reference)} in {REFERENCE}"
    )
    for mine, theirs in zip(reference, other, strict=True):
        assert code_shape(theirs.source) == code_shape(mine.source), (
            f"{relative}: the code cell at line {theirs.line} of the {edition} edition differs from the one "
            f"at line {mine.line} of the {REFERENCE} edition beyond comments and strings"
        )


def test_code_shape_ignores_comments_and_string_text():
    en = 'ax.set_title("loss")  # the loss\nyhat = X @ What'
    ko = 'ax.set_title("손실")  # 손실\nyhat = X @ What'
    assert code_shape(en) == code_shape(ko)


def test_code_shape_sees_a_code_difference():
    assert code_shape("yhat = X @ What") != code_shape("yhat = What @ X")
    assert code_shape('print("a")') != code_shape('print(b"a")')


def test_outline_sees_a_missing_section(tmp_path):
    en, ko = tmp_path / "en.md", tmp_path / "ko.md"
    en.write_text("# T\n\n## A\n\n(lab)=\n## B\n\n```{code-cell} ipython3\n:tags: [raises-exception]\n1/0\n```\n")
    ko.write_text("# T\n\n## A\n\n```{code-cell} ipython3\n1/0\n```\n")
    chapter_en, chapter_ko = read_outline(en), read_outline(ko)
    assert chapter_en.outline == [
        ("heading", 1),
        ("heading", 2),
        ("label", "lab"),
        ("heading", 2),
        ("code-cell", ("raises-exception",)),
    ]
    assert chapter_ko.outline != chapter_en.outline
