"""The built site: both editions, the switch between them, the landing page, nothing fetched from the internet."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from book_structure import BOOK, EDITIONS, chapters

ROOT = BOOK.parent
SITE = ROOT / "_build" / "html"
PAGES = [p.relative_to(BOOK / EDITIONS[0]).with_suffix(".html") for p in chapters(EDITIONS[0])]


@pytest.fixture(scope="session")
def site() -> Path:
    """Both editions built exactly as `tox -e book` builds them (-n -W --keep-going)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_book.py")], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, f"the book build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    return SITE


def page(site: Path, edition: str, relative: Path) -> BeautifulSoup:
    return BeautifulSoup((site / edition / relative).read_text(encoding="utf-8"), "html.parser")


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
    soup = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    targets = {a["href"] for a in soup.select("a[hreflang]")}
    assert targets == {f"{e}/index.html" for e in EDITIONS}
    assert all((site / t).is_file() for t in targets)


@pytest.mark.parametrize("edition", EDITIONS)
def test_pages_load_nothing_from_the_internet(site, edition):
    external = re.compile(r"^(https?:)?//")
    for html_file in (site / edition).rglob("*.html"):
        soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
        for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            for element in soup.find_all(tag):
                value = element.get(attribute, "")
                if tag == "link" and "stylesheet" not in element.get("rel", []) and "preload" not in element.get("rel", []):
                    continue
                assert not external.match(value), f"{html_file} loads {value}"
    assert (site / edition / "_static" / "mathjax" / "tex-chtml.js").is_file()


@pytest.mark.parametrize("edition", EDITIONS)
def test_chapters_show_executed_outputs(site, edition):
    soup = page(site, edition, Path("tensors.html"))
    assert soup.select(".cell_output"), "chapter 1 shows no executed output"
