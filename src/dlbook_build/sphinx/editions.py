"""Sphinx extension joining the editions: the switch to the same page in the
other editions, a check that every
chapter has its twin, and each chapter's "Cite this chapter" box.

The editions come from the ``book_editions`` setting
(:data:`dlbook_build.project.EDITIONS`); each edition's sources are in
``book/<language>/``. The landing page is written when the site is published
(:mod:`dlbook_build.publish`).
"""

from __future__ import annotations

from pathlib import Path

from urllib.parse import urlsplit

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.util import logging

from dlbook_build.project import EDITIONS

logger = logging.getLogger(__name__)


def apply_edition(app: Sphinx, config: Config) -> None:
    """Derive the edition's settings from ``language`` (set with -D language=..) and ``book_base_url``."""
    edition = config.book_editions.get(config.language)
    if edition is None:
        raise ConfigError(
            f"Unknown edition language {config.language!r}: build one of {', '.join(config.book_editions)} "
            "(the tables of book/editions.toml), e.g. with python tools/build_book.py"
        )
    config.html_title = config.project = edition["title"]
    base = config.book_base_url.rstrip("/")
    if base:
        config.html_baseurl = f"{base}/{config.language}/"
        config.ogp_site_url = config.html_baseurl
        # the 404 page is served for any missing path: its links are absolute
        config.notfound_urls_prefix = f"{urlsplit(base).path}/{config.language}/"
    else:
        logger.info(
            "BOOK_BASE_URL is not set: no canonical links, sitemap or OpenGraph URLs, and citations show "
            "paths within the site (set it to the address the site is published at)"
        )
        config.notfound_urls_prefix = None


def page_url(config: Config, pagename: str, suffix: str = ".html") -> str:
    """A page's address: absolute under ``html_baseurl`` when the book has one, else ``<language>/<page>``."""
    if config.html_baseurl:
        return config.html_baseurl + pagename + suffix
    return f"{config.language}/{pagename}{suffix}"


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
    """Give the page template a link to this very page in each other edition."""
    depth = pagename.count("/") + 1  # the page's folder, then the edition's folder
    context["edition_switches"] = [
        {
            "href": "../" * depth + f"{other}/{pagename}.html",
            "lang": other,
            "label": app.config.book_editions[other]["switch_label"],
            "title": app.config.book_editions[other]["switch_title"],
        }
        for other in _other_editions(app)
    ]


def add_citation(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Give a numbered chapter's template a citation: a plain reference and BibTeX."""
    numbers = app.env.toc_secnumbers.get(pagename, {}).get("")
    if not numbers or doctree is None:
        return
    config = app.config
    edition = config.book_editions[config.language]
    chapter = ".".join(map(str, numbers))
    title = app.env.titles[pagename].astext()
    url = page_url(config, pagename)
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


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_editions", EDITIONS, "html", types=[dict])
    app.add_config_value("book_base_url", "", "html", types=[str])
    app.connect("config-inited", apply_edition)
    app.connect("builder-inited", check_twins)
    app.add_config_value("book_year", 2026, "html", types=[int])
    app.connect("html-page-context", add_edition_switch)
    app.connect("html-page-context", add_citation)
    # bump env_version when this file changes what pages show: Sphinx then rebuilds them
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
