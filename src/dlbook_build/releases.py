"""A site that keeps every release: ``BASE/<language>/`` the latest, ``BASE/<release>/<language>/`` each release.

A build publishes one site into ``<build>/html`` (:mod:`dlbook_build.publish`),
the latest or one release (``BOOK_RELEASE``). :func:`add_build` puts it into a
site folder that already holds others (a checkout of the ``gh-pages`` branch):
the latest replaces the editions at the root and the landing page, leaving the
release folders alone; a release goes into its own folder, never replaced.
Then the site's list of releases is written:

- ``versions.json``: the releases, newest first after the latest, in the
  version switcher's format of pydata-sphinx-theme (``version``, ``name``,
  ``url``, ``preferred``), each ``url`` the release's folder;
- ``versions-<language>.json``: the same for one edition, each ``url`` that
  edition's folder in the release. The theme's switcher appends only the
  page's file name to an entry's URL, so each edition needs its own file; it
  sits at the site's root, outside every release, so frozen pages still learn
  of the releases made after them.

The URLs are paths from the host's root (``/book/2026-fall/en/``, from
``BOOK_BASE_URL``'s path, ``/`` without it): the switcher then works on the
published host and on a copy of the site served from its root, offline.
Nothing here imports Sphinx.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dlbook_build.project import BUILD, EDITIONS, LATEST, check_release

VERSIONS = "versions.json"


def edition_versions_name(language: str) -> str:
    """The switcher's file of one edition, at the site's root."""
    return f"versions-{language}.json"


def site_path(base_url: str) -> str:
    """The path the site is served at, from its address: ``/book/`` for ``https://host/book``; ``/`` without one."""
    path = urlsplit(base_url).path.strip("/")
    return f"/{path}/" if path else "/"


def read_versions(site: Path) -> list[dict[str, Any]]:
    """The site's releases (``versions.json``), the latest first; empty for a new site."""
    path = site / VERSIONS
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []


def with_release(versions: list[dict[str, Any]], release: str, root: str) -> list[dict[str, Any]]:
    """``versions`` with ``release`` (``""``: the latest) in its place.

    The latest comes first, a new release right after it.
    """
    name = release or LATEST
    entry: dict[str, str | bool] = {"version": name, "name": name, "url": root if not release else f"{root}{release}/"}
    if not release:
        entry["preferred"] = True
    others = [v for v in versions if v["version"] != name]
    latest = [v for v in others if v["version"] == LATEST]
    older = [v for v in others if v["version"] != LATEST]
    return [entry, *older] if not release else [*latest, entry, *older]


def edition_versions(versions: list[dict[str, Any]], language: str, latest_name: str) -> list[dict[str, Any]]:
    """The switcher's entries of one edition: each release's folder of that edition, the latest named in its words."""
    return [
        {**entry, "url": f"{entry['url']}{language}/", **({"name": latest_name} if entry["version"] == LATEST else {})}
        for entry in versions
    ]


def write_versions(site: Path, versions: list[dict[str, Any]], editions: dict[str, dict[str, Any]] = EDITIONS) -> None:
    """Write ``versions.json`` and each edition's switcher file into ``site``."""
    (site / VERSIONS).write_text(json.dumps(versions, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for language, settings in editions.items():
        entries = edition_versions(versions, language, settings["latest_name"])
        text = json.dumps(entries, indent=1, ensure_ascii=False) + "\n"
        (site / edition_versions_name(language)).write_text(text, encoding="utf-8")


def read_build(build: Path) -> dict[str, Any]:
    """What a build published: its editions, its release (``""``: the latest) and the base URL it was built for."""
    manifest = build / "editions.json"
    if not manifest.is_file():
        raise FileNotFoundError(
            f"{manifest} is missing: build the book first (tox -e book, BOOK_RELEASE for a release)"
        )
    return {"release": "", "base_url": "", **json.loads(manifest.read_text(encoding="utf-8"))}


def add_build(site: Path, build: Path = BUILD, release: str | None = None) -> str:
    """Add the site published in ``build`` to ``site``; the name it was added under (``latest`` or the release's).

    ``release``, when given, must be the one the build was made as: a
    release's pages cite their own address, so a build cannot be filed under
    another name.
    """
    built = read_build(build)
    if release is not None and release != (built["release"] or LATEST):
        raise ValueError(
            f"{build} holds the build of {built['release'] or LATEST!r}, not {release!r}: "
            f"build it with BOOK_RELEASE={release} first"
        )
    source = build / "html"
    site.mkdir(parents=True, exist_ok=True)
    if built["release"]:
        target = site / check_release(built["release"])
        if target.exists():
            raise FileExistsError(f"{target} exists: a release is frozen once published; name the new one differently")
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(VERSIONS, "versions-*.json"))
    else:
        for item in source.iterdir():
            if item.name == VERSIONS or item.name.startswith("versions-"):
                continue
            target = site / item.name
            if target.is_dir():
                shutil.rmtree(target)
            shutil.copytree(item, target) if item.is_dir() else shutil.copy2(item, target)
    versions = with_release(read_versions(site), built["release"], site_path(built["base_url"]))
    write_versions(site, versions)
    return built["release"] or LATEST


#: where an edition's notebooks are in its site (dlbook_build.sphinx.notebooks.NOTEBOOKS)
SITE_NOTEBOOKS = "_downloads/notebooks"


def write_notebook_tree(site: Path, tree: Path) -> list[Path]:
    """Write the notebooks' branch into ``tree``.

    Every release's notebooks of ``site`` go to ``<release>/<language>/<chapter>.ipynb``.

    The tree Colab opens a chapter from (``NOTEBOOK_BRANCH``), the latest as
    ``latest/``; it replaces what ``tree`` held, except ``.git``. The
    notebooks are the site's own, byte for byte: with ``BOOK_BASE_URL`` set
    their first cell installs the release's wheel from the site.
    """
    versions = read_versions(site)
    if not versions:
        raise FileNotFoundError(f"{site / VERSIONS} is missing: add a build with tools/add_release.py first")
    tree.mkdir(parents=True, exist_ok=True)
    for old in tree.iterdir():
        if old.name != ".git":
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    written = []
    for entry in versions:
        folder = site if entry["version"] == LATEST else site / entry["version"]
        for notebooks in sorted(folder.glob(f"*/{SITE_NOTEBOOKS}")):
            language = notebooks.parents[1].name
            for notebook in sorted(notebooks.rglob("*.ipynb")):
                target = tree / entry["version"] / language / notebook.relative_to(notebooks)
                target.parent.mkdir(parents=True, exist_ok=True)
                written.append(Path(shutil.copy2(notebook, target)))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Add a built release (or the latest) to a site that holds others.")
    parser.add_argument("--site", type=Path, required=True, help="the site folder (e.g. a checkout of gh-pages)")
    parser.add_argument("--build-dir", type=Path, default=BUILD, help="the build whose html/ is added")
    parser.add_argument("--release", help="the release the build must be (latest for the latest): a check")
    parser.add_argument("--notebook-tree", type=Path, metavar="TREE",
                        help="write the notebooks' branch of the site into TREE only (nothing added)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.notebook_tree:
        written = write_notebook_tree(args.site.resolve(), args.notebook_tree.resolve())
        print(f"dlbook_build: wrote {len(written)} notebooks into {args.notebook_tree}")
        return 0
    name = add_build(args.site.resolve(), args.build_dir.resolve(), args.release)
    versions = ", ".join(v["version"] for v in read_versions(args.site))
    print(f"dlbook_build: added {name} to {args.site}; its versions: {versions}")
    return 0
