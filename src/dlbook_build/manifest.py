"""What Sphinx knew about an edition, as the outputs derived from it read it back.

:mod:`dlbook_build.sphinx.manifest` writes one ``manifest.json`` per build
(``<output folder>/manifest.json``, beside the edition's HTML or LaTeX) at the
end of it. The landing page (:mod:`dlbook_build.publish`), the PDF's chapter
list (:mod:`dlbook_build.pdf`) and the tests read it here, without Sphinx:
nothing derived parses the MyST sources or scrapes the built pages again.

The file holds::

    {"language": "en", "title": "<the edition's title>",
     "root": {"docname": "index", "title": ..., "paragraph": <its first paragraph>},
     "chapters": [{"docname", "number": "1", "title", "uri": "tensors.html", "paragraph",
                   "sections": [{"number": "1.1", "title", "anchor": "#...", "label": <or null>}],
                   "exercises": [{"number": "1.1", "label": <or null>}],
                   "figure": {"src": "_images/....svg", "alt", "width"?, "height"?} or null}, ...],
     "back_matter": [{"docname", "title", "uri"}, ...]}

``chapters`` are the numbered toctree's pages, in order; ``back_matter`` the
root page's unnumbered ones; ``figure`` is the chapter's first figure with
alternative text; ``src`` is relative to the output folder. Paragraphs and
figures are the HTML pages': a LaTeX build's manifest has them as null.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: the manifest's file name, in each build's output folder
MANIFEST = "manifest.json"


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest a Sphinx build wrote into ``folder`` (its output folder)."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise ValueError(f"no {MANIFEST} in {folder}: build the edition first (python tools/build_book.py)")
    return json.loads(path.read_text(encoding="utf-8"))


def chapter_names(manifest: dict[str, Any]) -> list[str]:
    """The docnames of the numbered chapters, in order."""
    return [chapter["docname"] for chapter in manifest["chapters"]]
