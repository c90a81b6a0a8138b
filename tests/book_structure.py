"""A chapter's outline (headings, labels, directives, code cells) for the parity test; the build; its manifest."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tokenize
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bs4 import BeautifulSoup

from dlbook_build import project
from dlbook_build.manifest import read_manifest
from dlbook_build.project import BOOK as BOOK, ROOT, chapters as chapters  # BOOK and chapters: for the tests

#: the editions' languages, in reading order
EDITIONS = list(project.EDITIONS)
#: the edition whose downloaded notebooks test_notebooks runs as a student does (a fresh
#: venv, outputs compared with the site's): that run is its chapters' second run, so
#: test_chapters runs only the other editions' chapters a second time
STUDENT_RUN_EDITION = EDITIONS[-1]

_FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\s*(?P<info>\S.*)?$")
_HEADING = re.compile(r"^(#{1,6})\s+\S")
_LABEL = re.compile(r"^\((?P<label>[^)\s]+)\)=\s*$")
_DIRECTIVE = re.compile(r"^\{(?P<name>[^}]+)\}")
_TAGS = re.compile(r"^:tags:\s*\[(?P<tags>[^\]]*)\]")


@dataclass
class CodeCell:
    line: int
    source: str
    tags: tuple[str, ...]


@dataclass
class Chapter:
    path: Path
    outline: list[tuple]  # ("heading", level) | ("label", name) | ("directive", name)
    cells: list[CodeCell]


def read_outline(path: Path) -> Chapter:
    """Headings, labels, directives and code cells of a MyST file, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    outline: list[tuple] = []
    cells: list[CodeCell] = []
    i = 0
    if lines and lines[0].strip() == "---":  # front matter
        i = lines.index("---", 1) + 1
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence and fence.group("info"):
            marker, info = fence.group("fence"), fence.group("info")
            directive = _DIRECTIVE.match(info)
            name = directive.group("name") if directive else "code"
            end = next(
                (j for j in range(i + 1, len(lines)) if lines[j].strip() == marker[0] * len(marker)),
                len(lines),
            )
            body = lines[i + 1 : end]
            if name == "code-cell":
                options = [b for b in body if b.startswith(":")]
                tags: tuple[str, ...] = ()
                for option in options:
                    match = _TAGS.match(option)
                    if match:
                        tags = tuple(t.strip().strip("'\"") for t in match.group("tags").split(",") if t.strip())
                code = "\n".join(b for b in body if not b.startswith(":"))
                cells.append(CodeCell(i + 1, code, tags))
                outline.append(("code-cell", tags))
                i = end + 1
                continue
            if directive:
                outline.append(("directive", name))
                # a directive's body may hold headings or labels only in nested
                # content, which we read on: do not skip it
            i += 1
            continue
        heading = _HEADING.match(line)
        if heading:
            outline.append(("heading", len(heading.group(1))))
        label = _LABEL.match(line.strip())
        if label:
            outline.append(("label", label.group("label")))
        i += 1
    return Chapter(path, outline, cells)


def code_shape(source: str) -> list[tuple[int, str]]:
    """Tokens of a code cell with comments dropped and string contents blanked.

    Two editions' cells agree when only their comments and the text of their
    strings differ (Korean labels in figures, say).
    """
    shape = []
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as error:
        raise ValueError(f"cannot tokenize code cell: {error}\n{source}") from error
    for token in tokens:
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING):
            continue
        if token.type == tokenize.STRING:
            # (on Python 3.11 an f-string is one STRING token, blanked whole)
            prefix = re.split(r"['\"]", token.string, maxsplit=1)[0].lower()  # what precedes the first quote
            shape.append((token.type, prefix + "STR"))
        else:
            shape.append((token.type, token.string))
    return shape


def manifest(edition: str, folder: Path | None = None) -> dict:
    """An edition's manifest, as the last build into ``_build`` wrote it (the ``built`` and ``site`` fixtures build)."""
    return read_manifest(folder or project.DIRS.sphinx_out(edition))


def chapter_pages(edition: str) -> list[Path]:
    """The pages of the numbered chapters (they are cited and have exercises), from the built manifest."""
    return [Path(chapter["uri"]) for chapter in manifest(edition)["chapters"]]


def run_build(
    *options: str, book: Path | None = None, build_dir: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run tools/build_book.py as `tox -e book` does; with ``build_dir``, into that folder (site, cache and all)."""
    command = [sys.executable, str(ROOT / "tools" / "build_book.py"), *options]
    if book is not None:
        command += ["--book", str(book)]
    if build_dir is not None:
        command += ["--build-dir", str(build_dir)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)


#: the address the release builds are built for, the older release's name and the repository they link
RELEASE_BASE = "https://books.example.net/dlbook"
OLD_RELEASE = "2026-spring"
RELEASE_REPO = "owner/dlbook"
#: the release builds (``old/`` and ``latest/``) and the site they are filed into (``served/dlbook/``)
RELEASE_BUILDS = project.DIRS.root / "releases"


def release_build(folder: Path, **environment: str) -> subprocess.CompletedProcess:
    """The English edition built into ``folder`` with the executed chapters of the shared cache."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in {"BOOK_RELEASE", "BOOK_REPO", "BOOK_BASE_URL"}}
    return run_build("--edition", "en", "--cache", str(project.DIRS.cache), build_dir=folder, env=env | environment)


def prose_of(source: Path) -> str:
    """The chapter's text outside code cells, fences and directive options."""
    lines, fence = [], None
    for line in source.read_text(encoding="utf-8").splitlines():
        marker = re.match(r"^(`{3,}|:{3,})", line)
        if fence is None and marker and "code-cell" in line:
            fence = marker.group(1)
        elif fence is not None and line.strip() == fence:
            fence = None
        elif fence is None and not line.startswith((":", "`", "(")):
            lines.append(line)
    return "\n".join(lines)


def search_index(site: Path, edition: str) -> dict:
    """An edition's built search index (searchindex.js) as data."""
    import json

    text = (site / edition / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def docs_for(index: dict, term: str) -> set[str]:
    """The documents a search for ``term`` finds (in their text or in their titles)."""
    docs = set()
    for table in ("terms", "titleterms"):
        found = index[table].get(term, [])
        docs |= {index["docnames"][i] for i in ([found] if isinstance(found, int) else found)}
    return docs


def search_pages(index: dict, query: str, language) -> set[str]:
    """The documents the search page lists for ``query``: searchtools.js's term search, in Python.

    ``language`` is the edition's search language (its ``split`` for Korean is
    the query splitter's twin, ``query_terms``; its ``stem`` and ``stopwords``
    are what the page's stemmer and stop list do). As searchtools.js does, each
    term is looked up in the text and the titles, a term of three or more
    characters that is not a key also matches every key containing it, and a
    document is listed when it matches every term, or every term of three or
    more characters. (Object names, which a prose query never matches, are left out.)
    """
    from dlbook_build.sphinx.korean_search import query_terms

    words = query_terms(query) if language.lang == "ko" else re.split(r"[^\w]+", query.strip())
    terms = set()
    for word in words:
        lower = word.lower()
        if word and lower not in language.stopwords and not word.isdigit():
            terms.add(language.stem(lower).lower())
    matched: dict[int, set[str]] = {}
    for term in terms:
        for table in ("terms", "titleterms"):
            keys = [term] if term in index[table] or len(term) <= 2 else [k for k in index[table] if term in k]
            for key in keys:
                found = index[table].get(key, [])
                for doc in [found] if isinstance(found, int) else found:
                    matched.setdefault(doc, set()).add(term)
    long_terms = sum(len(t) > 2 for t in terms)
    return {index["docnames"][doc] for doc, hits in matched.items() if len(hits) in (len(terms), long_terms)}


def built_page(path: Path) -> BeautifulSoup:
    """A built HTML page, parsed once per test run: shared, so read it and never change it.

    (A chapter page of 13,000 elements takes 0.3 s to parse, and the tests read
    each page many times.) A test that cuts parts out parses its own:
    :func:`page_to_change`.
    """
    stat = path.stat()
    return _parsed(path, stat.st_mtime_ns, stat.st_size)


@cache
def _parsed(path: Path, mtime_ns: int, size: int) -> BeautifulSoup:
    return page_to_change(path)


def page_to_change(path: Path) -> BeautifulSoup:
    """A built HTML page parsed for this caller alone, free to change."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
