"""The student build: every edition without the exercises' solutions.

``book_solutions`` (default ``True``) is the one switch; ``python
tools/build_book.py --no-solutions`` sets it to ``False`` (``-D
book_solutions=0``). The exercises stay, with their numbers; each solution goes
from the pages, and so from the search index and the PDF, which are made from
the same doctrees; the notebook downloads are written from those doctrees
too (:mod:`dlbook_build.sphinx.notebooks`), so they have none either.

Why not sphinx-exercise's own ``hide_solutions``: with gated solutions
(``solution-start``/``solution-end``, which the book uses so that solutions can
hold code cells) it crashes the build ("departing unknown node type:
solution_end_node", executablebooks/sphinx-exercise#89, open for 1.2.1); and
were it fixed, the code cells between the markers would stay. So this module
removes the merged solution nodes itself, right after sphinx-exercise merges
them, and refuses ``hide_solutions = True``.

On the site the solutions are collapsed until opened: sphinx-exercise marks
them ``:class: dropdown`` and sphinx-togglebutton collapses those.
"""

from __future__ import annotations

import gettext
from pathlib import Path

import sphinx_togglebutton
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.transforms import SphinxTransform
from sphinx_exercise.nodes import solution_node


def check_settings(app: Sphinx, config: Config) -> None:
    if not isinstance(config.book_solutions, bool):
        raise ConfigError(
            f"book_solutions must be True or False (-D book_solutions=0 or 1), not {config.book_solutions!r}"
        )
    if config.hide_solutions:
        raise ConfigError(
            "hide_solutions = True crashes on gated solutions (sphinx-exercise#89): set book_solutions = False "
            "instead (python tools/build_book.py --no-solutions)"
        )


def localise_toggle_hints(app: Sphinx, config: Config) -> None:
    """The toggle's "Click to show/hide" in the edition's language, from sphinx-togglebutton's own catalogue.

    sphinx-togglebutton translates them when it is set up, before ``language``
    is known (-D language=ko), so every edition got the English hints.
    """
    catalogue = gettext.translation(
        sphinx_togglebutton.MESSAGE_CATALOG_NAME,
        Path(sphinx_togglebutton.__file__).parent / "translations" / "locales",
        languages=[config.language],
        fallback=True,
    )
    for name, message in (("togglebutton_hint", "Click to show"), ("togglebutton_hint_hide", "Click to hide")):
        if config[name] == message:  # not set in conf.py
            config[name] = catalogue.gettext(message)


class RemoveSolutions(SphinxTransform):
    """In the student build, drop every solution (with its code cells and outputs) from the doctree."""

    # after sphinx-exercise's MergeGatedSolutions (10) has gathered each gated solution into one node
    default_priority = 15

    def apply(self) -> None:
        if self.config.book_solutions:
            return
        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for node in list(self.document.findall(solution_node)):
            for name in node["names"]:
                self.document.nameids.pop(name, None)
                self.document.nametypes.pop(name, None)
                registry.pop(name, None)
            for node_id in node["ids"]:
                self.document.ids.pop(node_id, None)
            node.parent.remove(node)


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx_exercise")
    app.setup_extension("sphinx_togglebutton")
    # "env": the doctrees differ, so switching rebuilds every page
    app.add_config_value("book_solutions", True, "env", types=[bool])
    app.connect("config-inited", check_settings)
    # before sphinx-togglebutton writes the hints into the page (config-inited, priority 500)
    app.connect("config-inited", localise_toggle_hints, priority=400)
    app.add_transform(RemoveSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
