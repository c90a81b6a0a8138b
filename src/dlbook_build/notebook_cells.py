"""A chapter's doctree, as Sphinx resolved it, written as the cells of its downloaded notebook.

Jupyter renders Markdown, not MyST, so a chapter's prose cannot go into its
notebook as written. Rather than parse the MyST a second time, the notebook's
Markdown is written from the doctree the HTML page is written from, after
Sphinx has resolved it: section and exercise numbers, cross-references,
citations and (in the student build) the absence of solutions are Sphinx's,
so the notebook says what the page says. What the doctree does not hold
(where a reference points, the numbers Sphinx keeps in its environment, the
edition's words) comes in a :class:`Chapter`, filled in by the Sphinx side
(:mod:`dlbook_build.sphinx.notebooks`); this module needs docutils only, and
names the nodes of Sphinx's extensions by class name, importing none of them.

The result is a list of :class:`Markdown` and :class:`Code` pieces in page
order: Markdown is one notebook cell each; a code piece names the cell of the
executed notebook (myst-nb's ``cell_index``) whose source and outputs go there.

- Headings carry their section numbers ("## 3.2. Learning rate"), as on the
  site. A cross-reference becomes a link to the published page when the site
  has an address (:attr:`Target.url`), else a visible mark in the edition's
  style (``ref_mark``: "§3.2 “Learning rate”"); a reference to a term, a
  citation or an equation keeps its text, which says enough ("(3.1)",
  "Kingma and Ba, 2015").
- An exercise starts a cell headed "### Exercise 5.2" (the edition's word);
  a solution is its own cells, headed "#### Solution 5.2" and tagged
  ``solution``, code cells included.
- A TensorFlow/PyTorch tab set becomes its two cells, each after its tab's
  label in bold; an admonition a block quote with its label in bold; display
  math a ``$$`` block with its number as ``\\tag``.

Why our own translator and not QuantEcon's sphinx-tojupyter (maintained,
0.6.0 of 2025-11): it is a builder of its own (``-b jupyter``: a second Sphinx
build of every edition, re-reading every page) that writes code cells from
the doctree's literal blocks rather than taking myst-nb's executed cells
(whose outputs the downloads keep); its documentation lists support for
sphinx-proof and myst-nb's glue but none for sphinx-exercise's exercises and
solutions, sphinx-design's tab sets or sphinxcontrib-bibtex's citations, and
its own notes on MyST list colon fences as unsupported and admonitions other
than ``note`` as flattened. What the book needs is a small part of such a
translator, run on the doctrees the HTML build resolves anyway.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from docutils import nodes

SOLUTION_TAG = "solution"

#: nodes whose content the notebook leaves out: navigation, targets, what only a page shows
_SKIPPED = (nodes.comment, nodes.target, nodes.system_message, nodes.substitution_definition, nodes.raw, nodes.meta)
_SKIPPED_NAMES = {"toctree", "index", "only", "pending", "tabular_col_spec", "highlightlang", "compact_paragraph"}


@dataclass(frozen=True)
class Target:
    """Where an internal reference points, as the site shows it."""

    #: the section's or chapter's number ("3.2", "3"), or None when the site shows none
    number: str | None = None
    #: the section's or page's title; None for a target that is no section (a term, a citation, an equation)
    title: str | None = None
    #: its address on the published site, or None when the site has none (BOOK_BASE_URL unset)
    url: str | None = None


@dataclass
class Chapter:
    """What the translation of one chapter needs that its doctree does not hold."""

    #: the edition's notebook words (``[<language>.notebook_words]`` in book/editions.toml)
    words: Mapping[str, str]
    #: a reference's ``refuri`` (or ``#refid``) as the doctree has it -> where it points
    targets: Mapping[str, Target] = field(default_factory=dict)
    #: a section's first id -> its number ("3.2"), the page's own title under ""
    sections: Mapping[str, str] = field(default_factory=dict)
    #: an exercise's id -> its number ("5.2")
    exercises: Mapping[str, str] = field(default_factory=dict)
    #: a numbered display equation's id -> its number ("3.1")
    equations: Mapping[str, str] = field(default_factory=dict)
    #: an admonition's node name ("note") -> its label in the edition's language
    admonitions: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Markdown:
    text: str
    solution: bool = False


@dataclass
class Code:
    #: the cell's index in the executed notebook (myst-nb's ``cell_index``)
    index: int
    solution: bool = False


Piece = Markdown | Code

_ESCAPED = re.compile(r"([\\`*<$])|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_BLOCK_START = re.compile(r"^(?:(?P<mark>[#>]|[-+](?= ))|(?P<number>\d+)(?P<dot>[.)])(?= ))")


def escape(text: str) -> str:
    """Text as Markdown that shows it as it is: only what Markdown (or Jupyter's math) would read escaped.

    A period, a hyphen or a parenthesis inside text is left alone ("Derek G. Murray").
    """
    return _ESCAPED.sub(lambda m: "\\" + m.group(0), " ".join(text.split("\n")))


def _paragraph(text: str) -> str:
    """Inline Markdown as a paragraph: a start that Markdown would read as a heading, quote or list escaped."""
    match = _BLOCK_START.match(text)
    if match is None:
        return text
    if match.group("mark"):
        return "\\" + text
    return f"{match.group('number')}\\{text[match.end('number') :]}"


def _code_span(text: str) -> str:
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _fence(text: str, info: str = "") -> str:
    ticks = "`" * max(3, max((len(run) + 1 for run in re.findall(r"^`+", text, re.MULTILINE)), default=0))
    return f"{ticks}{info}\n{text.rstrip()}\n{ticks}"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _indent(text: str, first: str, rest: str) -> str:
    lines = text.splitlines()
    return "\n".join((first if i == 0 else rest if line else "") + line for i, line in enumerate(lines))


class Writer:
    """Walks one resolved doctree and collects its pieces (:func:`chapter_pieces`)."""

    def __init__(self, chapter: Chapter) -> None:
        self.chapter = chapter
        self.pieces: list[Piece] = []
        self.blocks: list[str] = []  # the Markdown blocks of the cell being written
        self.level = 0
        self.solution = False
        #: exercise label -> number, for the solutions that follow
        self.exercise_labels: dict[str, str] = {}

    # ----------------------------------------------------------------------------- cells

    def flush(self) -> None:
        text = "\n\n".join(block for block in self.blocks if block.strip())
        if text.strip():
            self.pieces.append(Markdown(text.strip("\n"), self.solution))
        self.blocks = []

    def code(self, index: int) -> None:
        self.flush()
        self.pieces.append(Code(index, self.solution))

    def markdown_of(self, children: Sequence[nodes.Node]) -> str:
        """Block content as one Markdown text (list items, quotes): code cells cannot be inside."""
        inner = Writer(self.chapter)
        inner.level, inner.exercise_labels = self.level, self.exercise_labels
        for child in children:
            inner.block(child)
        inner.flush()
        texts = [piece.text for piece in inner.pieces if isinstance(piece, Markdown)]
        if len(texts) != len(inner.pieces):
            raise ValueError("a code cell inside a list or a quoted block cannot be written into a notebook")
        return "\n\n".join(texts)

    # ----------------------------------------------------------------------------- blocks

    def block(self, node: nodes.Node) -> None:
        name = type(node).__name__
        if isinstance(node, _SKIPPED) or name in _SKIPPED_NAMES:
            return
        if isinstance(node, nodes.container) and node.get("nb_element") == "cell_code":
            self.code(int(node["cell_index"]))
        elif isinstance(node, nodes.section):
            self.section(node)
        elif isinstance(node, nodes.title):
            self.heading(node)
        elif name in ("exercise_enumerable_node", "exercise_node") and isinstance(node, nodes.Element):
            self.exercise(node)
        elif name == "solution_node" and isinstance(node, nodes.Element):
            self.solution_cells(node)
        elif isinstance(node, nodes.paragraph):
            self.blocks.append(_paragraph(self.inline(node)))
        elif isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            self.blocks.append(self.listing(node))
        elif isinstance(node, nodes.definition_list):
            self.blocks.append(self.definitions(node))
        elif isinstance(node, nodes.literal_block):
            self.blocks.append(
                _fence(node.astext(), node.get("language", "") if node.get("language") != "default" else "")
            )
        elif isinstance(node, nodes.math_block):
            self.blocks.append(self.display_math(node))
        elif isinstance(node, nodes.Admonition) and isinstance(node, nodes.Element):
            self.admonition(node)
        elif isinstance(node, nodes.block_quote):
            self.blocks.append(_quote(self.markdown_of(node.children)))
        elif isinstance(node, nodes.table):
            self.blocks.append(self.table(node))
        elif isinstance(node, nodes.figure):
            self.figure(node)
        elif isinstance(node, nodes.image):
            self.blocks.append(self.inline(node))
        elif isinstance(node, nodes.rubric) or name == "sd_tab_label":  # a tab's label (sphinx-design) too
            self.blocks.append(f"**{self.inline(node)}**")
        elif isinstance(node, nodes.transition):
            self.blocks.append("---")
        elif isinstance(node, nodes.Element):
            for child in node.children:  # a container, a compound, a node of an extension: its content
                self.block(child)
        elif isinstance(node, nodes.Text) and node.astext().strip():
            self.blocks.append(_paragraph(escape(node.astext())))

    def section(self, node: nodes.section) -> None:
        self.level += 1
        for child in node.children:
            self.block(child)
        self.level -= 1

    def heading(self, node: nodes.title) -> None:
        section = node.parent
        ids: list[str] = section.get("ids", []) if isinstance(section, nodes.section) else []
        number = self.chapter.sections.get(ids[0]) if ids else None
        if self.level == 1:
            number = self.chapter.sections.get("", number)
        prefix = f"{number}. " if number else ""
        self.blocks.append(f"{'#' * max(self.level, 1)} {prefix}{self.inline(node)}")

    def exercise(self, node: nodes.Element) -> None:
        self.flush()
        number = self.chapter.exercises.get(node["ids"][0], "") if node["ids"] else ""
        if node.get("label"):
            self.exercise_labels[node["label"]] = number
        title, *body = node.children
        subtitle = self.inline(title).strip() if isinstance(title, nodes.title) else ""
        heading = f"### {self.chapter.words['exercise']} {number}".rstrip()
        self.blocks.append(f"{heading} {subtitle}".rstrip())
        for child in body if isinstance(title, nodes.title) else node.children:
            self.block(child)
        self.flush()

    def solution_cells(self, node: nodes.Element) -> None:
        self.flush()
        self.solution = True
        number = self.exercise_labels.get(node.get("target_label", ""), "")
        self.blocks.append(f"#### {self.chapter.words['solution']} {number}".rstrip())
        self.flush()
        for child in node.children[1:] if isinstance(node.children[0], nodes.title) else node.children:
            self.block(child)
        self.flush()
        self.solution = False

    def admonition(self, node: nodes.Element) -> None:
        children = list(node.children)
        if children and isinstance(children[0], nodes.title):
            label = self.inline(children.pop(0))
        else:
            label = self.chapter.admonitions.get(type(node).__name__, type(node).__name__.capitalize())
        self.blocks.append(_quote(f"**{label}**\n\n{self.markdown_of(children)}"))

    def listing(self, node: nodes.Element) -> str:
        items = []
        start = int(node.get("start", 1))
        for index, item in enumerate(node.children):
            bullet = f"{start + index}. " if isinstance(node, nodes.enumerated_list) else "- "
            items.append(_indent(self.markdown_of(item.children), bullet, " " * len(bullet)))
        return "\n".join(items)

    def definitions(self, node: nodes.definition_list) -> str:
        entries = []
        for item in node.children:
            term = next(c for c in item.children if isinstance(c, nodes.term))
            definition = next(c for c in item.children if isinstance(c, nodes.definition))
            entries.append(_indent(f"**{self.inline(term)}**: {self.markdown_of(definition.children)}", "- ", "  "))
        return "\n".join(entries)

    def display_math(self, node: nodes.math_block) -> str:
        ids: list[str] = node.get("ids", [])
        number = next((self.chapter.equations[i] for i in ids if i in self.chapter.equations), None)
        tag = f" \\tag{{{number}}}" if number else ""
        return f"$$\n{node.astext().strip()}{tag}\n$$"

    def table(self, node: nodes.table) -> str:
        rows = [
            [self.inline_of(entry).replace("|", "\\|") for entry in row.findall(nodes.entry)]
            for row in node.findall(nodes.row)
        ]
        if not rows:
            return ""
        width = max(len(row) for row in rows)
        lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in rows]
        lines.insert(1, "|" + " --- |" * width)
        return "\n".join(lines)

    def figure(self, node: nodes.figure) -> None:
        for child in node.children:
            if isinstance(child, nodes.caption):
                self.blocks.append(f"*{self.inline(child)}*")
            elif isinstance(child, nodes.legend):
                self.blocks.append(self.markdown_of(child.children))
            else:
                self.block(child)

    # ----------------------------------------------------------------------------- inline

    def inline_of(self, node: nodes.Element) -> str:
        """An element's text content (paragraphs of a table cell joined by spaces)."""
        return " ".join(self.inline(p) for p in node.findall(nodes.paragraph)) or self.inline(node)

    def inline(self, node: nodes.Node) -> str:
        if isinstance(node, nodes.Text):
            return escape(node.astext())
        if isinstance(node, (nodes.footnote_reference, nodes.citation_reference)):
            return f"[{escape(node.astext())}]"
        if isinstance(node, _SKIPPED) or type(node).__name__ in _SKIPPED_NAMES:
            return ""
        if isinstance(node, nodes.math):
            return f"${node.astext().strip()}$"
        if isinstance(node, nodes.literal):
            return _code_span(node.astext())
        if isinstance(node, nodes.image):
            return f"![{escape(node.get('alt', ''))}]({node['uri']})"
        text = "".join(self.inline(child) for child in node.children)
        if isinstance(node, nodes.reference):
            return self.reference(node, text)
        if not text.strip():
            return text
        if isinstance(node, nodes.strong):
            return f"**{text}**"
        if isinstance(node, (nodes.emphasis, nodes.title_reference)):
            return f"*{text}*"
        if isinstance(node, nodes.subscript):
            return f"<sub>{text}</sub>"
        if isinstance(node, nodes.superscript):
            return f"<sup>{text}</sup>"
        return text

    def reference(self, node: nodes.reference, text: str) -> str:
        uri = node.get("refuri") or (f"#{node['refid']}" if node.get("refid") else "")
        if not node.get("internal") and "://" in uri:
            return f"[{text}]({uri})"
        target = self.chapter.targets.get(uri)
        if target is None:
            return text
        if target.url:
            return f"[{text}]({target.url})"
        if target.title is None:
            return text
        words = self.chapter.words
        mark = (
            words["ref_mark"].format(number=target.number, title=target.title)
            if target.number
            else words["ref_mark_unnumbered"].format(title=target.title)
        )
        return escape(mark) if node.astext().strip() == target.title else f"{text} ({escape(mark)})"


def chapter_pieces(doctree: nodes.Node, chapter: Chapter) -> list[Piece]:
    """The chapter's cells in page order: Markdown, and the executed notebook's code cells by index."""
    writer = Writer(chapter)
    writer.block(doctree)
    writer.flush()
    return writer.pieces


def reference_list(entries: list[nodes.Node], chapter: Chapter) -> Markdown:
    """The works a chapter cites (sphinxcontrib-bibtex's formatted entries) as a Markdown list under a heading."""
    writer = Writer(chapter)
    items = [f"- {writer.inline(entry).strip()}" for entry in entries]
    return Markdown(f"## {chapter.words['references']}\n\n" + "\n".join(items))
