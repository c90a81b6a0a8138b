"""Build every edition of the book: ``python tools/build_book.py`` (what ``tox -e book`` runs).

Each edition (a folder of ``book/`` with an ``index.md``) is built by its own
``sphinx-build -n -W --keep-going`` process, with the one ``conf.py`` at the
repository root, into ``<out>/<language>/``. A separate process per edition
keeps Sphinx's per-language state apart. Exits with the first failing status.
"""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=Path, default=BOOK, help="folder holding one folder per edition")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "html", help="output folder")
    parser.add_argument("--edition", action="append", help="build only this edition (repeatable)")
    parser.add_argument("--serve", metavar="LANGUAGE", help="preview one edition with live reload (sphinx-autobuild)")
    parser.add_argument("sphinx_args", nargs="*", help="extra sphinx-build arguments (after --)")
    args = parser.parse_args(argv)

    if args.serve:
        command = sphinx_command(args.serve, args.book / args.serve, args.out, args.sphinx_args, "sphinx_autobuild")
        return subprocess.call(command, cwd=ROOT)

    chosen = args.edition or editions(args.book)
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
