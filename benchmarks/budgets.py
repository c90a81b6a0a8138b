"""Measure the book's budgets and fail when one is broken: ``tox -e bench``.

Times what authors run, as they run it: ``tox -e book`` (tox's own start
included) on a copy of ``book/`` into a new build folder, so the numbers are
those of a fresh clone and the working tree is never touched:

- a clean build of every edition (no cache);
- a rebuild with nothing changed (the median of three);
- a rebuild after a prose-only edit, which must execute nothing;
- a rebuild after one code cell of the slowest chapter is edited (the median
  of three edits), which must execute that chapter of that edition only;
- each chapter's execution inside the clean build (two at once, from its log),
  and alone (one chapter at a time, nothing else running);
- each page's weight: its HTML plus the images it loads, every frame of its
  animation players included (fetched as a player nears the screen); theme
  assets are shared by every page and cached by the browser, so they are not
  counted;
- the published site's size (everything under ``html/``);
- Lighthouse's mobile profile on every page of that site, served with gzip
  (:mod:`lighthouse`, about 25 minutes; ``--no-lighthouse`` leaves it out).

Prints one table (README keeps a copy), then Lighthouse's, and exits 1 when a
budget is broken.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dlbook_build.execute import ChapterError, execute_chapters, is_notebook
from dlbook_build.project import ROOT, BuildDirs
from dlbook_build.publish import site_size
from lighthouse import lighthouse

#: The budgets (2-core machine): seconds, megabytes, mebibytes.
BUDGETS = {
    "clean": 120.0, "unchanged": 6.0, "code edit": 25.0, "chapter": 15.0, "page": 2.0, "site": 25.0,
}  # fmt: skip
#: runs of each short timing (nothing changed, a code edit), whose median is compared: one run of a few seconds
#: varies by more than its margin on a busy machine
REPEATS = 3
#: the cell edited for the code-edit rebuild: the first code cell of this chapter (the slowest one)
EDITED_CHAPTER = "logistic-regression"


def tox_book(book: Path, dirs: BuildDirs) -> tuple[float, str]:
    """``tox -e book`` on ``book`` into ``dirs``, timed as a whole; its seconds and log."""
    command = [sys.executable, "-m", "tox", "-e", "book", "--", "--book", str(book), "--build-dir", str(dirs.root)]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode:
        sys.exit(f"the build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return seconds, result.stdout + result.stderr


def executions(log: str) -> dict[str, float]:
    """The chapters a build executed, from its log (dlbook_build.execute.execute_missing): name -> seconds."""
    return {name: float(s) for name, s in re.findall(r"^executed (\S+\.md) in ([\d.]+) s", log, flags=re.MULTILINE)}


def chapters_alone(book: Path) -> dict[str, float]:
    """'<edition>/<chapter>.md' -> seconds to execute it alone, in a fresh kernel."""
    paths = [p for p in sorted(book.glob("*/*.md")) if is_notebook(p)]
    seconds = {}
    for path, outcome in execute_chapters(paths, jobs=1):
        if isinstance(outcome, ChapterError):
            raise outcome
        seconds[f"{path.parent.name}/{path.name}"] = outcome.seconds
    return seconds


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


def edit_first_code_cell(chapter: Path, edit: int) -> None:
    """Change the first code cell's code (not its output), as an author fixing a line would (``edit``: a new one)."""
    text = chapter.read_text(encoding="utf-8")
    fence = "```{code-cell} ipython3\n"
    at = text.index(fence) + len(fence)
    chapter.write_text(text[:at] + f"_edited_by_the_benchmark = {edit}\n" + text[at:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep the work folder here instead of a temporary one")
    parser.add_argument("--book", type=Path, default=ROOT / "book", help="the book to measure (default: book/)")
    parser.add_argument("--no-lighthouse", dest="lighthouse", action="store_false", help="leave out Lighthouse")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="book-bench-"))
    shutil.rmtree(work, ignore_errors=True)
    book, dirs = work / "book", BuildDirs(work / "build")
    shutil.copytree(args.book, book, ignore=shutil.ignore_patterns("_build", "jupyter_execute"))
    rows: list[tuple[str, str, str, bool]] = []

    def row(name: str, value: float, unit: str, budget: float, ok: bool | None = None) -> None:
        rows.append((name, f"{value:.1f} {unit}", f"≤ {budget:g} {unit}", value <= budget if ok is None else ok))

    clean, log = tox_book(book, dirs)
    row("clean tox -e book, all editions", clean, "s", BUDGETS["clean"])
    in_build = executions(log)
    runs = [tox_book(book, dirs) for _ in range(REPEATS)]
    again, executed = statistics.median(s for s, _ in runs), [c for _, log in runs for c in executions(log)]
    row(
        f"tox -e book, nothing changed (median of {REPEATS})",
        again,
        "s",
        BUDGETS["unchanged"],
        again <= BUDGETS["unchanged"] and not executed,
    )
    rows.append(("  chapters executed", str(len(executed)), "0", not executed))

    prose = book / "en" / "tensors.md"
    prose.write_text(prose.read_text(encoding="utf-8") + "\nA sentence added by the benchmark.\n", encoding="utf-8")
    seconds, log = tox_book(book, dirs)
    rows.append(("tox -e book after a prose edit", f"{seconds:.1f} s", "executes nothing", not executions(log)))

    edited = book / "en" / f"{EDITED_CHAPTER}.md"
    runs = []
    for edit in range(REPEATS):
        edit_first_code_cell(edited, edit)
        runs.append(tox_book(book, dirs))
    seconds = statistics.median(s for s, _ in runs)
    executed = sorted({c for _, log in runs for c in executions(log)})
    only = executed == [f"en/{edited.name}"] and all(len(executions(log)) == 1 for _, log in runs)
    row(
        f"tox -e book after a code edit (en/{EDITED_CHAPTER}, median of {REPEATS})",
        seconds,
        "s",
        BUDGETS["code edit"],
        seconds <= BUDGETS["code edit"] and only,
    )
    rows.append(("  chapters executed", ", ".join(executed) or "none", f"en/{edited.name} only", only))

    alone = chapters_alone(book)
    for name, seconds in sorted(alone.items()):
        inside = in_build.get(name)
        label = f"chapter {name}" + (f" (in the build: {inside:.1f} s)" if inside is not None else "")
        row(label, seconds, "s", BUDGETS["chapter"])
    for name, size in page_weights(dirs.site).items():
        row(f"page {name}", size / 1e6, "MB", BUDGETS["page"])
    row("published site (html/)", site_size(dirs.site) / 2**20, "MiB", BUDGETS["site"])

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>18}  {'budget':<16}  ok")
    for name, value, budget, ok in rows:
        print(f"{name:<{width}}  {value:>18}  {budget:<16}  {'yes' if ok else 'NO'}")
    broken = [r[0] for r in rows if not r[3]]
    sys.stdout.flush()  # the table before Lighthouse's, also when the output is a pipe (tox, a log)
    if args.lighthouse and lighthouse(dirs.site):
        broken.append("Lighthouse's targets (its table above)")
    if broken:
        print(f"\n{len(broken)} budget(s) broken: {', '.join(b.strip() for b in broken)}", file=sys.stderr)
        return 1
    print(f"\nall budgets hold ({os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
