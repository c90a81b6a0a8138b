"""The site's animation player: frames as image files, the first one painted at once.

:func:`dlbook.animate` offers each animation as a notebook output in three
forms (``_repr_mimebundle_``): matplotlib's player with every frame inside its
HTML (for Jupyter and Colab), a PNG strip of key frames (for the PDF, see
:mod:`.latex`) and the frames as JSON (:data:`dlbook.outputs.ANIMATION`).
The site takes the JSON form, through a myst-nb MIME renderer plugin
(:class:`AnimationRenderer`, entry point group ``myst_nb.mime_renderers``):

- each frame becomes an image file of the page, written the way myst-nb
  writes image outputs (named by its content's hash), and copied by Sphinx
  into ``_images/`` like any image (registered as the image collector does;
  frames are not image nodes, since a WebP image node sends the HTML builder
  looking for an image converter: a warning where ``rsvg-convert`` is missing);
- the page holds the first frame as an ``<img>`` with its display size and
  alternative text, so the page lays out and paints without waiting for the
  animation; the other frames are only named (``data-frames``) and
  ``static/dlbook-animation.js`` fetches them when the player comes near the
  screen or is used;
- the controls (first, previous, play/pause, next, last, a slider) are the
  template ``templates/animation-player.html``, labelled in the edition's
  words (``player_labels`` in ``book/editions.toml``), and styled by
  ``static/dlbook-animation.css``; the script and the stylesheet are loaded by
  the pages that have a player only.

Our own renderer because no maintained extension turns a notebook output into
separate image files: myst-nb writes an image output as one file, and shows
an HTML output (matplotlib's player) inline, frames and all.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
import urllib.parse
from pathlib import Path
from typing import Any, ClassVar

import jinja2
from docutils import nodes
from myst_nb.core.render import MimeData, MimeRenderPlugin, NbElementRenderer
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.writers.html5 import HTML5Translator

from dlbook.outputs import ANIMATION as MIME_TYPE
from dlbook_build.sphinx.editions import edition

HERE = Path(__file__).resolve().parent
#: the file suffix of each frame format :func:`dlbook.animate` may write
SUFFIXES = {"image/webp": ".webp", "image/png": ".png", "image/jpeg": ".jpeg"}
#: the builders that show the player; the others take another form of the output (the PDF: the key frames)
HTML_BUILDERS = ("html", "dirhtml", "singlehtml")
SCRIPT = "dlbook-animation.js"
STYLESHEET = "dlbook-animation.css"
#: the player's words (``player_labels`` in book/editions.toml): its buttons' names and the slider's
LABELS = ("First frame", "Previous frame", "Play", "Pause", "Next frame", "Last frame", "Frame")
_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
)


class animation_player(nodes.General, nodes.Element):
    """An animation: ``frames`` (image files, as paths from the source folder once read), ``fps``,
    ``description``, ``width`` and ``height`` (CSS pixels) and ``key_frames`` (those the PDF prints)."""


def player_node(renderer: NbElementRenderer, content: dict[str, Any]) -> animation_player:
    """The player of one animation output, its frames written as files of the page."""
    suffix = SUFFIXES[content["format"]]
    frames = []
    for frame in content["frames"]:
        data = base64.b64decode(frame)
        name = hashlib.sha256(data).hexdigest() + suffix
        frames.append(renderer.write_file([name], data, overwrite=False, exists_ok=True))
    return animation_player(
        "",
        frames=frames,
        fps=float(content["fps"]),
        description=content["description"],
        width=int(content["width"]),
        height=int(content["height"]),
        key_frames=list(content["key_frames"]),
    )


class AnimationRenderer(MimeRenderPlugin):
    """myst-nb's renderer of :data:`~dlbook.outputs.ANIMATION` outputs, chosen first by the HTML builders."""

    mime_priority_overrides: ClassVar = [("*", MIME_TYPE, None), *((name, MIME_TYPE, 1) for name in HTML_BUILDERS)]

    @staticmethod
    def handle_mime(renderer: NbElementRenderer, data: MimeData, inline: bool) -> list[nodes.Element] | None:
        if inline or data.mime_type != MIME_TYPE:
            return None
        return [player_node(renderer, data.content)]


def register_frames(app: Sphinx, doctree: nodes.document) -> None:
    """Each frame as an image of the page, as Sphinx's image collector registers an image node's file."""
    env = app.env
    docname = env.current_document.docname
    for node in doctree.findall(animation_player):
        node["frames"] = [env.relfn2path(uri, docname)[0] for uri in node["frames"]]
        for path in node["frames"]:
            env.images.add_file(docname, path)


def copy_frames(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """The frames of the page's players among the images the HTML builder copies into ``_images/``.

    On ``doctree-resolved``, which runs where the builder collects a page's
    images (``post_process_images``), in the main process even when pages are
    written in parallel.
    """
    if app.builder.format != "html":
        return
    for node in doctree.findall(animation_player):
        for path in node["frames"]:
            app.builder.images[path] = app.env.images[path][1]


def visit_player_html(self: HTML5Translator, node: animation_player) -> None:
    """The player's markup: the first frame as a sized image, the others by address only."""
    frames = [
        posixpath.join(self.builder.imgpath, urllib.parse.quote(self.builder.images[path])) for path in node["frames"]
    ]
    labels = edition(self.config)["player_labels"]
    self.body.append(
        _TEMPLATES.get_template("animation-player.html").render(
            frames=frames,
            fps=node["fps"],
            description=node["description"],
            width=node["width"],
            height=node["height"],
            labels=labels,
        )
    )
    raise nodes.SkipNode


def check_labels(app: Sphinx, config: Config) -> None:
    """Every word the player shows, in the edition's language."""
    labels = edition(config).get("player_labels", {})
    missing = [label for label in LABELS if not isinstance(labels.get(label), str)]
    if missing:
        raise ConfigError(
            f"the animation player has no words for {missing} in the edition {config.language!r}: "
            f"add them to [{config.language}.player_labels] in book/editions.toml (English label = its translation)"
        )


def add_player_files(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: nodes.document | None
) -> None:
    """The player's script and stylesheet, on the pages that have a player."""
    if doctree is not None and any(True for _ in doctree.findall(animation_player)):
        app.add_js_file(SCRIPT, loading_method="defer")
        app.add_css_file(STYLESHEET)


def setup(app: Sphinx) -> dict:
    # the other builders never see the node: myst-nb chose another form of the output for them
    app.add_node(animation_player, html=(visit_player_html, None))
    app.connect("config-inited", check_labels)
    app.connect("doctree-read", register_frames)
    app.connect("doctree-resolved", copy_frames)
    app.connect("html-page-context", add_player_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
