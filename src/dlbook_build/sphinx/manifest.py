"""Sphinx extension: what the build knew about the edition, written as ``manifest.json`` when it ends.

The chapters of the numbered toctree with their numbers, titles and first
paragraphs, their sections with numbers and labels, their exercises'
numbers, and each chapter's first described figure (its output file and
alternative text): the facts the derived outputs need
(:mod:`dlbook_build.manifest` reads them back, and says what the file holds).
Written into the builder's output folder after every build, HTML and LaTeX
alike (a build with nothing to rebuild too), without reading a doctree
again: a rebuild with nothing to do stays quick.

- Sections and exercises are noted as each page is read (:class:`Outlines`,
  an environment collector, so they persist with the environment); their
  numbers and labels are Sphinx's once the build ends.
- Paragraphs and figures are taken from each page as the HTML builder
  resolves it (:class:`Manifest`): references read as the page shows them,
  and each output is the format the page shows. A page this build did not
  write keeps what the previous manifest said of it. A LaTeX build's
  manifest has none.

Our own because no maintained extension writes this: Sphinx's ``objects.inv``
holds labels, but not numbers, paragraphs or figures.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors import EnvironmentCollector
from sphinx_exercise.nodes import is_exercise_enumerable_node

from dlbook_build.manifest import MANIFEST


def _text(node: nodes.Node) -> str:
    return " ".join(node.astext().split())


def _number(numbers: tuple[int, ...] | None) -> str | None:
    return ".".join(map(str, numbers)) if numbers else None


def first_paragraph(doctree: nodes.document) -> str:
    """The text of the page's first paragraph of prose (not in a figure, an admonition or a toctree)."""
    for paragraph in doctree.findall(nodes.paragraph):
        if isinstance(paragraph.parent, nodes.section) and _text(paragraph):
            return _text(paragraph)
    return ""


def first_figure(app: Sphinx, doctree: nodes.document) -> dict[str, str] | None:
    """The page's first image with alternative text: its file in the builder's output, alt, and size if set."""
    for image in doctree.findall(nodes.image):
        # the file the builder copies, chosen as Builder.post_process_images chooses it
        candidates: dict[str, str] = image.get("candidates", {})
        kinds = ["*", *app.builder.supported_image_types]
        chosen = next((image["uri"] if kind == "*" else candidates[kind] for kind in kinds if kind in candidates), None)
        if not image.get("alt") or chosen is None or chosen not in app.env.images:
            continue  # a figure without a description, or a remote or inline image
        figure = {"src": posixpath.join(app.builder.imagedir, app.env.images[chosen][1]), "alt": image["alt"]}
        return figure | {key: str(image[key]) for key in ("width", "height") if image.get(key)}
    return None


def outlines(env: BuildEnvironment) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Each page's sections (ids, title) and exercises (id, label) as read: kept in the environment, pickled with it."""
    if not hasattr(env, "dlbook_outlines"):
        env.dlbook_outlines = {}  # type: ignore[attr-defined]  # our own attribute
    return env.dlbook_outlines  # type: ignore[attr-defined]


class Outlines(EnvironmentCollector):
    """Notes each page's sections and exercises as it is read (:func:`outlines`)."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        outlines(env).pop(docname, None)

    def merge_other(
        self, app: Sphinx, env: BuildEnvironment, docnames: AbstractSet[str], other: BuildEnvironment
    ) -> None:
        outlines(env).update({d: outlines(other)[d] for d in docnames if d in outlines(other)})

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        sections = [
            {"ids": section["ids"], "title": _text(section[0])}
            for section in doctree.findall(nodes.section)
            # the page's own title is the chapter's
            if section.parent is not doctree and section["ids"] and isinstance(section[0], nodes.title)
        ]
        exercises = [
            {"id": node["ids"][0] if node["ids"] else None, "label": node.get("label") or None}
            for node in doctree.findall(is_exercise_enumerable_node)
        ]
        outlines(app.env)[app.env.docname] = {"sections": sections, "exercises": exercises}


def sections(app: Sphinx, docname: str) -> list[dict[str, Any]]:
    """Every section under the title: its number (as the contents show it), title, anchor and label."""
    secnumbers = app.env.toc_secnumbers.get(docname, {})
    labels = {
        labelid: label
        for label, (doc, labelid, _) in sorted(app.env.domains.standard_domain.labels.items())
        if doc == docname
    }
    return [
        {
            "number": _number(secnumbers.get("#" + section["ids"][0])),
            "title": section["title"],
            "anchor": "#" + section["ids"][0],
            "label": next((labels[i] for i in section["ids"] if i in labels), None),
        }
        for section in outlines(app.env).get(docname, {}).get("sections", [])
    ]


def exercises(app: Sphinx, docname: str) -> list[dict[str, Any]]:
    """The chapter's exercises (sphinx-exercise), in order: their numbers as the page shows them, and labels."""
    numbers = app.env.toc_fignumbers.get(docname, {}).get("exercise", {})
    return [
        {"number": _number(numbers.get(exercise["id"])), "label": exercise["label"]}
        for exercise in outlines(app.env).get(docname, {}).get("exercises", [])
    ]


class Manifest:
    """Notes what each page shows as the HTML builder resolves it, and writes the manifest when the build ends."""

    def __init__(self) -> None:
        self.shown: dict[str, dict[str, Any]] = {}

    def page_resolved(self, app: Sphinx, doctree: nodes.document, docname: str) -> None:
        if app.builder.format == "html":
            self.shown[docname] = {"paragraph": first_paragraph(doctree), "figure": first_figure(app, doctree)}

    def previously_shown(self, app: Sphinx) -> dict[str, dict[str, Any]]:
        path = Path(app.outdir) / MANIFEST
        if app.builder.format != "html" or not path.is_file():
            return {}
        old = json.loads(path.read_text(encoding="utf-8"))
        return {
            page["docname"]: {"paragraph": page["paragraph"], "figure": page.get("figure")}
            for page in [old["root"], *old["chapters"]]
        }

    def chapter(self, app: Sphinx, docname: str, shown: dict[str, Any]) -> dict[str, Any]:
        return {
            "docname": docname,
            "number": _number(app.env.toc_secnumbers.get(docname, {}).get("")),
            "title": _text(app.env.titles[docname]),
            "uri": app.builder.get_target_uri(docname) if app.builder.format == "html" else None,
            "paragraph": shown.get("paragraph"),
            "sections": sections(app, docname),
            "exercises": exercises(app, docname),
            "figure": shown.get("figure"),
        }

    def manifest(self, app: Sphinx) -> dict[str, Any]:
        """The edition as :mod:`dlbook_build.manifest` describes it."""
        env, root = app.env, app.config.root_doc
        shown = self.previously_shown(app) | self.shown
        pages = [self.chapter(app, docname, shown.get(docname, {})) for docname in env.toctree_includes.get(root, [])]
        return {
            "language": app.config.language,
            "title": app.config.project,
            "root": {
                "docname": root,
                "title": _text(env.titles[root]),
                "paragraph": shown.get(root, {}).get("paragraph"),
            },
            "chapters": [page for page in pages if page["number"] is not None],
            "back_matter": [
                {key: page[key] for key in ("docname", "title", "uri")} for page in pages if page["number"] is None
            ],
        }

    def write(self, app: Sphinx, exception: Exception | None) -> None:
        if exception is None:
            text = json.dumps(self.manifest(app), ensure_ascii=False, indent=1)
            (Path(app.outdir) / MANIFEST).write_text(text + "\n", encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.add_env_collector(Outlines)
    manifest = Manifest()
    app.connect("doctree-resolved", manifest.page_resolved)
    app.connect("build-finished", manifest.write)
    # bump env_version when Outlines notes something else: Sphinx then reads every page again
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
