"""Build a PDF of every edition: ``python tools/build_pdf.py`` (what ``tox -e pdf`` runs).

Each edition is written as LaTeX by Sphinx's LaTeX builder (one
``sphinx-build -b latex -n -W --keep-going`` per edition, the one ``conf.py``;
:mod:`dlbook_build.sphinx.latex` gives each edition its fonts and prints
animations as key frames), then typeset by xelatex through latexmk, with
Sphinx's generated ``latexmkrc``. TeX comes from Debian
(``bash tests/pdf/ensure_tex.sh``). A build fails on a character missing from
the fonts, which xelatex only logs.

Output, for each edition, in ``<build>/pdf/<language>/``:

- ``dlbook-<language>.pdf``: the book;
- ``chapters/<NN>-<chapter>.pdf``: each numbered chapter alone (the chapters
  of the build's manifest, :mod:`dlbook_build.manifest`), cut from the book's
  pages (qpdf), so its page, figure and equation numbers are the book's;
- ``latex/`` (the LaTeX sources and the log) and ``doctrees/``.

The PDFs are not part of the published site: both editions' books and
chapters would add about 25 MB to a site whose budget is 25 MiB. Publish them
as release files. ``--no-solutions`` builds the student PDFs, as the HTML's
student build does.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from dlbook_build.build import add_build_arguments, build_dirs
from dlbook_build.manifest import chapter_names, read_manifest
from dlbook_build.project import EDITIONS, ROOT, BuildDirs, document_name

#: A lost character in xelatex's log: "Missing character: There is no 한 (U+D55C) in font FreeSerif:..."
MISSING_CHARACTER = re.compile(r"^Missing character: .*$", re.MULTILINE)
_DEST = re.compile(r"^\s*(\d+)\s+\[.*?\]\s+\"(chapter\.\d+|chapter\*\.\d+)\"", re.MULTILINE)


@dataclass(frozen=True)
class PdfDirs:
    """The folders of one edition's PDF build, under ``<build>/pdf/<language>/``."""

    root: Path
    language: str

    @property
    def base(self) -> Path:
        return self.root / "pdf" / self.language

    @property
    def latex(self) -> Path:
        return self.base / "latex"

    @property
    def doctrees(self) -> Path:
        return self.base / "doctrees"

    @property
    def pdf(self) -> Path:
        return self.base / f"{document_name(self.language)}.pdf"

    @property
    def log(self) -> Path:
        return self.latex / f"{document_name(self.language)}.log"

    @property
    def chapters(self) -> Path:
        return self.base / "chapters"


def latex_command(language: str, book: Path, dirs: BuildDirs, solutions: bool = True) -> list[str]:
    """The ``sphinx-build -b latex`` command for one edition (``solutions=False``: the student PDF)."""
    settings = [f"language={language}", f"nb_execution_cache_path={dirs.cache}"]
    if not solutions:
        settings.append("book_solutions=0")
    out = PdfDirs(dirs.root, language)
    return [
        sys.executable, "-m", "sphinx", "-b", "latex", "-n", "-W", "--keep-going", "-c", str(ROOT),
        *(arg for setting in settings for arg in ("-D", setting)),
        "-d", str(out.doctrees), str(book / language), str(out.latex),
    ]  # fmt: skip


def missing_characters(log: str) -> list[str]:
    """xelatex's lines about characters that no loaded font has (printed as nothing in the PDF)."""
    return sorted(set(MISSING_CHARACTER.findall(log)))


def typeset(out: PdfDirs) -> None:
    """Run xelatex (through latexmk, with Sphinx's latexmkrc) until the references settle."""
    tex = f"{document_name(out.language)}.tex"
    command = [
        "latexmk",
        "-r",
        "latexmkrc",
        "-pdfxe",
        "-dvi-",
        "-ps-",
        "-interaction=nonstopmode",
        "-halt-on-error",
        tex,
    ]
    result = subprocess.run(command, cwd=out.latex, capture_output=True, text=True, errors="replace")
    if result.returncode:
        tail = out.log.read_text(errors="replace")[-3000:] if out.log.exists() else result.stdout[-3000:]
        raise RuntimeError(f"xelatex failed on {out.latex / tex} (exit {result.returncode}):\n{tail}")
    missing = missing_characters(out.log.read_text(errors="replace"))
    if missing:
        raise RuntimeError(f"{out.log}: characters missing from the fonts:\n" + "\n".join(missing[:20]))
    shutil.copy2(out.latex / f"{document_name(out.language)}.pdf", out.pdf)


def chapter_pages(pdf: Path) -> list[tuple[int, int]]:
    """The first and last page (1-based) of each numbered chapter, from the PDF's named destinations."""
    listing = subprocess.run(["pdfinfo", "-dests", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    total = page_count_of(pages)
    starts = sorted((int(page), name) for page, name in _DEST.findall(listing))
    ranges = []
    for k, (start, name) in enumerate(starts):
        if name.startswith("chapter*"):
            continue  # unnumbered back matter (references, execution status)
        end = starts[k + 1][0] - 1 if k + 1 < len(starts) else total
        ranges.append((start, max(start, end)))
    return ranges


def split_chapters(out: PdfDirs, names: list[str]) -> list[Path]:
    """Cut each numbered chapter out of the book: ``chapters/<NN>-<name>.pdf``."""
    ranges = chapter_pages(out.pdf)
    if len(ranges) != len(names):
        raise RuntimeError(f"{out.pdf} has {len(ranges)} numbered chapters, the contents list {len(names)}: {names}")
    if out.chapters.exists():
        shutil.rmtree(out.chapters)
    out.chapters.mkdir(parents=True)
    written = []
    for number, ((first, last), name) in enumerate(zip(ranges, names, strict=True), start=1):
        target = out.chapters / f"{number:02d}-{name}.pdf"
        subprocess.run(
            ["qpdf", "--empty", "--pages", str(out.pdf), f"{first}-{last}", "--", str(target)],
            check=True, capture_output=True,
        )  # fmt: skip
        written.append(target)
    return written


def build_pdf(language: str, book: Path, dirs: BuildDirs, chapters: bool = True, solutions: bool = True) -> PdfDirs:
    """LaTeX, then the PDF (and the chapters) of one edition; raises RuntimeError with the log's tail on failure."""
    out = PdfDirs(dirs.root, language)
    status = subprocess.call(latex_command(language, book, dirs, solutions), cwd=ROOT)
    if status:
        raise RuntimeError(f"sphinx-build -b latex failed for the {language} edition (exit {status})")
    typeset(out)
    if chapters:
        split_chapters(out, chapter_names(read_manifest(out.latex)))
    return out


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return page_count_of(info)


def page_count_of(info: str) -> int:
    """The page count in what ``pdfinfo`` printed."""
    found = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    if found is None:
        raise ValueError(f"pdfinfo printed no page count:\n{info}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_build_arguments(parser, "the PDFs (pdf/)")
    parser.add_argument("--no-chapters", action="store_true", help="skip the one-PDF-per-chapter files")
    parser.add_argument(
        "--no-solutions", action="store_true", help="the student PDFs: no solutions, same exercise numbers"
    )
    args = parser.parse_args(argv)
    missing = [tool for tool in ("xelatex", "latexmk", "qpdf", "pdfinfo", "rsvg-convert") if not shutil.which(tool)]
    if missing:
        print(
            f"dlbook_build: {', '.join(missing)} not found: run `bash tests/pdf/ensure_tex.sh` (as root)",
            file=sys.stderr,
        )
        return 2
    dirs = build_dirs(args)
    languages = args.edition or list(EDITIONS)

    def build(language: str) -> tuple[PdfDirs, float]:
        start = time.perf_counter()
        out = build_pdf(language, args.book.resolve(), dirs, not args.no_chapters, not args.no_solutions)
        return out, time.perf_counter() - start

    # one edition per core: Sphinx and xelatex each use one
    with ThreadPoolExecutor(max_workers=min(len(languages), os.cpu_count() or 1)) as pool:
        runs = {language: pool.submit(build, language) for language in languages}
        for language, run in runs.items():
            try:
                out, seconds = run.result()
            except RuntimeError as error:
                print(f"dlbook_build: the {language} PDF failed: {error}", file=sys.stderr)
                return 1
            size = out.pdf.stat().st_size / 2**20
            print(f"dlbook_build: {out.pdf} ({page_count(out.pdf)} pages, {size:.1f} MiB) in {seconds:.1f} s")
    return 0
