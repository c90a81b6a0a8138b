"""Sphinx extension: each edition's "What changed" page, from one bilingual source, ``book/changes.toml``.

The directive ``book-changes`` (in ``book/<language>/changes.md``) lists the
releases, newest first, each as a rubric (its name and date) and its text in
the edition's language, parsed as MyST. One file for both editions keeps them
listing the same releases; a release that lacks an edition's text is an error.
A directive of our own since no maintained extension reads a changelog kept
outside the pages (sphinx-changelog and towncrier write one file per language).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

from dlbook_build.project import BOOK, EDITIONS, check_release

CHANGES = BOOK / "changes.toml"


def load_changes(path: Path = CHANGES, languages: list[str] | None = None) -> list[dict[str, Any]]:
    """The releases of ``path``, newest first: each with ``name``, ``date`` (a date) and a text per edition."""
    with open(path, "rb") as file:
        releases = tomllib.load(file).get("release", [])
    for release in releases:
        missing = {"name", "date", *(languages or EDITIONS)} - set(release)
        if missing:
            raise ValueError(f"{path}: the release {release.get('name', '?')!r} lacks {sorted(missing)}: every release "
                             "needs a name, a date and a text for every edition")  # fmt: skip
        check_release(release["name"])
    return releases


class BookChanges(SphinxDirective):
    """``book-changes``: the releases of ``book/changes.toml`` in this edition's words."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(CHANGES))
        try:
            releases = load_changes()
        except ValueError as error:
            raise ExtensionError(str(error)) from None
        result: list[nodes.Node] = []
        for release in releases:
            heading = nodes.rubric(text=f"{release['name']} ({release['date'].isoformat()})")
            heading["ids"].append(f"release-{release['name']}")
            result.append(heading)
            result += self.parse_text_to_nodes(release[self.config.language].strip())
        return result


def setup(app: Sphinx) -> dict:
    app.add_directive("book-changes", BookChanges)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
