"""One Sphinx configuration for both editions of the book: settings only.

``python tools/build_book.py`` builds every edition with ``-D language=<ko|en>``;
what differs between editions comes from ``book/editions.toml``
(``dlbook_build.project.EDITIONS``), applied by ``dlbook_build.sphinx``.
"""

from __future__ import annotations

import importlib.metadata
import os

from dlbook_build.project import CACHE_PATH, read_book_release, read_book_repo, source_commit

project = "Deep Learning, Executed"
author = "The dlbook authors"
# the book's version is the dlbook package's (pyproject.toml), cited in every chapter
release = version = importlib.metadata.version("dlbook")
#: year of this release, printed in citations and the footer's copyright (fixed, so builds are reproducible)
book_year = 2026
# Where the site is published (https://example.org/book/): each edition's
# html_baseurl is this plus its language; with it, pages get canonical links,
# OpenGraph tags and a sitemap. Unset, citations show paths within the site.
book_base_url = os.environ.get("BOOK_BASE_URL", "")
# The release this build is (BOOK_RELEASE, e.g. 2026-fall): its site lives at
# BASE/<release>/<language>/, frozen, beside the latest at BASE/<language>/
# (dlbook_build.sphinx.editions derives the addresses). Unset: the latest.
book_release = read_book_release()
# The book's GitHub repository (BOOK_REPO=owner/name): with it, chapters link to
# their notebook in Colab and every page to a new issue, pre-filled (dlbook_build.sphinx.releases)
book_repo = read_book_repo()
book_commit = source_commit()

extensions = [
    "myst_nb",
    "sphinx_copybutton",
    "sphinx_exercise",
    "sphinxcontrib.bibtex",
    # math typeset at build time (KaTeX run by Node): no math engine runs in the browser
    "sphinxcontrib.katex",
    "notfound.extension",
    "dlbook_build.sphinx",
    # a sitemap and link previews need the address the site is published at
    *(["sphinxext.opengraph"] if book_base_url else []),
    # the sitemap lists the latest pages only (a release's pages point their canonical links there)
    *(["sphinx_sitemap"] if book_base_url and not book_release else []),
]
# each edition's sitemap lists its pages under its own html_baseurl
sitemap_url_scheme = "{link}"
# link previews (messengers, LMSs): title, description and the chapter's first figure
ogp_enable_meta_description = True
ogp_use_first_image = True
ogp_social_cards = {"enable": False}

# one bibliography for both editions
bibtex_bibfiles = ["book/references.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# Sources: MyST Markdown notebooks (templates and CSS come with dlbook_build.sphinx)
exclude_patterns = ["_build", "**.ipynb_checkpoints", "jupyter_execute"]

# Execution: dlbook_build.sphinx executes every chapter missing from the
# jupyter-cache before it is read; myst-nb takes the outputs from the cache.
# One cache serves both editions and the tests.
nb_execution_mode = "cache"
nb_execution_cache_path = str(CACHE_PATH)
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 300
# stray stderr (a library warning) fails the build instead of reaching readers
nb_output_stderr = "remove-warn"
nb_merge_streams = True
# no widget JavaScript from a CDN: the site must work offline
nb_ipywidgets_js: dict[str, dict[str, str]] = {}
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
# Math is rendered to HTML (and MathML for screen readers) while the page is
# written, by the KaTeX that sphinxcontrib-katex bundles, run with Node; pages
# load only KaTeX's stylesheet and fonts, served from the site (static/katex/,
# the same KaTeX version). The PDF keeps its LaTeX.
katex_prerender = True
katex_css_path = "katex/katex.min.css"
# sphinxcontrib-katex's renderer, with display formulas that take the keyboard's
# focus (dlbook_build.sphinx.page_speed): a long one scrolls on a phone
html_math_renderer = "dlbook-katex"
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_last_updated_fmt = ""
html_copy_source = False
html_theme_options = {
    # the version switcher (dlbook_build.sphinx.releases sets its "switcher") and, with
    # BOOK_REPO, "Open in Colab" in the header; on phones (book.css) at the end of the
    # sidebar (the drawer the menu button opens), with "Report a mistake" on every screen
    "article_header_end": [
        "version-switcher.html",
        "edition-switch.html",
        "notebook-download.html",
        "colab-link.html",
        "article-header-buttons.html",
    ],
    "primary_sidebar_end": ["version-switcher.html", "colab-link.html", "report-link.html"],
    "article_footer_items": ["cite-this.html"],
    # no download menu: its ".md" entry would lead nowhere (the site ships no
    # sources); chapters have their own notebook download
    "use_download_button": False,
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

# The PDF (tools/build_pdf.py): xelatex for Korean; per-edition fonts and
# titles come from dlbook_build.sphinx.latex
latex_engine = "xelatex"
latex_use_xindy = False
latex_show_urls = "footnote"
