"""Every chapter as a plain Jupyter notebook to download and run elsewhere.

After an edition is built, each chapter is written to
``<edition>/_downloads/notebooks/<chapter>.ipynb``: its Markdown converted
from MyST to plain Markdown (:mod:`dlbook_build.notebook_text`), its code
cells with the text outputs of the build's own execution (from the
jupyter-cache: what cells print, their values, their errors; figures,
diagrams and animations appear when the notebook runs, and keeping them would
triple the site's size), after two cells of its own: where the chapter comes from, and one that
installs the book's ``dlbook`` package if it is missing, without letting pip
replace the frameworks already installed, then checks their versions
(:func:`dlbook.check_frameworks`; the cell is the script
:mod:`dlbook_build.install_cell`). The student build (``book_solutions``
off) leaves the solutions out of the notebooks too. All of an edition's
notebooks also come in one zip, offered on the edition's home page.

The package ships with each edition (an edition works on its own) as one
wheel, ``_downloads/dlbook-<hash>/dlbook-<version>-py3-none-any.whl``, where
``<hash>`` is that of the sources the wheel is built from, the library and
its metadata (:func:`dlbook_build.project.wheel_hash`; the wheel holds
``dlbook`` alone, and a change to the build leaves it as it is): a change to
them gives a new folder, so a stale wheel cannot be shipped or cached by a reader's
pip. The notebooks install it from ``BOOK_BASE_URL`` when the site has one,
else by a path relative to the notebook, which holds beside a built site and
in the unpacked zip.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.osutil import relative_uri

from dlbook_build.execute import cached_notebook, is_notebook as is_notebook_file, read_notebook
from dlbook_build.notebook_text import Bibliography, Context, convert_notebook
from dlbook_build.project import ROOT, WHEEL_SOURCES, wheel_hash
from dlbook_build.sphinx.editions import edition, page_url
from dlbook_build.sphinx.solutions import without_solutions

logger = logging.getLogger(__name__)
DOWNLOADS = "_downloads"
NOTEBOOKS = f"{DOWNLOADS}/notebooks"
#: the notebooks' first code cell, a script the build fills in (:func:`install_cell`)
INSTALL_CELL = Path(__file__).resolve().parents[1] / "install_cell.py"
_WHEEL_LINE = 'WHEEL = "dlbook.whl"'


def zip_name(language: str) -> str:
    return f"notebooks-{language}.zip"


def _source_files(project: Path) -> list[Path]:
    files = []
    for name in WHEEL_SOURCES:
        path = project / name
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        files += [
            f for f in candidates
            if f.is_file() and "__pycache__" not in f.parts and not any(p.endswith(".egg-info") for p in f.parts)
        ]  # fmt: skip
    return files


def ship_wheel(downloads: Path, project: Path = ROOT) -> Path:
    """The dlbook wheel of ``project``'s current sources in ``downloads/dlbook-<hash>/``, the only one there.

    Built from a clean copy of the sources (an in-tree build would reuse
    setuptools' ``build/`` folder, which keeps files deleted from the sources).
    """
    folder = downloads / f"dlbook-{wheel_hash(project)}"
    wheels = sorted(folder.glob("dlbook-*.whl"))
    if len(wheels) == 1:
        return wheels[0]
    for old in downloads.glob("dlbook-*"):
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    with tempfile.TemporaryDirectory(prefix="dlbook-wheel-") as tmp:
        copy = Path(tmp) / "project"
        for file in _source_files(project):
            target = copy / file.relative_to(project)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, target)
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(Path(tmp) / "out"), str(copy)]
        result = subprocess.run(command, capture_output=True, text=True)
        built = sorted((Path(tmp) / "out").glob("dlbook-*.whl"))
        if result.returncode != 0 or len(built) != 1:
            raise ExtensionError(f"could not build the dlbook wheel for the notebook downloads:\n{result.stderr}")
        folder.mkdir(parents=True)
        return Path(shutil.move(built[0], folder / built[0].name))


def install_cell(wheel: str) -> nbformat.NotebookNode:
    """The cell that installs dlbook from ``wheel`` (a URL, or a path from the notebook) if it is missing.

    The script :data:`INSTALL_CELL` (whose docstring says how it installs)
    without its docstring, with ``wheel`` written into its ``WHEEL``.
    """
    text = INSTALL_CELL.read_text(encoding="utf-8")
    docstring = ast.parse(text).body[0]
    lines = text.splitlines()[docstring.end_lineno :]
    if lines.count(_WHEEL_LINE) != 1:
        raise ExtensionError(f"{INSTALL_CELL} must assign the wheel once, on the line {_WHEEL_LINE!r}")
    lines[lines.index(_WHEEL_LINE)] = f"WHEEL = {json.dumps(wheel)}"
    return nbformat.v4.new_code_cell("\n".join(lines).strip())


def is_notebook(app: Sphinx, docname: str) -> bool:
    """Whether the page is a chapter notebook (MyST Markdown with notebook front matter)."""
    if docname not in app.env.found_docs:
        return False
    source = Path(app.env.doc2path(docname))
    return source.suffix == ".md" and is_notebook_file(source)


def is_text_output(output: dict) -> bool:
    """An output a reader can read without running the cell: a stream, an error, or text only."""
    return output.get("output_type") in {"stream", "error"} or set(output.get("data", {})) <= {"text/plain"}


def executed(app: Sphinx, source: Path) -> nbformat.NotebookNode:
    """The chapter as a notebook, with the text outputs of its cached execution."""
    notebook = cached_notebook(source, Path(app.config.nb_execution_cache_path))
    if notebook is None:
        logger.warning(f"{source}: no executed copy in the cache; its notebook download has no outputs")
        notebook = read_notebook(source)
    notebook.metadata.pop("source_map", None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [output for output in cell.outputs if is_text_output(output)]
    return notebook


def references(app: Sphinx) -> dict[str, str]:
    """Every cross-reference target of the edition and its text, as the site shows it."""
    env = app.env
    refs = {label: title for label, (_, _, title) in env.domains.standard_domain.labels.items() if title}
    refs |= {f"doc:{docname}": env.titles[docname].astext() for docname in env.titles}
    math = env.domains["math"]
    for label, (docname, number) in math.equations.items():
        chapter = env.toc_fignumbers.get(docname, {}).get("displaymath", {}).get(f"equation-{label}")
        refs[f"eq:{label}"] = "(" + ".".join(map(str, chapter or (number,))) + ")"
    return refs


def chapter_number(app: Sphinx, docname: str) -> str | None:
    numbers = app.env.toc_secnumbers.get(docname, {}).get("")
    return ".".join(map(str, numbers)) if numbers else None


def chapter_notebook(app: Sphinx, docname: str, wheel: Path, refs: dict[str, str]) -> nbformat.NotebookNode:
    """The downloaded notebook of one chapter: intro, install cell, then the chapter in plain Jupyter."""
    config = app.config
    context = Context(
        edition(config)["notebook_words"],
        chapter_number(app, docname),
        refs,
        Bibliography(Path(app.confdir) / config.bibtex_bibfiles[0]),
        docname=docname,
    )
    source = executed(app, Path(app.env.doc2path(docname)))
    if not getattr(config, "book_solutions", True):  # the student build (dlbook_build.sphinx.solutions)
        source = without_solutions(source)
    notebook = convert_notebook(source, context)
    here = f"{NOTEBOOKS}/{docname}.ipynb"
    wheel_path = wheel.relative_to(Path(app.outdir) / DOWNLOADS).as_posix()
    if config.html_baseurl:
        chapter_url = page_url(config, docname)
        wheel_url = page_url(config, f"{DOWNLOADS}/{wheel_path}", suffix="")
    else:
        chapter_url, wheel_url = relative_uri(here, f"{docname}.html"), relative_uri(here, f"{DOWNLOADS}/{wheel_path}")
    words = edition(config)
    number = f"{context.chapter}. " if context.chapter else ""
    title = app.env.titles[docname].astext()
    intro = nbformat.v4.new_markdown_cell(
        f"*{words['title']}* ({words['edition_name']}), version {config.release}: "
        f"[{number}{title}]({chapter_url})"
    )
    notebook.cells[:0] = [intro, install_cell(wheel_url)]
    return notebook


def note_pages_read(app: Sphinx, env, docnames: list[str]) -> None:
    """Remember whether this build reads any page: if none, the notebooks written last time still hold."""
    env.book_pages_read = bool(docnames)


def write_notebooks(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    archive_path = outdir / DOWNLOADS / zip_name(app.config.language)
    shipped = sorted((outdir / DOWNLOADS).glob(f"dlbook-{wheel_hash()}/dlbook-*.whl"))
    if not getattr(app.env, "book_pages_read", True) and archive_path.is_file() and len(shipped) == 1:
        return  # no page changed, nor the library: the notebooks and the zip are current
    wheel = ship_wheel(outdir / DOWNLOADS)
    refs = references(app)
    folder = outdir / NOTEBOOKS
    if folder.exists():
        shutil.rmtree(folder)  # no notebook of a removed chapter
    folder.mkdir(parents=True)
    written = []
    for docname in sorted(d for d in app.env.found_docs if is_notebook(app, d)):
        target = folder / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            notebook = chapter_notebook(app, docname, wheel, refs)
        except ValueError as error:
            logger.warning(f"no notebook download: {error}", location=docname)
            continue
        nbformat.write(notebook, target)
        written.append(target)
    # the zip holds the same folders, so the notebooks' relative path to the wheel holds after unpacking
    top = Path(zip_name(app.config.language)).stem
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in [*written, wheel]:
            archive.write(path, f"{top}/{path.relative_to(outdir / DOWNLOADS).as_posix()}")


def add_download_link(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if is_notebook(app, pagename):
        context["notebook_download"] = {
            "href": context["pathto"](f"{NOTEBOOKS}/{pagename}.ipynb", resource=True),
            "title": edition(app.config)["download_title"],
            "label": ".ipynb",
        }
    elif pagename == app.config.root_doc:
        context["notebook_download"] = {
            "href": context["pathto"](f"{DOWNLOADS}/{zip_name(app.config.language)}", resource=True),
            "title": edition(app.config)["zip_title"],
            "label": ".zip",
        }


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", add_download_link)
    app.connect("env-before-read-docs", note_pages_read)
    app.connect("build-finished", write_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 3}
