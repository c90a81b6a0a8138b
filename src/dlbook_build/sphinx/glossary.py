"""The book's bilingual glossary (``book/glossary.toml``), the one source of its terms.

- ``{book-glossary}``: the glossary page of an edition, made of Sphinx's own
  glossary nodes (so ``{term}`` references resolve): each entry is the term in
  the edition's language, the other edition's term beside it, and the
  definition in the edition's language. Korean entries are in 가나다 order
  (Hangul syllables are encoded in that order), English ones alphabetical. An
  entry's anchor comes from its English term (``#term-learning-rate``) in both
  editions.
- The first use of each term in every other page, in prose (not in code,
  outputs, literals, math, headings, captions, links or solutions, which the
  student build drops), becomes a reference to its entry. In Korean a particle
  may be attached to the term (학습률을): only the term is linked, and a word
  that merely starts with a term (계층, 층위) is not a use of it.
- Korean search: each page that uses a Korean term gets the English term's
  words as ``keywords`` metadata, which Sphinx's search indexer reads (stemmed
  as English by the Korean search language), so searching "gradient" in the
  Korean edition finds the pages that say 그래디언트.

Written here because no extension fits: Sphinx's ``glossary`` directive takes
its entries from the page's text, not from one data file shared by two
editions, and links nothing by itself; sphinx-glossary-style auto-linking
extensions do not handle Korean particles.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.domains.std import make_glossary_term
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxDirective
from sphinx_exercise.nodes import solution_node

from dlbook_build.project import BOOK
from dlbook_build.sphinx.korean_search import PARTICLES

GLOSSARY_FILE = BOOK / "glossary.toml"
FIELDS = ("ko", "en", "ko_definition", "en_definition", "ko_ruled_out")
LANGUAGES = ("ko", "en")
#: what may follow a Korean term within its word: nothing, a particle or verb
#: ending (the search's list), or the plural 들 with or without one
ENDINGS = frozenset(
    {""}
    | set(PARTICLES)
    | {"들" + p for p in ("", *PARTICLES)}
    | {"로서", "으로서", "이라", "라", "인", "이지만", "지만", "에서의", "와의", "과의", "로의", "으로의"}
    | {"해", "했", "하지", "하여", "하므로", "하게", "해야", "해도", "합니까"}
)


@dataclass(frozen=True)
class Term:
    ko: str
    en: str
    ko_definition: str
    en_definition: str
    ko_ruled_out: tuple[str, ...]

    def word(self, language: str) -> str:
        """The term as the edition of ``language`` writes it."""
        return getattr(self, _checked_language(language))

    def definition(self, language: str) -> str:
        return getattr(self, f"{_checked_language(language)}_definition")

    @property
    def anchor(self) -> str:
        """The entry's id on the glossary page of either edition: ``term-`` and the English term's words."""
        return "term-" + "-".join(re.findall(r"[a-z0-9]+", self.en.lower()))


def _checked_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"the glossary has terms in {' and '.join(LANGUAGES)}, not in {language!r}")
    return language


def load_glossary(path: Path = GLOSSARY_FILE) -> list[Term]:
    """The terms of a glossary file, checked: every field present, no term twice, no ruled-out word a term."""
    with open(path, "rb") as file:
        data = tomllib.load(file)
    entries = data.get("term")
    if set(data) != {"term"} or not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: expected [[term]] tables and nothing else, found {sorted(data)}")
    terms: list[Term] = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: term {number} ({entry.get('en', '?')})"
        if set(entry) != set(FIELDS):
            raise ValueError(
                f"{where}: expected the fields {', '.join(FIELDS)}; missing {sorted(set(FIELDS) - set(entry))}, "
                f"unknown {sorted(set(entry) - set(FIELDS))}"
            )
        for field in FIELDS[:4]:
            if not isinstance(entry[field], str) or not entry[field].strip():
                raise TypeError(f"{where}: {field} must be a non-empty string, got {entry[field]!r}")
        ruled_out = entry["ko_ruled_out"]
        if not isinstance(ruled_out, list) or not all(isinstance(w, str) and w.strip() for w in ruled_out):
            raise TypeError(f"{where}: ko_ruled_out must be a list of non-empty strings, got {ruled_out!r}")
        terms.append(Term(**{**entry, "ko_ruled_out": tuple(ruled_out)}))
    for key in ("ko", "en", "anchor"):
        seen: dict[str, str] = {}
        for term in terms:
            value = getattr(term, key).casefold()
            if value in seen:
                raise ValueError(
                    f"{path}: the {key} {getattr(term, key)!r} belongs to two terms ({seen[value]}, {term.en})"
                )
            seen[value] = term.en
    korean = {term.ko for term in terms}
    for term in terms:
        for variant in term.ko_ruled_out:
            if variant in korean:
                raise ValueError(f"{path}: {variant!r} is ruled out for {term.ko!r} but is itself a term")
    return terms


def _pattern(words: list[str], language: str) -> re.Pattern:
    """Where any of ``words`` starts a word, longest first (so 경사 하강법 wins over a shorter term inside it)."""
    alternatives = []
    for word in sorted(words, key=len, reverse=True):
        parts = [re.escape(part) for part in re.split(r"[\s-]+", word)]
        # Korean: 손실 함수 is also found as 손실함수; English: full batch as full-batch
        alternatives.append((r"\s*" if language == "ko" else r"[\s-]+").join(parts))
    body = "|".join(alternatives)
    if language == "ko":
        # the rest of the word is checked against ENDINGS by _uses
        return re.compile(rf"(?<!\w)(?P<term>{body})(?P<rest>\w*)")
    return re.compile(rf"(?<![\w-])(?P<term>{body})(?P<rest>(?:e?s)?)(?![\w-])", re.IGNORECASE)


def _uses(text: str, pattern: re.Pattern, language: str) -> list[tuple[int, int, str]]:
    """(start, end, matched text) of each use: in Korean the span leaves out the particle."""
    found = []
    for match in pattern.finditer(text):
        if language == "ko":
            if match.group("rest") in ENDINGS:
                found.append((match.start(), match.end("term"), match.group("term")))
        else:
            found.append((match.start(), match.end(), match.group()))
    return found


class Finder:
    """Finds the uses of a list of words (the terms of one edition) in text."""

    def __init__(self, words: list[str], language: str) -> None:
        self.language = _checked_language(language)
        self._key = {self._normal(w): w for w in words}
        self._pattern = _pattern(words, language)

    def _normal(self, text: str) -> str:
        text = re.sub(r"[\s-]+", "" if self.language == "ko" else " ", text)
        return text if self.language == "ko" else text.lower()

    def uses(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, word) of each use in ``text``, ``word`` as given to the finder."""
        found = []
        for start, end, matched in _uses(text, self._pattern, self.language):
            normal = self._normal(matched)
            # English: the span may carry a plural ending (s, es) the word lacks
            word = next(self._key[n] for n in (normal, normal[:-1], normal[:-2]) if n in self._key)
            found.append((start, end, word))
        return found


def ruled_out_uses(text: str, terms: list[Term]) -> list[tuple[str, str, int]]:
    """(variant, the book's term, line number) for each ruled-out Korean variant in ``text``."""
    owner = {variant: term.ko for term in terms for variant in term.ko_ruled_out}
    if not owner:
        return []
    finder = Finder(list(owner), "ko")
    return [
        (variant, owner[variant], number)
        for number, line in enumerate(text.splitlines(), start=1)
        for _, _, variant in finder.uses(line)
    ]


# ---------------------------------------------------------------------------
# Sphinx


#: text under these is not prose: no term is linked there
NOT_PROSE = (
    nodes.title, nodes.subtitle, nodes.rubric, nodes.caption, nodes.literal, nodes.literal_block,
    nodes.math, nodes.math_block, nodes.raw, nodes.reference, nodes.target, nodes.comment,
    nodes.footnote_reference, nodes.citation_reference, addnodes.pending_xref, addnodes.toctree,
    addnodes.index, solution_node, nodes.system_message, nodes.problematic,
)  # fmt: skip
#: text under these is not read at all (nor are code cells and their outputs)
NOT_TEXT = (
    nodes.literal, nodes.literal_block, nodes.math, nodes.math_block, nodes.raw, nodes.comment,
    nodes.system_message, nodes.problematic,
)  # fmt: skip


def _in_code_cell(node: nodes.Node) -> bool:
    return isinstance(node, nodes.container) and "cell" in node.get("classes", [])


def _merge_adjacent_texts(document: nodes.document) -> None:
    """Join neighbouring text nodes (MyST makes each line break one), so a term split over two lines is found."""
    for element in document.findall(nodes.Element):
        if not any(isinstance(a, nodes.Text) and isinstance(b, nodes.Text) for a, b in itertools.pairwise(element)):
            continue
        children: list[nodes.Node] = []
        for child in element.children:
            if isinstance(child, nodes.Text) and children and isinstance(children[-1], nodes.Text):
                children[-1] = nodes.Text(children[-1].astext() + child.astext())
            else:
                children.append(child)
        element.children = []
        element.extend(children)


def _texts(document: nodes.document, skip: tuple) -> list[nodes.Text]:
    texts = []
    for text in document.findall(nodes.Text):
        parent = text.parent
        while parent is not None and not isinstance(parent, skip) and not _in_code_cell(parent):
            parent = parent.parent
        if parent is None:
            texts.append(text)
    return texts


class BookGlossary(SphinxDirective):
    """The glossary page's entries, from ``book/glossary.toml``, in the edition's language."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        language = self.config.language
        other = next(lang for lang in LANGUAGES if lang != _checked_language(language))
        terms = load_glossary(Path(self.config.book_glossary_file))
        self.env.note_dependency(self.config.book_glossary_file)
        order = (lambda t: t.ko) if language == "ko" else (lambda t: t.en.casefold())
        items = []
        source, line = self.get_source_info()
        for term in sorted(terms, key=order):
            node = make_glossary_term(
                self.env, [nodes.Text(term.word(language))], None, source, line, term.anchor, self.state.document
            )
            if term.word(other) != term.word(language):
                # the other edition's word, marked with its language for screen readers
                node += nodes.Text(" (")
                node += nodes.inline(term.word(other), term.word(other), classes=[f"language-{other}"])
                node += nodes.Text(")")
            definition = nodes.definition("", nodes.paragraph(text=term.definition(language)))
            items.append(nodes.definition_list_item("", node, definition))
        glossary = addnodes.glossary(sorted=False)  # sorted above, per language
        glossary += nodes.definition_list("", *items, classes=["glossary"])
        return [glossary]


class LinkTerms(SphinxTransform):
    """Link each term's first use in a page to the glossary; in Korean, add the English terms as search keywords."""

    # after sphinx-exercise merges gated solutions (10) and the tabs are made (500)
    default_priority = 880

    def apply(self) -> None:
        language = self.config.language
        glossary_doc = self.config.book_glossary_doc
        # the glossary page itself is not linked to itself
        if language not in LANGUAGES or glossary_doc not in self.env.found_docs or self.env.docname == glossary_doc:
            return
        terms = load_glossary(Path(self.config.book_glossary_file))
        self.env.note_dependency(self.config.book_glossary_file)
        by_word = {term.word(language): term for term in terms}
        finder = Finder(list(by_word), language)
        _merge_adjacent_texts(self.document)
        linked: set[str] = set()
        for text in _texts(self.document, NOT_PROSE):
            self._link(text, finder, by_word, linked)
        if language == "ko":
            used = {word for text in _texts(self.document, NOT_TEXT) for _, _, word in finder.uses(text.astext())}
            self._add_keywords(sorted(by_word[word].en for word in used))

    def _link(self, text: nodes.Text, finder: Finder, by_word: dict[str, Term], linked: set[str]) -> None:
        content = text.astext()
        pieces: list[nodes.Node] = []
        position = 0
        for start, end, word in finder.uses(content):
            if word in linked:
                continue
            linked.add(word)
            pieces.append(nodes.Text(content[position:start]))
            shown = content[start:end]
            pieces.append(
                addnodes.pending_xref(
                    "",
                    nodes.inline(shown, shown, classes=["xref", "std", "std-term"]),
                    refdomain="std",
                    reftype="term",
                    reftarget=word,
                    refexplicit=True,
                    refwarn=True,
                    refdoc=self.env.docname,
                )
            )
            position = end
        if pieces:
            pieces.append(nodes.Text(content[position:]))
            parent = text.parent
            # by identity: Element.index compares text nodes by their text
            index = next(i for i, child in enumerate(parent.children) if child is text)
            parent[index : index + 1] = [p for p in pieces if not (isinstance(p, nodes.Text) and not p.astext())]

    def _add_keywords(self, english_terms: list[str]) -> None:
        # Sphinx's indexer takes a "keywords" meta node's comma-separated
        # entries as words (stemmed, not split): one entry per English word
        words = sorted({w for term in english_terms for w in re.findall(r"\w+", term.lower())})
        if words:
            self.document.insert(0, nodes.meta(name="keywords", content=", ".join(words)))


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_glossary_file", str(GLOSSARY_FILE), "env", types=[str])
    app.add_config_value("book_glossary_doc", "glossary", "env", types=[str])
    app.add_directive("book-glossary", BookGlossary)
    app.add_transform(LinkTerms)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
