"""A chapter that paints at once on a phone (issue 24, measured by benchmarks/lighthouse.mjs).

What Sphinx and its extensions put in ``<head>`` is fetched and run before the
page's first paint. Here:

- KaTeX's stylesheets are linked only from pages that have math, and those
  pages preload the KaTeX fonts their formulas use most (:func:`link_math_where_needed`):
  found only once the page is laid out, they held back the first paragraph
  with a formula (the largest paint) by a round trip and their download;
- every figure but a page's first loads lazily (:func:`load_figures_lazily`),
  so the figures far below do not take the phone's bandwidth from the
  stylesheets and fonts of the first screen (each keeps its room: it is sized);
- a display formula can take the keyboard's focus (:func:`visit_displaymath`);
- every script file is deferred (run in order once the page is parsed, as the
  theme's own scripts are), except ``documentation_options.js``, which the
  inline scripts after it extend; none of them draws what the reader sees first.
  The search page keeps them as they are: its inline scripts use them at once;
- a chapter's sections are rendered as they near the screen (``content-visibility``
  in book.css), and ``page-speed.js`` keeps the theme's script from laying them all
  out at once on the load event (it gives scrolling code its tab stop itself);
- the theme's icons are drawn by ``icons.css`` (SVG masks), since
  ``templates/layout.html`` leaves out the theme's fontawesome.js; the same
  template leaves the search scripts to the search page.

Math is rendered at build time (``katex_prerender`` in conf.py) by the KaTeX
that sphinxcontrib-katex bundles, run with Node: :func:`need_node` says how to
get Node when it is missing, before Sphinx reads a page. No maintained
extension defers other extensions' scripts, hence this module.
"""

from __future__ import annotations

import re
import shutil
import time
from typing import Any

import sphinxcontrib.katex as katex
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

#: run before the inline scripts that follow it, which add to DOCUMENTATION_OPTIONS
KEPT_IN_ORDER = {"_static/documentation_options.js"}
#: what only a page with math needs (katex_css_path in conf.py, and sphinxcontrib-katex's own)
MATH_STYLESHEETS = {"_static/katex/katex.min.css", "_static/katex-math.css"}
#: KaTeX's fonts (in _static) of a formula's upright text and digits, and of its italic variables
UPRIGHT_FONT, ITALIC_FONT = "katex/fonts/KaTeX_Main-Regular.woff2", "katex/fonts/KaTeX_Math-Italic.woff2"


def link_math_where_needed(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """KaTeX's stylesheets only on a page with math; there, its fonts to preload (``preload_fonts``, layout.html).

    Main-Regular draws every formula's upright text and digits; Math-Italic its
    italic variables (KaTeX's class ``mathnormal``), where there are any.
    """
    has_math = doctree is not None and any(
        doctree.findall(lambda node: isinstance(node, (nodes.math, nodes.math_block)))
    )
    context["preload_fonts"] = []
    if not has_math:
        if "css_files" in context and doctree is not None:
            context["css_files"] = [css for css in context["css_files"] if css.filename not in MATH_STYLESHEETS]
        return
    context["preload_fonts"].append(UPRIGHT_FONT)
    if re.search(r'class="(?:[^"]* )?mathnormal[ "]', context.get("body", "")):
        context["preload_fonts"].append(ITALIC_FONT)


def load_figures_lazily(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Every image of an HTML page but its first: ``loading="lazy"`` (docutils writes the attribute)."""
    if app.builder.format != "html":
        return
    for image in list(doctree.findall(nodes.image))[1:]:
        image.setdefault("loading", "lazy")


def defer_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    if pagename == "search" or "script_files" not in context:
        return
    scripts = []
    for script in context["script_files"]:
        attributes = script.attributes
        if script.filename and script.filename not in KEPT_IN_ORDER and not {"async", "defer"} & attributes.keys():
            # a copy: the same objects serve every page (and the search page keeps its own)
            script = type(script)(script.filename, priority=script.priority, **attributes, defer="defer")
        scripts.append(script)
    context["script_files"] = scripts


def visit_math(self: Any, node: nodes.math) -> None:
    """sphinxcontrib-katex's inline formula, once its server is up (:func:`start_katex`)."""
    start_katex(self.builder.config)
    katex.html_visit_math(self, node)


def visit_displaymath(self: Any, node: nodes.math_block) -> None:
    """sphinxcontrib-katex's display formula in a ``<div tabindex="0">``.

    On a phone a long formula scrolls sideways in its ``div.math`` (book.css),
    and a keyboard reader can scroll it only once it has focus (axe:
    scrollable-region-focusable). MathJax made its formulas focusable too.
    """
    start_katex(self.builder.config)
    start = len(self.body)
    try:
        katex.html_visit_displaymath(self, node)  # writes the whole formula, then skips the node
    finally:
        self.body[start] = self.body[start].replace("<div ", '<div tabindex="0" ', 1)


def start_katex(config: Config) -> None:
    """Start sphinxcontrib-katex's Node server, trying again if it refuses the first connection.

    Called by the math renderers below, so a build that renders no formula
    (nothing changed) starts no Node. The extension connects as soon as the
    server's socket file exists, which on a busy machine can be a moment before
    the server listens: the build then fails with ConnectionRefusedError (seen
    once under load). The extension keeps no handle on a refused server's Node
    process, so that idle process stays behind; a failed build is worse.
    """
    if not config.katex_prerender or katex.KaTeXServer.katex_server is not None:
        return
    for attempt in range(3):
        try:
            katex.KaTeXServer.get()
            return
        except ConnectionRefusedError:
            if attempt == 2:
                raise
            time.sleep(1)


def need_node(app: Sphinx) -> None:
    """Stop an HTML build without Node before it reads a page, saying how to get Node (the PDF needs none)."""
    if app.builder.format == "html" and app.config.katex_prerender and not shutil.which("node"):
        raise ConfigError(
            "the book's math is rendered at build time with Node (sphinxcontrib-katex, katex_prerender), "
            "and there is no `node` on PATH: install Node.js 18 or later "
            "(Debian/Ubuntu: apt-get install nodejs; macOS: brew install node)"
        )


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", need_node)
    # conf.py's html_math_renderer: sphinxcontrib-katex's, with focusable display formulas
    app.add_html_math_renderer(
        "dlbook-katex", inline_renderers=(visit_math, None), block_renderers=(visit_displaymath, None)
    )
    app.add_css_file("icons.css")
    app.add_js_file("page-speed.js")
    app.connect("html-page-context", link_math_where_needed)
    app.connect("doctree-resolved", load_figures_lazily)
    # after the theme's handlers (priority 500), which add inline scripts to the page's list
    # (DOCUMENTATION_OPTIONS.pagename, the version switcher's settings): a copy made before would drop them
    app.connect("html-page-context", defer_scripts, priority=900)
    # bump env_version when this file changes what pages load: Sphinx then writes them again
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 3}
