"""The book's Sphinx extensions, set up together by ``extensions = ["dlbook_build.sphinx"]``.

- :mod:`.execution`: chapters executed (in parallel) before myst-nb reads them;
- :mod:`.editions`: the switch between editions, the twin check, "Cite this chapter";
- :mod:`.framework_tabs`: TensorFlow/PyTorch twin cells as synchronised tabs;
- :mod:`.korean_search`: a search language for Korean;
- :mod:`.reading`: the interface in the edition's language, search snippets, short tracebacks;
- :mod:`.notebooks`: each chapter as a notebook to download;
- :mod:`.solutions`: solutions collapsed on the site, and the student build without them;
- :mod:`.figures`: figures as SVG or 2x images, with alternative text;
- :mod:`.animation_player`: animations as a player whose frames are image files;
- :mod:`.latex`: what the PDF needs that the HTML has (key frames, fonts, titles);
- :mod:`.glossary`: the bilingual glossary, first uses linked, English terms searchable;
- :mod:`.manifest`: what the build knew (chapters, sections, exercises, figures) for what is derived from it.
- :mod:`.page_speed`: scripts deferred, icons drawn without the theme's script;
- :mod:`.citations`: the bibliography's entries as the items of a list (for screen readers);
- :mod:`.releases`: the version switcher, and a release's banner linking to the latest;
- :mod:`.changes`: the "What changed" page, from ``book/changes.toml``.

It also adds the book's templates, stylesheet and icon.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

HERE = Path(__file__).resolve().parent
EXTENSIONS = [
    "execution", "editions", "framework_tabs", "korean_search", "reading", "notebooks", "solutions", "figures",
    "animation_player", "latex", "glossary", "manifest", "page_speed", "citations", "releases", "changes",
]  # fmt: skip


def add_templates_and_static(app: Sphinx, config: Config) -> None:
    config.templates_path.insert(0, str(HERE / "templates"))
    config.html_static_path.insert(0, str(HERE / "static"))
    config.html_favicon = config.html_favicon or str(HERE / "static" / "favicon.svg")


def setup(app: Sphinx) -> dict:
    for name in EXTENSIONS:
        app.setup_extension(f"{__name__}.{name}")
    app.connect("config-inited", add_templates_and_static)
    app.add_css_file("book.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
