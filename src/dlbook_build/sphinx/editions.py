"""Sphinx extension joining the editions: the switch to the same page in the
other editions, a check that every chapter has its twin, ``hreflang`` links
between twins, and each chapter's "Cite this chapter" box.

The editions come from the ``book_editions`` setting
(:data:`dlbook_build.project.EDITIONS`); each edition's sources are in
``book/<language>/``. The landing page is written when the site is published
(:mod:`dlbook_build.publish`).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.util import logging

from dlbook_build.project import EDITIONS, check_release

logger = logging.getLogger(__name__)


def apply_edition(app: Sphinx, config: Config) -> None:
    """Derive the edition's settings from ``language`` (-D language=..), ``book_base_url`` and ``book_release``.

    The latest build lives at ``BASE/<language>/``; a release's at
    ``BASE/<release>/<language>/`` (``book_site_url``, what its pages cite
    and where its notebooks fetch the wheel), with its name as the
    book's ``release``. Canonical links and link previews always name the
    latest (``html_baseurl``), so search engines send readers there.
    """
    if config.language not in config.book_editions:
        raise ConfigError(
            f"Unknown edition language {config.language!r}: build one of {', '.join(config.book_editions)} "
            "(the tables of book/editions.toml), e.g. with python tools/build_book.py"
        )
    if not isinstance(config.book_year, int):
        raise ConfigError("set book_year in conf.py: the year of this release, printed in citations and the footer")
    try:
        release = check_release(config.book_release) if config.book_release else ""
    except ValueError as error:
        raise ConfigError(f"BOOK_RELEASE: {error}") from None
    if release:
        config.release = config.version = release
    config.html_title = config.project = edition(config)["title"]
    base = config.book_base_url.rstrip("/")
    folder = f"{release}/{config.language}/" if release else f"{config.language}/"
    if base:
        config.html_baseurl = f"{base}/{config.language}/"
        config.book_site_url = f"{base}/{folder}"
        config.ogp_site_url = config.html_baseurl
        # the 404 page is served for any missing path: its links are absolute
        config.notfound_urls_prefix = f"{urlsplit(base).path}/{folder}"
    else:
        logger.info(
            "BOOK_BASE_URL is not set: no canonical links, sitemap or OpenGraph URLs, and citations show "
            "paths within the site (set it to the address the site is published at)"
        )
        config.book_site_url = ""
        config.notfound_urls_prefix = f"/{folder}"  # the site served from its root
    config.book_site_path = folder


def edition(config: Config) -> dict[str, Any]:
    """This build's edition: its table of book/editions.toml, the one way the extensions read it."""
    return config.book_editions[config.language]


def page_url(config: Config, pagename: str, suffix: str = ".html") -> str:
    """A page's address in this build (the release's, or the latest's): absolute when the book has a base URL,
    else its path within the site (``[<release>/]<language>/<page>``)."""
    if config.book_site_url:
        return config.book_site_url + pagename + suffix
    return f"{config.book_site_path}{pagename}{suffix}"


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
    context["edition_switches"] = [
        {
            "href": context["pathto"](f"../{other}/{pagename}.html", resource=True),
            "lang": other,
            "label": app.config.book_editions[other]["switch_label"],
            "title": app.config.book_editions[other]["switch_title"],
        }
        for other in _other_editions(app)
    ]


#: characters that are commands or specials in a BibTeX field, as LaTeX writes them literally
_BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
    "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}  # fmt: skip


def bibtex_text(text: str) -> str:
    """Plain text as the value of a BibTeX field (specials escaped), for BibTeX and biblatex alike."""
    if not isinstance(text, str):
        raise TypeError(f"expected the text of a BibTeX field as str, not {type(text).__name__}")
    return "".join(_BIBTEX_SPECIALS.get(char, char) for char in text)


def citation(config: Config, pagename: str, chapter: str, title: str) -> dict[str, str]:
    """A chapter's citation: the plain reference, the BibTeX entry and the URL.

    The entry is an ``@incollection`` (a titled chapter of a book), with the
    fields that plain/alpha, natbib and biblatex styles all print. The authors
    are one corporate name, in double braces so that no style splits it into
    first and last names; the chapter title is braced too, so that styles which
    lower-case titles keep "PyTorch". The edition and version go in ``note``:
    ``edition = {Korean edition}`` would print "Korean edition edition".
    """
    words = edition(config)
    url = page_url(config, pagename)
    book = words["title"]
    note = f"{words['edition_name']}, version {config.release}"
    plain = words["cite_plain"].format(
        author=config.author,
        year=config.book_year,
        chapter=chapter,
        title=title,
        book=book,
        version=config.release,
        url=url,
    )
    key = f"dlbook{config.book_year}-{config.language}-{pagename.replace('/', '-')}"
    fields = {
        "author": f"{{{bibtex_text(config.author)}}}",
        "title": f"{{{bibtex_text(title)}}}",
        "booktitle": bibtex_text(book),
        "chapter": chapter,
        "publisher": bibtex_text(config.author),
        "year": str(config.book_year),
        "note": bibtex_text(note),
        "url": url,
    }
    width = max(map(len, fields))
    lines = [f"  {name:<{width}} = {{{value}}}" for name, value in fields.items()]
    bibtex = f"@incollection{{{key},\n" + ",\n".join(lines) + "\n}"
    return {"plain": plain, "bibtex": bibtex, "url": url}


def add_citation(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Give a numbered chapter's template a citation: a plain reference and BibTeX."""
    numbers = app.env.toc_secnumbers.get(pagename, {}).get("")
    if not numbers or doctree is None:
        return
    words = edition(app.config)
    chapter = ".".join(map(str, numbers))
    title = app.env.titles[pagename].astext()
    context["cite_this"] = {
        "heading": words["cite_heading"],
        "intro": words["cite_intro"],
        **citation(app.config, pagename, chapter, title),
    }


def add_alternates(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Link the page's twins with ``<link rel="alternate" hreflang>``, itself included.

    Absolute under ``BOOK_BASE_URL`` (search engines want full URLs), else
    relative: the links still lead to the twins, on any host. Not on the 404
    page, which is served at any path, so relative links would break there.
    """
    config = app.config
    if pagename == (config.notfound_pagename if "notfound_pagename" in config else "404"):
        return
    base = config.book_base_url.rstrip("/")
    links = []
    for lang in config.book_editions:
        if base:
            href = f"{base}/{lang}/{pagename}.html"
        else:
            href = context["pathto"](f"../{lang}/{pagename}.html", resource=True)
        links.append(f'<link rel="alternate" hreflang="{lang}" href="{escape(href)}" />')
    context["metatags"] = context.get("metatags", "") + "\n" + "\n".join(links)


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_editions", EDITIONS, "html", types=[dict])
    app.add_config_value("book_base_url", "", "html", types=[str])
    # the release this build is (conf.py reads BOOK_RELEASE with project.read_book_release); "" the latest
    app.add_config_value("book_release", "", "html", types=[str])
    # derived by apply_edition: this build's own address, absolute (or "") and within the site
    app.add_config_value("book_site_url", "", "html", types=[str])
    app.add_config_value("book_site_path", "", "html", types=[str])
    app.connect("config-inited", apply_edition)
    app.connect("builder-inited", check_twins)
    app.add_config_value("book_year", None, "html", types=[int])  # conf.py sets it
    app.connect("html-page-context", add_edition_switch)
    app.connect("html-page-context", add_citation)
    app.connect("html-page-context", add_alternates)
    # bump env_version when this file changes what pages show: Sphinx then rebuilds them
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 3}
