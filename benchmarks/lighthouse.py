"""Lighthouse's mobile profile on every page of a built site: ``python benchmarks/lighthouse.py [SITE]``.

A thin entry for ``benchmarks/budgets.py``: :func:`lighthouse` installs what the
browser test needs and Lighthouse (``tests/browser/ensure_browser.sh --lighthouse``:
Debian's Chromium and the npm packages, development ones included) and runs ``benchmarks/lighthouse.mjs``,
which serves the site with gzip, prints a table of scores and metrics per page
and fails when a page misses a target of issue 24.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dlbook_build.project import ROOT


def lighthouse(site: Path, pages: list[str] | None = None) -> int:
    """Measure ``site`` (e.g. ``_build/html``), or only ``pages`` ("ko/tensors"); 0 when every target is met."""
    subprocess.run(["bash", str(ROOT / "tests" / "browser" / "ensure_browser.sh"), "--lighthouse"], check=True)
    command = ["node", str(ROOT / "benchmarks" / "lighthouse.mjs"), str(site)]
    for page in pages or []:
        command += ["--page", page]
    return subprocess.run(command, cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(lighthouse(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "html", sys.argv[2:]))
