from __future__ import annotations

import os
import sys

import pytest

from dlbook import diagram, model_diagram
from dlbook import diagrams


def test_dot_body_is_wrapped_and_rendered_inline():
    drawn = diagram('"x" -> "yhat"[label="*w"]', description="a line")
    assert drawn.source.startswith("digraph G {")
    html = drawn._repr_html_()
    assert html.startswith('<div class="dlbook-diagram"><svg role="img" aria-label="a line"')
    assert ">yhat</text>" in html and ">*w</text>" in html
    assert "<?xml" not in html


def test_full_graph_and_graphviz_objects_are_accepted():
    import graphviz

    graph = graphviz.Digraph()
    graph.edge("1", "yhat")
    assert ">yhat</text>" in diagram(graph).svg
    assert diagram("graph { a -- b }").source == "graph { a -- b }"


def test_keras_model_is_drawn_from_the_object():
    import keras

    net = keras.Sequential([keras.Input((1,)), keras.layers.Dense(2, activation="relu"), keras.layers.Dense(1)])
    drawn = model_diagram(net)
    assert "Dense(2), bias\\n4 params" in drawn.source
    assert 'label="relu"' in drawn.source and "Dense(1), bias\\n3 params" in drawn.source
    assert "<svg" in drawn.svg


def test_torch_model_is_drawn_from_the_object():
    import torch

    net = torch.nn.Sequential(torch.nn.Linear(2, 1, bias=False), torch.nn.Sigmoid())
    drawn = model_diagram(net)
    assert "Linear(2, 1), no bias\\n2 params" in drawn.source and 'label="sigmoid"' in drawn.source


def test_bad_input_is_rejected():
    with pytest.raises(TypeError, match="DOT text"):
        diagram(42)
    with pytest.raises(ValueError, match="empty"):
        diagram("   ")
    with pytest.raises(ValueError, match="Graphviz could not draw"):
        diagram("digraph { a -> }")
    with pytest.raises(TypeError, match="keras.Sequential or torch.nn.Sequential"):
        model_diagram(object())


def test_missing_renderer_says_how_to_fix_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    with pytest.raises(diagrams.RendererNotFoundError, match="apt-get install graphviz"):
        diagram('"x" -> "y"')


def test_renderer_is_found_next_to_python_without_an_activated_environment(monkeypatch, tmp_path):
    found = diagrams.find_renderer()
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "executable", os.path.join(os.path.dirname(found), "python"))
    assert diagrams.find_renderer() == found
