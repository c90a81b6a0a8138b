"""The seams of the build, read from the modules' syntax trees (their imports and calls, not their prose).

- myst-parser is the only MyST parser: no module imports markdown-it itself,
  and none matches a toctree with a regular expression (the manifest,
  :mod:`dlbook_build.manifest`, lists the chapters);
- what the downloads are made of needs no Sphinx: the notebook's cells
  (:mod:`dlbook_build.notebook_cells`), its install cell, the executor and the
  project's settings import nothing from the Sphinx extensions, nor Sphinx, so
  nothing on that path runs back up into the build that calls it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from book_structure import ROOT

MODULES = sorted([*(ROOT / "src").rglob("*.py"), *(ROOT / "tests").rglob("*.py"), *(ROOT / "tools").rglob("*.py")])
#: the modules the downloaded notebooks are written with, below the Sphinx adapter (dlbook_build.sphinx.notebooks)
DOWNLOADS_CORE = [
    "dlbook_build.notebook_cells",
    "dlbook_build.install_cell",
    "dlbook_build.execute",
    "dlbook_build.project",
]
#: Sphinx and its extensions' packages (myst-nb's core, its notebook reader, needs no Sphinx)
SPHINX = {"sphinx", "sphinx_exercise", "sphinx_design", "sphinxcontrib", "myst_nb", "myst_parser"}
_RE_CALLS = {"compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split"}


def imported(path: Path) -> set[str]:
    """The modules a file imports (absolute names; a relative import resolved against its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT / "src").with_suffix("").parts[:-1]) if "src" in path.parts else ""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def regex_patterns(path: Path) -> list[str]:
    """The string patterns handed to the ``re`` module's functions in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    patterns = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in _RE_CALLS
            and node.args
        ):
            patterns += [
                n.value for n in ast.walk(node.args[0]) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            ]
    return patterns


def module_path(name: str) -> Path | None:
    path = ROOT / "src" / Path(*name.split("."))
    return (
        path.with_suffix(".py")
        if path.with_suffix(".py").is_file()
        else path / "__init__.py"
        if path.is_dir()
        else None
    )


def test_the_scanners_see_imports_and_patterns(tmp_path):
    """The two readers below, on a file that does what the seams forbid."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import re\nfrom markdown_it.renderer import RendererHTML\n"
        "ENTRIES = re.compile(r'```\\{toctree\\}(.*?)```', re.S)\n",
        encoding="utf-8",
    )
    assert "markdown_it.renderer" in imported(sample)
    assert any("toctree" in p for p in regex_patterns(sample))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_myst_is_parsed_by_myst_parser_only(path):
    assert not {n for n in imported(path) if n.split(".")[0] == "markdown_it"}, f"{path} imports markdown-it"
    assert not [p for p in regex_patterns(path) if "toctree" in p], f"{path} matches a toctree with a regex"


def test_the_downloads_core_does_not_import_the_build():
    """From each core module, every dlbook_build module it reaches: none of them is Sphinx or an extension."""
    seen: set[str] = set()
    todo = list(DOWNLOADS_CORE)
    while todo:
        name = todo.pop()
        path = module_path(name)
        if name in seen or path is None:
            continue
        seen.add(name)
        names = imported(path)
        sphinx = [n for n in names if n.split(".")[0] in SPHINX and not n.startswith("myst_nb.core.")]
        assert not sphinx, f"{name} imports Sphinx: {sphinx}"
        assert not [n for n in names if n.startswith("dlbook_build.sphinx")], (
            f"{name} imports the extensions: {sorted(names)}"
        )
        todo += [n for n in names if n.startswith("dlbook_build.")]
    assert set(DOWNLOADS_CORE) <= seen
