"""The book as LaTeX (for the PDF): what the site shows that Sphinx's LaTeX builder would drop.

Sphinx's LaTeX builder with xelatex does the typesetting (title page,
contents, page headers, numbering, the bibliography of sphinxcontrib-bibtex);
sphinx-design's tab sets become one labelled block per framework; and
sphinxcontrib-svg2pdfconverter turns the diagrams' SVG into vector PDF
(rsvg-convert). This extension adds what no maintained extension does for
this book:

- each edition's LaTeX settings (:func:`apply_latex_settings`): the
  document (file name, title), a book class, the fonts (Korean through
  kotex, whose xetexko breaks lines between Hangul words the Korean way; the
  English edition has Korean terms too) and the words it prints;
- under each animation of :func:`dlbook.animate`, whose PNG strip of key
  frames myst-nb picks for LaTeX (the output's ``image/png`` form), a caption
  in the edition's words giving its description and which frames are shown;
- a warning (an error under ``-W``) for any other HTML output the PDF would
  print as text, so nothing the site shows goes missing without a word;
- the root page's text as an unnumbered preface, and the unnumbered part of
  the contents ("About this book") after ``\\backmatter``, as on the site;
- the bibliography inside the "References" page, where the site has it
  (Sphinx gathers it at the end of the PDF, sphinxcontrib-bibtex issue 156);
- exercise labels that the solutions' "Solution to Exercise N.M" links
  resolve to (sphinx-exercise writes them under another name in LaTeX).
"""

from __future__ import annotations

import html
import re

from docutils import nodes
from docutils.writers.latex2e import Babel
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.latex.nodes import thebibliography
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx_exercise.nodes import is_exercise_enumerable_node

from dlbook.outputs import ANIMATION as MIME_TYPE
from dlbook_build.project import document_name
from dlbook_build.sphinx.animation_player import animation_player
from dlbook_build.sphinx.editions import edition

logger = logging.getLogger(__name__)

#: The fonts of both editions (fontspec; Korean through kotex, whose xetexko
#: breaks lines between Hangul words and syllables the Korean way). The English
#: edition has Korean too (terms, the glossary), so it loads the same.
FONTS = "\n".join(
    [
        # curly quotes as Latin brackets: xetexko's CJK classes put a space after the ’ of "lecture’s"
        r"\XeTeXcharclass`‘=\XeTeXcharclassAO \XeTeXcharclass`“=\XeTeXcharclassAO",
        r"\XeTeXcharclass`’=\XeTeXcharclassAC \XeTeXcharclass`”=\XeTeXcharclassAC",
        r"\setmainfont{FreeSerif}",
        r"\setsansfont{FreeSans}",
        r"\setmonofont{FreeMono}",
        r"\setmainhangulfont{NanumMyeongjo}",
        r"\setsanshangulfont{NanumGothic}",
        r"\setmonohangulfont{NanumGothicCoding}",
    ]
)
#: The bibliography is typeset inside the page that holds it ("References"),
#: not as a chapter of its own (see :class:`BibliographyInPlace`).
BIBLIOGRAPHY_IN_PLACE = "\n".join(
    [
        r"\makeatletter",
        r"\renewenvironment{sphinxthebibliography}[1]"
        r"{\let\chapter\@gobbletwo\let\@mkboth\@gobbletwo\begin{thebibliography}{#1}}{\end{thebibliography}}",
        r"\makeatother",
    ]
)
_TAG = re.compile(r"<[^>]+>")


def latex_edition(config: Config) -> dict[str, str]:
    """The edition's LaTeX settings (``[<language>.latex]`` in book/editions.toml): kotex's options, the
    chapter heading style (fncychap), and the words the PDF prints around an animation's key frames and
    as the heading of the root page's text."""
    return edition(config)["latex"]


def apply_latex_settings(app: Sphinx, config: Config) -> None:
    """Derive the edition's LaTeX document, fonts and packages from ``language``."""
    language = config.language
    settings = latex_edition(config)
    config.latex_documents = [("index", f"{document_name(language)}.tex", config.project, config.author, "manual")]
    elements = {
        "papersize": "a4paper",
        "pointsize": "10pt",
        "fontpkg": settings["kotex"] + "\n" + FONTS,
        "fncychap": settings["fncychap"],
        # kotex typesets Korean instead of polyglossia; English needs neither
        "polyglossia": "",
        "babel": "",
        # lost characters are logged, and the PDF driver fails the build on them
        "preamble": "\n".join([r"\tracinglostchars=2", BIBLIOGRAPHY_IN_PLACE]),
        # the book has no index entries: no empty index chapter
        "printindex": "",
    }
    config.latex_elements = {**elements, **config.latex_elements}
    # a book: two-sided, with \frontmatter, \mainmatter and \backmatter
    config.latex_docclass = {"manual": "book", **config.latex_docclass}
    # the diagrams offer SVG besides their HTML: LaTeX takes it (converted to PDF)
    config.nb_mime_priority_overrides = [*config.nb_mime_priority_overrides, ("latex", "image/svg+xml", 15)]


def _text_of(html_text: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", html_text)).split())


class PrintableOutputs(SphinxPostTransform):
    """Before myst-nb picks each output's format for LaTeX: animations get their caption; lost HTML is reported."""

    default_priority = 3  # myst-nb's SelectMimeType runs at 4
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        settings = latex_edition(self.config)
        for bundle in list(self.document.findall(nodes.container)):
            if bundle.get("nb_element") != "mime_bundle":
                continue
            by_type = {child.get("mime_type"): child for child in bundle.children if isinstance(child, nodes.Element)}
            if MIME_TYPE in by_type and "image/png" in by_type:
                player = next(by_type[MIME_TYPE].findall(animation_player))
                self.add_caption(bundle, by_type["image/png"], player, settings)
                continue
            if "text/html" not in by_type:
                continue
            shown = by_type["text/html"].astext()
            printable = {"application/pdf", "image/png", "image/jpeg", "image/svg+xml", "text/latex"} & set(by_type)
            plain = by_type.get("text/plain")
            if not printable and (plain is None or _text_of(shown) != _text_of(plain.astext())):
                logger.warning(
                    "an HTML output that the PDF cannot show (it prints its text/plain form instead): "
                    f"{_text_of(shown)[:80]!r}; give the object a PNG or SVG form, or teach "
                    "dlbook_build.sphinx.latex to print it",
                    location=bundle,
                    type="dlbook",
                    subtype="latex",
                )

    def add_caption(
        self, bundle: nodes.Element, strip: nodes.Element, player: animation_player, settings: dict[str, str]
    ) -> None:
        """The output (myst-nb then picks its key-frame strip) at the text's width, over its caption."""
        description = player["description"]
        for image in strip.findall(nodes.image):
            image["alt"], image["width"] = description, "100%"
        shown = settings["and"].join(str(i + 1) for i in player["key_frames"])
        n = len(player["frames"])
        caption = settings["animation"].format(n=n, description=description.rstrip("."), shown=shown)
        text = nodes.paragraph("", "", nodes.emphasis(caption, caption), classes=["dlbook-keyframes-caption"])
        parent, index = bundle.parent, bundle.parent.index(bundle)
        parent.remove(bundle)
        parent.insert(index, nodes.container("", bundle, text, classes=["dlbook-keyframes"]))


class BibliographyPlace(nodes.General, nodes.Element):
    """Where the bibliography directive put its entries (removed before writing)."""


class ExerciseLabels(SphinxPostTransform):
    """Label each exercise the way references to it are written.

    sphinx-exercise labels an exercise ``exercise:<label>`` in LaTeX but a
    solution's title refers to ``<document>:<label>``: without this, the
    "Solution to Exercise 1.1" links lead nowhere. Before the bibliography is
    gathered at the end (Sphinx's BibliographyTransform, 750), also mark where
    the entries were.
    """

    default_priority = 5
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for node in list(self.document.findall(is_exercise_enumerable_node)):
            label = node.get("label")
            if label and node.get("docname"):
                target = rf"\phantomsection\label{{\detokenize{{{node['docname']}:{label}}}}}"
                node.parent.insert(node.parent.index(node), nodes.raw("", target, format="latex"))
        citation = next(iter(self.document.findall(nodes.citation)), None)
        if citation is not None:
            citation.parent.insert(citation.parent.index(citation), BibliographyPlace())


class BibliographyInPlace(SphinxPostTransform):
    """Move the bibliography Sphinx gathered at the end back to where the bibliography directive was."""

    default_priority = 760  # after Sphinx's BibliographyTransform
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        places = list(self.document.findall(BibliographyPlace))
        bibliography = next(iter(self.document.findall(thebibliography)), None)
        if places and bibliography is not None:
            bibliography.parent.remove(bibliography)
            places[0].replace_self(bibliography)
        for place in self.document.findall(BibliographyPlace):
            place.parent.remove(place)


def mark_back_matter(app: Sphinx, doctree: nodes.document) -> None:
    """In the LaTeX build, the root page's text as an unnumbered preface, and ``\\backmatter`` before its
    unnumbered toctrees (the first holds the numbered chapters)."""
    if app.builder.format != "latex" or app.env.current_document.docname != app.config.root_doc:
        return
    title = next(iter(doctree.findall(nodes.title)), None)
    heading = latex_edition(app.config)["preface"]
    if title is not None and isinstance(title.next_node(descend=False, siblings=True), nodes.paragraph):
        preface = (
            rf"\chapter*{{{heading}}}\addcontentsline{{toc}}{{chapter}}{{{heading}}}\markboth{{{heading}}}{{{heading}}}"
        )
        title.parent.insert(title.parent.index(title) + 1, nodes.raw("", preface, format="latex"))
    toctrees = list(doctree.findall(addnodes.toctree))
    back = [t for t in toctrees if not t.get("numbered")]
    if back and len(back) < len(toctrees):
        wrapper = back[0].parent if isinstance(back[0].parent, addnodes.compact_paragraph) else back[0]
        wrapper.parent.insert(wrapper.parent.index(wrapper), nodes.raw("", r"\backmatter", format="latex"))


def _babel_falls_back_for_korean() -> None:
    """Babel has no Korean: Sphinx then falls back to English for its few babel-made words (as it does for
    Chinese) but warns, which fails a ``-W`` build. Korean is typeset by kotex (:data:`FONTS`), so that
    fallback is what the book wants: say so to the table Sphinx looks languages up in."""
    Babel.language_codes.setdefault("ko", "english")


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinxcontrib.rsvgconverter")
    app.connect("config-inited", apply_latex_settings, priority=600)  # after editions.apply_edition
    app.connect("doctree-read", mark_back_matter)
    _babel_falls_back_for_korean()
    app.add_post_transform(PrintableOutputs)
    app.add_post_transform(ExerciseLabels)
    app.add_post_transform(BibliographyInPlace)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
