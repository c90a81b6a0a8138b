"""Every chapter as a Jupyter notebook to download and run elsewhere.

After an edition is built, each chapter is written to
``<out>/<language>/_downloads/notebooks/<chapter>.ipynb`` with the outputs of
the build's own execution (from the jupyter-cache), preceded by a cell that
installs the book's ``dlbook`` package. The package itself is shipped with the
site as a wheel (``<out>/dlbook-<version>-py3-none-any.whl``), so the install
line works wherever the site is published (``html_baseurl``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from dlbook_build.sphinx.editions import page_url
from dlbook_build.execute import cached_notebook, is_notebook as is_notebook_file, read_notebook

logger = logging.getLogger(__name__)
DOWNLOADS = "_downloads/notebooks"
WHEEL_FOLDER = "_downloads"


def wheel_name(version: str) -> str:
    return f"dlbook-{version}-py3-none-any.whl"


def install_cell(app: Sphinx) -> nbformat.NotebookNode:
    url = page_url(app.config, f"{WHEEL_FOLDER}/{wheel_name(app.config.release)}", suffix="")
    return nbformat.v4.new_code_cell(
        "# The book's helper package (plots, animations, data recipes); skipped if already installed.\n"
        "import importlib.util\n"
        "\n"
        'if importlib.util.find_spec("dlbook") is None:\n'
        f'    %pip install "dlbook @ {url}"'
    )


def is_notebook(app: Sphinx, docname: str) -> bool:
    """Whether the page is a chapter notebook (MyST Markdown with notebook front matter)."""
    if docname not in app.env.found_docs:
        return False
    source = Path(app.env.doc2path(docname))
    return source.suffix == ".md" and is_notebook_file(source)


def executed(app: Sphinx, source: Path) -> nbformat.NotebookNode:
    """The chapter as a notebook, with the outputs of its cached execution."""
    notebook = cached_notebook(source, Path(app.config.nb_execution_cache_path))
    if notebook is None:
        logger.warning(f"{source}: no executed copy in the cache; its notebook download has no outputs")
        notebook = read_notebook(source)
    notebook.metadata.pop("source_map", None)
    return notebook


def write_notebooks(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    edition = app.config.book_editions[app.config.language]
    for docname in sorted(d for d in app.env.found_docs if is_notebook(app, d)):
        notebook = executed(app, Path(app.env.doc2path(docname)))
        url = page_url(app.config, docname)
        intro = nbformat.v4.new_markdown_cell(
            f"*{edition['title']}* ({edition['edition_name']}), version {app.config.release}: {url}"
        )
        notebook.cells[:0] = [intro, install_cell(app)]
        target = outdir / DOWNLOADS / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
    ship_wheel(app, outdir / WHEEL_FOLDER)


def ship_wheel(app: Sphinx, site: Path) -> None:
    """Build the dlbook wheel into the site's root, once per version."""
    wheel = site / wheel_name(app.config.release)
    if wheel.is_file():
        return
    project = Path(app.confdir)
    site.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(site), str(project)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or not wheel.is_file():
        raise ExtensionError(f"could not build {wheel.name} for the notebook downloads:\n{result.stderr}")


def add_download_link(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if is_notebook(app, pagename):
        context["notebook_download"] = {
            "href": "../" * pagename.count("/") + f"{DOWNLOADS}/{pagename}.ipynb",
            "title": app.config.book_editions[app.config.language]["download_title"],
        }


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", add_download_link)
    app.connect("build-finished", write_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 2}
