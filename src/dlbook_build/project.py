"""Where things are: the book's sources, its editions, and the build's folders.

One place for these facts; the build driver, the Sphinx extensions, the tests
and the benchmark all read them from here. The build package works on the
repository it is installed from (``pip install -e ./tools``, as tox does).

A build folder (``_build/`` unless given) holds:

- ``html/``: the published site and nothing else (one folder per edition,
  the landing page, the notebook wheel);
- ``sphinx/<language>/``: each edition's Sphinx output, doctrees and myst-nb's
  executed notebooks, from which ``html/`` is published;
- ``.jupyter_cache/``: the executed chapters, shared by both editions, the
  tests and the build.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
#: the library the chapters import: its source is part of a chapter's cache key
LIBRARY = "src/dlbook"
#: what the readers' wheel is built from: the library and its metadata (the root pyproject.toml is
#: dlbook's alone; the build is another distribution, tools/pyproject.toml)
WHEEL_SOURCES = ("pyproject.toml", "README.md", LIBRARY)
BUILD = ROOT / "_build"
EDITIONS_FILE = "editions.toml"


@dataclass(frozen=True)
class BuildDirs:
    """The folders of one build (``_build/`` by default; the tests use their own)."""

    root: Path = BUILD
    #: the jupyter-cache of executed chapters (``root / ".jupyter_cache"`` unless given)
    cache_override: Path | None = None

    @property
    def site(self) -> Path:
        """What gets published."""
        return self.root / "html"

    @property
    def cache(self) -> Path:
        """The jupyter-cache of executed chapters."""
        return self.cache_override or self.root / ".jupyter_cache"

    def sphinx_out(self, language: str) -> Path:
        """Sphinx's HTML output for one edition (published into ``site / language``)."""
        return self.root / "sphinx" / language / "html"

    def doctrees(self, language: str) -> Path:
        return self.root / "sphinx" / language / "doctrees"

    @property
    def editions_manifest(self) -> Path:
        """The editions of the last build, for the browser test."""
        return self.root / "editions.json"


#: The default build folders (``_build/``).
DIRS = BuildDirs()
#: The jupyter-cache the build and the tests share (conf.py's ``nb_execution_cache_path``).
CACHE_PATH = DIRS.cache


def _key_paths(table: dict, prefix: str = "") -> set[str]:
    """Every key of ``table``, sub-tables' keys as ``table.key``."""
    paths = set()
    for key, value in table.items():
        paths.add(prefix + key)
        if isinstance(value, dict):
            paths |= _key_paths(value, f"{prefix}{key}.")
    return paths


def load_editions(book: Path = BOOK) -> dict[str, dict[str, Any]]:
    """The editions of ``book``: language -> settings, from ``book/editions.toml``.

    Every edition has a folder ``book/<language>/`` with an ``index.md`` and a
    table in the file; one without the other is an error. Every edition has
    the same keys, in sub-tables too: a word one edition lacks is an error,
    not a silent fallback to another edition's.
    """
    with open(book / EDITIONS_FILE, "rb") as file:
        editions = tomllib.load(file)
    folders = {p.name for p in book.iterdir() if (p / "index.md").is_file()}
    if folders - set(editions):
        raise ValueError(
            f"{book / EDITIONS_FILE} has no table for the edition folder(s) {sorted(folders - set(editions))}: "
            "add one per language"
        )
    editions = {language: settings for language, settings in editions.items() if language in folders}
    keys = {language: _key_paths(settings) for language, settings in editions.items()}
    every = set().union(*keys.values())
    for language, own in keys.items():
        if every - own:
            raise ValueError(
                f"{book / EDITIONS_FILE}: the edition {language!r} lacks the key(s) {sorted(every - own)} "
                "that another edition has: every edition needs the same keys"
            )
    return editions


#: The book's editions, in reading order: language -> settings (titles, labels, words).
EDITIONS = load_editions()


def per_edition(key: str, editions: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """One setting of every edition: language -> ``editions[language][key]`` (:data:`EDITIONS` unless given)."""
    editions = EDITIONS if editions is None else editions
    return {language: settings[key] for language, settings in editions.items()}


def document_name(language: str) -> str:
    """The base name of an edition's PDF (and its .tex): ``dlbook-<language>`` (sphinx.latex, pdf)."""
    return f"dlbook-{language}"


def chapters(language: str, book: Path = BOOK) -> list[Path]:
    """The MyST files of one edition, sorted by path."""
    return sorted((book / language).rglob("*.md"))


def tree_hash(names: Iterable[str], base: Path = ROOT) -> str:
    """A short hash of the files at ``names`` under ``base`` (folders recursively): their paths and contents."""
    digest = hashlib.sha256()
    for name in names:
        path = base / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if (
                file.is_file()
                and "__pycache__" not in file.parts
                and not any(p.endswith(".egg-info") for p in file.parts)
            ):
                digest.update(file.relative_to(base).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def library_hash() -> str:
    """The hash of ``dlbook``'s source: executed chapters are stale when it changes."""
    return tree_hash([LIBRARY])


def wheel_hash(base: Path = ROOT) -> str:
    """The hash of what the readers' wheel is built from: it changes with the library or its metadata, not the build."""
    return tree_hash(WHEEL_SOURCES, base)


#: the environment variable naming the release being built (tox passes it on); unset: the latest
RELEASE_ENV = "BOOK_RELEASE"
#: the name the latest build goes by where a release name would stand (the Colab branch, the switcher)
LATEST = "latest"
_RELEASE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def check_release(name: str) -> str:
    """``name`` if it can name a release: one path segment of the site (``2026-fall``, ``0.2.0``)."""
    if not isinstance(name, str):
        raise TypeError(f"expected a release name as str, not {type(name).__name__}")
    if not _RELEASE_NAME.fullmatch(name):
        raise ValueError(
            f"{name!r} cannot name a release: it becomes a folder of the site, so use letters, digits, '.', '_' "
            "and '-' (at most 64, starting with a letter or digit), e.g. 2026-fall or 0.2.0"
        )
    if name == LATEST or name in EDITIONS or name.startswith("_"):
        raise ValueError(f"{name!r} cannot name a release: the site already has a folder of that name")
    return name


def read_book_release(environ: Mapping[str, str] = os.environ) -> str:
    """The release this build is (``BOOK_RELEASE``, checked), or ``""`` for the latest.

    The one place the setting is read: a release's site lives at
    ``BASE/<release>/<language>/``, cites that address and installs that
    release's wheel; the latest lives at ``BASE/<language>/``.
    """
    name = environ.get(RELEASE_ENV, "").strip()
    return check_release(name) if name else ""


#: the environment variable naming the book's GitHub repository (``owner/name``):
#: with it, pages link to Colab and to its issues
REPO_ENV = "BOOK_REPO"
#: the branch the workflow publishes the notebooks on, at ``<release>/<language>/<chapter>.ipynb``
#: (Colab opens them there)
NOTEBOOK_BRANCH = "notebooks"
_REPO_NAME = re.compile(r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+")


def read_book_repo(environ: Mapping[str, str] = os.environ) -> str:
    """The book's GitHub repository ``owner/name`` (``BOOK_REPO``, checked), or ``""``."""
    name = environ.get(REPO_ENV, "").strip()
    if name and not _REPO_NAME.fullmatch(name):
        raise ValueError(f"{REPO_ENV}={name!r} is not a GitHub repository: expected owner/name, e.g. dlbook/dlbook")
    return name


def source_commit(root: Path = ROOT) -> str:
    """The commit the book is built from (for a reader's report), or ``""`` outside a git checkout."""
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""
