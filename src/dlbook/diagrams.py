"""Diagrams of models, drawn with Graphviz and shown inline as SVG (chapters 4, 6, 7).

:func:`diagram` takes DOT text, as the lectures write it, and
:func:`model_diagram` draws a ``keras.Sequential`` or ``torch.nn.Sequential``
from the model object itself. The renderer is Debian's ``dot`` when it is on
the PATH, else the ``graphviz-pure`` command this package depends on.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RENDERERS = ("dot", "graphviz-pure")

_GRAPH_HEADER = re.compile(r"^\s*(strict\s+)?(di)?graph\b", re.IGNORECASE)


class RendererNotFoundError(RuntimeError):
    """No Graphviz renderer is installed."""


def find_renderer() -> str:
    """Path of the first Graphviz renderer found: ``dot``, then ``graphviz-pure``.

    Both the PATH and the directory of the running Python (a virtual
    environment's ``bin``, even when it is not activated) are searched.
    """
    for name in RENDERERS:
        found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
        if found:
            return found
    raise RendererNotFoundError(
        "No Graphviz renderer found to draw the diagram: looked for "
        + " and ".join(f"'{name}'" for name in RENDERERS)
        + " on the PATH and next to "
        + sys.executable
        + ". Install the book's dependencies (`pip install -e .`, which brings graphviz-pure) "
        "or Debian's renderer (`apt-get install graphviz`)."
    )


def dot_to_svg(source: str) -> str:
    """Render complete DOT text to SVG markup (without the XML prolog)."""
    if not isinstance(source, str):
        raise TypeError(f"source must be DOT text (a str), got {type(source).__name__}")
    result = subprocess.run([find_renderer(), "-Tsvg"], input=source.encode(), capture_output=True, check=False)
    if result.returncode != 0:
        raise ValueError(f"Graphviz could not draw this DOT text:\n{result.stderr.decode(errors='replace')}")
    svg = result.stdout.decode()
    return svg[svg.index("<svg") :]


class Diagram:
    """A rendered diagram: inline SVG in a page, with its DOT source kept in ``source``."""

    def __init__(self, source: str, svg: str, description: str) -> None:
        self.source = source
        self.svg = svg
        self.description = description

    def _repr_html_(self) -> str:
        label = html.escape(self.description, quote=True)
        svg = self.svg.replace("<svg", f'<svg role="img" aria-label="{label}"', 1)
        return f'<div class="dlbook-diagram">{svg}</div>'

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return f"<Diagram: {self.description}>"


def diagram(source: Any, description: str = "diagram") -> Diagram:
    """Draw DOT text (or a ``graphviz.Source``/``Digraph``) as an inline SVG.

    Text that is only a graph's body, like the lecture's ``gv('"x" -> "y"')``,
    is wrapped in ``digraph G { rankdir=LR; ... }``. ``description`` is read
    out by screen readers.
    """
    _check_text(description, "description")
    text = getattr(source, "source", source)
    if not isinstance(text, str):
        raise TypeError(f"source must be DOT text or a graphviz object, got {type(source).__name__}")
    if not text.strip():
        raise ValueError("source must not be empty DOT text")
    if not _GRAPH_HEADER.match(text):
        text = "digraph G {\n  rankdir=LR;\n" + text + "\n}"
    return Diagram(text, dot_to_svg(text), description)


def model_diagram(model: Any, input_name: str = "x") -> Diagram:
    """Draw a ``keras.Sequential`` or ``torch.nn.Sequential`` layer by layer.

    Each weighted layer (Keras ``Dense``, PyTorch ``Linear``) is a box with its
    size and parameter count. Activations label the arrow leaving the layer
    they follow, as in the lectures' hand-drawn diagrams, whether they are
    part of the layer (``Dense(2, activation='relu')``) or a layer of their
    own (Keras ``Activation('relu')``, PyTorch ``nn.ReLU()``).

    The description read out by screen readers (and shown as the diagram's
    text) names units and parameter counts in the same words for both
    frameworks, so a Keras model and its PyTorch twin are described alike.
    """
    _check_text(input_name, "input_name")
    layers = _describe_layers(model)
    lines = [
        "digraph model {",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica"];',
        f'  in [label="{_quote(input_name)}", shape=plaintext];',
    ]
    previous, activation = "in", ""
    for index, layer in enumerate(layers):
        node = f"layer{index}"
        lines.append(f'  {node} [label="{_quote(layer.label)}"];')
        lines.append(f'  {previous} -> {node} [label="{_quote(activation)}"];')
        previous, activation = node, layer.activation
    lines.append('  out [label="yhat", shape=plaintext];')
    lines.append(f'  {previous} -> out [label="{_quote(activation)}"];')
    lines.append("}")
    text = "\n".join(lines)
    summary = " -> ".join([input_name, *(layer.summary() for layer in layers), "yhat"])
    return Diagram(text, dot_to_svg(text), f"model: {summary}")


def _check_text(value: Any, name: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be text (a str), got {type(value).__name__}")


def _quote(text: str) -> str:
    return text.replace('"', '\\"')


@dataclass
class _Layer:
    """One weighted layer of a model and the activation applied after it."""

    name: str  # the framework's own name for the layer, e.g. "Dense(2)", "Linear(1, 2)"
    units: int
    bias: bool
    params: int | None  # None: a layer not built yet (Keras without Input, PyTorch LazyLinear)
    activation: str = ""

    @property
    def label(self) -> str:
        """The layer's box in the diagram."""
        return f"{self.name}, {self._bias()}\\n{self._params()}"

    def _bias(self) -> str:
        return "bias" if self.bias else "no bias"

    def _params(self) -> str:
        return "not built yet" if self.params is None else f"{self.params} params"

    def add_activation(self, name: str) -> None:
        if name and name not in ("linear", "identity"):
            self.activation = f"{self.activation}, {name}" if self.activation else name

    def summary(self) -> str:
        size = f"{self.units} unit" + ("" if self.units == 1 else "s")
        return ", ".join(part for part in (size, self._bias(), self._params(), self.activation) if part)


def _describe_layers(model: Any) -> list[_Layer]:
    """The weighted layers of ``model``, each with the activation after it.

    A framework is only asked about the model if the model's code already
    imported it, so drawing a Keras model never imports PyTorch or the reverse.
    """
    for name in ("keras", "tf_keras"):
        keras = sys.modules.get(name)
        if keras is not None and isinstance(model, keras.Sequential):
            return _keras_layers(model, keras)
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(model, torch.nn.Sequential):
        return _torch_layers(model, torch)
    raise TypeError(f"model must be a keras.Sequential or torch.nn.Sequential, got {type(model).__name__}")


def _keras_activation_name(layer: Any) -> str | None:
    """The activation a weightless Keras activation layer applies, else None."""
    if ".layers.activation" not in type(layer).__module__ or layer.weights:
        return None
    function = getattr(layer, "activation", None)
    if callable(function):  # keras.layers.Activation('relu')
        name = getattr(function, "__name__", "")
        return layer.name if not name or name == "<lambda>" else name
    return type(layer).__name__.lower()  # keras.layers.ReLU(), Softmax(), ...


def _keras_layers(model: Any, keras: Any) -> list[_Layer]:
    if not model.layers:
        raise ValueError("the Keras model has no layers to draw: add keras.layers.Dense(...) layers")
    described: list[_Layer] = []
    for layer in model.layers:
        activation = _keras_activation_name(layer)
        if isinstance(layer, keras.layers.Dense):
            params = layer.count_params() if layer.built else None  # drawn as "not built yet"
            described.append(_Layer(f"Dense({layer.units})", layer.units, layer.use_bias, params))
            described[-1].add_activation(getattr(layer.activation, "__name__", ""))
        elif activation is not None:
            if not described:
                raise TypeError(f"model_diagram needs a Dense layer before the activation layer {layer.name!r}")
            described[-1].add_activation(activation)
        else:
            raise TypeError(f"model_diagram draws Dense and Activation layers only, got {type(layer).__name__}")
    return described


def _torch_activation_name(module: Any, torch: Any) -> str | None:
    """The name of a weightless PyTorch activation module (``nn.ReLU()``, ``nn.Identity()``), else None."""
    is_activation = type(module).__module__ == "torch.nn.modules.activation" or isinstance(module, torch.nn.Identity)
    if not is_activation or any(True for _ in module.parameters()):
        return None
    return type(module).__name__.lower()


def _torch_layers(model: Any, torch: Any) -> list[_Layer]:
    if len(model) == 0:
        raise ValueError("the PyTorch model has no layers to draw: add torch.nn.Linear(...) layers")
    described: list[_Layer] = []
    for module in model:
        activation = _torch_activation_name(module, torch)
        if isinstance(module, torch.nn.LazyLinear):
            # before its first batch (then it becomes a Linear): input size and parameters not known yet
            name = f"LazyLinear({module.out_features})"
            described.append(_Layer(name, module.out_features, module.bias is not None, None))
        elif isinstance(module, torch.nn.Linear):
            params = sum(p.numel() for p in module.parameters())
            name = f"Linear({module.in_features}, {module.out_features})"
            described.append(_Layer(name, module.out_features, module.bias is not None, params))
        elif activation is not None:
            if not described:
                raise TypeError(f"model_diagram needs a Linear layer before the activation {type(module).__name__}")
            described[-1].add_activation(activation)
        else:
            raise TypeError(f"model_diagram draws Linear layers and activations only, got {type(module).__name__}")
    return described
