"""The interface around the chapters in the edition's language, and search results worth reading.

- Message catalogues (``locales/<language>/LC_MESSAGES/<domain>.po``) for
  what Sphinx, pydata-sphinx-theme, sphinx-book-theme and myst-nb write
  around the chapters: pydata-sphinx-theme ships no Korean catalogue, and
  Sphinx's Korean one lacks some messages. They are compiled into the build
  folder and added after the packages' own catalogues (Sphinx's extension
  i18n API, ``app.add_message_catalog``), so they fill what those lack.
- myst-nb's execution-status table writes its column headers in English
  without a catalogue: they are translated here (a post-transform).
- The footer's byline and copyright come from the edition (``byline``,
  ``copyright``): sphinx-book-theme's "By <author>" reads "으로 …" in Korean.
- Search: a page holding the execution-status table is left out of the
  index (``nosearch``); formulas (TeX source) are not indexed (Sphinx's
  ``no-search`` class). Result snippets come from the article
  alone: searchtools.js takes them from ``[role=main]``, which in
  pydata-sphinx-theme is the whole ``<main>`` with the toolbar, the theme menu
  and the page's contents list; ``static/search_snippets.js`` (loaded by the
  search page, ``templates/search.html``) reads the article instead, without
  formulas or players. No maintained extension does either.
- ``static/reading.css``: error outputs wrap instead of running off-screen.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.locale import _
from sphinx.transforms.post_transforms import SphinxPostTransform

from dlbook_build.sphinx.editions import edition

HERE = Path(__file__).resolve().parent
LOCALES = HERE / "locales"
#: myst-nb's execution-status table headers (myst_nb.ext.execution_tables), msgids of the catalogue
EXEC_TABLE_HEADERS = ("Document", "Modified", "Method", "Run Time (s)", "Status")


def catalogue_domains(language: str) -> list[str]:
    """The message catalogues (gettext domains) the book supplies for ``language``."""
    folder = LOCALES / language / "LC_MESSAGES"
    return sorted(p.stem for p in folder.glob("*.po")) if folder.is_dir() else []


def compile_catalogues(language: str, target: Path) -> list[str]:
    """Compile the book's ``.po`` files for ``language`` into ``target/<language>/LC_MESSAGES/*.mo``; their domains."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    domains = catalogue_domains(language)
    out = Path(target) / language / "LC_MESSAGES"
    out.mkdir(parents=True, exist_ok=True)
    for domain in domains:
        with open(LOCALES / language / "LC_MESSAGES" / f"{domain}.po", "rb") as po:
            catalogue = read_po(po, locale=language, domain=domain)
        with open(out / f"{domain}.mo", "wb") as mo:
            write_mo(mo, catalogue)
    return domains


def add_catalogues(app: Sphinx, config: Config) -> None:
    """Compile and add the edition's catalogues; take the footer's copyright from the edition (with ``book_year``)."""
    target = Path(app.doctreedir) / "dlbook-locales"
    for domain in compile_catalogues(config.language, target):
        app.add_message_catalog(domain, str(target))
    config.copyright = edition(config)["copyright"].format(year=config.book_year)


class TranslateInterface(SphinxPostTransform):
    """The execution-status table's headers in the edition's language.

    Runs after myst-nb has made the table (priority 8); marks formulas
    ``no-search`` (not indexed).
    """

    default_priority = 50
    formats = ("html",)

    def run(self, **kwargs) -> None:
        for math in self.document.findall(nodes.Element):
            if isinstance(math, (nodes.math, nodes.math_block)):
                math["classes"].append("no-search")
        for table in self.document.findall(nodes.table):
            heads = list(table.findall(nodes.thead))
            cells = [entry.astext() for entry in heads[0].findall(nodes.entry)] if heads else []
            if tuple(cells) != EXEC_TABLE_HEADERS:
                continue
            for text in list(heads[0].findall(nodes.Text)):
                text.parent.replace(text, nodes.Text(_(str(text))))


def leave_utility_pages_out(app: Sphinx, doctree: nodes.document) -> None:
    """Keep a page with myst-nb's execution-status table out of search results (its rows name every chapter)."""
    from myst_nb.ext.execution_tables import ExecutionStatsNode

    if any(True for _node in doctree.findall(ExecutionStatsNode)):
        app.env.metadata[app.env.docname]["nosearch"] = True


def add_page_texts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """The footer's byline and the search field's placeholder, in the edition's language."""
    context["book_byline"] = edition(app.config)["byline"]
    # sphinx-book-theme writes "Search..." from its own catalogue, which has no Korean "Search"
    context["theme_search_bar_text"] = _("Search...")


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", add_catalogues)
    app.add_post_transform(TranslateInterface)
    app.connect("doctree-read", leave_utility_pages_out)
    # after sphinx-book-theme's own handler (500), which sets the placeholder
    app.connect("html-page-context", add_page_texts, priority=600)
    app.add_css_file("reading.css")
    # bump env_version when this file changes what pages show: Sphinx then rebuilds them
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
