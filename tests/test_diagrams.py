from __future__ import annotations

import os
import sys

import pytest

from dlbook import diagram, diagrams, model_diagram


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


def test_keras_activation_layer_labels_the_arrow_leaving_the_previous_dense():
    import keras

    net = keras.Sequential(
        [keras.Input((1,)), keras.layers.Dense(2), keras.layers.Activation("relu"), keras.layers.Dense(1)]
    )
    source = model_diagram(net).source
    assert source.count("Dense(") == 2 and "Activation" not in source
    assert 'layer0 -> layer1 [label="relu"]' in source
    assert 'in -> layer0 [label=""]' in source and 'layer1 -> out [label=""]' in source
    # drawn like the same network with the activation inside Dense
    inline = keras.Sequential([keras.Input((1,)), keras.layers.Dense(2, activation="relu"), keras.layers.Dense(1)])
    assert model_diagram(inline).source == source


def test_keras_activation_layers_compose_and_identity_is_left_out():
    import keras

    net = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(3, activation="tanh"),
            keras.layers.Activation("linear"),
            keras.layers.ReLU(),
            keras.layers.Dense(1),
            keras.layers.Activation("sigmoid"),
        ]
    )
    source = model_diagram(net).source
    assert 'layer0 -> layer1 [label="tanh, relu"]' in source
    assert 'layer1 -> out [label="sigmoid"]' in source


def test_keras_activation_layer_needs_a_dense_layer_before_it():
    import keras

    net = keras.Sequential([keras.Input((1,)), keras.layers.Activation("relu"), keras.layers.Dense(1)])
    with pytest.raises(TypeError, match="needs a Dense layer before"):
        model_diagram(net)
    with pytest.raises(TypeError, match="Dense and Activation layers only"):
        model_diagram(keras.Sequential([keras.Input((4,)), keras.layers.Dropout(0.5), keras.layers.Dense(1)]))


def test_keras_model_and_its_torch_twin_are_described_alike():
    import keras
    import torch

    net = keras.Sequential(
        [keras.Input((1,)), keras.layers.Dense(2), keras.layers.Activation("relu"), keras.layers.Dense(1)]
    )
    twin = torch.nn.Sequential(torch.nn.Linear(1, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    keras_drawn, torch_drawn = model_diagram(net), model_diagram(twin)
    expected = "model: x -> 2 units, bias, 4 params, relu -> 1 unit, bias, 3 params -> yhat"
    assert keras_drawn.description == torch_drawn.description == expected
    assert (
        "Linear(1, 2), bias\\n4 params" in torch_drawn.source
        and 'layer0 -> layer1 [label="relu"]' in torch_drawn.source
    )
    assert repr(keras_drawn) == repr(torch_drawn) == f"<Diagram: {expected}>"
    assert f'aria-label="{expected.replace(">", "&gt;")}"' in keras_drawn._repr_html_()


def test_bad_input_is_rejected():
    with pytest.raises(TypeError, match="DOT text"):
        diagram(42)
    with pytest.raises(ValueError, match="empty"):
        diagram("   ")
    with pytest.raises(ValueError, match="Graphviz could not draw"):
        diagram("digraph { a -> }")
    with pytest.raises(TypeError, match=r"keras\.Sequential or torch\.nn\.Sequential"):
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


NOT_SEQUENTIAL = r"^model must be a keras.Sequential or torch.nn.Sequential, got "


def test_an_empty_model_is_rejected():
    import keras
    import torch

    for empty in (keras.Sequential([]), keras.Sequential([keras.Input((1,))])):
        with pytest.raises(
            ValueError, match=r"^the Keras model has no layers to draw: add keras.layers.Dense\(...\) layers$"
        ):
            model_diagram(empty)
    with pytest.raises(
        ValueError, match=r"^the PyTorch model has no layers to draw: add torch.nn.Linear\(...\) layers$"
    ):
        model_diagram(torch.nn.Sequential())


def test_a_model_that_is_not_sequential_is_rejected():
    import keras
    import torch

    inputs = keras.Input((1,))
    functional = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    for model, name in [
        (functional, "Functional"),
        (keras.layers.Dense(1), "Dense"),
        (torch.nn.Linear(1, 1), "Linear"),
        (None, "NoneType"),
        ("x -> y", "str"),
    ]:
        with pytest.raises(TypeError, match=NOT_SEQUENTIAL + name + "$"):
            model_diagram(model)


def test_a_subclass_of_sequential_is_drawn():
    import keras
    import torch

    class MyKerasNet(keras.Sequential):
        pass

    class MyTorchNet(torch.nn.Sequential):
        pass

    keras_net = MyKerasNet([keras.Input((1,)), keras.layers.Dense(1)])
    assert "Dense(1), bias\\n2 params" in model_diagram(keras_net).source
    assert "Linear(1, 1), bias\\n2 params" in model_diagram(MyTorchNet(torch.nn.Linear(1, 1))).source


def test_an_unsupported_keras_layer_is_rejected():
    import keras

    for layer, name in [
        (keras.layers.SimpleRNN(2), "SimpleRNN"),
        (keras.layers.Flatten(), "Flatten"),
        (keras.layers.Lambda(lambda t: 2 * t), "Lambda"),
    ]:
        net = keras.Sequential([keras.Input((3, 1)), layer, keras.layers.Dense(1)])
        with pytest.raises(TypeError, match=rf"^model_diagram draws Dense and Activation layers only, got {name}$"):
            model_diagram(net)


def test_an_unsupported_torch_layer_is_rejected():
    import torch

    for module, name in [
        (torch.nn.Dropout(0.5), "Dropout"),
        (torch.nn.Conv1d(1, 1, 1), "Conv1d"),
        (torch.nn.PReLU(), "PReLU"),
        (torch.nn.Flatten(), "Flatten"),
    ]:
        net = torch.nn.Sequential(torch.nn.Linear(1, 1), module)
        with pytest.raises(TypeError, match=rf"^model_diagram draws Linear layers and activations only, got {name}$"):
            model_diagram(net)
    with pytest.raises(TypeError, match=r"^model_diagram needs a Linear layer before the activation ReLU$"):
        model_diagram(torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(1, 1)))


def test_an_unbuilt_layer_is_drawn_as_not_built_alike_in_both_frameworks():
    """Keras without an Input and PyTorch's LazyLinear do not know their parameters yet: the box says so."""
    import keras
    import torch

    net = keras.Sequential([keras.layers.Dense(2, activation="relu"), keras.layers.Dense(1)])
    twin = torch.nn.Sequential(torch.nn.LazyLinear(2), torch.nn.ReLU(), torch.nn.LazyLinear(1))
    keras_drawn, torch_drawn = model_diagram(net), model_diagram(twin)
    expected = "model: x -> 2 units, bias, not built yet, relu -> 1 unit, bias, not built yet -> yhat"
    assert keras_drawn.description == torch_drawn.description == expected
    assert "Dense(2), bias\\nnot built yet" in keras_drawn.source
    assert "LazyLinear(2), bias\\nnot built yet" in torch_drawn.source
    twin(torch.zeros(1, 3))  # the first batch builds it: now a Linear with its count
    assert "Linear(3, 2), bias\\n8 params" in model_diagram(twin).source


def test_text_arguments_must_be_text():
    import torch

    with pytest.raises(TypeError, match=r"^description must be text \(a str\), got int$"):
        diagram('"x" -> "y"', description=3)
    with pytest.raises(TypeError, match=r"^input_name must be text \(a str\), got NoneType$"):
        model_diagram(torch.nn.Sequential(torch.nn.Linear(1, 1)), input_name=None)
    with pytest.raises(TypeError, match=r"^source must be DOT text \(a str\), got bytes$"):
        diagrams.dot_to_svg(b"digraph { a -> b }")
