"""What a reader gets beyond the chapters' text: figures' alternative text, the front door, the edition switch.

The browser test (tests/browser/check_site.mjs) checks the built site at
phone width; these check the pieces that build it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from bs4 import BeautifulSoup

from dlbook import use_book_style
from dlbook.style import SUMMARY_KEY, figure_output
from dlbook_build.project import EDITIONS
from dlbook_build.publish import AUDIENCE, DOOR_WORDS, FAVICON, TEASER_CHAPTER, edition_door, landing_page, read_page
from dlbook_build.sphinx.figures import WORDS, alt_text, read_summary, svg_size

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "dlbook_build" / "sphinx" / "templates"


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
    kind, data = figure_output(fig)
    plt.close(fig)
    path = tmp_path / f"figure.{kind}"
    if kind == "svg":
        path.write_text(data, encoding="utf-8")
    else:
        import base64

        path.write_bytes(base64.b64decode(data[0]))
    return path


@pytest.mark.parametrize(
    "dense, suffix, en_map, ko_map", [(False, ".svg", "", ""), (True, ".png", "; colour maps: 1", "; 색으로 칠한 면 1개")]
)
def test_alt_text_is_written_from_the_figure_file_in_the_editions_language(tmp_path, dense, suffix, en_map, ko_map):
    path = write_figure(tmp_path, dense)
    assert path.suffix == suffix  # light figures as SVG, dense ones as PNG: both carry the summary
    summary = read_summary(path)
    assert alt_text(summary, "en") == (
        "Figure: Gradient descent on the café data. "
        "panel 1 – Loss by step; horizontal axis: step; vertical axis: loss; legend: MSE; lines: 1. "
        f"panel 2 – Loss surface{en_map}."
    )
    assert alt_text(summary, "ko") == (
        "그림: Gradient descent on the café data. "
        "1번째 칸 – Loss by step; 가로축: step; 세로축: loss; 범례: MSE; 선 1개. "
        f"2번째 칸 – Loss surface{ko_map}."
    )


def test_alt_text_of_a_figure_without_texts_still_says_it_is_a_chart():
    assert alt_text({"panels": [{}]}, "en") == "Figure: a chart without a title or axis labels"
    assert alt_text({"panels": [{"xlabel": "x"}]}, "ko") == "그림: 가로축: x."
    assert alt_text({"panels": [{"lines": 2, "points": 10}]}, "en") == "Figure: lines: 2, points: 10."
    assert alt_text({"panels": [{"texts": ["concat", "stack"], "maps": 1}]}, "ko") == "그림: concat, stack; 색으로 칠한 면 1개."


def test_every_edition_has_figure_words():
    assert set(EDITIONS) <= set(WORDS)


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
    with pytest.raises(ValueError, match="no figure words for language 'fr'"):
        alt_text({"panels": []}, "fr")
    with pytest.raises(TypeError, match="summary must be a dict with a list of panels"):
        alt_text({"title": "no panels"}, "en")
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


def fake_site(tmp_path: Path) -> Path:
    """A published site of two editions, as Sphinx and the theme write their pages."""
    site = tmp_path / "html"
    for lang, edition in EDITIONS.items():
        (site / lang / "_images").mkdir(parents=True)
        (site / lang / "_images" / "a1.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
        chapters = "".join(
            f'<li class="toctree-l1"><a class="reference internal" href="ch{n}.html">{n}. Chapter {n} ({lang})</a>'
            f'<ul><li class="toctree-l2"><a href="ch{n}.html#s">{n}.1. Section</a></li></ul></li>'
            for n in (1, 2)
        )
        (site / lang / "index.html").write_text(
            f'<html><body><nav><div class="toctree-wrapper compound"><ul><li class="toctree-l1">'
            f'<a href="ch1.html">1. Sidebar</a></li></ul></div></nav><article role="main">'
            f"<h1>{edition['title']}</h1><p>What the <code>{lang}</code> book is.</p>"
            f'<div class="toctree-wrapper compound"><ul>{chapters}</ul></div>'
            f'<div class="toctree-wrapper compound"><ul><li class="toctree-l1"><a href="references.html">References</a>'
            f"</li></ul></div></article></body></html>",
            encoding="utf-8",
        )
        (site / lang / f"{TEASER_CHAPTER}.html").write_text(
            '<html><body><article><img src="_static/logo.svg" alt="logo">'
            '<img src="_images/a0.png" alt="_images/a0.png">'
            f'<img src="_images/a1.svg" alt="Figure in {lang}" width="400" height="300"></article></body></html>',
            encoding="utf-8",
        )
    return site


def test_front_door_reads_each_edition_and_leads_into_it(tmp_path):
    site = fake_site(tmp_path)
    doors = {lang: edition_door(site, lang) for lang in EDITIONS}
    assert doors["en"]["paragraphs"] == ["What the en book is."]
    assert doors["en"]["chapters"] == [("ch1.html", "1. Chapter 1 (en)"), ("ch2.html", "2. Chapter 2 (en)")]
    assert doors["ko"]["teaser"] == {"src": "teaser-ko.svg", "alt": "Figure in ko", "width": "400", "height": "300"}
    assert (site / "teaser-ko.svg").is_file()

    soup = BeautifulSoup(landing_page(EDITIONS, doors), "html.parser")
    first = next(iter(EDITIONS))
    assert soup.html["lang"] == first
    assert soup.select_one('link[rel="icon"]')["href"] == "favicon.svg" and FAVICON.is_file()
    for lang, edition in EDITIONS.items():
        section = soup.select_one(f'section[lang="{lang}"]')
        assert section.h2.get_text() == edition["title"]
        assert soup.select_one(f'h1 span[lang="{lang}"]').get_text() == edition["title"]
        paragraphs = [p.get_text() for p in section.find_all("p")]
        assert f"What the {lang} book is." in paragraphs and AUDIENCE[lang] in paragraphs
        assert [a["href"] for a in section.select("ol.chapters a")] == [f"{lang}/ch1.html", f"{lang}/ch2.html"]
        start = section.select_one("a.start")
        assert start["href"] == f"{lang}/index.html" and start["hreflang"] == lang
        assert DOOR_WORDS[lang]["start"] in start.get_text()
        assert section.img["src"] == f"teaser-{lang}.svg" and section.img["alt"] == f"Figure in {lang}"
    # the Korean paragraph is in the formal register (합니다체)
    assert all(s.strip().endswith("니다.") for s in re.split(r"(?<=\.)\s", AUDIENCE["ko"]) if s.strip())


def test_front_door_needs_an_edition_and_built_pages(tmp_path):
    with pytest.raises(ValueError, match="needs at least one edition"):
        landing_page({})
    with pytest.raises(ValueError, match="no built page at"):
        read_page(tmp_path / "ko" / "index.html")
    # an edition read from nothing still gets its title and the way in
    soup = BeautifulSoup(landing_page(EDITIONS), "html.parser")
    assert {a["href"] for a in soup.select("a[hreflang]")} == {f"{lang}/index.html" for lang in EDITIONS}


def test_edition_switch_carries_the_place_and_the_query():
    template = (TEMPLATES / "edition-switch.html").read_text(encoding="utf-8")
    script = template[template.index("<script>") :]
    assert "location.search" in script and "location.hash" in script
    # Sphinx's numbered ids (id3) differ between editions: only labels are carried
    assert r"/^id\d+$/" in script


def test_favicon_is_a_small_svg():
    text = FAVICON.read_text(encoding="utf-8")
    assert text.startswith("<svg") and 'viewBox="0 0 64 64"' in text and len(text) < 1024
    assert json.dumps(text)  # plain text, nothing binary
