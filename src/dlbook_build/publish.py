"""Publish the built editions into the site folder: exactly what a web server serves.

Sphinx writes each edition, with its build records, into
``<build>/sphinx/<language>/html``. Publishing copies it to
``<build>/html/<language>`` without what a reader never loads:

- ``.buildinfo`` and the empty ``_sources/`` folder (the book ships no sources);
- JavaScript source maps (``*.map``, and the comments that point at them);
- the theme's Jinja macro file and message catalogues in ``_static``;
- the theme's ``fontawesome.js``, which no page loads (``icons.css`` draws the icons);
- images of earlier builds that no page shows any more (Sphinx keeps them);
- the MathJax that builds before math was rendered at build time left in
  ``_static`` (Sphinx never removes a static file).

Then it writes the landing page (``<build>/html/index.html``: both titles, what
the book is and who it is for, each edition's chapters and a figure from it,
the favicon) and a manifest
of the editions (``<build>/editions.json``) that the browser test reads.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

from dlbook_build.project import EDITIONS, BuildDirs, per_edition

_SOURCE_MAP_COMMENT = re.compile(rb"\n?//# sourceMappingURL=\S+\.map\s*$")


_IMAGE_LINK = re.compile(r"_images/([^\"'?#\s)]+)")


def _ignore_for(source: Path):
    """What publishing leaves out of ``source``: build records, source maps, old MathJax and old images."""
    # Sphinx keeps the images of earlier builds in _images: only those a page shows are published
    shown = {name for page in source.rglob("*.html") for name in _IMAGE_LINK.findall(page.read_text(encoding="utf-8"))}

    def ignore(folder: str, names: list[str]) -> set[str]:
        ignored = {n for n in names if n in {".buildinfo", "_sources", "webpack-macros.html"} or n.endswith(".map")}
        if Path(folder) == source / "_static":
            ignored |= {"mathjax", "locales"}  # an earlier build's MathJax; the catalogues serve the build
        if Path(folder) == source / "_static" / "scripts":
            ignored |= {n for n in names if n.startswith("fontawesome.js")}  # templates/layout.html loads none
        if Path(folder) == source / "_images":
            ignored |= set(names) - shown
        return ignored

    return ignore


def publish_edition(source: Path, target: Path) -> None:
    """Copy one edition's Sphinx output to the site, leaving out what is never loaded."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=_ignore_for(source))
    for script in (target / "_static").rglob("*.js"):
        text = script.read_bytes()
        stripped = _SOURCE_MAP_COMMENT.sub(b"\n", text)
        if stripped != text:
            script.write_bytes(stripped)


#: per edition, the front door's words (``[<language>.front_door]`` in book/editions.toml): who the
#: edition is for (what the book is comes from its own home page, book/<language>/index.md) and the
#: words around its own texts
DOOR_WORDS: dict[str, dict[str, str]] = per_edition("front_door")
AUDIENCE: dict[str, str] = {language: words["audience"] for language, words in DOOR_WORDS.items()}
#: the chapter whose first figure the front door shows
TEASER_CHAPTER = "gradient-descent"
#: the book's icon (also the editions' html_favicon), copied to the site's root
FAVICON = Path(__file__).resolve().parent / "sphinx" / "static" / "favicon.svg"


class _PageReader(HTMLParser):
    """The parts of a built page the front door shows: article paragraphs, numbered chapters, figures."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.chapters: list[tuple[str, str]] = []
        self.images: list[dict[str, str]] = []
        self._article = 0
        self._toctree = 0
        self._text: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "article":
            self._article += 1
        if not self._article:
            return
        if "toctree-wrapper" in a.get("class", "").split():
            self._toctree += 1
        if tag == "p" and not self._toctree and self._text is None:
            self._text = []
        elif tag == "a" and self._toctree and "toctree-l1" in self._parent_class:
            self._href, self._text = a.get("href", ""), []
        elif tag == "img":
            self.images.append(a)
        self._parent_class = a.get("class", "")

    _parent_class = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._article -= 1
        if self._text is None:
            return
        text = " ".join("".join(self._text).split())
        if tag == "p" and not self._href:
            if text:
                self.paragraphs.append(text)
            self._text = None
        elif tag == "a" and self._href:
            if re.match(r"\d+\. ", text):  # numbered: a chapter, not references or status pages
                self.chapters.append((self._href, text))
            self._href, self._text = "", None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def read_page(path: Path) -> _PageReader:
    """Read a built page of an edition (see :class:`_PageReader`)."""
    if not path.is_file():
        raise ValueError(f"no built page at {path}: build the edition before publishing it")
    reader = _PageReader()
    reader.feed(path.read_text(encoding="utf-8"))
    return reader


def copy_teaser(site: Path, language: str) -> dict[str, str] | None:
    """Copy the first described figure of the teaser chapter of an edition to the site; its <img> attributes."""
    chapter = site / language / f"{TEASER_CHAPTER}.html"
    if not chapter.is_file():
        return None
    for image in read_page(chapter).images:
        src = image.get("src", "")
        if not src.startswith("_images/") or Path(src).name in image.get("alt", src):
            continue  # an icon, or a figure without a description
        source = chapter.parent / src
        target = f"teaser-{language}{source.suffix}"
        shutil.copy2(source, site / target)
        kept = {key: image[key] for key in ("alt", "width", "height") if image.get(key)}
        return {"src": target, **kept}
    return None


def edition_door(site: Path, language: str) -> dict:
    """What the front door shows of a published edition: its home page's paragraphs, chapters and a figure."""
    home = read_page(site / language / "index.html")
    return {"paragraphs": home.paragraphs, "chapters": home.chapters, "teaser": copy_teaser(site, language)}


def landing_page(editions: dict[str, dict[str, str]], doors: dict[str, dict] | None = None) -> str:
    """The site's front page: per edition its title, what the book is, who it is for, its chapters, a figure and the way in.

    ``doors`` holds per edition what :func:`edition_door` read from it (its
    paragraphs, chapters and teaser figure); an edition without one gets its
    title and the way in only.
    """
    if not editions:
        raise ValueError("the landing page needs at least one edition")
    doors = doors or {}
    e = html.escape
    sections = []
    for lang, edition in editions.items():
        door = doors.get(lang, {})
        words = edition["front_door"]
        paragraphs = [*door.get("paragraphs", [])[:1], words["audience"]]
        text = "\n".join(f"      <p>{e(p)}</p>" for p in paragraphs if p)
        chapters = "\n".join(
            f'        <li><a href="{e(lang)}/{e(href)}">{e(title)}</a></li>' for href, title in door.get("chapters", [])
        )
        contents = f'      <h3>{e(words["chapters"])}</h3>\n      <ol class="chapters">\n{chapters}\n      </ol>\n' if chapters else ""
        teaser = door.get("teaser")
        figure = ""
        if teaser:
            size = "".join(f' {k}="{e(teaser[k])}"' for k in ("width", "height") if k in teaser)
            figure = (
                f'      <figure><img src="{e(teaser["src"])}" alt="{e(teaser.get("alt", ""))}"{size}>'
                f'<figcaption>{e(words["teaser"])}</figcaption></figure>\n'
            )
        sections.append(
            f'    <section lang="{e(lang)}" data-edition="{e(lang)}" aria-labelledby="title-{e(lang)}">\n'
            f'      <h2 id="title-{e(lang)}">{e(edition["title"])}</h2>\n'
            f"{text}\n"
            f'      <p><a class="start" href="{e(lang)}/index.html" hreflang="{e(lang)}">{e(words["start"])} →</a></p>\n'
            f"{figure}{contents}"
            f"    </section>"
        )
    first = next(iter(editions))
    alternates = "\n".join(f'  <link rel="alternate" hreflang="{e(lang)}" href="{e(lang)}/index.html">' for lang in editions)
    titles = " · ".join(e(ed["title"]) for ed in editions.values())
    heading = " · ".join(f'<span lang="{e(lang)}">{e(ed["title"])}</span>' for lang, ed in editions.items())
    body = "\n".join(sections)
    return f"""<!DOCTYPE html>
<html lang="{e(first)}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{titles}</title>
  <link rel="icon" href="favicon.svg" type="image/svg+xml">
{alternates}
  <style>
  :root {{ color-scheme: light dark; --ink: #1f2328; --paper: #ffffff; --soft: #f3f5f8; --link: #125fcf; }}
  @media (prefers-color-scheme: dark) {{ :root {{ --ink: #e6e6e6; --paper: #14181e; --soft: #1d232b; --link: #7fb0ff; }} }}
  * {{ box-sizing: border-box; }}
  body {{ margin: 0; padding: 2rem 1rem 3rem; font-family: system-ui, "Noto Sans KR", "NanumGothic", sans-serif;
         line-height: 1.65; color: var(--ink); background: var(--paper); }}
  header, main {{ max-width: 68rem; margin: 0 auto; }}
  h1 {{ font-size: clamp(1.5rem, 4vw, 2.2rem); line-height: 1.3; margin: 0 0 1.5rem; }}
  main {{ display: flex; flex-wrap: wrap; gap: 1.5rem; }}
  section {{ flex: 1 1 20rem; min-width: 0; padding: 1.25rem 1.25rem 0.5rem; border-radius: 10px; background: var(--soft); }}
  section h2 {{ margin-top: 0; }}
  a {{ color: var(--link); }}
  a.start {{ display: inline-block; padding: 0.6rem 1rem; border-radius: 6px; background: #125fcf; color: #fff;
             font-weight: 600; text-decoration: none; font-size: 1.1rem; }}
  a.start:hover, a.start:focus {{ background: #0b4aa8; }}
  figure {{ margin: 1rem 0; }}
  figure img {{ max-width: 100%; height: auto; background: #fff; border-radius: 4px; }}
  figcaption {{ font-size: 0.9rem; opacity: 0.8; }}
  ol.chapters {{ padding-left: 1.25rem; }}
  ol.chapters li {{ list-style: none; margin-left: -1.25rem; }}
  </style>
</head>
<body>
  <header><h1>{heading}</h1></header>
  <main>
{body}
  </main>
  <script>
  // the edition in the reader's language first
  (function () {{
    var main = document.querySelector("main");
    var langs = (navigator.languages || [navigator.language || ""]).map(function (l) {{ return l.slice(0, 2); }});
    for (var i = langs.length - 1; i >= 0; i--) {{
      var section = main.querySelector('section[data-edition="' + langs[i] + '"]');
      if (section) main.insertBefore(section, main.firstChild);
    }}
  }})();
  </script>
</body>
</html>
"""


def publish(dirs: BuildDirs, languages: list[str], editions: dict[str, dict[str, str]] = EDITIONS) -> None:
    """Publish the given editions into ``dirs.site`` and write the landing page and the manifest."""
    dirs.site.mkdir(parents=True, exist_ok=True)
    for language in languages:
        publish_edition(dirs.sphinx_out(language), dirs.site / language)
    built = {lang: e for lang, e in editions.items() if (dirs.site / lang / "index.html").is_file()}
    doors = {lang: edition_door(dirs.site, lang) for lang in built}
    shutil.copy2(FAVICON, dirs.site / "favicon.svg")
    (dirs.site / "index.html").write_text(landing_page(built, doors), encoding="utf-8")
    dirs.editions_manifest.write_text(json.dumps({"editions": list(built)}, indent=1) + "\n", encoding="utf-8")


def site_size(site: Path) -> int:
    """Bytes in the published site."""
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
