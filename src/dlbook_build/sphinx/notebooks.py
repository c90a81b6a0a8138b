"""Every chapter as a plain Jupyter notebook to download and run elsewhere.

After an edition is built, each chapter is written to
``<edition>/_downloads/notebooks/<chapter>.ipynb``: its Markdown written from
the doctree the HTML page is written from, as Sphinx resolved it
(:mod:`dlbook_build.notebook_cells`: numbers, cross-references, citations,
and no solutions in the student build, all as the page has them); its code
cells with the text outputs of the build's own execution (from the
jupyter-cache: what cells print, their values, their errors; figures,
diagrams and animations appear when the notebook runs, and keeping them would
triple the site's size), after two cells of its own: where the chapter comes
from (a link to it on the published site, or, from a local build without an
address, the page's name said plainly), and one that installs the book's
``dlbook`` package if it is missing, without letting pip replace the
frameworks already installed, then checks their versions
(:func:`dlbook.check_frameworks`; the cell is the script
:mod:`dlbook_build.install_cell`, in the edition's words). All of an
edition's notebooks also come in one zip, offered on the edition's home page.

This module is the Sphinx side: it notes each chapter's pieces as the HTML
builder resolves its doctree (``doctree-resolved``; a chapter this build did
not write is resolved again when the build ends), with what Sphinx knows
that the doctree does not (where each reference points, section, exercise and
equation numbers, the works cited); :mod:`dlbook_build.notebook_cells` needs
none of Sphinx.

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
import contextlib
import hashlib
import json
import posixpath
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import nbformat
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.locale import admonitionlabels
from sphinx.util import logging
from sphinx.util.osutil import relative_uri
from sphinxcontrib.bibtex.domain import BibtexDomain

from dlbook_build import notebook_cells
from dlbook_build.execute import cached_notebook, is_notebook as is_notebook_file, read_notebook
from dlbook_build.notebook_cells import SOLUTION_TAG, Chapter, Code, Piece, Target, chapter_pieces, reference_list
from dlbook_build.project import ROOT, WHEEL_SOURCES, wheel_hash
from dlbook_build.sphinx.editions import edition, page_url

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


#: where a checkout keeps the wheel of its sources, built once (``dlbook-<hash>/``): every build folder copies it
WHEEL_STORE = Path("_build") / ".wheels"


def built_wheel(project: Path = ROOT) -> Path:
    """The dlbook wheel of ``project``'s current sources, built once per checkout into :data:`WHEEL_STORE`.

    Every build of the checkout ships it (the site, the student and release
    builds into other folders, both editions at once): building it takes
    seconds, copying it nothing. Built from a clean copy of the sources (an
    in-tree build would reuse setuptools' ``build/`` folder, which keeps files
    deleted from the sources); stored by an atomic rename, so two builds
    storing it at once leave one.
    """
    store = project / WHEEL_STORE
    folder = store / f"dlbook-{wheel_hash(project)}"
    wheels = sorted(folder.glob("dlbook-*.whl"))
    if len(wheels) == 1:
        return wheels[0]
    store.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".building-", dir=store) as tmp:
        copy = Path(tmp) / "project"
        for file in _source_files(project):
            target = copy / file.relative_to(project)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, target)
        command = [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(Path(tmp) / "out"),
            str(copy),
        ]
        result = subprocess.run(command, capture_output=True, text=True)
        built = sorted((Path(tmp) / "out").glob("dlbook-*.whl"))
        if result.returncode != 0 or len(built) != 1:
            raise ExtensionError(f"could not build the dlbook wheel for the notebook downloads:\n{result.stderr}")
        for old in store.glob("dlbook-*"):
            if old.name != folder.name:
                shutil.rmtree(old, ignore_errors=True)  # the wheel of earlier sources
        staged = Path(tmp) / folder.name
        staged.mkdir()
        shutil.move(built[0], staged / built[0].name)
        with contextlib.suppress(OSError):  # another build stored it first: that one is kept
            staged.rename(folder)
    return next(folder.glob("dlbook-*.whl"))


def ship_wheel(downloads: Path, project: Path = ROOT) -> Path:
    """The dlbook wheel of ``project``'s current sources in ``downloads/dlbook-<hash>/``, the only one there."""
    folder = downloads / f"dlbook-{wheel_hash(project)}"
    wheels = sorted(folder.glob("dlbook-*.whl"))
    if len(wheels) == 1:
        return wheels[0]
    for old in downloads.glob("dlbook-*"):
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    wheel = built_wheel(project)
    folder.mkdir(parents=True)
    return Path(shutil.copy2(wheel, folder / wheel.name))


def install_cell(wheel: str, words: Mapping[str, str] | None = None) -> nbformat.NotebookNode:
    """The cell that installs dlbook from ``wheel`` (a URL, or a path from the notebook) if it is missing.

    The script :data:`INSTALL_CELL` (whose docstring says how it installs)
    without its docstring, with ``wheel`` written into its ``WHEEL``, and
    ``words`` (an edition's ``install_words``) into its ``WORDS``, their
    ``comment`` as the first line.
    """
    text = INSTALL_CELL.read_text(encoding="utf-8")
    module = ast.parse(text)
    lines = text.splitlines()
    if lines.count(_WHEEL_LINE) != 1:
        raise ExtensionError(f"{INSTALL_CELL} must assign the wheel once, on the line {_WHEEL_LINE!r}")
    lines[lines.index(_WHEEL_LINE)] = f"WHEEL = {json.dumps(wheel)}"
    comment = []
    if words is not None:
        assigned = [n for n in module.body if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "WORDS"]
        if len(assigned) != 1 or set(ast.literal_eval(assigned[0].value)) != set(words) - {"comment"}:
            raise ExtensionError(f"{INSTALL_CELL} must assign WORDS once, with the keys of install_words but 'comment'")
        table = {key: words[key] for key in ast.literal_eval(assigned[0].value)}
        start, end = assigned[0].lineno - 1, assigned[0].end_lineno or assigned[0].lineno
        lines[start:end] = [f"WORDS = {json.dumps(table, ensure_ascii=False, indent=4)}"]
        comment = [f"# {words['comment']}"]
    body = "\n".join(lines[module.body[0].end_lineno :]).strip()
    return nbformat.v4.new_code_cell("\n".join([*comment, body]))


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


def _number(numbers: tuple[int, ...] | None) -> str | None:
    return ".".join(map(str, numbers)) if numbers else None


def _numbers(found: dict[str, tuple[int, ...]]) -> dict[str, str]:
    return {key: ".".join(map(str, numbers)) for key, numbers in found.items() if numbers}


def chapter_number(app: Sphinx, docname: str) -> str | None:
    return _number(app.env.toc_secnumbers.get(docname, {}).get(""))


def section_titles(app: Sphinx, docname: str) -> dict[str, str]:
    """A page's section anchors ("" for the page itself) -> titles: its table of contents, and labels of its top."""
    env = app.env
    titles = {"": env.titles[docname].astext()}
    for reference in env.tocs[docname].findall(nodes.reference):
        titles.setdefault(reference["anchorname"].lstrip("#"), reference.astext())
    for doc, labelid, title in env.domains.standard_domain.labels.values():
        if doc == docname and title == titles[""]:
            titles.setdefault(labelid, title)  # a label above the page's title names the page
    return titles


def targets(app: Sphinx, docname: str, doctree: nodes.document) -> dict[str, Target]:
    """Where the page's internal references point: the sections' numbers and titles, and their published addresses."""
    env, config = app.env, app.config
    here = app.builder.get_target_uri(docname)
    pages = {app.builder.get_target_uri(doc): doc for doc in env.found_docs}
    found: dict[str, Target] = {}
    for reference in doctree.findall(nodes.reference):
        uri = reference.get("refuri") or (f"#{reference['refid']}" if reference.get("refid") else "")
        if not uri or "://" in uri or uri in found:
            continue
        page, _, anchor = uri.partition("#")
        target = pages.get(posixpath.normpath(posixpath.join(posixpath.dirname(here), page)) if page else here)
        if target is None:
            continue
        url = page_url(config, target) + (f"#{anchor}" if anchor else "") if config.html_baseurl else None
        title = section_titles(app, target).get(anchor)
        secnumbers = env.toc_secnumbers.get(target, {})
        number = _number(secnumbers.get(f"#{anchor}" if anchor and f"#{anchor}" in secnumbers else ""))
        found[uri] = Target(number=number if title is not None else None, title=title, url=url)
    return found


def chapter_of(app: Sphinx, docname: str, doctree: nodes.document) -> Chapter:
    """What :func:`~dlbook_build.notebook_cells.chapter_pieces` needs to know of a page beyond its doctree."""
    env = app.env
    numbers = env.toc_fignumbers.get(docname, {})
    return Chapter(
        words=edition(app.config)["notebook_words"],
        targets=targets(app, docname, doctree),
        sections={anchor.lstrip("#"): n for anchor, n in _numbers(env.toc_secnumbers.get(docname, {})).items()},
        exercises=_numbers(numbers.get("exercise", {})),
        equations=_numbers(numbers.get("displaymath", {})),
        admonitions={name: str(label) for name, label in admonitionlabels.items()},
    )


def cited_entries(app: Sphinx, docname: str) -> list[nodes.Node]:
    """The works the page cites, formatted as the bibliography formats them (sphinxcontrib-bibtex), in its order."""
    domain: BibtexDomain = app.env.get_domain("cite")  # type: ignore[assignment]  # sphinxcontrib-bibtex's
    keys = {target.key for ref in domain.citation_refs if ref.docname == docname for target in ref.targets}
    entries, seen = [], set()
    for citation in domain.citations:
        if citation.key in keys and citation.key not in seen:
            seen.add(citation.key)
            rendered = citation.formatted_entry.text.render(domain.backend)  # a list of nodes
            entries.append(nodes.inline("", "", *rendered) if isinstance(rendered, list) else rendered)
    return entries


class Notebooks:
    """Notes each chapter's notebook pieces as its doctree is resolved, and writes the notebooks when the build ends."""

    def __init__(self) -> None:
        self.pieces: dict[str, list[Piece]] = {}

    def page_resolved(self, app: Sphinx, doctree: nodes.document, docname: str) -> None:
        if app.builder.format != "html" or not is_notebook(app, docname):
            return
        chapter = chapter_of(app, docname, doctree)
        pieces = chapter_pieces(doctree, chapter)
        entries = cited_entries(app, docname)
        self.pieces[docname] = pieces + ([reference_list(entries, chapter)] if entries else [])

    def chapter_notebook(self, app: Sphinx, docname: str, wheel: Path) -> nbformat.NotebookNode:
        """The downloaded notebook of one chapter: intro, install cell, then the chapter in plain Jupyter."""
        if docname not in self.pieces:  # not written by this build: resolved as the page was
            app.env.get_and_resolve_doctree(docname, app.builder, tags=app.builder.tags)
        config = app.config
        source = executed(app, Path(app.env.doc2path(docname)))
        cells = []
        for piece in self.pieces[docname]:
            if isinstance(piece, Code):
                cell = nbformat.from_dict(source.cells[piece.index])
            else:
                cell = nbformat.v4.new_markdown_cell(piece.text)
            if piece.solution:
                cell.metadata.setdefault("tags", []).append(SOLUTION_TAG)
            cells.append(cell)
        here = f"{NOTEBOOKS}/{docname}.ipynb"
        wheel_path = wheel.relative_to(Path(app.outdir) / DOWNLOADS).as_posix()
        if config.html_baseurl:
            wheel_url = page_url(config, f"{DOWNLOADS}/{wheel_path}", suffix="")
        else:
            wheel_url = relative_uri(here, f"{DOWNLOADS}/{wheel_path}")
        words = edition(config)
        number = chapter_number(app, docname)
        chapter = (f"{number}. " if number else "") + app.env.titles[docname].astext()
        fill = {"book": words["title"], "version": config.release, "chapter": chapter}
        if config.html_baseurl:
            intro = words["notebook_words"]["intro"].format(**fill, url=page_url(config, docname))
        else:
            intro = words["notebook_words"]["intro_local"].format(**fill, page=app.builder.get_target_uri(docname))
        notebook = nbformat.v4.new_notebook(metadata=source.metadata)
        notebook.cells = [nbformat.v4.new_markdown_cell(intro), install_cell(wheel_url, words["install_words"]), *cells]
        for position, cell in enumerate(notebook.cells):  # nbformat's new cells get random ids: two builds would differ
            cell.id = f"cell-{position}"
        return notebook

    def write(self, app: Sphinx, exception: Exception | None) -> None:
        """Write the notebooks of the chapters this build wrote, and those missing; then the zip of them all.

        A notebook is made from the page as Sphinx resolved it and from the
        chapter's executed copy, so the notebook an earlier build wrote holds
        as long as Sphinx keeps that page's HTML (an executed copy that changed
        makes Sphinx read the page again, :mod:`dlbook_build.sphinx.execution`),
        unless it was written with another wheel, code or words: then all are
        written. The zip, stamped with those (:func:`written_with`), is removed
        first and written last, so an interrupted build leaves none that vouches
        for the notebooks beside it.
        """
        if exception is not None or app.builder.format != "html":
            return
        outdir = Path(app.outdir)
        archive_path = outdir / DOWNLOADS / zip_name(app.config.language)
        shipped = sorted((outdir / DOWNLOADS).glob(f"dlbook-{wheel_hash()}/dlbook-*.whl"))
        stamp = written_with(app)
        current = len(shipped) == 1 and zip_stamp(archive_path) == stamp
        if current and not getattr(app.env, "book_pages_read", True) and not self.pieces:
            return  # no page changed, nor the library, the words or the install cell: the notebooks are current
        wheel = ship_wheel(outdir / DOWNLOADS)
        folder = outdir / NOTEBOOKS
        chapters = sorted(d for d in app.env.found_docs if is_notebook(app, d))
        archive_path.unlink(missing_ok=True)
        if not current and folder.exists():
            shutil.rmtree(folder)
        for old in folder.rglob("*.ipynb") if folder.exists() else []:
            if old.relative_to(folder).with_suffix("").as_posix() not in chapters:
                old.unlink()  # no notebook of a removed chapter
        written = []
        for docname in chapters:
            target = folder / f"{docname}.ipynb"
            if current and docname not in self.pieces and target.is_file():
                written.append(target)  # its page is as the build that wrote it left it
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                notebook = self.chapter_notebook(app, docname, wheel)
            except ValueError as error:
                logger.warning(f"no notebook download: {error}", location=docname)
                continue
            nbformat.write(notebook, target)
            written.append(target)
        # the zip holds the same folders, so the notebooks' relative path to the wheel holds after unpacking
        top = Path(zip_name(app.config.language)).stem
        with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.comment = stamp
            for path in [*written, wheel]:
                archive.write(path, f"{top}/{path.relative_to(outdir / DOWNLOADS).as_posix()}")


def written_with(app: Sphinx) -> bytes:
    """What the notebooks are written with besides the pages and the library: this code, the words, the address."""
    words = {key: edition(app.config)[key] for key in ("title", "notebook_words", "install_words")}
    text = json.dumps([words, app.config.html_baseurl, app.config.release], sort_keys=True, ensure_ascii=False)
    code = b"".join(Path(path).read_bytes() for path in (INSTALL_CELL, notebook_cells.__file__, __file__))
    return hashlib.sha256(code + text.encode()).hexdigest().encode()


def zip_stamp(path: Path) -> bytes | None:
    """The stamp (:func:`written_with`) the zip of the notebooks was written with, kept as its comment."""
    if not path.is_file():
        return None
    with zipfile.ZipFile(path) as archive:
        return archive.comment


def note_pages_read(app: Sphinx, env, docnames: list[str]) -> None:
    """Remember whether this build reads any page: if none, the notebooks written last time still hold."""
    env.book_pages_read = bool(docnames)


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
    notebooks = Notebooks()
    app.connect("html-page-context", add_download_link)
    app.connect("env-before-read-docs", note_pages_read)
    # after the other extensions' handlers (figures sized, frames copied): the page as it is written
    app.connect("doctree-resolved", notebooks.page_resolved, priority=900)
    app.connect("build-finished", notebooks.write)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 3}
