"""The built site: both editions, the switch between them, the landing page, nothing fetched from the internet."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from book_structure import (
    BOOK,
    EDITIONS,
    built_page,
    chapters,
    docs_for,
    manifest,
    page_to_change,
    prose_of,
    search_index,
)
from dlbook_build.project import DIRS, EDITIONS as EDITION_SETTINGS

SITE = DIRS.site
PAGES = [p.relative_to(BOOK / EDITIONS[0]).with_suffix(".html") for p in chapters(EDITIONS[0])]


def test_the_build_log_has_no_warning(built):
    log = built.stdout + built.stderr
    warnings = [line for line in log.splitlines() if "WARNING" in line or "warning:" in line.lower()]
    assert not warnings, "\n".join(warnings[:20])


def test_the_site_is_only_the_site(site):
    """What a web server would publish: no build records, sources, source maps, MathJax or fontawesome.js."""
    debris = [
        p.relative_to(site).as_posix()
        for p in site.rglob("*")
        if p.name
        in {".buildinfo", "_sources", ".doctrees", "jupyter_execute", "locales", "webpack-macros.html", "manifest.json"}
        or p.suffix in {".map", ".pickle", ".doctree"}
    ]
    assert not debris, debris[:20]
    for edition in EDITIONS:
        # math is rendered at build time, icons are drawn by icons.css: no page loads either
        assert not (site / edition / "_static" / "mathjax").exists()
        assert not list((site / edition / "_static").rglob("fontawesome.js"))
        for script in (site / edition / "_static").rglob("*.js"):
            assert b"sourceMappingURL" not in script.read_bytes()[-300:], f"{script} points to a source map"
    from dlbook_build.publish import site_size

    assert site_size(site) <= 25 * 2**20, f"the site weighs {site_size(site) / 2**20:.1f} MiB"


def test_no_page_offers_a_download_that_is_not_there(site):
    for edition in EDITIONS:
        for html_file in (site / edition).glob("*.html"):
            soup = built_page(html_file)
            for link in soup.select("a[href]"):
                href = link["href"].split("#")[0].split("?")[0]
                if href and not re.match(r"^[a-z]+:", href):
                    # (the 404 pages link from the site's root: they are served at any path)
                    target = site / href.lstrip("/") if href.startswith("/") else html_file.parent / href
                    assert target.exists(), f"{html_file.relative_to(site)} links to {href}, which is missing"


def test_the_browser_test_reads_the_editions_the_build_wrote(site):
    manifest = json.loads(DIRS.editions_manifest.read_text(encoding="utf-8"))
    assert manifest["editions"] == EDITIONS


def page(site: Path, edition: str, relative: Path) -> BeautifulSoup:
    return built_page(site / edition / relative)


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_chapter_is_built_in_its_language(site, edition):
    for relative in PAGES:
        soup = page(site, edition, relative)
        assert soup.html["lang"] == edition, f"{edition}/{relative}"


@pytest.mark.parametrize("edition", EDITIONS)
def test_switch_leads_to_the_same_page_in_the_other_edition(site, edition):
    for relative in PAGES:
        here = site / edition / relative
        links = page(site, edition, relative).select("a.edition-switch")
        assert len(links) == 1, f"{edition}/{relative} has {len(links)} edition switches"
        target = (here.parent / links[0]["href"]).resolve()
        other = links[0]["hreflang"]
        assert other != edition
        assert target == (site / other / relative).resolve() and target.is_file()


def test_landing_page_leads_to_each_edition(site):
    soup = built_page(site / "index.html")
    targets = {a["href"] for a in soup.select("a[hreflang]")}
    assert targets == {f"{e}/index.html" for e in EDITIONS}
    assert all((site / t).is_file() for t in targets)


@pytest.mark.parametrize("edition", EDITIONS)
def test_pages_load_nothing_from_the_internet(site, edition):
    external = re.compile(r"^(https?:)?//")
    for html_file in (site / edition).rglob("*.html"):
        soup = built_page(html_file)
        for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            for element in soup.find_all(tag):
                value = element.get(attribute, "")
                if (
                    tag == "link"
                    and "stylesheet" not in element.get("rel", [])
                    and "preload" not in element.get("rel", [])
                ):
                    continue
                assert not external.match(value), f"{html_file} loads {value}"
    # what math needs is served from the site: KaTeX's stylesheet and every font it names
    katex = site / edition / "_static" / "katex"
    fonts = re.findall(r"url\(([^)]+)\)", (katex / "katex.min.css").read_text(encoding="utf-8"))
    assert fonts and all((katex / font).is_file() for font in fonts)


@pytest.mark.parametrize("edition", EDITIONS)
def test_math_is_rendered_when_the_page_is_built(site, edition):
    """Formulas arrive as HTML and MathML (KaTeX, at build time); no page runs a math engine."""
    soup = page(site, edition, Path("gradient-descent.html"))
    formulas = soup.select(".math")
    assert formulas and all(f.select_one(".katex .katex-html") and f.select_one("math annotation") for f in formulas)
    assert not soup.select(".katex-error")
    for html_file in (site / edition).glob("*.html"):
        scripts = " ".join(
            s.get("src", "") + s.get_text() for s in page(site, edition, Path(html_file.name)).find_all("script")
        )
        assert not re.search(r"mathjax|katex", scripts, flags=re.IGNORECASE), html_file.name


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_chapter_page_blocks_its_first_paint_on_no_script(site, edition):
    """Scripts in <head> are deferred (but the one inline scripts extend); the search index is the search page's."""
    for relative in PAGES:
        head = page(site, edition, relative).head
        blocking = [
            s["src"] for s in head.find_all("script", src=True) if not s.has_attr("defer") and not s.has_attr("async")
        ]
        assert [src.split("?")[0] for src in blocking] == ["_static/documentation_options.js"], f"{edition}/{relative}"
        assert not head.find("script", src=re.compile(r"searchindex\.js|searchtools\.js")), f"{edition}/{relative}"
    search = page(site, edition, Path("search.html"))
    assert search.find("script", src=re.compile(r"^searchindex\.js"))
    assert search.find("script", src=re.compile(r"searchtools\.js"))


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_page_preloads_the_math_fonts_its_formulas_use_and_loads_later_figures_lazily(site, edition):
    """The fonts of upright and italic math are fetched with the stylesheets; every figure but the first waits."""
    for relative in PAGES:
        soup = page(site, edition, relative)
        preloaded = [link["href"] for link in soup.head.select('link[rel="preload"][as="font"]')]
        expected = [
            f"_static/katex/fonts/KaTeX_{font}.woff2"
            for font, css_class in (("Main-Regular", "katex"), ("Math-Italic", "mathnormal"))
            if soup.select_one(f"article .{css_class}")
        ]
        assert preloaded == expected, f"{edition}/{relative}"
        assert all((site / edition / href).is_file() for href in preloaded), f"{edition}/{relative}"
        images = soup.select("article img")
        assert [img.get("loading") for img in images[1:]] == ["lazy"] * (len(images) - 1), f"{edition}/{relative}"
        assert all(img.get("width") and img.get("height") for img in images), f"{edition}/{relative}: unsized"
    assert not page(site, edition, Path("glossary.html")).head.select('link[rel="preload"]'), "no math, no fonts"


@pytest.mark.parametrize("edition", EDITIONS)
def test_chapters_show_executed_outputs(site, edition):
    soup = page(site, edition, Path("tensors.html"))
    assert soup.select(".cell_output"), "chapter 1 shows no executed output"


def test_korean_search_finds_a_stem_whatever_particle_follows(site):
    index = search_index(site, "ko")
    # index.md says "교과서입니다": the stem alone must lead to it
    assert "index" in docs_for(index, "교과서")
    # and generally: every Hangul word written with something attached is found by its first two syllables
    for source in chapters("ko"):
        if "{nb-exec-table}" in source.read_text(encoding="utf-8"):
            continue  # the execution status page is kept out of the search (test_reading.py)
        docname = source.relative_to(BOOK / "ko").with_suffix("").as_posix()
        prose = prose_of(source)
        for word in sorted(set(re.findall(r"[\uac00-\ud7a3]{3,}", prose)))[:30]:
            assert docname in docs_for(index, word[:2]) | docs_for(index, word[:2].lower()), (
                f"{word[:2]} does not find {docname}"
            )


def test_english_edition_keeps_english_search(site):
    index = search_index(site, "en")
    assert "index" in docs_for(index, "execut")  # "executable", stemmed


def numbers(soup: BeautifulSoup) -> dict[str, list[str]]:
    return {
        kind: [e.get_text(strip=True) for e in soup.select(selector)]
        for kind, selector in {
            "sections": "article .section-number",
            "equations": "article .eqno",
            "figures and exercises": "article .caption-number",
        }.items()
    }


def test_numbers_match_across_editions(site):
    for relative in PAGES:
        found = {edition: numbers(page(site, edition, relative)) for edition in EDITIONS}
        reference = found[EDITIONS[0]]
        for edition in EDITIONS[1:]:
            assert found[edition]["sections"] == reference["sections"], f"{relative}: section numbers differ"
            assert found[edition]["equations"] == reference["equations"], f"{relative}: equation numbers differ"
            digits = {e: [re.sub(r"[^\d.]", "", t) for t in found[e]["figures and exercises"]] for e in EDITIONS}
            assert digits[edition] == digits[EDITIONS[0]], f"{relative}: figure or exercise numbers differ"


@pytest.mark.parametrize("edition", EDITIONS)
def test_bibliography_lists_the_shared_references(site, edition):
    entries = page(site, edition, Path("references.html")).select("article div.citation")
    bib = (BOOK / "references.bib").read_text(encoding="utf-8")
    assert len(entries) == bib.count("\n@") + bib.startswith("@")


@pytest.mark.parametrize("edition", EDITIONS)
def test_bibliography_is_a_list_of_list_items(site, edition):
    """Screen readers get a list of entries (dlbook_build.sphinx.citations), not the deprecated doc-biblioentry."""
    lists = page(site, edition, Path("references.html")).select("article .citation-list")
    assert lists
    for citations in lists:
        assert citations.get("role") == "list"
        assert [entry.get("role") for entry in citations.find_all(recursive=False)] == ["listitem"] * len(
            citations.find_all(recursive=False)
        )


def test_publishing_leaves_out_images_no_page_shows(tmp_path):
    from dlbook_build.publish import publish_edition

    source = tmp_path / "sphinx"
    (source / "_images").mkdir(parents=True)
    (source / "_images" / "shown.png").write_bytes(b"png")
    (source / "_images" / "old.png").write_bytes(b"png from an earlier build")
    (source / ".buildinfo").write_text("build record")
    (source / "manifest.json").write_text("{}")
    (source / "page.html").write_text('<img src="_images/shown.png" alt="a figure">', encoding="utf-8")
    publish_edition(source, tmp_path / "site")
    assert sorted(p.name for p in (tmp_path / "site").rglob("*")) == ["_images", "page.html", "shown.png"]


@pytest.mark.parametrize("edition", EDITIONS)
def test_each_edition_has_a_manifest_of_what_its_pages_show(site, edition):
    """The manifest Sphinx wrote (dlbook_build.sphinx.manifest) agrees with the built pages it describes."""
    built = manifest(edition)
    assert built["language"] == edition and built["title"] == EDITION_SETTINGS[edition]["title"]
    home = page(site, edition, Path("index.html"))
    assert built["root"]["paragraph"] == " ".join(home.select_one("article p").get_text().split())
    for chapter in built["chapters"]:
        soup = page_to_change(site / edition / chapter["uri"])  # its MathML is cut out
        heading = " ".join(soup.select_one("article h1").get_text().replace("#", "").split())
        assert heading == f"{chapter['number']}. {chapter['title']}", chapter["docname"]
        shown = [
            " ".join(n.get_text().split()).rstrip(".")
            for n in soup.select("article section > :is(h2, h3, h4) > .section-number")
        ]
        assert shown == [s["number"] for s in chapter["sections"] if s["number"]], chapter["docname"]
        for section in chapter["sections"]:
            assert soup.find(id=section["anchor"][1:]) is not None, section
            assert section["label"] is None or soup.find(id=section["label"]) is not None, section
        on_site = [
            re.sub(r"[^\d.]", "", e.get_text()).strip(".") for e in soup.select("article .exercise .caption-number")
        ]
        assert [e["number"] for e in chapter["exercises"]] == on_site and on_site, chapter["docname"]
        # (the manifest has a formula's TeX; the page KaTeX's rendering, and its MathML copy left out)
        for mathml in soup.select("article .katex-mathml"):
            mathml.decompose()
        paragraphs = [" ".join(p.get_text().split()) for p in soup.select("article section > p")]
        assert chapter["paragraph"] == paragraphs[0], chapter["docname"]
        figure = chapter["figure"]
        assert figure and (DIRS.sphinx_out(edition) / figure["src"]).is_file(), chapter["docname"]
        assert soup.find("img", alt=figure["alt"], src=figure["src"]) is not None, chapter["docname"]
