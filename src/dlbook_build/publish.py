"""Publish the built editions into the site folder: exactly what a web server serves.

Sphinx writes each edition, with its build records, into
``<build>/sphinx/<language>/html``. Publishing copies it to
``<build>/html/<language>`` without what a reader never loads:

- ``.buildinfo`` and the empty ``_sources/`` folder (the book ships no sources);
- JavaScript source maps (``*.map``, and the comments that point at them);
- the theme's Jinja macro file and message catalogues in ``_static``;
- all of MathJax but what pages load: ``tex-chtml.js``, its CHTML fonts and
  the TeX extensions it loads on demand (sphinx-mathjax-offline copies all
  24 MB of MathJax into every edition). Each edition keeps its own copy, so
  an edition works when served or opened on its own.

Then it writes the landing page (``<build>/html/index.html``) and a manifest
of the editions (``<build>/editions.json``) that the browser test reads.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

from dlbook_build.project import EDITIONS, BuildDirs

#: MathJax files a page can load, relative to ``_static/mathjax``.
MATHJAX_KEPT = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions")
_SOURCE_MAP_COMMENT = re.compile(rb"\n?//# sourceMappingURL=\S+\.map\s*$")


def _ignore(folder: str, names: list[str]) -> set[str]:
    ignored = {n for n in names if n in {".buildinfo", "_sources", "webpack-macros.html"} or n.endswith(".map")}
    if Path(folder).name == "_static":
        ignored.add("mathjax")  # copied below, reduced
        ignored.add("locales")  # the theme's message catalogues, used at build time
    return ignored


def publish_edition(source: Path, target: Path) -> None:
    """Copy one edition's Sphinx output to the site, leaving out what is never loaded."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=_ignore)
    mathjax = source / "_static" / "mathjax"
    for kept in MATHJAX_KEPT:
        path = mathjax / kept
        if path.is_dir():
            shutil.copytree(path, target / "_static" / "mathjax" / kept)
        elif path.is_file():
            (target / "_static" / "mathjax" / kept).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / "_static" / "mathjax" / kept)
    for script in (target / "_static").rglob("*.js"):
        text = script.read_bytes()
        stripped = _SOURCE_MAP_COMMENT.sub(b"\n", text)
        if stripped != text:
            script.write_bytes(stripped)


def landing_page(editions: dict[str, dict[str, str]]) -> str:
    """The site's front page, which leads a reader to an edition."""
    links = "\n".join(
        f'    <li><a href="{lang}/index.html" hreflang="{lang}" lang="{lang}">{html.escape(e["title"])}</a></li>'
        for lang, e in editions.items()
    )
    alternates = "\n".join(
        f'  <link rel="alternate" hreflang="{lang}" href="{lang}/index.html">' for lang in editions
    )
    titles = " · ".join(html.escape(e["title"]) for e in editions.values())
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{titles}</title>
{alternates}
  <style>body {{ font-family: sans-serif; max-width: 36rem; margin: 4rem auto; line-height: 1.6; }}
  a {{ font-size: 1.4rem; }}</style>
</head>
<body>
  <main>
  <h1>Choose an edition · 판을 고르세요</h1>
  <ul>
{links}
  </ul>
  </main>
</body>
</html>
"""


def publish(dirs: BuildDirs, languages: list[str], editions: dict[str, dict[str, str]] = EDITIONS) -> None:
    """Publish the given editions into ``dirs.site`` and write the landing page and the manifest."""
    dirs.site.mkdir(parents=True, exist_ok=True)
    for language in languages:
        publish_edition(dirs.sphinx_out(language), dirs.site / language)
    built = {lang: e for lang, e in editions.items() if (dirs.site / lang / "index.html").is_file()}
    (dirs.site / "index.html").write_text(landing_page(built), encoding="utf-8")
    dirs.editions_manifest.write_text(json.dumps({"editions": list(built)}, indent=1) + "\n", encoding="utf-8")


def site_size(site: Path) -> int:
    """Bytes in the published site."""
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
