"""The PDF of each edition, built as `tox -e pdf` builds it (tools/build_pdf.py, xelatex).

Needs TeX on PATH (`sudo bash tests/pdf/ensure_tex.sh` on Debian): the tests
that use the ``pdfs`` fixture are skipped without it, or fail with CI=true
(tests/conftest.py, tests/external.py). The PDFs are read back with poppler's pdftotext and pdffonts, as a reader's
viewer would read them.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import background
from book_structure import EDITIONS, ROOT, chapter_pages, manifest
from dlbook_build.manifest import chapter_names
from dlbook_build.pdf import PdfDirs, missing_characters
from dlbook_build.project import DIRS, EDITIONS as EDITION_SETTINGS
from external import TEX_COMMANDS, missing_commands
from test_lecture_numbers import LECTURE_NUMBERS, printed_whole

pytestmark = pytest.mark.book  # typesets the PDFs


@background.after_the_build("typeset_pdfs")
def typeset(site: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, PdfDirs], Path, subprocess.Popen]:
    """Both editions' PDFs built into _build/pdf/ with the shared jupyter-cache, as `tox -e pdf` builds them.

    The English student PDF (--no-solutions, no chapter files) builds
    meanwhile in its own folder: the editions' two builds leave a core idle
    while the longer one finishes. Returns the editions' PDFs, the student
    PDF's build folder and its process (``student_pdf`` waits for it).
    """
    if missing_commands(TEX_COMMANDS):
        raise RuntimeError("no TeX: the tests that need it say so (require_tex)")
    build_dir = tmp_path_factory.mktemp("student-pdf") / "build"
    build_dir.mkdir()
    command = [sys.executable, str(ROOT / "tools" / "build_pdf.py"), "--edition", "en", "--no-chapters",
               "--no-solutions", "--build-dir", str(build_dir), "--cache", str(DIRS.cache)]  # fmt: skip
    with open(build_dir / "build.log", "w", encoding="utf-8") as log:
        student = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "tools" / "build_pdf.py")], cwd=ROOT, capture_output=True, text=True
        )
    except BaseException:
        student.kill()
        raise
    assert result.returncode == 0, f"the PDF build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    return {language: PdfDirs(DIRS.root, language) for language in EDITIONS}, build_dir, student


@pytest.fixture(scope="session")
def typeset_pdfs(site, tmp_path_factory) -> Iterator[tuple[dict[str, PdfDirs], Path, subprocess.Popen]]:
    """The PDFs of :func:`typeset`, started once the site was built; the student PDF's build stopped at the end."""
    typeset = background.result("typeset_pdfs", site, tmp_path_factory)
    yield typeset
    student = typeset[2]
    if student.poll() is None:
        student.kill()
        student.wait()


@pytest.fixture(scope="session")
def pdfs(typeset_pdfs) -> dict[str, PdfDirs]:
    """Both editions' PDFs."""
    return typeset_pdfs[0]


@pytest.fixture(scope="session")
def student_pdf(typeset_pdfs) -> PdfDirs:
    """The English student PDF, once its build has finished."""
    _, build_dir, process = typeset_pdfs
    log = (build_dir / "build.log").read_text(encoding="utf-8") if process.wait() else ""
    assert process.returncode == 0, f"the student PDF failed:\n{log[-6000:]}"
    return PdfDirs(build_dir, "en")


def pdf_text(pdf) -> str:
    """The PDF's text as pdftotext reads it, whitespace collapsed (line breaks fall anywhere in prose)."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


def pdf_manifest(pdfs: dict[str, PdfDirs], language: str) -> dict:
    """The manifest the LaTeX build of the edition wrote."""
    return manifest(language, pdfs[language].latex)


@pytest.mark.parametrize("language", EDITIONS)
def test_every_chapter_title_is_in_the_pdf(pdfs, language):
    text = pdf_text(pdfs[language].pdf)
    pages = [*pdf_manifest(pdfs, language)["chapters"], *pdf_manifest(pdfs, language)["back_matter"]]
    assert pages, "the LaTeX build's manifest lists no chapter"
    missing = [page["title"] for page in pages if page["title"] not in text]
    assert not missing, f"{pdfs[language].pdf} lacks the chapter titles {missing}"


@pytest.mark.parametrize("language", EDITIONS)
def test_the_pdf_has_the_sites_chapters_sections_and_exercises(site, pdfs, language):
    def outline(built: dict) -> list[tuple]:
        return [(c["docname"], c["number"], c["title"], c["sections"], c["exercises"]) for c in built["chapters"]]

    assert outline(pdf_manifest(pdfs, language)) == outline(manifest(language))


@pytest.mark.parametrize("language", EDITIONS)
def test_each_numbered_chapter_has_its_own_pdf_that_starts_with_it(pdfs, language):
    chapters = pdf_manifest(pdfs, language)["chapters"]
    files = sorted(pdfs[language].chapters.glob("*.pdf"))
    assert [f.name for f in files] == [f"{int(c['number']):02d}-{c['docname']}.pdf" for c in chapters]
    for chapter, pdf in zip(chapters, files, strict=True):
        # the chapter heading style may print the title in capitals
        text = pdf_text(pdf).casefold()
        assert chapter["title"].casefold() in text[:400], f"{pdf} does not open with chapter {chapter['number']}"


@pytest.mark.parametrize("language", EDITIONS)
@pytest.mark.parametrize("chapter", sorted(LECTURE_NUMBERS))
def test_the_chapter_pdf_prints_the_lecture_numbers(pdfs, language, chapter):
    number = chapter_names(pdf_manifest(pdfs, language)).index(chapter) + 1
    pdf = pdfs[language].chapters / f"{number:02d}-{chapter}.pdf"
    text = pdf_text(pdf)
    missing = [n for n in LECTURE_NUMBERS[chapter] if not printed_whole(n, text)]
    assert not missing, f"{pdf} does not print the lecture's {missing}"


@pytest.mark.parametrize("language", EDITIONS)
def test_every_font_is_embedded(pdfs, language):
    listing = subprocess.run(["pdffonts", str(pdfs[language].pdf)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows, "pdffonts lists no font"
    # columns: name, type (may have spaces), encoding, emb, sub, uni, object ID
    not_embedded = [row for row in rows if row.split()[-5] != "yes"]
    assert not not_embedded, "fonts not embedded:\n" + "\n".join(not_embedded)
    if language == "ko":
        assert any("Nanum" in row for row in rows), "the Korean edition is not set in a Korean (Nanum) font"


@pytest.mark.parametrize("language", EDITIONS)
def test_the_latex_log_has_no_missing_character(pdfs, language):
    log = pdfs[language].log.read_text(errors="replace")
    assert "Output written on" in log
    assert not missing_characters(log)


@pytest.mark.parametrize("language", EDITIONS)
def test_no_output_falls_back_to_its_python_repr(pdfs, language):
    """Animations print key frames and diagrams print as vectors, not as ``<Animation: 21 frames>``."""
    text = pdf_text(pdfs[language].pdf)
    assert "<Animation:" not in text and "<Diagram:" not in text
    words = EDITION_SETTINGS[language]["latex"]["animation"].split("{")[0].strip()
    assert words in text, f"no animation caption ({words!r}) in {pdfs[language].pdf}"


def test_missing_characters_are_read_from_the_log():
    log = "Overfull \\hbox\nMissing character: There is no 가 (U+AC00) in font FreeSerif/OT:script=latn;!\n[12]\n"
    assert missing_characters(log) == ["Missing character: There is no 가 (U+AC00) in font FreeSerif/OT:script=latn;!"]
    assert missing_characters("Output written on dlbook-en.pdf (3 pages).") == []


def test_the_student_pdf_has_no_solution(site, pdfs, student_pdf):
    """The student PDF (--no-solutions) has no solution: no solution's title, and every solution's line printed less.

    pdftotext runs all text together, so a solution's line may also stand inside
    other text (an exercise quotes the code its solution runs): each line must
    be printed fewer times than in the normal PDF, which holds the solution.
    """
    from test_instructors import solution_only_lines, soup_of

    normal, student = pdf_text(pdfs["en"].pdf), pdf_text(student_pdf.pdf)
    assert "Solution to Exercise" in normal and "Solution to Exercise" not in student
    checked = 0
    for relative in chapter_pages("en"):
        for lines in solution_only_lines(soup_of(site, "en", relative)):
            for line in {" ".join(line.split()) for line in lines}:
                if line in normal:
                    assert student.count(line) < normal.count(line), (
                        f"the student PDF prints {line!r} from a solution of {relative}"
                    )
                    checked += 1
    assert checked >= 20, f"only {checked} solution lines found in the normal PDF"
