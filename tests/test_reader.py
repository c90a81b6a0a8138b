"""What a reader gets beyond the chapters' text: figures' alternative text, the front door, the edition switch.

The browser test (tests/browser/check_site.mjs) checks the built site at
phone width; these check the pieces that build it.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from bs4 import BeautifulSoup

from book_structure import built_page
from dlbook import use_book_style
from dlbook.style import SUMMARY_KEY, figure_output
from dlbook_build.manifest import MANIFEST, read_manifest
from dlbook_build.project import DIRS, EDITIONS
from dlbook_build.publish import FAVICON, LANDING_FILES, TEASER_CHAPTER, edition_door, landing_page
from dlbook_build.sphinx.figures import alt_text, read_summary, svg_size

WORDS = {language: settings["figure_words"] for language, settings in EDITIONS.items()}


def write_figure(tmp_path: Path, dense: bool) -> Path:
    import numpy as np

    use_book_style()
    fig, (left, right) = plt.subplots(1, 2, figsize=(6, 2.5))
    fig.suptitle("Gradient descent on the café data")
    left.plot([0, 1, 2], [3, 1, 0.5], label="MSE")
    left.set(title="Loss by step", xlabel="step", ylabel="loss")
    left.legend()
    if dense:
        x, y = np.meshgrid(np.linspace(-3, 3, 300), np.linspace(-3, 3, 300))
        right.contourf(x, y, np.sin(x * y) + x, levels=60)
    right.set_title("Loss surface")
    output = figure_output(fig)
    assert output is not None, "the figure has something drawn"
    kind, data = output
    plt.close(fig)
    path = tmp_path / f"figure.{kind}"
    if kind == "svg":
        path.write_text(data, encoding="utf-8")
    else:
        import base64

        path.write_bytes(base64.b64decode(data[0]))
    return path


@pytest.mark.parametrize(
    "dense, suffix, en_map, ko_map",
    [(False, ".svg", "", ""), (True, ".png", "; colour maps: 1", "; 색으로 칠한 면 1개")],
)
def test_alt_text_is_written_from_the_figure_file_in_the_editions_language(tmp_path, dense, suffix, en_map, ko_map):
    path = write_figure(tmp_path, dense)
    assert path.suffix == suffix  # light figures as SVG, dense ones as PNG: both carry the summary
    summary = read_summary(path)
    assert alt_text(summary, WORDS["en"]) == (
        "Figure: Gradient descent on the café data. "
        "panel 1 – Loss by step; horizontal axis: step; vertical axis: loss; legend: MSE; lines: 1. "
        f"panel 2 – Loss surface{en_map}."
    )
    assert alt_text(summary, WORDS["ko"]) == (
        "그림: Gradient descent on the café data. "
        "1번째 칸 – Loss by step; 가로축: step; 세로축: loss; 범례: MSE; 선 1개. "
        f"2번째 칸 – Loss surface{ko_map}."
    )


def test_alt_text_of_a_figure_without_texts_still_says_it_is_a_chart():
    assert alt_text({"panels": [{}]}, WORDS["en"]) == "Figure: a chart without a title or axis labels"
    assert alt_text({"panels": [{"xlabel": "x"}]}, WORDS["ko"]) == "그림: 가로축: x."
    assert alt_text({"panels": [{"lines": 2, "points": 10}]}, WORDS["en"]) == "Figure: lines: 2, points: 10."
    assert (
        alt_text({"panels": [{"texts": ["concat", "stack"], "maps": 1}]}, WORDS["ko"])
        == "그림: concat, stack; 색으로 칠한 면 1개."
    )


def test_an_svg_figure_is_sized_as_the_book_style_draws_it(tmp_path):
    """The site gives each SVG figure its width and height (no layout shift while it loads): CSS pixels."""
    path = write_figure(tmp_path, dense=False)
    width, height = svg_size(path)
    # figsize (6, 2.5) inches at the book style's 80 dpi, give or take what bbox_inches="tight" crops or adds
    assert abs(width - 6 * 80) < 0.15 * 6 * 80 and abs(height - 2.5 * 80) < 0.15 * 2.5 * 80, (width, height)
    for size, expected in ((' width="324pt" height="216pt"', (432, 288)), (' width="2in" height="1in"', (192, 96))):
        other = tmp_path / "other.svg"
        other.write_text(f'<svg xmlns="http://www.w3.org/2000/svg"{size}></svg>', encoding="utf-8")
        assert svg_size(other) == expected
    other.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="100%"></svg>', encoding="utf-8")
    assert svg_size(other) is None  # no size of its own: the page lays it out


def test_alt_text_rejects_what_it_cannot_describe(tmp_path):
    with pytest.raises(TypeError, match="summary must be a dict with a list of panels"):
        alt_text({"title": "no panels"}, WORDS["en"])
    with pytest.raises(ValueError, match="no image file at"):
        read_summary(tmp_path / "missing.png")
    # images that carry no dlbook summary are left to other means (cell options)
    plain = tmp_path / "plain.png"
    fig = plt.figure()
    fig.savefig(plain, metadata={SUMMARY_KEY: "not json"})
    plt.close(fig)
    assert read_summary(plain) is None
    (tmp_path / "note.txt").write_text("x")
    assert read_summary(tmp_path / "note.txt") is None


def fake_build(tmp_path: Path) -> tuple[dict[str, Path], Path]:
    """Two editions' Sphinx output, as far as the landing page reads it (manifest and teaser), and an empty site."""
    sources, site = {}, tmp_path / "html"
    site.mkdir()
    for lang in EDITIONS:
        source = sources[lang] = tmp_path / "sphinx" / lang
        (source / "_images").mkdir(parents=True)
        (source / "_images" / "a1.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
        chapters = [
            {"docname": f"ch{n}", "number": str(n), "title": f"Chapter {n} ({lang})", "uri": f"ch{n}.html",
             "figure": {"src": "_images/a1.svg", "alt": f"Figure in {lang}", "width": "400", "height": "300"}
             if n == 2 else None}
            for n in (1, 2)
        ]  # fmt: skip
        chapters[1] |= {"docname": TEASER_CHAPTER, "uri": f"{TEASER_CHAPTER}.html"}
        manifest = {"root": {"paragraph": f"What the {lang} book is."}, "chapters": chapters}
        (source / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return sources, site


def test_front_door_reads_each_editions_manifest_and_leads_into_it(tmp_path):
    sources, site = fake_build(tmp_path)
    doors = {lang: edition_door(sources[lang], site, lang) for lang in EDITIONS}
    assert doors["ko"]["teaser"] == {"src": "teaser-ko.svg", "alt": "Figure in ko", "width": "400", "height": "300"}
    assert (site / "teaser-ko.svg").read_bytes() == (sources["ko"] / "_images" / "a1.svg").read_bytes()

    soup = BeautifulSoup(landing_page(EDITIONS, doors), "html.parser")
    first = next(iter(EDITIONS))
    assert soup.html["lang"] == first
    assert soup.select_one('link[rel="icon"]')["href"] == "favicon.svg" and FAVICON.is_file()
    assert [link["href"] for link in soup.select('link[rel="stylesheet"]')] == ["landing.css"]
    assert [script["src"] for script in soup.select("script")] == ["edition-order.js"]
    for lang, edition in EDITIONS.items():
        words = edition["front_door"]
        section = soup.select_one(f'section[lang="{lang}"]')
        assert section.h2.get_text() == edition["title"]
        assert soup.select_one(f'h1 span[lang="{lang}"]').get_text() == edition["title"]
        paragraphs = [p.get_text() for p in section.find_all("p")]
        assert paragraphs[:2] == [f"What the {lang} book is.", words["audience"]]
        chapters = section.select("ol.chapters a")
        assert [a["href"] for a in chapters] == [f"{lang}/ch1.html", f"{lang}/{TEASER_CHAPTER}.html"]
        assert [a.get_text() for a in chapters] == [f"1. Chapter 1 ({lang})", f"2. Chapter 2 ({lang})"]
        start = section.select_one("a.start")
        assert start["href"] == f"{lang}/index.html" and start["hreflang"] == lang
        assert words["start"] in start.get_text()
        assert section.img["src"] == f"teaser-{lang}.svg" and section.img["alt"] == f"Figure in {lang}"
        assert (section.img["width"], section.img["height"]) == ("400", "300")
        assert section.figcaption.get_text() == words["teaser"]
    # the Korean paragraph is in the formal register (합니다체)
    audience = EDITIONS["ko"]["front_door"]["audience"]
    assert all(s.strip().endswith("니다.") for s in re.split(r"(?<=\.)\s", audience) if s.strip())


def test_front_door_needs_an_edition_and_its_manifest(tmp_path):
    with pytest.raises(ValueError, match="needs at least one edition"):
        landing_page({})
    with pytest.raises(ValueError, match=r"no manifest\.json in"):
        edition_door(tmp_path / "ko", tmp_path, "ko")
    # an edition read from nothing still gets its title and the way in, and no empty contents
    soup = BeautifulSoup(landing_page(EDITIONS), "html.parser")
    assert {a["href"] for a in soup.select("a[hreflang]")} == {f"{lang}/index.html" for lang in EDITIONS}
    assert not soup.select("ol.chapters, figure")


def test_the_published_landing_page_lists_each_editions_chapters_from_its_manifest(site):
    soup = built_page(site / "index.html")
    for lang in EDITIONS:
        manifest = read_manifest(DIRS.sphinx_out(lang))
        section = soup.select_one(f'section[lang="{lang}"]')
        shown = [(a["href"], a.get_text()) for a in section.select("ol.chapters a")]
        assert shown == [(f"{lang}/{c['uri']}", f"{c['number']}. {c['title']}") for c in manifest["chapters"]]
        assert all((site / href).is_file() for href, _ in shown)
        assert section.p.get_text() == manifest["root"]["paragraph"] != ""
        teaser = next(c["figure"] for c in manifest["chapters"] if c["docname"] == TEASER_CHAPTER)
        assert section.img["alt"] == teaser["alt"] and (site / section.img["src"]).is_file()
    for name in LANDING_FILES:
        assert (site / name).is_file(), name
    # the site's icon is the book's, the one every edition's pages show too
    assert (site / "favicon.svg").read_bytes() == FAVICON.read_bytes()
    for lang in EDITIONS:
        icon = built_page(site / lang / "index.html").select_one('link[rel="icon"]')
        assert (site / lang / icon["href"]).read_bytes() == FAVICON.read_bytes()


def test_favicon_is_a_small_svg_drawn_on_its_own():
    root = ET.fromstring(FAVICON.read_text(encoding="utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox") == "0 0 64 64"
    assert len(list(root.iter())) > 1 and FAVICON.stat().st_size < 1024
    # nothing it loads: no image, link or font from elsewhere
    assert not [e for e in root.iter() if any(k.endswith("href") for k in e.attrib)]
