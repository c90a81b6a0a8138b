"""Alternative text for the chapters' figures, in the edition's language.

myst-nb writes a figure output as ``<img alt="<hashed file name>">`` unless the
code cell sets ``mystnb: image: alt: ...`` in its options. The book's figures
describe themselves instead: :func:`dlbook.use_book_style` stores each
figure's summary (its title, and per panel its title, axis labels and legend:
:func:`dlbook.style.figure_summary`) in the image file, and this extension
reads it back when a page is read and writes the ``alt`` text from it with the
edition's words (``[<language>.figure_words]`` in ``book/editions.toml``).
An ``alt`` set in the cell's options wins.

On the site every SVG figure is also given its size (``width``/``height``,
from the SVG's own): the browser keeps the figure's room while it loads
instead of moving the text below it (layout shift, issue 24). PNG figures get
theirs from the output's metadata (:func:`dlbook.style.figure_output`).

Our own extension because none derives alternative text from a figure:
myst-nb takes ``alt`` only from cell metadata, which would repeat by hand, in
two languages, the titles the figure already draws.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from dlbook.outputs import SUMMARY_KEY
from dlbook_build.sphinx.editions import edition

logger = logging.getLogger(__name__)

_DC = "{http://purl.org/dc/elements/1.1/}"


def read_summary(path: Path) -> dict[str, Any] | None:
    """The figure summary stored in a PNG (text chunk) or SVG (Dublin Core description), or None."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no image file at {path}: expected a figure written by myst-nb")
    if path.suffix == ".png":
        from PIL import Image

        with Image.open(path) as image:
            text = getattr(image, "text", {}).get(SUMMARY_KEY)
    elif path.suffix == ".svg":
        element = ET.parse(path).getroot().find(f".//{_DC}description")
        text = element.text if element is not None else None
    else:
        return None
    if not text:
        return None
    try:
        summary = json.loads(text)
    except json.JSONDecodeError:
        return None  # a description that is not a dlbook summary
    return summary if isinstance(summary, dict) and isinstance(summary.get("panels"), list) else None


def alt_text(summary: dict[str, Any], words: dict[str, str]) -> str:
    """The figure's alternative text in the edition's ``words``.

    Its title, then per panel its title, axes, legend and what is drawn.
    """
    if not isinstance(summary, dict) or not isinstance(summary.get("panels"), list):
        raise TypeError("summary must be a dict with a list of panels (dlbook.style.figure_summary)")
    parts = [summary["title"].rstrip(".") + "."] if summary.get("title") else []
    panels = summary["panels"]
    for n, panel in enumerate(panels, start=1):
        bits = [panel["title"]] if panel.get("title") else []
        if panel.get("xlabel"):
            bits.append(f"{words['x']}: {panel['xlabel']}")
        if panel.get("ylabel"):
            bits.append(f"{words['y']}: {panel['ylabel']}")
        if panel.get("legend"):
            bits.append(f"{words['legend']}: {', '.join(panel['legend'])}")
        if panel.get("texts"):
            bits.append(", ".join(panel["texts"]))
        drawn = [words[kind].format(n=panel[kind]) for kind in ("lines", "points", "maps") if panel.get(kind)]
        if drawn:
            bits.append(", ".join(drawn))
        if bits:
            prefix = words["panel"].format(n=n) + " – " if len(panels) > 1 else ""
            parts.append(prefix + "; ".join(bits) + ".")
    return f"{words['figure']}: {' '.join(parts) if parts else words['untitled']}"


def describe_figures(app: Sphinx, doctree: nodes.document) -> None:
    """Give every figure output without an ``alt`` one written from the figure's own summary."""
    srcdir = Path(app.srcdir)
    for image in doctree.findall(nodes.image):
        if image.get("alt"):
            continue
        uri = image.get("uri", "")
        if "://" in uri or not uri.endswith((".png", ".svg")):
            continue
        path = Path(os.path.normpath(srcdir / uri.lstrip("/")))
        if not path.is_file():
            continue
        summary = read_summary(path)
        if summary is None:
            continue
        image["alt"] = alt_text(summary, edition(app.config)["figure_words"])


#: CSS pixels per unit of an SVG's width and height
_PX_PER = {"px": 1.0, "": 1.0, "pt": 96 / 72, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4}


def svg_size(path: Path) -> tuple[int, int] | None:
    """The displayed size of an SVG in CSS pixels, from its root's width and height; None if it names none."""
    root = ET.parse(path).getroot()
    size = []
    for key in ("width", "height"):
        match = re.fullmatch(r"\s*([0-9.]+)\s*(px|pt|in|cm|mm|)\s*", root.get(key, ""))
        if not match:
            return None
        size.append(round(float(match[1]) * _PX_PER[match[2]]))
    return size[0], size[1]


def size_svg_figures(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Give every SVG figure of an HTML page its width and height (the PDF sizes its figures itself)."""
    if app.builder.format != "html":
        return
    srcdir = Path(app.srcdir)
    for image in doctree.findall(nodes.image):
        uri = image.get("uri", "")
        if "://" in uri or not uri.endswith(".svg") or "width" in image or "height" in image:
            continue
        path = Path(os.path.normpath(srcdir / uri.lstrip("/")))
        size = svg_size(path) if path.is_file() else None
        if size:
            image["width"], image["height"] = (str(n) for n in size)


def setup(app: Sphinx) -> dict:
    app.connect("doctree-read", describe_figures)
    app.connect("doctree-resolved", size_svg_figures)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
