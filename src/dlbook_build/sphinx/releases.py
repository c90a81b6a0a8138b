"""Sphinx extension for a site of releases (:mod:`dlbook_build.releases`): the version switcher, a release's banner.

- Every page has pydata-sphinx-theme's version switcher (the
  ``version-switcher.html`` component in the article's header), fed by the
  edition's ``versions-<language>.json`` at the site's root, which lists the
  releases added after this build too. Its ``json_url`` is relative: the
  theme resolves it against the edition's folder, ``../`` for the latest
  and ``../../`` for a release, so it works on any host and offline.
- A release's pages carry a banner in the edition's language, in the theme's
  announcement bar, linking to the same page in the latest. Not the theme's
  ``show_version_warning_banner``: its text is English whatever the page's
  language, and it compares versions as numbers (``2026-fall`` is not one,
  so it would show its banner on the latest too).
- With ``BOOK_REPO`` set, a chapter links to its notebook in Colab, on the
  branch the workflow publishes (:data:`dlbook_build.project.NOTEBOOK_BRANCH`,
  written by :func:`dlbook_build.releases.write_notebook_tree`), and every page to a new
  GitHub issue pre-filled with the edition, chapter, section, release and
  commit. Not sphinx-book-theme's launch and issues buttons: its Colab button
  opens the page's source path (``<chapter>.md``, or myst-nb's executed copy
  of it, never our notebook with its install cell, nor a release's folder),
  and its issue is titled in English and says nothing of the reader's place.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from sphinx.application import Sphinx
from sphinx.config import Config

from dlbook_build.project import LATEST, NOTEBOOK_BRANCH
from dlbook_build.releases import edition_versions_name
from dlbook_build.sphinx.editions import edition, page_url
from dlbook_build.sphinx.notebooks import chapter_number, is_notebook

COLAB = "https://colab.research.google.com/github"


def add_switcher(app: Sphinx, config: Config) -> None:
    """The theme's switcher: this build's name, and its edition's list of versions at the site's root."""
    up = "../../" if config.book_release else "../"
    switcher = {
        "json_url": f"{up}{edition_versions_name(config.language)}",
        "version_match": config.book_release or LATEST,
    }
    # check_switcher off: the file is written when the site is published, after Sphinx
    config.html_theme_options = {**config.html_theme_options, "switcher": switcher, "check_switcher": False}


def add_release_banner(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree) -> None:
    """On a release's page: the theme's announcement, this release's name and a link to the page in the latest."""
    release = app.config.book_release
    if not release:
        return
    words = edition(app.config)
    context["release_banner"] = {
        "text": words["release_banner"].format(release=release),
        "link": words["release_banner_link"],
        # BASE/<release>/<language>/page.html -> BASE/<language>/page.html
        "href": context["pathto"](f"../../{app.config.language}/{pagename}.html", resource=True),
    }
    context["theme_announcement"] = app.builder.templates.render("release-banner.html", context)


def colab_url(repo: str, release: str, language: str, docname: str) -> str:
    """A chapter's notebook in Colab: on ``repo``'s notebooks branch, at ``<release>/<language>/<chapter>.ipynb``."""
    return f"{COLAB}/{repo}/blob/{NOTEBOOK_BRANCH}/{release or LATEST}/{language}/{quote(docname)}.ipynb"


def issue_url(repo: str, title: str, body: str) -> str:
    """A new issue of ``repo``, its title and body filled in."""
    return f"https://github.com/{repo}/issues/new?" + urlencode({"title": title, "body": body}, quote_via=quote)


def add_repository_links(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree) -> None:
    """With ``book_repo``: the chapter's Colab link, and the page's report link (the page's script adds the section)."""
    config = app.config
    if not config.book_repo or doctree is None:
        return
    words = edition(config)
    if is_notebook(app, pagename):
        context["colab_link"] = {
            "href": colab_url(config.book_repo, config.book_release, config.language, pagename),
            "label": words["colab_label"],
            "title": words["colab_title"],
        }
    number = chapter_number(app, pagename)
    title = app.env.titles[pagename].astext() if pagename in app.env.titles else pagename
    chapter = f"{number}. {title}" if number else title
    fields = {
        "edition": words["edition_name"], "chapter": chapter, "release": config.book_release or LATEST,
        "commit": config.book_commit or "-", "page": page_url(config, pagename),
    }  # fmt: skip
    issue_title = words["report_issue_title"].format(**fields)
    # the page's script puts the reader's section where {section} stands
    body = words["report_issue_body"].format(**fields, section="{section}")
    context["report_link"] = {
        "href": issue_url(config.book_repo, issue_title, body.replace("{section}", "-")),
        "issues": f"https://github.com/{config.book_repo}/issues/new",
        "issue_title": issue_title,
        "body": body,
        "label": words["report_label"],
        "title": words["report_title"],
    }


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_repo", "", "html", types=[str])
    app.add_config_value("book_commit", "", "html", types=[str])
    app.connect("html-page-context", add_repository_links)
    app.connect("config-inited", add_switcher, priority=600)  # after editions.apply_edition
    app.connect("html-page-context", add_release_banner)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
