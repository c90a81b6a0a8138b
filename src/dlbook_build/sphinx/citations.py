"""The bibliography as a list that assistive technology reads (the references page).

Docutils' HTML writer, which Sphinx's extends, writes a bibliography
(sphinxcontrib-bibtex's) as a ``<div role="list">`` of ``<div role="doc-biblioentry">``.
DPUB-ARIA 1.1 deprecated ``doc-biblioentry`` and ARIA allows it on no ``div``, so
axe (in Lighthouse and in the browser test) finds a list without list items, and a
deprecated, disallowed role on every entry: the references page scored 93 for
accessibility. Each entry keeps the writer's markup with the role its list
expects, ``listitem``. No maintained extension changes this markup; the writer's
own methods write it, and this module only changes the role they wrote.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx


def visit_citation(self: Any, node: nodes.citation) -> None:
    """The writer's ``visit_citation``, with ``role="listitem"`` on the entry."""
    start = len(self.body)
    type(self).visit_citation(self, node)
    self.body[start:] = [part.replace('role="doc-biblioentry"', 'role="listitem"') for part in self.body[start:]]


def depart_citation(self: Any, node: nodes.citation) -> None:
    type(self).depart_citation(self, node)


def setup(app: Sphinx) -> dict:
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    # bump env_version when this file changes what pages show: Sphinx then writes them again
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
