"""TensorFlow ↔ PyTorch tabs for paired code cells.

Write the same idea twice, as two consecutive code cells tagged
``tab-tensorflow`` and ``tab-pytorch``::

    ```{code-cell} ipython3
    :tags: [tab-tensorflow]
    x = tf.Variable(2.0)
    ```

    ```{code-cell} ipython3
    :tags: [tab-pytorch]
    x = torch.tensor(2.0, requires_grad=True)
    ```

Both cells are executed in the build, in page order, like any other cell.
This transform then moves each pair, code and outputs, into a sphinx-design
tab set whose tabs are synchronised: choosing PyTorch in one tab set switches
every tab set on the page, and the choice is remembered across pages
(sphinx-design keeps it in the browser's localStorage).
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx_design.shared import create_component

logger = logging.getLogger(__name__)

SYNC_GROUP = "framework"
#: tag -> (tab label, sync id), in tab order
FRAMEWORKS = {"tab-tensorflow": ("TensorFlow", "tensorflow"), "tab-pytorch": ("PyTorch", "pytorch")}


def _framework_of(node: nodes.Node) -> str | None:
    if not isinstance(node, nodes.container) or "cell" not in node.get("classes", []):
        return None
    return next((tag for tag in FRAMEWORKS if f"tag_{tag}" in node["classes"]), None)


def _next_element(node: nodes.Node) -> nodes.Node | None:
    sibling = node.next_node(descend=False, siblings=True, ascend=False)
    while isinstance(sibling, (nodes.comment, nodes.system_message)):
        sibling = sibling.next_node(descend=False, siblings=True, ascend=False)
    return sibling


class FrameworkTabs(SphinxTransform):
    """Put each tab-tensorflow/tab-pytorch pair of cells into one synchronised tab set."""

    default_priority = 500

    def apply(self, **kwargs) -> None:
        first, second = list(FRAMEWORKS)
        for cell in list(self.document.findall(nodes.container)):
            if _framework_of(cell) != first or cell.parent is None:
                continue
            twin = _next_element(cell)
            if twin is None or _framework_of(twin) != second:
                logger.warning(
                    f"a code cell tagged {first} must be followed directly by its {second} twin",
                    location=cell,
                    type="framework-tabs",
                )
                continue
            tab_set = create_component("tab-set", classes=["sd-tab-set", "framework-tabs"])
            twin.parent.remove(twin)
            cell.replace_self(tab_set)
            tab_set["classes"] = ["sd-tab-set", "framework-tabs"]  # replace_self copied the cell's
            for index, (member, tag) in enumerate(((cell, first), (twin, second))):
                label, sync_id = FRAMEWORKS[tag]
                rubric = nodes.rubric(label, label, classes=["sd-tab-label"])
                rubric["sync_id"] = sync_id
                rubric["sync_group"] = SYNC_GROUP
                content = create_component("tab-content", classes=["sd-tab-content"], children=[member])
                tab_set += create_component(
                    "tab-item", classes=["sd-tab-item"], selected=index == 0, children=[rubric, content]
                )
        for cell in self.document.findall(nodes.container):
            if _framework_of(cell) == second and not _inside_tab_set(cell):
                logger.warning(
                    f"a code cell tagged {second} must directly follow its {first} twin",
                    location=cell,
                    type="framework-tabs",
                )


def _inside_tab_set(node: nodes.Node) -> bool:
    parent = node.parent
    while isinstance(parent, nodes.Element):
        if parent.get("design_component") == "tab-set":
            return True
        parent = parent.parent
    return False


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx_design")
    app.add_transform(FrameworkTabs)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
