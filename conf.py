"""One Sphinx configuration for both editions of the book.

Build an edition with ``sphinx-build -c . -D language=ko book/ko _build/html/ko``
(``tools/build_book.py`` does this for every edition). Everything that differs
between editions is derived from ``EDITIONS`` below, keyed by ``language``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sphinx.errors import ConfigError

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))

# Quiet TensorFlow's C++ start-up logs (they would land in cell outputs) and
# keep its CPU kernels deterministic. Kernels inherit this environment.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
os.environ.setdefault("PYTHONHASHSEED", "0")
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

#: The editions: the folder under book/ is the language code.
EDITIONS = {
    "ko": {
        "title": "실행하며 배우는 딥러닝",
        "switch_label": "English",
        "switch_title": "이 페이지의 영어판",
    },
    "en": {
        "title": "Deep Learning, Executed",
        "switch_label": "한국어",
        "switch_title": "This page in the Korean edition",
    },
}

project = "Deep Learning, Executed"
author = "The dlbook authors"
copyright = "2026, the dlbook authors"
release = version = "0.1.0"

extensions = ["myst_nb", "sphinx_copybutton", "sphinx_exercise", "sphinx-mathjax-offline", "editions", "korean_search"]

# Sources: MyST Markdown notebooks; _templates and _static are shared.
templates_path = [str(ROOT / "book" / "_templates")]
html_static_path = [str(ROOT / "book" / "_static")]
html_css_files = ["book.css"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "jupyter_execute"]

# Execution: every chapter runs during the build; the jupyter-cache keeps an
# unchanged chapter from running again. One cache serves both editions, so a
# notebook whose code is the same in both runs once.
nb_execution_mode = "cache"
nb_execution_cache_path = str(ROOT / "_build" / ".jupyter_cache")
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
    "article_header_end": ["edition-switch.html", "article-header-buttons.html"],
    "use_download_button": True,
    "show_toc_level": 2,
}
numfig = True
book_editions = EDITIONS
suppress_warnings: list[str] = []


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
    config.html_context = {**config.html_context, "edition": config.language}


def setup(app):
    app.connect("config-inited", apply_edition)
    return {"parallel_read_safe": False}
