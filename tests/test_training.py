"""dlbook.training.fit_full_batch: the same weights as Keras's fit, much faster, careful with its input."""

from __future__ import annotations

import logging

import keras
import numpy as np
import pytest
import tensorflow as tf

from dlbook import History, training
from dlbook.data import logistic_data, piecewise_data
from dlbook.training import fit_full_batch

X, Y = piecewise_data()
N = len(X)


def two_unit_net(optimizer: keras.optimizers.Optimizer, seed: int = 43053, with_input: bool = True) -> keras.Sequential:
    """Chapter 6's network: Dense(2) -> relu -> Dense(1), compiled with mse."""
    keras.utils.set_random_seed(seed)
    layers = [keras.layers.Dense(2), keras.layers.Activation("relu"), keras.layers.Dense(1)]
    net = keras.Sequential(([keras.Input((1,))] if with_input else []) + layers)
    net.compile(optimizer=optimizer, loss="mse")
    return net


def flat_weights(model: keras.Model) -> np.ndarray:
    return np.concatenate([w.ravel() for w in model.get_weights()])


@pytest.mark.parametrize(
    "make_optimizer",
    [lambda: keras.optimizers.SGD(0.1), lambda: keras.optimizers.Adam(0.01)],
    ids=["SGD", "Adam"],
)
@pytest.mark.parametrize("shuffle", [True, False])
def test_same_weights_as_fit(make_optimizer, shuffle):
    epochs = 40
    by_fit = two_unit_net(make_optimizer())
    by_fit.fit(X, Y, epochs=epochs, batch_size=N, verbose=0, shuffle=shuffle)
    fast = two_unit_net(make_optimizer())
    history = fit_full_batch(fast, X, Y, epochs=epochs)
    # fit shuffles the rows of its one batch: the mean is summed in another
    # order, a difference of rounding only
    np.testing.assert_allclose(flat_weights(fast), flat_weights(by_fit), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(history.params[-1], flat_weights(fast), rtol=0, atol=0)
    assert fast.optimizer.iterations.numpy() == by_fit.optimizer.iterations.numpy() == epochs


def test_same_weights_as_fit_with_a_custom_loss_and_float64_tensors():
    """Chapter 7's set-up: a hand-written BCE, X = [1 x] as float64 tensors, no bias."""
    x, y = logistic_data(n=300)
    design = tf.concat([tf.ones((300, 1), dtype=tf.float64), x], axis=1)

    def bce(y, yhat):
        return -tf.reduce_mean(y * tf.math.log(yhat) + (1 - y) * tf.math.log(1 - yhat))

    nets = []
    for _ in range(2):
        net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False, activation="sigmoid")])
        net.compile(optimizer=keras.optimizers.Adam(0.1), loss=bce)
        net.set_weights([np.array([[-3.0], [-1.0]], dtype=np.float32)])
        nets.append(net)
    nets[0].fit(design, y, epochs=30, batch_size=300, verbose=0, shuffle=False)
    fit_full_batch(nets[1], design, y, epochs=30)
    np.testing.assert_allclose(flat_weights(nets[1]), flat_weights(nets[0]), rtol=1e-5)


def test_continues_where_fit_stopped_and_builds_like_fit():
    """Mixing fit and fit_full_batch on one model: the optimizer's state carries over.

    The model has no Input, so its weights are created by the first training
    call, from the same random draws in both cases.
    """
    by_fit = two_unit_net(keras.optimizers.Adam(0.01), with_input=False)
    by_fit.fit(X, Y, epochs=20, batch_size=N, verbose=0, shuffle=False)
    mixed = two_unit_net(keras.optimizers.Adam(0.01), with_input=False)
    fit_full_batch(mixed, X, Y, epochs=5)
    mixed.fit(X, Y, epochs=10, batch_size=N, verbose=0, shuffle=False)
    fit_full_batch(mixed, X, Y, epochs=5)
    np.testing.assert_allclose(flat_weights(mixed), flat_weights(by_fit), rtol=1e-5, atol=1e-6)


def test_records_weights_and_loss_every_k_epochs():
    net = two_unit_net(keras.optimizers.SGD(0.1))
    start = flat_weights(net)
    history = fit_full_batch(net, X, Y, epochs=10, record_every=4)
    assert isinstance(history, History)
    assert len(history) == 4  # after epochs 0, 4, 8 and 10
    np.testing.assert_array_equal(history.params[0], start)
    np.testing.assert_array_equal(history.params[-1], flat_weights(net))
    mse_now = np.mean((net(X).numpy() - Y) ** 2)
    np.testing.assert_allclose(history.loss[-1], mse_now, rtol=1e-5)
    assert history.loss[-1] < history.loss[0]
    # without record_every: the start and the end
    assert len(fit_full_batch(net, X, Y, epochs=3)) == 2


def test_the_loss_history_matches_a_loop_written_by_hand():
    """Recorded every epoch, the weights follow w <- w - lr * grad of the mse."""
    net = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    net.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    net.set_weights([np.array([[0.5]], dtype=np.float32), np.array([0.0], dtype=np.float32)])
    history = fit_full_batch(net, X, Y, epochs=5, record_every=1)
    w, b = 0.5, 0.0
    x, y = X.ravel(), Y.ravel()
    for step in range(6):
        np.testing.assert_allclose(history.params[step], [w, b], rtol=1e-5)
        np.testing.assert_allclose(history.loss[step], np.mean((y - w * x - b) ** 2), rtol=1e-5)
        residual = y - w * x - b
        w, b = w + 0.1 * 2 * np.mean(residual * x), b + 0.1 * 2 * np.mean(residual)


def test_many_models_trace_without_tensorflow_warnings(caplog):
    """Each model gets its own compiled loop; TensorFlow must not warn about retracing
    (a chapter's stderr would fail the build)."""
    caplog.set_level(logging.WARNING)
    for seed in range(8):
        net = two_unit_net(keras.optimizers.SGD(0.1), seed=seed)
        fit_full_batch(net, X, Y, epochs=3)
        fit_full_batch(net, X, Y, epochs=3)
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]


class CountingLayer(keras.layers.Layer):
    """Passes its input through and counts how often its Python code runs."""

    runs = 0

    def call(self, inputs):
        CountingLayer.runs += 1
        return inputs


def test_epochs_run_inside_one_compiled_call_traced_once():
    """Why fit_full_batch is fast, checked without a clock (the benchmark times it).

    After the first call, E epochs are one call of the compiled loop: no
    Python runs per epoch (the model's Python code runs only while tracing),
    nothing is traced again, and the optimizer still takes E steps.
    """
    keras.utils.set_random_seed(1)
    net = keras.Sequential(
        [
            keras.Input((1,)),
            keras.layers.Dense(2),
            CountingLayer(),
            keras.layers.Activation("relu"),
            keras.layers.Dense(1),
        ]
    )
    net.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    fit_full_batch(net, X, Y, epochs=1)
    _, _, train, evaluate = training._LOOPS[net]
    assert train.experimental_get_tracing_count() == 1 and evaluate.experimental_get_tracing_count() == 1
    runs_after_tracing = CountingLayer.runs

    calls = []

    def counting_train(x, y, steps):
        calls.append(int(steps))
        return train(x, y, steps)

    optimizer, loss = training._LOOPS[net][:2]
    training._LOOPS[net] = (optimizer, loss, counting_train, evaluate)
    fit_full_batch(net, X, Y, epochs=60)
    fit_full_batch(net, X, Y, epochs=50, record_every=20)
    assert calls == [60, 20, 20, 10]  # one call per recording, not one per epoch
    assert CountingLayer.runs == runs_after_tracing  # no Python ran in the 110 epochs
    assert train.experimental_get_tracing_count() == 1 and evaluate.experimental_get_tracing_count() == 1
    assert net.optimizer.iterations.numpy() == 1 + 60 + 50


@pytest.mark.parametrize("epochs", [0, -3])
def test_rejects_non_positive_epochs(epochs):
    with pytest.raises(ValueError, match="epochs must be a positive whole number"):
        fit_full_batch(two_unit_net(keras.optimizers.SGD(0.1)), X, Y, epochs=epochs)


@pytest.mark.parametrize("epochs", [2.5, "10", True])
def test_rejects_epochs_that_are_not_whole_numbers(epochs):
    with pytest.raises(TypeError, match="epochs must be a positive whole number"):
        fit_full_batch(two_unit_net(keras.optimizers.SGD(0.1)), X, Y, epochs=epochs)


@pytest.mark.parametrize(
    "record_every, error", [(0, ValueError), (-1, ValueError), (2.5, TypeError), ("1", TypeError), (True, TypeError)]
)
def test_rejects_bad_record_every(record_every, error):
    with pytest.raises(error, match=r"^record_every must be a positive whole number, got "):
        fit_full_batch(two_unit_net(keras.optimizers.SGD(0.1)), X, Y, epochs=5, record_every=record_every)


def test_rejects_mismatched_rows():
    with pytest.raises(ValueError, match="same number of rows, got 100 and 99"):
        fit_full_batch(two_unit_net(keras.optimizers.SGD(0.1)), X, Y[:99], epochs=5)


def test_rejects_empty_and_scalar_data():
    net = two_unit_net(keras.optimizers.SGD(0.1))
    with pytest.raises(ValueError, match="at least one row"):
        fit_full_batch(net, X[:0], Y[:0], epochs=5)
    with pytest.raises(ValueError, match="one row per example"):
        fit_full_batch(net, 1.0, 2.0, epochs=5)


@pytest.mark.parametrize("which", ["x", "y"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_rejects_nan_and_infinity(which, bad):
    x, y = X.copy(), Y.copy()
    (x if which == "x" else y)[7, 0] = bad
    net = two_unit_net(keras.optimizers.SGD(0.1))
    before = flat_weights(net)
    with pytest.raises(ValueError, match=f"{which} must be finite numbers"):
        fit_full_batch(net, x, y, epochs=5)
    np.testing.assert_array_equal(flat_weights(net), before)  # nothing was trained


def test_rejects_an_uncompiled_model():
    net = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"not compiled: call model.compile\(optimizer=..., loss=...\)"):
        fit_full_batch(net, X, Y, epochs=5)


@pytest.mark.parametrize("model", [None, "net", lambda x: x], ids=["None", "str", "function"])
def test_rejects_what_is_not_a_keras_model(model):
    with pytest.raises(TypeError, match="model must be a Keras model"):
        fit_full_batch(model, X, Y, epochs=5)


def test_rejects_data_that_are_not_numbers():
    with pytest.raises(
        TypeError, match=r"^x must be numbers \(an array, a tensor or a list\), got \[\['a'\], \['b'\]\]$"
    ):
        fit_full_batch(two_unit_net(keras.optimizers.SGD(0.1)), [["a"], ["b"]], [[1.0], [2.0]], epochs=5)
    with pytest.raises(TypeError, match=r"^y must be numbers \(an array, a tensor or a list\), got "):
        fit_full_batch(two_unit_net(keras.optimizers.SGD(0.1)), [[1.0], [2.0]], [[1.0], [None]], epochs=5)
