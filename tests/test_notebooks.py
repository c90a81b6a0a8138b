"""The downloaded notebooks: plain Jupyter, one wheel that matches its source, and a student's first run.

The site tests read the book built as `tox -e book` builds it (into _build/,
the session fixture of conftest.py).
"""

from __future__ import annotations

import ast
import email
import importlib.metadata
import io
import json
import os
import re
import shutil
import subprocess
import sysconfig
import tokenize
import venv
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from docutils import nodes
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

import background
import dlbook.frameworks as frameworks
from book_structure import BOOK, EDITIONS, ROOT, STUDENT_RUN_EDITION, built_page, chapters
from dlbook.frameworks import FRAMEWORKS, FrameworkError, check_frameworks, release
from dlbook_build.execute import KERNEL_ENV, cell_text, is_notebook, last_seconds
from dlbook_build.manifest import read_manifest
from dlbook_build.notebook_cells import Chapter, Target, chapter_pieces, escape
from dlbook_build.project import CACHE_PATH, EDITIONS as EDITION_SETTINGS, wheel_hash
from dlbook_build.sphinx.notebooks import (
    DOWNLOADS,
    INSTALL_CELL,
    NOTEBOOKS,
    install_cell,
    is_text_output,
    ship_wheel,
    zip_name,
)

pytestmark = pytest.mark.book  # runs the downloaded notebooks

CHAPTERS = [p.stem for p in chapters(EDITIONS[0]) if is_notebook(p)]


# --- the Markdown of the notebooks ------------------------------------------------------------

#: MyST syntax that must not reach a downloaded notebook
MYST_SYNTAX = {
    "label": re.compile(r"^\([^)\s]+\)=\s*$", re.MULTILINE),
    "role": re.compile(r"\{[\w:+-]+\}`"),
    "directive fence": re.compile(r"^\s*(`{3,}|:{3,})\s*\{[\w:+-]+\}", re.MULTILINE),
}


def myst_left(text: str) -> list[str]:
    """The kinds of MyST syntax found in ``text`` (the Markdown of a notebook cell)."""
    return [kind for kind, pattern in MYST_SYNTAX.items() if pattern.search(text)]


def test_text_is_escaped_only_where_markdown_would_read_it():
    assert escape("Derek G. Murray, 2016. (a) 3.5-fold") == "Derek G. Murray, 2016. (a) 3.5-fold"
    assert escape("a*b costs $5 in `x` <b> my_var _x_") == "a\\*b costs \\$5 in \\`x\\` \\<b> my_var \\_x\\_"


def chapter_words(language: str) -> dict:
    return EDITION_SETTINGS[language]["notebook_words"]


def code_cell(index: int) -> nodes.container:
    return nodes.container("", nb_element="cell_code", cell_index=index, classes=["cell"])


def test_exercises_solutions_tabs_and_admonitions_become_their_cells():
    from sphinx_design.tabs import sd_tab_label
    from sphinx_exercise.nodes import exercise_enumerable_node, solution_node

    exercise = exercise_enumerable_node(
        "", nodes.title("", " (Two)"), nodes.paragraph("", "Add 1 and 1."), ids=["ex-a"], label="ex-a"
    )
    solution = solution_node(
        "", nodes.title("", "Solution to Exercise 5.1"), code_cell(7), nodes.paragraph("", "Two."), target_label="ex-a"
    )
    tabs = nodes.container("", sd_tab_label("", "TensorFlow"), code_cell(3), sd_tab_label("", "PyTorch"), code_cell(4))
    note = nodes.note("", nodes.paragraph("", "Mind it."), nodes.paragraph("", "Twice."))
    document = nodes.section("", nodes.title("", "Sums"), tabs, note, exercise, solution, ids=["sums"])
    chapter = Chapter(chapter_words("ko"), sections={"": "5"}, exercises={"ex-a": "5.1"}, admonitions={"note": "참고"})
    pieces = chapter_pieces(document, chapter)
    shown = [(type(p).__name__, p.text if hasattr(p, "text") else p.index, p.solution) for p in pieces]
    assert shown == [
        ("Markdown", "# 5. Sums\n\n**TensorFlow**", False),
        ("Code", 3, False),
        ("Markdown", "**PyTorch**", False),
        ("Code", 4, False),
        ("Markdown", "> **참고**\n>\n> Mind it.\n>\n> Twice.", False),
        ("Markdown", "### 연습 5.1 (Two)\n\nAdd 1 and 1.", False),
        ("Markdown", "#### 해답 5.1", True),
        ("Code", 7, True),
        ("Markdown", "Two.", True),
    ]


def test_a_reference_is_a_link_or_a_mark_and_a_heading_has_its_number():
    section = nodes.section("", ids=["rate"])
    paragraph = nodes.paragraph("", "See ")
    paragraph += nodes.reference("", "Learning rate", internal=True, refuri="descent.html#rate")
    paragraph += nodes.Text(", ")
    paragraph += nodes.reference("", "that section", internal=True, refuri="descent.html#rate")
    paragraph += nodes.Text(" and ")
    paragraph += nodes.reference("", "Kingma and Ba, 2015", internal=True, refuri="references.html#id3")
    section += [nodes.title("", "Learning rate"), paragraph]
    document = nodes.section("", nodes.title("", "Descent"), section, ids=["descent"])
    targets = {"descent.html#rate": Target("3.2", "Learning rate"), "references.html#id3": Target()}
    chapter = Chapter(chapter_words("en"), targets=targets, sections={"": "3", "rate": "3.2"})
    pieces = chapter_pieces(document, chapter)
    assert [p.text for p in pieces] == [
        "# 3. Descent\n\n## 3.2. Learning rate\n\n"
        "See §3.2 “Learning rate”, that section (§3.2 “Learning rate”) and Kingma and Ba, 2015"
    ]
    korean = Chapter(chapter_words("ko"), targets=targets, sections={"": "3", "rate": "3.2"})
    assert "See §3.2 「Learning rate」" in chapter_pieces(document, korean)[0].text
    published = {uri: Target(t.number, t.title, f"https://example.net/en/{uri}") for uri, t in targets.items()}
    text = chapter_pieces(document, Chapter(chapter_words("en"), targets=published))[0].text
    assert "See [Learning rate](https://example.net/en/descent.html#rate), [that section](" in text
    assert "and [Kingma and Ba, 2015](https://example.net/en/references.html#id3)" in text


# --- the framework check -----------------------------------------------------------------------


def fake_versions(monkeypatch, versions: dict[str, str]) -> None:
    def version(name: str) -> str:
        if name not in versions:
            raise importlib.metadata.PackageNotFoundError(name)
        return versions[name]

    monkeypatch.setattr(frameworks.importlib.metadata, "version", version)


def test_check_frameworks_names_a_missing_framework(monkeypatch):
    fake_versions(monkeypatch, {"torch": "2.5.1"})
    with pytest.raises(FrameworkError) as error:
        check_frameworks()
    assert str(error.value) == (
        'TensorFlow is not installed, and the book needs >=2.16,<3: run pip install "tensorflow>=2.16,<3" '
        "and restart the kernel."
    )


def test_check_frameworks_names_an_out_of_range_version(monkeypatch):
    fake_versions(monkeypatch, {"tensorflow-cpu": "2.15.1", "torch": "2.5.1"})
    with pytest.raises(FrameworkError) as error:
        check_frameworks()
    assert str(error.value) == (
        "TensorFlow 2.15.1 (tensorflow-cpu) is installed, but the book needs >=2.16,<3: "
        'run pip install "tensorflow-cpu>=2.16,<3" and restart the kernel.'
    )
    fake_versions(monkeypatch, {"tensorflow": "2.19.0", "torch": "3.0.0"})
    with pytest.raises(
        FrameworkError, match=re.escape("PyTorch 3.0.0 (torch) is installed, but the book needs >=2.2,<3")
    ):
        check_frameworks()


def test_check_frameworks_accepts_any_tensorflow_distribution_in_range(monkeypatch):
    fake_versions(monkeypatch, {"tensorflow": "2.16.0rc0", "torch": "2.2.0+cpu"})
    assert check_frameworks() == {"TensorFlow": "2.16.0rc0", "PyTorch": "2.2.0+cpu"}
    assert check_frameworks.__module__ == "dlbook.frameworks" and "check_frameworks" in __import__("dlbook").__all__


def test_versions_must_be_version_strings():
    assert release("2.13.0+cpu") == (2, 13, 0)
    with pytest.raises(TypeError, match="expected a version string"):
        release(2.13)
    with pytest.raises(ValueError, match=r"expected a version string such as '2\.16\.1', got 'latest'"):
        release("latest")


# --- the wheel ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return ship_wheel(tmp_path_factory.mktemp("downloads"))


def wheel_metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(archive.read(name))


def test_the_wheel_installs_beside_any_supported_framework(wheel):
    metadata = wheel_metadata(wheel)
    python = SpecifierSet(metadata["Requires-Python"])
    assert all(f"3.{minor}.0" in python for minor in (10, 11, 12, 13)), python
    assert "3.9.0" not in python and "3.14.0" not in python
    requirements = [Requirement(r) for r in metadata.get_all("Requires-Dist") if "extra ==" not in r]
    assert not [str(r) for r in requirements if any(s.operator in {"==", "==="} for s in r.specifier)]
    names = {r.name for r in requirements}
    assert not names & {"tensorflow-cpu", "tensorflow"}, "a TensorFlow distribution would replace the reader's"
    # the package's torch range is the one dlbook.check_frameworks reports
    torch = next(r for r in requirements if r.name == "torch")
    pytorch = next(f for f in FRAMEWORKS if f.name == "PyTorch")
    assert torch.specifier == SpecifierSet(pytorch.range)


def test_the_wheel_holds_the_library_alone(wheel):
    """What readers install is dlbook and its metadata: not the build, which needs Sphinx."""
    library = ROOT / "src" / "dlbook"
    files = {
        f"dlbook/{p.relative_to(library).as_posix()}"
        for p in library.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    metadata = f"dlbook-{importlib.metadata.version('dlbook')}.dist-info/"
    assert [n for n in names if not n.startswith(("dlbook/", metadata))] == []
    assert {n for n in names if n.startswith("dlbook/")} == files and "dlbook/py.typed" in files
    assert "Provides-Extra" not in wheel_metadata(wheel), "the build's extras belong to dlbook-build"
    assert wheel.parent.name == f"dlbook-{wheel_hash()}"


def test_a_stale_wheel_cannot_ship(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, project / name)
    shutil.copytree(ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    downloads = tmp_path / "downloads"
    first = ship_wheel(downloads, project)
    assert (
        ship_wheel(downloads, project) == first
        and first.stat().st_mtime_ns == ship_wheel(downloads, project).stat().st_mtime_ns
    )
    # a change to the build is not a change to the wheel
    publish = project / "src" / "dlbook_build" / "publish.py"
    publish.write_text(publish.read_text(encoding="utf-8") + "\nCHANGED_IN_THE_BUILD = True\n", encoding="utf-8")
    assert (
        ship_wheel(downloads, project) == first
        and first.stat().st_mtime_ns == ship_wheel(downloads, project).stat().st_mtime_ns
    )

    history = project / "src" / "dlbook" / "history.py"
    history.write_text(
        history.read_text(encoding="utf-8") + "\nCHANGED_AFTER_THE_FIRST_WHEEL = True\n", encoding="utf-8"
    )
    second = ship_wheel(downloads, project)
    assert second != first and not first.exists()
    assert sorted(p.relative_to(downloads) for p in downloads.rglob("*.whl")) == [second.relative_to(downloads)]
    with zipfile.ZipFile(second) as archive:
        assert b"CHANGED_AFTER_THE_FIRST_WHEEL" in archive.read("dlbook/history.py")


# --- the built site ----------------------------------------------------------------------------


def served_notebooks(site: Path, edition: str) -> list[Path]:
    return sorted((site / edition / NOTEBOOKS).rglob("*.ipynb"))


def wheel_of(notebook: nbformat.NotebookNode) -> str:
    found = re.search(r'^WHEEL = "([^"]+)"$', notebook.cells[1].source, re.MULTILINE)
    assert found, "the install cell assigns no WHEEL"
    return found.group(1)


@pytest.mark.parametrize("edition", EDITIONS)
def test_each_chapter_offers_its_notebook(site, edition):
    for name in CHAPTERS:
        here = site / edition / f"{name}.html"
        link = built_page(here).select_one("a.notebook-download")
        assert link is not None, f"{edition}/{name}.html offers no notebook"
        path = here.parent / link["href"]
        notebook = nbformat.read(path, as_version=4)
        intro, install = notebook.cells[0], notebook.cells[1]
        # a local build has no address: the first cell names the page, and links nowhere (nor from the zip or Colab)
        assert intro.cell_type == "markdown" and f"`{name}.html`" in intro.source and "](" not in intro.source
        assert install.cell_type == "code" and "frameworks.check_frameworks()" in install.source
        assert (path.parent / wheel_of(notebook)).is_file(), f"{path} installs {wheel_of(notebook)}, which is not there"
        code = [c for c in notebook.cells[2:] if c.cell_type == "code"]
        assert code and any(c.get("outputs") for c in code), f"{edition}/{name}: the notebook has no outputs"
        rich = [kind for c in code for o in c.outputs for kind in o.get("data", {}) if kind != "text/plain"]
        assert not rich, f"{edition}/{name}: figures and players belong to the run, not the download: {set(rich)}"


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_site_ships_one_wheel_of_the_current_source(site, edition):
    wheels = list((site / edition / DOWNLOADS).rglob("*.whl"))
    assert [w.parent.name for w in wheels] == [f"dlbook-{wheel_hash()}"], wheels


@pytest.mark.parametrize("edition", EDITIONS)
def test_no_downloaded_notebook_shows_myst(site, edition):
    notebooks = served_notebooks(site, edition)
    assert len(notebooks) == len(CHAPTERS)
    for path in notebooks:
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "markdown":
                assert not myst_left(cell.source), (
                    f"{path.name} cell {index} shows MyST ({myst_left(cell.source)}):\n{cell.source}"
                )


def marks(text: str, language: str) -> list[tuple[str, str]]:
    """The cross-reference marks in a notebook's Markdown: (number, title)."""
    pattern = re.escape(EDITION_SETTINGS[language]["notebook_words"]["ref_mark"])
    pattern = pattern.replace(r"\{number\}", r"(?P<number>[\d.]+)").replace(r"\{title\}", r"(?P<title>[^”」]+)")
    return [(m.group("number"), m.group("title")) for m in re.finditer(pattern, text)]


@pytest.mark.parametrize("edition", EDITIONS)
def test_cross_references_keep_a_mark_with_the_sites_number_and_title(site, edition):
    """Without an address, a reference reads "§3.2 “Title”": the number and title of the section it names."""
    manifest = read_manifest(site.parent / "sphinx" / edition / "html")
    numbered = {(c["number"], c["title"]) for c in manifest["chapters"]}
    numbered |= {(s["number"], s["title"]) for c in manifest["chapters"] for s in c["sections"] if s["number"]}
    found = []
    for path in served_notebooks(site, edition):
        cells = nbformat.read(path, as_version=4).cells
        found += marks("\n".join(c.source for c in cells if c.cell_type == "markdown"), edition)
        # as text: escapes and code-span ticks (the manifest's titles are plain text) off
        headings = {
            re.sub(r"\\(.)|[`$]", r"\1", h) for c in cells for h in re.findall(r"^#+ (.+)$", c.source, re.MULTILINE)
        }
        for number, title in manifest_sections(manifest, path.stem):
            assert f"{number}. {title}" in headings, f"{path.name}: no heading for {number} {title}"
    assert len(found) >= 10, found
    assert not set(found) - numbered, set(found) - numbered


def manifest_sections(manifest: dict, docname: str) -> list[tuple[str, str]]:
    chapter = next((c for c in manifest["chapters"] if c["docname"] == docname), None)
    if chapter is None:
        return []
    return [(chapter["number"], chapter["title"])] + [
        (s["number"], s["title"]) for s in chapter["sections"] if s["number"]
    ]


@pytest.mark.parametrize("edition", EDITIONS)
def test_citations_are_author_year_and_the_references_read_plainly(site, edition):
    notebook = nbformat.read(site / edition / NOTEBOOKS / "tensors.ipynb", as_version=4)
    heading = f"## {EDITION_SETTINGS[edition]['notebook_words']['references']}\n\n"
    references = [c.source for c in notebook.cells if c.source.startswith(heading)]
    assert len(references) == 1 and notebook.cells[-1].source == references[0]
    entries = references[0].removeprefix(heading).splitlines()
    assert entries and all(e.startswith("- ") for e in entries)
    # (pybtex ties a first name to its initial with a no-break space, as on the site)
    assert "Derek G. Murray" in references[0].replace("\xa0", " ") and not re.search(r"\\[^$*`<_\\]", references[0]), (
        references[0]
    )
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "[Abadi *et al.*, 2016]" in text  # as the site shows it: author, year, "et al." in italics


#: what the Korean notebooks' own words may hold in Latin letters: names, and what a reader types
KOREAN_WORDS_LATIN = {"dlbook", "pip", "zip", "BOOK_BASE_URL", "TensorFlow", "PyTorch"}


def latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z][A-Za-z_]*", text))


def prose(markdown: str) -> str:
    """Markdown without its code, math and link targets: what a reader reads as sentences."""
    markdown = re.sub(r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$", " ", markdown, flags=re.DOTALL)
    return re.sub(r"\]\([^)]*\)", "]", markdown)


def test_korean_notebooks_add_no_english(site):
    """The Korean notebooks' prose has only the Latin words of its page; their install cell speaks Korean."""

    def words_of(page: str) -> set[str]:
        article = built_page(site / "ko" / page).select_one("article")
        assert article, f"ko/{page} has no article"
        return latin_words(article.get_text(" "))

    bibliography = words_of("references.html")  # the works cited, listed as the site's references page lists them
    for path in served_notebooks(site, "ko"):
        article = words_of(f"{path.stem}.html") | bibliography
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells[:1] + notebook.cells[2:]:
            if cell.cell_type == "markdown":
                extra = latin_words(prose(cell.source)) - article
                assert not extra, f"{path.name}: English the page does not have: {extra}\n{cell.source}"
        install = notebook.cells[1].source
        comments = [
            t.string for t in tokenize.generate_tokens(io.StringIO(install).readline) if t.type == tokenize.COMMENT
        ]
        said = " ".join(comments + list(assigned_words(install).values()))
        assert re.search("[가-힣]", said) and latin_words(re.sub(r"\{\w+\}", "", said)) <= KOREAN_WORDS_LATIN, said


@pytest.mark.parametrize("edition", EDITIONS)
def test_exercise_numbers_are_the_sites(site, edition):
    for name in CHAPTERS:
        soup = built_page(site / edition / f"{name}.html")
        on_site = [re.sub(r"[^\d.]", "", s.get_text()) for s in soup.select(".exercise .caption-number")]
        notebook = nbformat.read(site / edition / NOTEBOOKS / f"{name}.ipynb", as_version=4)
        word = re.escape(EDITION_SETTINGS[edition]["notebook_words"]["exercise"])
        headings = [re.match(rf"### {word} ([\d.]+)\n", c.source) for c in notebook.cells if c.cell_type == "markdown"]
        assert [h.group(1) for h in headings if h] == on_site, name


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_home_page_offers_every_notebook_in_one_zip(site, edition, tmp_path):
    home = site / edition / "index.html"
    link = built_page(home).select_one("a.notebook-download")
    assert link is not None and link["href"] == f"{DOWNLOADS}/{zip_name(edition)}"
    with zipfile.ZipFile(home.parent / link["href"]) as archive:
        archive.extractall(tmp_path)
    unpacked = sorted(tmp_path.rglob("*.ipynb"))
    assert [p.name for p in unpacked] == [p.name for p in served_notebooks(site, edition)]
    for path in unpacked:
        notebook = nbformat.read(path, as_version=4)
        assert (path.parent / wheel_of(notebook)).is_file(), (
            f"{path.name}: the wheel is not where the unpacked notebook looks"
        )


# --- a student's first run ---------------------------------------------------------------------

#: what a student's machine has and the book does not bring: everything but dlbook
OURS = re.compile(r"^(_?_?editable__.*dlbook.*|dlbook.*|__editable___dlbook.*)$", re.IGNORECASE)


@pytest.fixture(scope="session")
def preinstalled(tmp_path_factory) -> Path:
    return preinstalled_packages(tmp_path_factory)


def preinstalled_packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test environment's packages without dlbook: symlinks, as a machine with the frameworks has them."""
    folder = tmp_path_factory.mktemp("preinstalled")
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not OURS.match(entry.name) and entry.name != "__pycache__":
            (folder / entry.name).symlink_to(entry)
    return folder


def student_python(root: Path, preinstalled: Path) -> Path:
    """A fresh venv that sees the preinstalled packages (as a site folder, .pth files and all) but not dlbook."""
    venv.create(root, with_pip=False, symlinks=True)
    python = root / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "preinstalled.pth").write_text(
        f"import site; site.addsitedir({str(preinstalled)!r})\n", encoding="utf-8"
    )
    return python


def installed(python: Path, env: dict) -> dict[str, str]:
    result = subprocess.run(
        [python, "-m", "pip", "list", "--format=json"], capture_output=True, text=True, env=env, check=True
    )
    return {p["name"].lower(): p["version"] for p in json.loads(result.stdout)}


def comparable(text: str) -> str:
    return re.sub(r"0x[0-9a-f]+", "0x…", text)


#: what the site's kernels compute with that a student's machine does not set: the install cell does
SET_BY_THE_INSTALL_CELL = {"TF_ENABLE_ONEDNN_OPTS"}


def student_env(python: Path) -> dict:
    """The student's environment: none of the book's pip settings; the preinstalled commands on PATH, as on Colab."""
    left_out = {"PIP_CONSTRAINT", "PYTHONPATH", "VIRTUAL_ENV", *SET_BY_THE_INSTALL_CELL}
    env = {k: v for k, v in os.environ.items() if k not in left_out}
    # (graphviz-pure's renderer is a command of the preinstalled packages)
    scripts = sysconfig.get_paths()["scripts"]
    kernel = {k: v for k, v in KERNEL_ENV.items() if k not in SET_BY_THE_INSTALL_CELL}
    return env | {**kernel, "PATH": os.pathsep.join([str(python.parent), scripts, env["PATH"]])}


def test_the_install_cell_computes_as_the_sites_kernels_do():
    """oneDNN off, as in the kernels that printed the site's numbers (with it on, last digits differ), unless set."""
    cell = install_cell("dlbook.whl").source
    for name in SET_BY_THE_INSTALL_CELL:
        assert f'os.environ.setdefault("{name}", "{KERNEL_ENV[name]}")' in cell
        assert cell.index(f'os.environ.setdefault("{name}"') < cell.index("pip_install(")


def run_as_student(notebook: nbformat.NotebookNode, python: Path, env: dict, folder: Path, kernels: Path) -> None:
    """Run the notebook's code cells, outputs cleared, in a kernel of the student's Python, from ``folder``."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    (kernels / "student").mkdir(parents=True)
    spec = {
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "student",
        "language": "python",
    }
    (kernels / "student" / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    manager = KernelManager(kernel_name="student", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(
        notebook, km=manager, timeout=600, allow_errors=True, resources={"metadata": {"path": str(folder)}}
    ).execute(env=env)


def served_downloads(site: Path, tmp_path: Path) -> Path:
    """The edition's downloads as a student finds them beside the site."""
    return shutil.copytree(
        site / STUDENT_RUN_EDITION / DOWNLOADS, tmp_path / "site" / DOWNLOADS, ignore=shutil.ignore_patterns("*.zip")
    )


@pytest.fixture(scope="session")
def student_runs(site, tmp_path_factory) -> dict[str, tuple]:
    """The runs of :func:`run_as_students`, which started once the site was built."""
    return background.result("student_runs", site, tmp_path_factory)


@background.after_the_build("student_runs")
def run_as_students(site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """Each chapter's notebook as served, run in a fresh venv with the frameworks but no dlbook, one per core.

    Per chapter: the notebook as served, the notebook as run, and pip's list before and after.
    """
    preinstalled = preinstalled_packages(tmp_path_factory)

    def run(chapter: str) -> tuple:
        tmp_path = tmp_path_factory.mktemp(f"student-{chapter}")
        path = served_downloads(site, tmp_path) / "notebooks" / f"{chapter}.ipynb"
        served = nbformat.read(path, as_version=4)
        python = student_python(tmp_path / "venv", preinstalled)
        env = student_env(python)
        assert subprocess.run([python, "-c", "import dlbook"], env=env, capture_output=True).returncode != 0, (
            "the venv sees dlbook"
        )
        before = installed(python, env)
        notebook = nbformat.read(path, as_version=4)
        run_as_student(notebook, python, env, path.parent, tmp_path / "kernels")
        return served, notebook, before, installed(python, env)

    # the longest first (by the build's run), so no core idles at the end
    known = last_seconds(CACHE_PATH)
    order = sorted(CHAPTERS, key=lambda name: -known.get(str(BOOK / STUDENT_RUN_EDITION / f"{name}.md"), float("inf")))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return dict(zip(order, pool.map(run, order), strict=True))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_student_runs_the_downloaded_chapter(student_runs, chapter):
    """The notebook as served, run in a fresh venv with the frameworks but no dlbook: pip adds dlbook only."""
    served, notebook, before, after = student_runs[chapter]
    assert {n: v for n, v in after.items() if before.get(n) != v} == {"dlbook": importlib.metadata.version("dlbook")}
    assert re.search(r"^dlbook \S+ is ready \(TensorFlow", cell_text(notebook.cells[1]), re.MULTILINE), cell_text(
        notebook.cells[1]
    )
    for index, (ran, shown) in enumerate(zip(notebook.cells[2:], served.cells[2:], strict=True), start=2):
        if ran.cell_type == "code":
            printed = cell_text({"outputs": [o for o in ran.outputs if is_text_output(o)]})  # what the download keeps
            assert comparable(printed) == comparable(cell_text(shown)), (
                f"{chapter}: cell {index} printed otherwise:\n{ran.source}"
            )


def test_a_student_with_an_old_pytorch_is_stopped_by_the_first_cell(site, preinstalled, tmp_path):
    """PyTorch 1.13 on the student's machine: the install cell says so in one sentence and changes nothing else."""
    old = tmp_path / "old-torch"
    old.mkdir()
    for entry in preinstalled.iterdir():
        if not re.match(r"torch-[\d.]+.*\.dist-info$", entry.name):
            (old / entry.name).symlink_to(entry.resolve())
    (old / "torch-1.13.1.dist-info").mkdir()
    (old / "torch-1.13.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: torch\nVersion: 1.13.1\n", encoding="utf-8"
    )
    path = served_downloads(site, tmp_path) / "notebooks" / "tensors.ipynb"
    python = student_python(tmp_path / "venv", old)
    env = student_env(python)
    before = installed(python, env)
    assert before["torch"] == "1.13.1"

    notebook = nbformat.read(path, as_version=4)
    notebook.cells = notebook.cells[:2]  # the chapter's introduction and the install cell
    run_as_student(notebook, python, env, path.parent, tmp_path / "kernels")

    errors = [o for o in notebook.cells[1].outputs if o.output_type == "error"]
    assert [e.ename for e in errors] == ["FrameworkError"], cell_text(notebook.cells[1])
    assert errors[0].evalue.startswith("PyTorch 1.13.1 (torch) is installed, but the book needs >=2.2,<3")
    after = installed(python, env)
    assert {n: v for n, v in after.items() if before.get(n) != v} == {"dlbook": importlib.metadata.version("dlbook")}


def assigned_words(source: str) -> dict[str, str]:
    """The WORDS an install cell assigns."""
    module = ast.parse(source)
    return ast.literal_eval(
        next(
            n.value
            for n in module.body
            if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name) and n.targets[0].id == "WORDS"
        )
    )


def test_the_install_cell_is_the_script_with_its_wheel_and_words_filled_in():
    words = EDITION_SETTINGS["ko"]["install_words"]
    cell = install_cell("../dlbook-0123/dlbook-0.1.0-py3-none-any.whl", words)
    script = INSTALL_CELL.read_text(encoding="utf-8")
    assert cell.cell_type == "code" and cell.source.splitlines()[0] == f"# {words['comment']}"
    assert re.findall(r"^WHEEL = .*$", cell.source, re.MULTILINE) == [
        'WHEEL = "../dlbook-0123/dlbook-0.1.0-py3-none-any.whl"'
    ]
    assert assigned_words(cell.source) == {key: value for key, value in words.items() if key != "comment"}
    assert cell.source.splitlines()[-1] == script.splitlines()[-1] and '"""' not in cell.source


def run_install_cell(
    wheel: str, preinstalled: Path, tmp_path: Path, words: dict | None = None
) -> subprocess.CompletedProcess:
    """The install cell for ``wheel``, run as a script by a fresh Python that has the frameworks but not dlbook."""
    python = student_python(tmp_path / "venv", preinstalled)
    env = student_env(python)
    assert subprocess.run([python, "-c", "import dlbook"], env=env, capture_output=True).returncode != 0, (
        "the venv sees dlbook"
    )
    return subprocess.run(
        [python, "-c", install_cell(wheel, words).source], env=env, capture_output=True, text=True, cwd=tmp_path
    )


def test_the_install_cell_installs_the_wheel_and_checks_the_frameworks(wheel, preinstalled, tmp_path):
    result = run_install_cell(str(wheel), preinstalled, tmp_path, EDITION_SETTINGS["ko"]["install_words"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.fullmatch(r"dlbook \S+ 준비 완료 \(TensorFlow \S+, PyTorch \S+\)\n", result.stdout), result.stdout


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_lone_notebook_of_a_local_build_says_what_to_do(site, preinstalled, edition, tmp_path):
    """A notebook from a local build, run without its wheel: one sentence in its edition's language, no traceback."""
    lone = tmp_path / "lone.ipynb"
    shutil.copy2(site / edition / NOTEBOOKS / "tensors.ipynb", lone)
    notebook = nbformat.read(lone, as_version=4)
    notebook.cells = notebook.cells[:3]  # the introduction, the install cell, the chapter's title
    python = student_python(tmp_path / "venv", preinstalled)
    before = installed(python, student_env(python))
    run_as_student(notebook, python, student_env(python), tmp_path, tmp_path / "kernels")
    outputs = notebook.cells[1].outputs
    assert [o.output_type for o in outputs] == ["error"], outputs
    assert outputs[0].traceback == [EDITION_SETTINGS[edition]["install_words"]["no_wheel"]]
    assert installed(python, student_env(python)) == before


def test_the_framework_check_needs_only_the_standard_library():
    """The install cell loads dlbook/frameworks.py alone, before dlbook's requirements are installed."""
    import ast
    import sys

    tree = ast.parse(Path(frameworks.__file__).read_text(encoding="utf-8"))
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert {m.split(".")[0] for m in modules} <= set(sys.stdlib_module_names) | {"__future__"}, modules
