"""Sphinx extension joining the editions: the switch to the same page in the
other edition, the landing page that leads to an edition, a check that every
chapter has its twin, and each chapter's "Cite this chapter" box.

The editions come from the ``book_editions`` setting (``EDITIONS`` in conf.py);
each edition's sources are in ``book/<language>/`` and its pages are built
into ``<out>/<language>/``.
"""

from __future__ import annotations

import html
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _other_editions(app: Sphinx) -> list[str]:
    return [lang for lang in app.config.book_editions if lang != app.config.language]


def check_twins(app: Sphinx) -> None:
    """Warn (an error under -W) for a chapter that is missing in another edition."""
    srcdir = Path(app.srcdir)
    mine = {p.relative_to(srcdir) for p in srcdir.rglob("*.md")}
    for other in _other_editions(app):
        other_dir = srcdir.parent / other
        if not other_dir.is_dir():
            continue
        theirs = {p.relative_to(other_dir) for p in other_dir.rglob("*.md")}
        for missing in sorted(mine - theirs):
            logger.warning(
                f"{srcdir / missing} has no twin {other_dir / missing}: every chapter exists in "
                f"every edition ({', '.join(app.config.book_editions)}); add the {other} chapter "
                f"or remove this one",
                type="editions",
                subtype="twin",
            )


def add_edition_switch(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Give the page template a link to this very page in the other edition."""
    others = _other_editions(app)
    if not others:
        return
    other = others[0]
    depth = pagename.count("/") + 1  # the page's folder, then the edition's folder
    edition = app.config.book_editions[app.config.language]
    context["edition_switch"] = {
        "href": "../" * depth + f"{other}/{pagename}.html",
        "lang": other,
        "label": edition["switch_label"],
        "title": edition["switch_title"],
    }


def add_citation(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Give a numbered chapter's template a citation: a plain reference and BibTeX."""
    numbers = app.env.toc_secnumbers.get(pagename, {}).get("")
    if not numbers or doctree is None:
        return
    config = app.config
    edition = config.book_editions[config.language]
    chapter = ".".join(map(str, numbers))
    title = app.env.titles[pagename].astext()
    url = config.html_baseurl.rstrip("/") + f"/{config.language}/{pagename}.html"
    book = edition["title"]
    plain = (
        f"{config.author} ({config.book_year}). Chapter {chapter}, “{title}”. In {book} "
        f"({edition['edition_name']}), version {config.release}. {url}"
    )
    key = f"dlbook{config.book_year}-{config.language}-{pagename.replace('/', '-')}"
    bibtex = "\n".join(
        [
            f"@incollection{{{key},",
            f"  author    = {{{config.author}}},",
            f"  title     = {{{title}}},",
            f"  booktitle = {{{book}}},",
            f"  chapter   = {{{chapter}}},",
            f"  edition   = {{{edition['edition_name']}}},",
            f"  note      = {{Version {config.release}}},",
            f"  year      = {{{config.book_year}}},",
            f"  url       = {{{url}}}",
            "}",
        ]
    )
    context["cite_this"] = {
        "heading": edition["cite_heading"],
        "intro": edition["cite_intro"],
        "plain": plain,
        "bibtex": bibtex,
        "url": url,
    }


def write_landing_page(app: Sphinx, exception: Exception | None) -> None:
    """Write ``<out>/index.html``, which leads a reader to an edition."""
    outdir = Path(app.outdir)
    if exception is not None or app.builder.format != "html" or outdir.name != app.config.language:
        return
    links = "\n".join(
        f'    <li><a href="{lang}/index.html" hreflang="{lang}" lang="{lang}">'
        f"{html.escape(edition['title'])}</a></li>"
        for lang, edition in app.config.book_editions.items()
    )
    alternates = "\n".join(
        f'  <link rel="alternate" hreflang="{lang}" href="{lang}/index.html">' for lang in app.config.book_editions
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{html.escape(app.config.project)} · choose an edition</title>
{alternates}
  <style>body {{ font-family: sans-serif; max-width: 36rem; margin: 4rem auto; line-height: 1.6; }}
  a {{ font-size: 1.4rem; }}</style>
</head>
<body>
  <main>
  <h1>Choose an edition · 판을 고르세요</h1>
  <ul>
{links}
  </ul>
  </main>
</body>
</html>
"""
    (outdir.parent / "index.html").write_text(page, encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_editions", {}, "html", types=[dict])
    app.connect("builder-inited", check_twins)
    app.add_config_value("book_year", 2026, "html", types=[int])
    app.connect("html-page-context", add_edition_switch)
    app.connect("html-page-context", add_citation)
    app.connect("build-finished", write_landing_page)
    # bump env_version when this file changes what pages show: Sphinx then rebuilds them
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
