"""Measure the book's budgets and fail when one is broken: ``tox -e bench``.

Works on a copy of ``book/`` in a temporary folder (its own output and
jupyter-cache), so the numbers are those of a clean checkout and the working
tree is never touched. Prints one table:

- clean build of every edition (no cache, chapters executed one per core, as
  ``tox -e book`` does), nothing-changed rebuild, rebuild after a prose-only
  edit (which must execute nothing);
- each chapter's execution time per edition, measured alone (one chapter at a
  time, nothing else running), since parallel runs share the cores;
- each page's weight: its HTML plus the images it loads, every frame of its
  animation players included (fetched as a player nears the screen). Theme
  assets (CSS, JavaScript, fonts, MathJax) are shared by every page and
  cached by the browser, so they are not counted;
- the published site's size (everything under ``html/``).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dlbook_build.execute import is_notebook, run_notebook
from dlbook_build.project import ROOT, BuildDirs
from dlbook_build.publish import site_size

BUDGETS = {
    "clean build (s)": 180.0, "rebuild, nothing changed (s)": 15.0, "chapter (s)": 30.0, "page (MB)": 2.0,
    "site (MiB)": 25.0,
}  # fmt: skip


def build(book: Path, dirs: BuildDirs) -> tuple[float, str]:
    command = [sys.executable, str(ROOT / "tools" / "build_book.py"), "--book", str(book), "--build-dir", str(dirs.root)]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode:
        sys.exit(f"the build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return seconds, result.stdout + result.stderr


def executions(log: str) -> list[str]:
    """The chapters a build executed, from its log (dlbook_build.execute.execute_missing)."""
    return re.findall(r"^executed (\S+\.md) in ", log, flags=re.MULTILINE)


def chapter_times(book: Path) -> dict[tuple[str, str], float]:
    """(edition, chapter) -> seconds to execute it alone, cell by cell."""
    times = {}
    for chapter in sorted(book.glob("*/*.md")):
        if is_notebook(chapter):
            times[(chapter.parent.name, chapter.stem)] = run_notebook(chapter)[1]
    return times


def page_weights(out: Path) -> dict[str, int]:
    weights = {}
    for html in sorted(out.glob("*/*.html")):
        if html.name in {"genindex.html", "search.html"}:
            continue
        text = html.read_text(encoding="utf-8")
        size = len(text.encode())
        shown = set(re.findall(r'<img[^>]+src="([^"]+)"', text))
        for frames in re.findall(r"data-frames='([^']*)'", text):  # templates/animation-player.html
            shown |= set(json.loads(frames))
        for src in shown:
            if not src.startswith(("data:", "http")):
                target = (html.parent / src.split("#")[0]).resolve()
                size += target.stat().st_size if target.is_file() else 0
        weights[str(html.relative_to(out))] = size
    return weights


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep the work folder here instead of a temporary one")
    parser.add_argument("--book", type=Path, default=ROOT / "book", help="the book to measure (default: book/)")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="book-bench-"))
    shutil.rmtree(work, ignore_errors=True)
    book, dirs = work / "book", BuildDirs(work / "build")
    out = dirs.site
    shutil.copytree(args.book, book, ignore=shutil.ignore_patterns("_build", "jupyter_execute"))

    rows: list[tuple[str, str, str, bool]] = []
    clean, _ = build(book, dirs)
    rows.append(("clean build, all editions", f"{clean:.1f} s", "≤ 180 s", clean <= BUDGETS["clean build (s)"]))
    again, log = build(book, dirs)
    rows.append(("rebuild, nothing changed", f"{again:.1f} s", "≤ 15 s", again <= BUDGETS["rebuild, nothing changed (s)"]))
    rows.append(("  notebooks executed", str(len(executions(log))), "0", not executions(log)))

    edited = book / "en" / "tensors.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA sentence added by the benchmark.\n", encoding="utf-8")
    prose, log = build(book, dirs)
    rows.append(("rebuild after a prose edit", f"{prose:.1f} s", "executes nothing", not executions(log)))
    rows.append(("  notebooks executed", str(len(executions(log))), "0", not executions(log)))

    for (edition, chapter), seconds in sorted(chapter_times(book).items()):
        rows.append((f"execute {edition}/{chapter}", f"{seconds:.1f} s", "≤ 30 s", seconds <= BUDGETS["chapter (s)"]))
    for name, size in page_weights(out).items():
        rows.append((f"page {name}", f"{size / 1e6:.2f} MB", "≤ 2 MB", size <= BUDGETS["page (MB)"] * 1e6))
    size = site_size(out) / 2**20
    rows.append(("published site (html/)", f"{size:.1f} MiB", "≤ 25 MiB", size <= BUDGETS["site (MiB)"]))

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>18}  {'budget':<16}  ok")
    for name, value, budget, ok in rows:
        print(f"{name:<{width}}  {value:>18}  {budget:<16}  {'yes' if ok else 'NO'}")
    broken = [r[0] for r in rows if not r[3]]
    if broken:
        print(f"\n{len(broken)} budget(s) broken: {', '.join(b.strip() for b in broken)}", file=sys.stderr)
        return 1
    print("\nall budgets hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
