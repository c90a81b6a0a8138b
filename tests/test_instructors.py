"""For instructors: the student build without solutions, citations that resolve and parse, CITATION.cff.

The site tests use the normal build in ``_build`` (as tests/test_site.py does;
a second run_build() there is incremental) and a student build
(``--no-solutions``) into a temporary folder that shares the jupyter-cache.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from sphinx.errors import ConfigError

from book_structure import (
    EDITIONS,
    RELEASE_BASE,
    RELEASE_BUILDS,
    ROOT,
    built_page,
    chapter_pages,
    docs_for,
    page_to_change,
    run_build,
    search_index,
)
from dlbook_build.project import DIRS, EDITIONS as EDITION_SETTINGS
from dlbook_build.sphinx.editions import bibtex_text, citation
from dlbook_build.sphinx.solutions import check_settings

pytestmark = pytest.mark.book  # builds the student site and a published one


VERSION = importlib.metadata.version("dlbook")


def conf_values() -> dict:
    """conf.py's settings, read the way Sphinx reads them (BOOK_BASE_URL as in the environment)."""
    from sphinx.config import eval_config_file
    from sphinx.util.tags import Tags

    return eval_config_file(ROOT / "conf.py", tags=Tags())


# ---------------------------------------------------------------- builds


@pytest.fixture(scope="session")
def student_site(tmp_path_factory) -> Path:
    """Both editions built with --no-solutions (the student build), sharing the executed chapters."""
    build_dir = tmp_path_factory.mktemp("student") / "build"
    result = run_build("--no-solutions", "--cache", str(DIRS.cache), build_dir=build_dir)
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"the student build failed:\n{log[-6000:]}"
    warnings = [line for line in log.splitlines() if "WARNING" in line]
    assert not warnings, "\n".join(warnings[:20])
    return build_dir / "html"


def soup_of(site: Path, edition: str, relative: Path) -> BeautifulSoup:
    return built_page(site / edition / relative)


def article_text(soup: BeautifulSoup) -> str:
    # no separator: a highlighted line of code is many spans, kept on one line
    article = soup.select_one("article")
    assert article is not None, "the page has no <article>"
    return article.get_text()


def solution_only_lines(soup: BeautifulSoup) -> list[set[str]]:
    """For each solution on a page: its lines of code, output and prose that the page shows nowhere else."""
    solutions = soup.select("article div.solution")
    texts = [s.get_text() for s in solutions]
    for s in solutions:
        s.extract()
    elsewhere = {line.strip() for line in article_text(soup).splitlines()}
    return [
        {line.strip() for line in text.splitlines() if len(line.strip()) >= 12 and line.strip() not in elsewhere}
        for text in texts
    ]


def indexed_part(soup: BeautifulSoup) -> BeautifulSoup:
    """The page less what the search index leaves out: formulas, scripts, and the animation players' controls."""
    for element in soup.select(".math, script, style, .dlbook-player"):
        element.extract()
    return soup


def lines_of(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines()}


def search_language(edition: str):
    """The edition's search language, as Sphinx indexes with it."""
    if edition == "ko":
        from dlbook_build.sphinx.korean_search import SearchKorean

        return SearchKorean({})
    from sphinx.search import languages
    from sphinx.util import import_object

    language = languages[edition]
    return (import_object(language) if isinstance(language, str) else language)({})


def index_terms(language, text: str) -> set[str]:
    """The terms Sphinx's IndexBuilder.feed makes of a text."""
    terms = set()
    for word in language.split(text):
        stemmed = language.stem(word).lower()
        if language.word_filter(stemmed):
            terms.add(stemmed)
        elif language.word_filter(word):
            terms.add(word)
    return terms


def notebook_text(path: Path) -> str:
    notebook = nbformat.read(path, as_version=4)
    parts = []
    for cell in notebook.cells:
        parts.append(cell.source)
        for output in cell.get("outputs", []):
            parts.append(str(output.get("text", "")))
            parts.extend(str(v) for v in output.get("data", {}).values())
    return "\n".join(parts)


def exercise_numbers(soup: BeautifulSoup) -> list[str]:
    return [e.get_text(" ", strip=True) for e in soup.select("article div.exercise p.admonition-title")]


# ---------------------------------------------------------------- the student build


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_student_build_has_no_solution_anywhere(site, student_site, edition):
    """Each solution's code, output and prose: on the normal site, and nowhere in the student build."""
    normal_index, student_index = search_index(site, edition), search_index(student_site, edition)
    language = search_language(edition)
    checked = 0
    for relative in chapter_pages(edition):
        normal = soup_of(site, edition, relative)
        if not normal.select("article div.solution"):
            continue
        docname = relative.with_suffix("").as_posix()
        notebook = Path("_downloads/notebooks") / relative.with_suffix(".ipynb")
        solutions = solution_only_lines(page_to_change(site / edition / relative))
        assert all(solutions), f"{edition}/{relative}: a solution with nothing of its own to look for"
        # the terms of the solutions' text that the rest of the page lacks
        page = indexed_part(page_to_change(site / edition / relative))
        # (words end where elements end, as they do between the doctree's text nodes)
        solution_terms = index_terms(language, " ".join(s.get_text(" ") for s in page.select("article div.solution")))
        for s in page.select("article div.solution"):
            s.extract()
        solution_terms -= index_terms(language, page.select_one("article").get_text(" "))
        student = soup_of(student_site, edition, relative)
        assert not student.select("div.solution"), f"{edition}/{relative}: the student page has a solution"
        # the English terms the glossary gives the page's Korean terms as keywords are the page's own
        keywords = student.select_one('meta[name="keywords"]')
        if keywords is not None:
            solution_terms -= index_terms(language, keywords["content"].replace(",", " "))
        # whole lines: a solution's short line may be part of a longer one elsewhere
        student_text = lines_of(article_text(student))
        normal_notebook = lines_of(notebook_text(site / edition / notebook))
        student_notebook = lines_of(notebook_text(student_site / edition / notebook))
        for lines in solutions:
            for line in lines:
                assert line in lines_of(article_text(normal)), line  # the search is for what the site shows
                assert line not in student_text, f"{edition}/{relative} (student build) shows {line!r}"
            # the notebook has the MyST source ($x$ where the page has \(x\)): the lines both have
            in_notebook = {line for line in lines if line in normal_notebook}
            assert in_notebook, f"{edition}/{notebook}: none of a solution's lines is in the normal notebook"
            for line in in_notebook:
                assert line not in student_notebook, f"{edition}/{notebook} (student build) holds {line!r}"
        assert solution_terms, f"{edition}/{relative}: no search term only the solutions have"
        for term in solution_terms:
            assert docname in docs_for(normal_index, term), f"{term!r} is not indexed for {docname}"
            assert docname not in docs_for(student_index, term), f"{edition} student search finds {term!r} in {docname}"
        checked += len(solutions)
    # the solutions' titles ("Solution to Exercise 3.1"), which the search lists too
    solution_titles = {
        title for title, places in normal_index["alltitles"].items() if any("-solution-" in str(p[1]) for p in places)
    }
    assert len(solution_titles) >= checked and not solution_titles & set(student_index["alltitles"])
    assert checked >= 10, f"only {checked} solutions found in the {edition} edition"


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_student_build_keeps_every_exercise_and_its_number(site, student_site, edition):
    for relative in chapter_pages(edition):
        normal = exercise_numbers(soup_of(site, edition, relative))
        assert normal == exercise_numbers(soup_of(student_site, edition, relative)), f"{edition}/{relative}"
        notebook = Path("_downloads/notebooks") / relative.with_suffix(".ipynb")
        if (site / edition / notebook).is_file():
            headings = notebook_headings(site / edition / notebook)
            student = notebook_headings(student_site / edition / notebook)
            solution = EDITION_SETTINGS[edition]["notebook_words"]["solution"]
            assert [h for h in headings if not h.startswith(f"#### {solution}")] == student, f"{edition}/{notebook}"
            assert len(student) < len(headings) or not normal, (
                f"{edition}/{notebook}: the normal notebook has no solution"
            )


def notebook_headings(path: Path) -> list[str]:
    """A notebook's headings (its exercises' and solutions' with their numbers), in order."""
    cells = nbformat.read(path, as_version=4).cells
    return [line for c in cells if c.cell_type == "markdown" for line in c.source.splitlines() if line.startswith("#")]


@pytest.mark.parametrize("edition", EDITIONS)
def test_solutions_are_marked_to_collapse(site, edition):
    """sphinx-togglebutton collapses `.admonition.dropdown`; tests/browser/check_solutions.mjs clicks them."""
    solutions = soup_of(site, edition, Path("gradient-descent.html")).select("article div.solution")
    assert solutions and all({"dropdown", "admonition"} <= set(s["class"]) for s in solutions)
    head = (site / edition / "gradient-descent.html").read_text(encoding="utf-8")
    assert "togglebutton.js" in head and (site / edition / "_static" / "togglebutton.js").is_file()


def test_the_solution_settings_are_checked():
    check_settings(None, SimpleNamespace(book_solutions=False, hide_solutions=False))
    with pytest.raises(ConfigError, match="book_solutions must be True or False"):
        check_settings(None, SimpleNamespace(book_solutions="no", hide_solutions=False))
    with pytest.raises(ConfigError, match="set book_solutions = False"):
        check_settings(None, SimpleNamespace(book_solutions=True, hide_solutions=True))


def test_the_year_is_conf_pys_alone():
    """book_year is set in conf.py only: a configuration without it is an error, not a year made up."""
    from dlbook_build.sphinx.editions import apply_edition

    config = SimpleNamespace(language="en", book_editions=EDITION_SETTINGS, book_year=None, book_base_url="")
    with pytest.raises(ConfigError, match=r"set book_year in conf\.py"):
        apply_edition(None, config)
    assert isinstance(conf_values()["book_year"], int)


# ---------------------------------------------------------------- citations


def cite_box(site: Path, edition: str, relative: Path) -> tuple[str, str]:
    box = soup_of(site, edition, relative).select_one("section.cite-this")
    assert box is not None, f"{edition}/{relative} has no cite box"
    plain, bibtex = box.select_one(".cite-this-plain"), box.select_one(".cite-this-bibtex")
    assert plain is not None and bibtex is not None, f"{edition}/{relative}: the cite box lacks its text or its BibTeX"
    return plain.text, bibtex.text


@pytest.mark.parametrize("edition", EDITIONS)
def test_each_chapter_has_a_cite_box_with_its_url(site, edition):
    base = os.environ.get("BOOK_BASE_URL", "").rstrip("/")
    for relative in chapter_pages(edition):
        plain, bibtex = cite_box(site, edition, relative)
        # without BOOK_BASE_URL: the path within the site, edition included; never a made-up host
        url = f"{base}/{edition}/{relative.as_posix()}" if base else f"{edition}/{relative.as_posix()}"
        assert plain.rstrip().endswith(f" {url}") and re.search(r"url\s*= \{" + re.escape(url) + "}", bibtex)
        assert VERSION in plain and f"version {VERSION}" in bibtex
        assert "<span" not in plain and "example.org" not in plain + bibtex
    assert soup_of(site, edition, Path("index.html")).select_one("section.cite-this") is None


@pytest.mark.parametrize("edition", EDITIONS)
def test_both_citations_have_a_copy_button(site, edition):
    """sphinx-copybutton adds its button to `div.highlight pre` (its default copybutton_selector)."""
    assert "copybutton_selector" not in conf_values()
    box = soup_of(site, edition, Path("gradient-descent.html")).select_one("section.cite-this")
    assert box.select_one("div.highlight pre.cite-this-plain") and box.select_one("div.highlight pre.cite-this-bibtex")


def formatted(bibtex: str):
    """The entry parsed by pybtex and formatted with its plain style, as text."""
    from pybtex.database import parse_string
    from pybtex.plugin import find_plugin

    data = parse_string(bibtex, "bibtex")
    style = find_plugin("pybtex.style.formatting", "plain")()
    (entry,) = style.format_bibliography(data)
    return data, entry.text.render_as("text")


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_bibtex_parses_and_formats_with_a_real_style(site, edition):
    settings = EDITION_SETTINGS[edition]
    for relative in chapter_pages(edition):
        plain, bibtex = cite_box(site, edition, relative)
        data, text = formatted(bibtex)
        (entry,) = data.entries.values()
        assert entry.type == "incollection"
        (author,) = entry.persons["author"]  # one corporate name, not "The" + "dlbook" + "authors"
        assert not author.first_names and not author.prelast_names and len(author.last_names) == 1
        assert str(author).strip("{}") == conf_values()["author"]
        heading = page_to_change(site / edition / relative).select_one("article h1")
        for extra in heading.select(".section-number, .headerlink"):
            extra.extract()
        title = heading.get_text().strip()
        for part in (title, settings["title"], str(conf_values()["book_year"]), plain.split()[-1]):
            assert part in text, f"{edition}/{relative}: {part!r} missing from {text!r}"
        assert "edition edition" not in text and "edition edition" not in plain


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_bibtex_passes_bibtex_with_the_plain_style(site, edition, tmp_path):
    """BibTeX itself (plain.bst) reads the entry without a warning: no missing field, no split name."""
    assert shutil.which("bibtex"), "bibtex is not installed (TeX Live: see README, tox -e pdf)"
    _, bibtex = cite_box(site, edition, Path("gradient-descent.html"))
    key = re.match(r"@incollection\{([^,]+),", bibtex).group(1)
    (tmp_path / "entry.bib").write_text(bibtex, encoding="utf-8")
    (tmp_path / "doc.aux").write_text(f"\\citation{{{key}}}\n\\bibstyle{{plain}}\n\\bibdata{{entry}}\n")
    result = subprocess.run(["bibtex", "doc"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0 and "Warning" not in result.stdout, result.stdout
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    edition_name = EDITION_SETTINGS[edition]["edition_name"]
    assert "The dlbook authors" in bbl and f"{edition_name}, version {VERSION}" in bbl and "edition edition" not in bbl


def test_bibtex_text_escapes_specials_and_rejects_non_text():
    assert bibtex_text("A & B: 50% of $x_1$ #2") == r"A \& B: 50\% of \$x\_1\$ \#2"
    assert bibtex_text("손실 함수") == "손실 함수"
    with pytest.raises(TypeError, match="expected the text of a BibTeX field as str, not int"):
        bibtex_text(3)


def test_a_citation_with_a_base_url_is_absolute_and_names_its_edition():
    config = SimpleNamespace(
        book_editions=EDITION_SETTINGS, language="ko", release=VERSION, author="The dlbook authors",
        book_year=2026, html_baseurl="https://books.example.net/dl/ko/",
        book_site_url="https://books.example.net/dl/ko/", book_site_path="ko/",
    )  # fmt: skip
    cited = citation(config, "pytorch-training", "5", "PyTorch & more")
    assert cited["url"] == "https://books.example.net/dl/ko/pytorch-training.html"
    _, text = formatted(cited["bibtex"])
    assert "PyTorch & more" in text and cited["url"] in text
    assert "note      = {Korean edition, version" in cited["bibtex"]  # BibTeX's plain.bst prints the note


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_page_links_its_twins_with_hreflang(site, edition):
    base = os.environ.get("BOOK_BASE_URL", "").rstrip("/")
    for html_file in sorted((site / edition).glob("*.html")):
        if html_file.name == "404.html":
            continue
        soup = built_page(html_file)
        links = {link["hreflang"]: link["href"] for link in soup.select('head link[rel="alternate"][hreflang]')}
        assert sorted(links) == sorted(EDITIONS), f"{edition}/{html_file.name}: {links}"
        for lang, href in links.items():
            if base:
                assert href == f"{base}/{lang}/{html_file.name}"
            else:  # relative, and leading to the twin
                # resolved as a browser resolves a URL: lexically
                assert os.path.normpath(html_file.parent / href) == os.path.normpath(site / lang / html_file.name)


def test_citation_cff_agrees_with_the_cite_box(site):
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    conf = conf_values()
    plain, _bibtex = cite_box(site, "en", Path("gradient-descent.html"))
    assert cff["version"] == VERSION and f"version {VERSION}" in plain
    assert [a["name"] for a in cff["authors"]] == [conf["author"]] and plain.startswith(conf["author"])
    assert str(cff["date-released"]).startswith(str(conf["book_year"])) and f"({conf['book_year']})" in plain
    assert cff["title"] == EDITION_SETTINGS["en"]["title"] and f"In {cff['title']} (" in plain
    preferred = cff["preferred-citation"]
    assert preferred["title"] == cff["title"] and preferred["year"] == conf["book_year"]
    assert [a["name"] for a in preferred["authors"]] == [conf["author"]] and preferred["version"] == VERSION
    # the other editions' titles, as their cite boxes print them
    for edition in EDITIONS:
        assert EDITION_SETTINGS[edition]["title"] in f"{cff['title']} {cff['abstract']}", edition
        assert EDITION_SETTINGS[edition]["title"] in cite_box(site, edition, Path("gradient-descent.html"))[0]


# ---------------------------------------------------------------- BOOK_BASE_URL through tox -e book


def test_tox_passes_book_base_url_to_the_book_build():
    """`tox -e book` builds with BOOK_BASE_URL from the caller's environment (tox passes only what it is told)."""
    # the tox running these tests is on PATH (tox passes PATH on); else this environment's own
    tox = [shutil.which("tox")] if shutil.which("tox") else [sys.executable, "-m", "tox"]
    result = subprocess.run(
        [*tox, "config", "-e", "book", "-k", "pass_env", "-qq"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{' '.join(tox)} config failed (is tox installed?):\n{result.stderr}"
    section = result.stdout.split("[testenv:book]", 1)[1].split("\n[", 1)[0]
    for name in ("BOOK_BASE_URL", "BOOK_RELEASE", "BOOK_REPO"):  # the address, the release, the repository
        assert re.search(rf"pass_env\s*=.*\b{name}\b", section, re.S), section


def test_book_base_url_reaches_canonical_links_og_urls_and_the_sitemap(releases):
    """A build with BOOK_BASE_URL set (the latest release build): every address includes it and the edition."""
    base = RELEASE_BASE
    site = RELEASE_BUILDS / "latest" / "html"
    soup = soup_of(site, "en", Path("gradient-descent.html"))
    url = f"{base}/en/gradient-descent.html"
    assert soup.select_one('link[rel="canonical"]')["href"] == url
    assert soup.select_one('meta[property="og:url"]')["content"] == url
    assert soup.select_one('link[hreflang="ko"]')["href"] == f"{base}/ko/gradient-descent.html"
    plain = soup.select_one(".cite-this-plain").text
    assert plain.rstrip().endswith(url)
    assert url in (site / "en" / "sitemap.xml").read_text(encoding="utf-8")
    # the notebooks: the first cell links the published page, references link the published sections
    notebook = nbformat.read(site / "en" / "_downloads" / "notebooks" / "gradient-descent.ipynb", as_version=4)
    assert notebook.cells[0].source.endswith(f"]({url})")
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert f"]({base}/en/gradient-descent.html#" in text and "§" not in text
