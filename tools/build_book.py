"""Build every edition of the book: ``python tools/build_book.py`` (what ``tox -e book`` runs).

First every chapter whose code is not in the jupyter-cache yet is executed,
``--jobs`` at a time (one per core by default), and stored in the cache; a
failing cell stops the build with its file, cell number and line. Then each
edition (a folder of ``book/`` with an ``index.md``) is built by its own
``sphinx-build -n -W --keep-going`` process, with the one ``conf.py`` at the
repository root, into ``<out>/<language>/``; myst-nb finds every chapter in
the cache. A separate process per edition keeps Sphinx's per-language state
apart. Exits with the first failing status.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"


def editions(book: Path = BOOK) -> list[str]:
    """The language folders of ``book``, e.g. ['en', 'ko']."""
    return sorted(p.name for p in book.iterdir() if (p / "index.md").is_file())


def sphinx_command(language: str, source: Path, out: Path, extra: list[str], program: str = "sphinx") -> list[str]:
    return [
        sys.executable, "-m", program, "-b", "html", "-n", "-W", "--keep-going",
        "-c", str(ROOT), "-D", f"language={language}", "-d", str(out / ".doctrees" / language),
        *extra, str(source), str(out / language),
    ]  # fmt: skip


def cache_path(sphinx_args: list[str]) -> Path:
    for option, value in zip(sphinx_args, sphinx_args[1:]):
        if option == "-D" and value.startswith("nb_execution_cache_path="):
            return Path(value.split("=", 1)[1])
    from execute_chapter import CACHE_PATH  # conf.py's default

    return CACHE_PATH


def _run(path: Path):
    from execute_chapter import run_notebook

    return run_notebook(path)


def execute_missing(chapters: list[Path], cache: Path, jobs: int) -> int:
    """Execute, in parallel, the chapters the cache does not hold; store them. Returns 0 or 1."""
    from concurrent.futures import ProcessPoolExecutor

    from execute_chapter import ChapterError, cached_notebook, is_notebook, store_notebook

    todo = [p for p in chapters if is_notebook(p) and cached_notebook(p, cache) is None]
    if not todo:
        return 0
    print(f"build_book: executing {len(todo)} chapter(s), {jobs} at a time")
    failed = 0
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {path: pool.submit(_run, path) for path in todo}
        for path, future in futures.items():
            try:
                notebook, seconds = future.result()
            except ChapterError as error:
                print(f"build_book: {error}", file=sys.stderr)
                failed = 1
                continue
            store_notebook(path, notebook, seconds, cache)  # one writer: the cache is SQLite
            print(f"build_book: executed {path.relative_to(path.parents[1])} in {seconds:.1f} s")
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=Path, default=BOOK, help="folder holding one folder per edition")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "html", help="output folder")
    parser.add_argument("--edition", action="append", help="build only this edition (repeatable)")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1,
        help="chapters executed at once before Sphinx runs (0: let myst-nb execute them, one by one)",
    )  # fmt: skip
    parser.add_argument("--serve", metavar="LANGUAGE", help="preview one edition with live reload (sphinx-autobuild)")
    parser.add_argument("sphinx_args", nargs="*", help="extra sphinx-build arguments (after --)")
    args = parser.parse_args(argv)

    if args.serve:
        command = sphinx_command(args.serve, args.book / args.serve, args.out, args.sphinx_args, "sphinx_autobuild")
        return subprocess.call(command, cwd=ROOT)

    chosen = args.edition or editions(args.book)
    chapters = [p for language in chosen for p in sorted((args.book / language).rglob("*.md"))]
    if args.jobs > 0 and execute_missing(chapters, cache_path(args.sphinx_args), args.jobs):
        return 1
    for language in chosen:
        start = time.perf_counter()
        command = sphinx_command(language, args.book / language, args.out, args.sphinx_args)
        status = subprocess.call(command, cwd=ROOT)
        seconds = time.perf_counter() - start
        if status:
            print(f"build_book: the {language} edition failed (exit {status}) after {seconds:.1f} s", file=sys.stderr)
            return status
        print(f"build_book: built the {language} edition into {args.out / language} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
