"""A chapter's MyST notebook as plain Jupyter: what a reader downloads.

Jupyter renders Markdown, not MyST: labels, roles and directive fences would
show as raw syntax. This module rewrites the Markdown cells of a chapter
(read by myst-nb) into plain Markdown:

- labels ``(x)=`` and ``%`` comments are dropped;
- cross-references become their text ({ref}`gradient-descent-optimum` ->
  the section title), ``{math}`` -> ``$...$``, citations ``{cite:p}`` ->
  "(Paszke et al., 2019)" and ``{cite:t}`` -> "Paszke et al. (2019)", with a
  "References" cell at the end listing the works cited;
- an exercise becomes a numbered heading ("Exercise 5.2", with the site's
  numbers), and each solution (``solution-start`` ... ``solution-end``, which
  may span code cells) its own cells, headed "Solution 5.2" and tagged
  ``solution``;
- admonitions become block quotes with a bold title, figures Markdown images,
  ``{math}`` directives ``$$`` blocks; math written with ``$`` is kept;
- a TensorFlow/PyTorch pair of code cells (:mod:`dlbook_build.sphinx.framework_tabs`)
  becomes two cells, each after a bold label.

Why our own converter: jupytext and myst-nb convert MyST to notebooks keeping
the MyST in the Markdown cells, and no maintained tool renders MyST roles and
directives back to plain Markdown. The block structure comes from myst-parser's
own Markdown parser (markdown-it tokens); only the inline roles, which
markdown-it does not locate in the source, are found with one pattern.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import nbformat

SOLUTION_TAG = "solution"
#: directives that only make sense on the site (navigation, generated tables): dropped
SITE_ONLY = {"toctree", "bibliography", "nb-exec-table", "glue:figure", "contents", "index"}
ADMONITIONS = {"attention", "caution", "danger", "error", "hint", "important", "note", "seealso", "tip", "warning"}
CITE_ROLES = {"cite", "cite:p", "cite:ps", "cite:t", "cite:ts", "cite:ct", "cite:cp", "cite:alp", "cite:year"}

# A role {name}`body`, or a code span (kept as it is: it may show MyST syntax on purpose).
_ROLE_OR_CODE = re.compile(r"(?P<role>\{(?P<name>[\w:+-]+)\})?(?P<ticks>`+)(?P<body>.+?)(?P=ticks)(?!`)", re.DOTALL)
_TITLED = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
_OPTION = re.compile(r"^:[\w-]+:")


class SolutionStart(str):
    """Marks where a solution starts; its value is the exercise's label."""


class SolutionEnd(str):
    """Marks where a solution ends."""


class CellBreak(str):
    """Marks where a new Markdown cell starts (before an exercise)."""


@dataclass
class Bibliography:
    """The book's BibTeX entries, cited as the site cites them (author, year)."""

    path: Path

    @property
    def entries(self):
        return _parse_bib(str(self.path))

    def _entry(self, key: str):
        try:
            return self.entries[key]
        except KeyError:
            raise ValueError(f"citation key {key!r} is not in {self.path}: expected one of {sorted(self.entries)}") from None

    def authors(self, key: str) -> str:
        entry = self._entry(key)
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [_plain(" ".join(p.prelast_names + p.last_names)) for p in people]
        if not names:
            return key
        if len(names) == 1:
            return names[0]
        if len(names) == 2:
            return f"{names[0]} and {names[1]}"
        return f"{names[0]} et al."

    def year(self, key: str) -> str:
        return self._entry(key).fields.get("year", "n.d.")

    def reference(self, key: str) -> str:
        """The full reference in Markdown, as the site's bibliography lists it (pybtex's plain style)."""
        from pybtex.backends.markdown import Backend

        return _plain_style().format_entry(key, self._entry(key)).text.render(Backend()).replace("\n", " ").strip()


# pybtex looks its plugins up among every installed package's entry points at
# each render_as() call (seconds over a chapter): name the backend and the style once
@cache
def _plain(latex: str) -> str:
    from pybtex.backends.plaintext import Backend
    from pybtex.richtext import Text

    return Text.from_latex(latex).render(Backend())


@lru_cache(maxsize=1)
def _plain_style():
    from pybtex.style.formatting.plain import Style

    return Style()


@lru_cache(maxsize=4)
def _parse_bib(path: str):
    from pybtex.database import parse_file

    return parse_file(path).entries


@dataclass
class Context:
    """What the conversion of one chapter needs to know, and what it collects."""

    #: the edition's words (``[<language>.notebook_words]`` in book/editions.toml)
    words: Mapping[str, str]
    #: the chapter's number on the site ("5"), or None for an unnumbered page
    chapter: str | None = None
    #: cross-reference target -> its text: labels (section titles, figure captions),
    #: documents ("doc:<docname>") and equations ("eq:<label>" -> "(3.1)")
    refs: Mapping[str, str] = field(default_factory=dict)
    bibliography: Bibliography | None = None
    docname: str = ""
    #: citation keys in the order first cited
    cited: list[str] = field(default_factory=list)
    #: exercise label -> its number, in order
    exercises: dict[str, str] = field(default_factory=dict)

    def word(self, key: str) -> str:
        return self.words[key]

    def next_exercise(self, label: str | None) -> str:
        index = len(self.exercises) + 1
        number = f"{self.chapter}.{index}" if self.chapter else str(index)
        self.exercises[label or f"#{index}"] = number
        return number

    def ref(self, kind: str, target: str) -> str:
        key = {"ref": target, "numref": target, "doc": f"doc:{self._docname(target)}", "eq": f"eq:{target}"}[kind]
        try:
            return self.refs[key]
        except KeyError:
            raise ValueError(f"{self.docname}: unknown {{{kind}}} target {target!r} (no such label in the book)") from None

    def _docname(self, target: str) -> str:
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(self.docname), target))

    def cite(self, keys: list[str], textual: bool) -> str:
        if self.bibliography is None:
            raise ValueError(f"{self.docname}: a citation of {keys} needs the bibliography")
        for key in keys:
            self.bibliography.authors(key)  # an unknown key is an error here, not a broken reference list
            if key not in self.cited:
                self.cited.append(key)
        if textual:
            return "; ".join(f"{self.bibliography.authors(k)} ({self.bibliography.year(k)})" for k in keys)
        return "(" + "; ".join(f"{self.bibliography.authors(k)}, {self.bibliography.year(k)}" for k in keys) + ")"


def convert_roles(text: str, context: Context) -> str:
    """Replace the MyST roles in a piece of Markdown by plain text; code spans stay as written."""

    def replace(match: re.Match) -> str:
        name = match.group("name")
        if name is None:
            return match.group(0)
        body = " ".join(match.group("body").split())
        titled = _TITLED.match(body)
        if name in CITE_ROLES:
            keys = [k.strip() for k in body.split(",") if k.strip()]
            return context.cite(keys, textual=name in {"cite:t", "cite:ts", "cite:ct"})
        if name in {"ref", "numref", "doc", "term", "download", "any", "external"} and titled:
            return titled.group("text")
        if name in {"ref", "numref", "doc", "eq"}:
            return context.ref(name, body)
        if name == "math":
            return f"${match.group('body')}$"
        if name in {"code", "literal", "samp", "file", "command", "kbd"}:
            return f"`{body}`"
        if name == "sub":
            return f"<sub>{body}</sub>"
        if name == "sup":
            return f"<sup>{body}</sup>"
        return body  # {term}, {abbr}, {guilabel} and the like: their text

    return _ROLE_OR_CODE.sub(replace, text)


@lru_cache(maxsize=1)
def _parser():
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    # the book's MyST extensions (conf.py's myst_enable_extensions) that change the block structure
    config = MdParserConfig(enable_extensions={"dollarmath", "amsmath", "colon_fence", "deflist"})
    return create_md_parser(config, RendererHTML)


def _split_options(body: str) -> tuple[dict[str, str], str]:
    """A directive's ``:name: value`` options (or YAML block) and the content after them."""
    lines = body.splitlines()
    options: dict[str, str] = {}
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
        for line in lines[1:end]:
            name, _, value = line.partition(":")
            options[name.strip()] = value.strip()
        return options, "\n".join(lines[end + 1 :])
    i = 0
    while i < len(lines) and _OPTION.match(lines[i]):
        name, _, value = lines[i][1:].partition(":")
        options[name] = value.strip()
        i += 1
    return options, "\n".join(lines[i:])


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.strip("\n").splitlines())


def _directive(name: str, argument: str, body: str, context: Context) -> list[str]:
    options, content = _split_options(body)
    if name in {"solution-start", "solution-end"}:
        return [SolutionStart(argument.strip()) if name == "solution-start" else SolutionEnd()]
    if name in SITE_ONLY:
        return []
    inner = convert_markdown(content, context) if name not in {"math", "code-block", "code", "sourcecode"} else []
    if name == "exercise":
        number = context.next_exercise(options.get("label"))
        title = f" ({convert_roles(argument, context)})" if argument.strip() else ""
        return [CellBreak(), f"### {context.word('exercise')} {number}{title}\n\n", *inner]
    if name == "solution":  # the one-block form: a solution whose content holds no code cells
        return [SolutionStart(argument.strip()), *inner, SolutionEnd()]
    if name == "admonition" or name in ADMONITIONS:
        if any(isinstance(p, (SolutionStart, SolutionEnd, CellBreak)) for p in inner):
            raise ValueError(f"{context.docname}: an exercise or solution cannot be inside a {name} block")
        title = convert_roles(argument, context).strip() if argument.strip() else _admonition_label(name)
        return [_quote(f"**{title}**\n\n" + "".join(inner)) + "\n"]
    if name == "math":
        return [f"$$\n{content.strip()}\n$$\n"]
    if name in {"code-block", "code", "sourcecode"}:
        return [f"```{argument.strip()}\n{content.rstrip()}\n```\n"]
    if name in {"figure", "image"}:
        caption = "".join(inner).strip()
        alt = options.get("alt", caption.splitlines()[0] if caption else "")
        return [f"![{alt}]({argument.strip()})\n" + (f"\n*{caption}*\n" if caption else "")]
    # an unknown directive: its content, without the fence
    return inner


def _admonition_label(name: str) -> str:
    from sphinx.locale import admonitionlabels

    # in a Sphinx build the labels are in the edition's language
    return str(admonitionlabels.get(name, name.capitalize()))


def convert_markdown(text: str, context: Context) -> list[str]:
    """A Markdown cell's MyST as plain Markdown: a list of text pieces and solution markers."""
    lines = text.splitlines(keepends=True)
    pieces: list[str] = []
    position = 0
    tokens = _parser().parse(text)
    i = 0

    def add_text(chunk: str) -> None:
        if chunk:
            pieces.append(convert_roles(chunk, context))

    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token.level != 0 or token.map is None:
            continue
        start, end = token.map
        if token.nesting == 1:  # a container: its whole block as text, roles converted
            depth = 1
            while depth and i < len(tokens):
                depth += tokens[i].nesting
                i += 1
        add_text("".join(lines[position:start]))
        block = "".join(lines[start:end])
        position = end
        if token.type in {"myst_target", "myst_line_comment", "myst_block_break", "front_matter"}:
            continue
        if token.type in {"fence", "colon_fence"} and token.info.startswith("{"):
            name, _, argument = token.info[1:].partition("}")
            pieces.extend(_directive(name.strip(), argument, token.content, context))
            if not block.endswith("\n"):
                pieces.append("\n")
            continue
        if token.type in {"math_block", "math_block_label", "amsmath", "fence", "code_block"}:
            pieces.append(block)  # math and code as written
            continue
        add_text(block)
    add_text("".join(lines[position:]))
    return _merge(pieces)


def _merge(pieces: list[str]) -> list[str]:
    """Adjacent text pieces as one; markers kept apart."""
    merged: list[str] = []
    for piece in pieces:
        if type(piece) is str and merged and type(merged[-1]) is str:
            merged[-1] += piece
        else:
            merged.append(piece)
    return merged


def _tidy(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def convert_notebook(
    notebook: nbformat.NotebookNode, context: Context, frameworks: Mapping[str, str] | None = None
) -> nbformat.NotebookNode:
    """The chapter notebook with plain Markdown cells, solutions apart, framework twins labelled.

    ``frameworks`` maps a code cell tag to the label shown before such a cell
    (default: the TensorFlow/PyTorch tabs of the site).
    """
    if frameworks is None:
        from dlbook_build.sphinx.framework_tabs import FRAMEWORKS

        frameworks = {tag: label for tag, (label, _) in FRAMEWORKS.items()}
    cells: list[nbformat.NotebookNode] = []
    solution: str | None = None  # the label of the exercise whose solution we are in

    def mark(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
        if solution is not None:
            tags = cell.metadata.setdefault("tags", [])
            if SOLUTION_TAG not in tags:
                tags.append(SOLUTION_TAG)
        return cell

    def add_markdown(text: str) -> None:
        if _tidy(text):
            cells.append(mark(nbformat.v4.new_markdown_cell(_tidy(text))))

    for cell in notebook.cells:
        if cell.cell_type == "code":
            label = next((frameworks[t] for t in cell.metadata.get("tags", []) if t in frameworks), None)
            if label is not None:
                add_markdown(f"**{label}**")
            cells.append(mark(nbformat.from_dict(cell)))
            continue
        if cell.cell_type != "markdown":
            cells.append(mark(nbformat.from_dict(cell)))
            continue
        for piece in convert_markdown(cell.source, context):
            if isinstance(piece, SolutionStart):
                if solution is not None:
                    raise ValueError(f"{context.docname}: solution-start {piece!r} inside the solution of {solution!r}")
                solution = str(piece)
                number = context.exercises.get(solution, "")
                add_markdown(f"#### {context.word('solution')} {number}".rstrip())
            elif isinstance(piece, CellBreak):
                continue  # the text pieces around it are added as separate cells
            elif isinstance(piece, SolutionEnd):
                if solution is None:
                    raise ValueError(f"{context.docname}: solution-end without a solution-start")
                solution = None
            else:
                add_markdown(piece)
    if solution is not None:
        raise ValueError(f"{context.docname}: the solution of {solution!r} has no solution-end")
    if context.cited:
        bibliography = context.bibliography
        assert bibliography is not None, "Context.cite refuses a citation without the bibliography"
        references = [f"- {bibliography.reference(key)}" for key in sorted(context.cited, key=bibliography.authors)]
        add_markdown(f"## {context.word('references')}\n\n" + "\n".join(references))
    converted = nbformat.v4.new_notebook(cells=cells, metadata=notebook.metadata)
    return converted


#: MyST syntax that must not reach a downloaded notebook (the test's and the build's check).
MYST_SYNTAX = {
    "label": re.compile(r"^\([^)\s]+\)=\s*$", re.MULTILINE),
    "role": re.compile(r"\{[\w:+-]+\}`"),
    "directive fence": re.compile(r"^\s*(`{3,}|:{3,})\s*\{[\w:+-]+\}", re.MULTILINE),
}


def myst_left(text: str) -> list[str]:
    """The kinds of MyST syntax found in ``text`` (the Markdown of a notebook cell)."""
    return [kind for kind, pattern in MYST_SYNTAX.items() if pattern.search(text)]
