"""One Sphinx configuration for both editions of the book.

Build an edition with ``sphinx-build -c . -D language=ko book/ko _build/html/ko``
(``tools/build_book.py`` does this for every edition). Everything that differs
between editions is derived from ``EDITIONS`` below, keyed by ``language``.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from pathlib import Path

from sphinx.errors import ConfigError

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))

from execute_chapter import CACHE_PATH, KERNEL_ENV  # noqa: E402

# Kernels started by myst-nb inherit this process's environment.
for _name, _value in KERNEL_ENV.items():
    os.environ.setdefault(_name, _value)

#: The editions: the folder under book/ is the language code.
EDITIONS = {
    "ko": {
        "title": "실행하며 배우는 딥러닝",
        "edition_name": "Korean edition",
        "switch_label": "English",
        "switch_title": "이 페이지의 영어판",
        "cite_heading": "이 장을 인용하기",
        "cite_intro": "과제나 글에서 이 장을 인용할 때 아래 형식을 쓰세요.",
        "download_title": "이 장을 노트북(.ipynb)으로 내려받기",
    },
    "en": {
        "title": "Deep Learning, Executed",
        "edition_name": "English edition",
        "switch_label": "한국어",
        "switch_title": "This page in the Korean edition",
        "cite_heading": "Cite this chapter",
        "cite_intro": "To cite this chapter in an assignment or a paper:",
        "download_title": "Download this chapter as a notebook (.ipynb)",
    },
}

project = "Deep Learning, Executed"
author = "The dlbook authors"
copyright = "2026, the dlbook authors"
# the book's version is the dlbook package's (pyproject.toml), cited in every chapter
release = version = importlib.metadata.version("dlbook")
#: year of this release, printed in citations (fixed, so builds are reproducible)
book_year = 2026
# Where the site is published; citations print absolute chapter URLs from it.
# Set BOOK_BASE_URL when publishing (the default is a placeholder domain).
html_baseurl = os.environ.get("BOOK_BASE_URL", "https://dlbook.example.org/")

extensions = [
    "myst_nb",
    "sphinx_copybutton",
    "sphinx_exercise",
    "sphinxcontrib.bibtex",
    "sphinx-mathjax-offline",
    "editions",
    "korean_search",
    "notebook_downloads",
    "framework_tabs",
]

# one bibliography for both editions
bibtex_bibfiles = [str(ROOT / "book" / "references.bib")]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# Sources: MyST Markdown notebooks; _templates and _static are shared.
templates_path = [str(ROOT / "book" / "_templates")]
html_static_path = [str(ROOT / "book" / "_static")]
html_css_files = ["book.css"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "jupyter_execute"]

# Execution: every chapter runs during the build; the jupyter-cache keeps an
# unchanged chapter from running again. One cache serves both editions, so a
# notebook whose code is the same in both runs once.
nb_execution_mode = "cache"
nb_execution_cache_path = str(CACHE_PATH)
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 300
# stray stderr (a library warning) fails the build instead of reaching readers
nb_output_stderr = "remove-warn"
nb_merge_streams = True
# no widget JavaScript from a CDN: the site must work offline
nb_ipywidgets_js = {}
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_last_updated_fmt = ""
html_copy_source = False
html_theme_options = {
    "article_header_end": ["edition-switch.html", "notebook-download.html", "article-header-buttons.html"],
    "article_footer_items": ["cite-this.html"],
    "use_download_button": True,
    "show_toc_level": 2,
}
# the theme's colour mode before a reader picks one: without it, a first visit
# (nothing in localStorage yet) logs "Got invalid theme mode" to the console
html_context = {"default_mode": "auto"}
# chapters, sections, figures, equations and exercises are numbered, per chapter
numfig = True
numfig_secnum_depth = 1
math_numfig = True
math_eqref_format = "({number})"
book_editions = EDITIONS


def apply_edition(app, config) -> None:
    """Derive the edition's settings from ``language`` (set with -D language=..)."""
    edition = EDITIONS.get(config.language)
    if edition is None:
        raise ConfigError(
            f"Unknown edition language {config.language!r}: build with -D language=ko or "
            f"-D language=en (the folders of book/), e.g. python tools/build_book.py"
        )
    config.html_title = edition["title"]
    config.project = edition["title"]


def setup(app):
    app.connect("config-inited", apply_edition)
