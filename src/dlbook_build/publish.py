"""Publish the built editions into the site folder: exactly what a web server serves.

Sphinx writes each edition, with its build records, into
``<build>/sphinx/<language>/html``. Publishing copies it to
``<build>/html/<language>`` without what a reader never loads:

- ``.buildinfo``, the empty ``_sources/`` folder (the book ships no sources) and
  the build's manifest (:mod:`dlbook_build.manifest`);
- JavaScript source maps (``*.map``, and the comments that point at them);
- the theme's Jinja macro file and message catalogues in ``_static``;
- the theme's ``fontawesome.js``, which no page loads (``icons.css`` draws the icons);
- images of earlier builds that no page shows any more (Sphinx keeps them);
- the MathJax that builds before math was rendered at build time left in
  ``_static`` (Sphinx never removes a static file).

Then it writes the landing page (``<build>/html/index.html``, from the
template ``landing/index.html`` and each edition's manifest: both titles, what
the book is and who it is for, each edition's chapters and a figure from it;
its stylesheet, script and the favicon beside it) and a list
of the editions (``<build>/editions.json``) that the browser test reads.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from dlbook_build.manifest import MANIFEST, read_manifest
from dlbook_build.project import EDITIONS, BuildDirs
from dlbook_build.releases import site_path, with_release, write_versions

_SOURCE_MAP_COMMENT = re.compile(rb"\n?//# sourceMappingURL=\S+\.map\s*$")


_IMAGE_LINK = re.compile(r"_images/([^\"'?#\s)]+)")


def _ignore_for(source: Path):
    """What publishing leaves out of ``source``: build records, source maps, old MathJax and old images."""
    # Sphinx keeps the images of earlier builds in _images: only those a page shows are published
    shown = {name for page in source.rglob("*.html") for name in _IMAGE_LINK.findall(page.read_text(encoding="utf-8"))}

    def ignore(folder: str, names: list[str]) -> set[str]:
        ignored = {
            n for n in names if n in {".buildinfo", "_sources", "webpack-macros.html", MANIFEST} or n.endswith(".map")
        }
        if Path(folder) == source / "_static":
            ignored |= {"mathjax", "locales"}  # an earlier build's MathJax; the catalogues serve the build
        if Path(folder) == source / "_static" / "scripts":
            ignored |= {n for n in names if n.startswith("fontawesome.js")}  # templates/layout.html loads none
        if Path(folder) == source / "_images":
            ignored |= set(names) - shown
        return ignored

    return ignore


def publish_edition(source: Path, target: Path) -> None:
    """Make ``target`` a copy of one edition's Sphinx output, leaving out what is never loaded.

    Only what changed is copied: a copy keeps its source's modification time,
    and a file whose copy has it is current (Sphinx writes a file it changes
    anew). What is no longer published is removed. The JavaScript loses its
    source map comments.
    """
    if target.is_file():
        target.unlink()
    kept: set[Path] = set()

    def copy_changed(origin: str, copy: str) -> None:
        kept.add(Path(copy))
        stat = os.stat(origin)
        if os.path.isfile(copy) and os.stat(copy).st_mtime_ns == stat.st_mtime_ns:
            return
        shutil.copy2(origin, copy)
        if copy.endswith(".js"):
            text = Path(copy).read_bytes()
            stripped = _SOURCE_MAP_COMMENT.sub(b"\n", text)
            if stripped != text:
                Path(copy).write_bytes(stripped)
                os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # current, as a copy

    shutil.copytree(source, target, ignore=_ignore_for(source), copy_function=copy_changed, dirs_exist_ok=True)
    folders = {folder for path in kept for folder in path.parents}
    for path in sorted(target.rglob("*"), reverse=True):  # a folder's files before the folder
        if path not in kept and path not in folders:
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


#: the chapter whose first figure the front door shows
TEASER_CHAPTER = "gradient-descent"
#: the book's icon (also the editions' html_favicon), copied to the site's root
FAVICON = Path(__file__).resolve().parent / "sphinx" / "static" / "favicon.svg"
#: the landing page's template (Jinja), and its stylesheet and script, copied to the site's root
LANDING = Path(__file__).resolve().parent / "landing"
LANDING_FILES = ("landing.css", "edition-order.js")


def edition_door(source: Path, site: Path, language: str) -> dict:
    """What the front door shows of a built edition, from its manifest (in ``source``, its Sphinx output).

    Its home page's first paragraph, its chapters, and the first described
    figure of :data:`TEASER_CHAPTER`, which is copied to the site as
    ``teaser-<language>.<suffix>``.
    """
    manifest = read_manifest(source)
    figure = next((c["figure"] for c in manifest["chapters"] if c["docname"] == TEASER_CHAPTER), None)
    teaser = None
    if figure:
        image = source / figure["src"]
        teaser = {**figure, "src": f"teaser-{language}{image.suffix}"}
        shutil.copy2(image, site / teaser["src"])
    return {"paragraph": manifest["root"]["paragraph"], "chapters": manifest["chapters"], "teaser": teaser}


def landing_page(editions: dict[str, dict[str, Any]], doors: dict[str, dict] | None = None) -> str:
    """The site's front page: per edition its title, what the book is, for whom, its chapters, a figure and the way in.

    ``doors`` holds per edition what :func:`edition_door` read from its
    manifest; an edition without one gets its title and the way in only.
    """
    if not editions:
        raise ValueError("the landing page needs at least one edition")
    doors = doors or {}
    template = Environment(loader=FileSystemLoader(LANDING), autoescape=True, undefined=StrictUndefined)
    nothing_read: dict[str, Any] = {"paragraph": "", "chapters": [], "teaser": None}
    pages = [
        {"language": lang, "settings": settings, **nothing_read, **doors.get(lang, {})}
        for lang, settings in editions.items()
    ]
    return template.get_template("index.html").render(editions=pages)


def publish(
    dirs: BuildDirs, languages: list[str], editions: dict[str, dict[str, str]] = EDITIONS, release: str = "",
    base_url: str = "",
) -> None:  # fmt: skip
    """Publish the given editions into ``dirs.site`` and write the landing page and the manifest.

    The manifest names the release the build is (``""``: the latest) and the
    address it was built for, which :mod:`dlbook_build.releases` reads to file
    it in a site of several releases. The latest's site gets its own list of
    versions (only itself), so that its switcher works before any release is added.
    """
    dirs.site.mkdir(parents=True, exist_ok=True)
    for language in languages:
        publish_edition(dirs.sphinx_out(language), dirs.site / language)
    built = {lang: e for lang, e in editions.items() if (dirs.site / lang / "index.html").is_file()}
    doors = {lang: edition_door(dirs.sphinx_out(lang), dirs.site, lang) for lang in built}
    for file in [FAVICON, *(LANDING / name for name in LANDING_FILES)]:
        shutil.copy2(file, dirs.site / file.name)
    (dirs.site / "index.html").write_text(landing_page(built, doors), encoding="utf-8")
    manifest = {"editions": list(built), "release": release, "base_url": base_url}
    dirs.editions_manifest.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    if not release:
        write_versions(dirs.site, with_release([], "", site_path(base_url)), editions)


def site_size(site: Path) -> int:
    """Bytes in the published site."""
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
