from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook import History


def test_records_a_hand_written_torch_loop():
    What = torch.tensor([[-5.0], [10.0]], requires_grad=True)
    history = History()
    for _ in range(3):
        loss = (What**2).sum()
        loss.backward()
        history.record(params=What, loss=loss, yhat=What * 2)
        What.data -= 0.1 * What.grad
        What.grad = None
    assert len(history) == 3
    np.testing.assert_allclose(history.params[0], [-5, 10])
    np.testing.assert_allclose(history.params[1], [-4, 8])  # a copy, not the live tensor
    np.testing.assert_allclose(history.loss, [125, 80, 51.2], rtol=1e-6)
    assert history.yhat.shape == (3, 2)


def test_records_tensorflow_variables_and_lists_of_arrays():
    import tensorflow as tf

    history = History()
    beta = tf.Variable([1.0, 2.0])
    history.record(params=beta, loss=tf.constant(3.0))
    beta.assign_add([1.0, 1.0])
    history.record(params=[np.array([[2.0]]), np.array([3.0])], loss=1.0)
    np.testing.assert_allclose(history.params, [[1, 2], [2, 3]])


def test_keeps_a_diverging_run():
    history = History()
    history.record(params=[np.inf, np.nan], loss=np.inf)
    assert np.isinf(history.loss[0]) and np.isnan(history.params[0, 1])


def test_keras_callback_pairs_each_epochs_weights_with_its_loss():
    import keras

    keras.utils.set_random_seed(1)
    x = np.linspace(0, 1, 20).reshape(20, 1)
    y = 2 * x + 1
    net = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    net.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    net.set_weights([np.array([[-5.0]]), np.array([10.0])])
    history = History()
    net.fit(x, y, epochs=3, batch_size=20, verbose=0, callbacks=[history.keras_callback(x)])
    assert len(history) == 3 and history.yhat.shape == (3, 20)
    np.testing.assert_allclose(history.params[0], [-5, 10])
    first_loss = np.mean((-5 * x + 10 - y) ** 2)
    assert history.loss[0] == pytest.approx(first_loss, rel=1e-5)
    np.testing.assert_allclose(history.yhat[0], (-5 * x + 10).ravel(), rtol=1e-5)


def test_rejects_inconsistent_steps():
    history = History()
    history.record(params=[1.0, 2.0], loss=1.0)
    with pytest.raises(ValueError, match="params must have 2 numbers"):
        history.record(params=[1.0], loss=1.0)
    with pytest.raises(ValueError, match="loss was recorded in earlier steps"):
        history.record(params=[1.0, 2.0])
    with pytest.raises(ValueError, match="yhat was not recorded"):
        history.record(params=[1.0, 2.0], loss=1.0, yhat=[1.0])
    with pytest.raises(ValueError, match="loss must be a single number"):
        history.record(params=[1.0, 2.0], loss=[1.0, 2.0])
    with pytest.raises(TypeError, match="params must be numbers"):
        history.record(params="abc", loss=1.0)
    with pytest.raises(ValueError, match="at least one number"):
        History().record(params=[])


def test_rejects_the_other_half_of_inconsistent_steps():
    history = History()
    history.record(params=[1.0, 2.0], yhat=[1.0, 2.0, 3.0])
    with pytest.raises(
        ValueError, match=r"^loss was not recorded in earlier steps; record it in every step or in none$"
    ):
        history.record(params=[1.0, 2.0], loss=1.0, yhat=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"^yhat was recorded in earlier steps; record it in every step or in none$"):
        history.record(params=[1.0, 2.0])


def test_rejects_yhat_of_the_wrong_size():
    history = History()
    history.record(params=[1.0], loss=1.0, yhat=np.zeros((20, 1)))
    with pytest.raises(ValueError, match=r"^yhat must have 20 predictions like the first step, got 19$"):
        history.record(params=[1.0], loss=1.0, yhat=np.zeros((19, 1)))
    with pytest.raises(ValueError, match=r"^yhat must hold at least one prediction$"):
        History().record(params=[1.0], yhat=[])


@pytest.mark.parametrize("name", ["loss", "yhat"])
@pytest.mark.parametrize("bad", ["abc", "1.5", [1.0, None]], ids=repr)
def test_rejects_loss_and_yhat_that_are_not_numbers(name, bad):
    with pytest.raises(TypeError, match=rf"^{name} must be numbers \(an array, a tensor or a list\), got "):
        History().record(params=[1.0], **{name: bad})


def test_a_rejected_step_leaves_the_history_as_it_was():
    """A step whose yhat is wrong must not leave its loss behind: loss and params stay aligned."""
    history = History()
    history.record(params=[1.0], loss=1.0, yhat=[1.0, 2.0])
    for bad in (
        {"params": [1.0], "loss": 2.0, "yhat": [1.0]},
        {"params": [1.0], "loss": "x", "yhat": [1.0, 2.0]},
        {"params": [1.0, 2.0], "loss": 2.0, "yhat": [1.0, 2.0]},
    ):
        with pytest.raises((ValueError, TypeError)):
            history.record(**bad)
    assert len(history) == 1 and history.loss.shape == (1,) and history.yhat.shape == (1, 2)
    history.record(params=[3.0], loss=3.0, yhat=[3.0, 4.0])
    np.testing.assert_array_equal(history.loss, [1.0, 3.0])


@pytest.mark.parametrize("logs", [{}, {"accuracy": 0.5}, None], ids=["empty", "no loss", "None"])
def test_keras_callback_without_a_loss_says_what_it_needs(logs):
    """Keras reports the loss in logs["loss"]; without it the callback names what it expected, not a bare KeyError."""
    import keras

    net = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    callback = History().keras_callback()
    callback.set_model(net)
    callback.on_epoch_begin(0)
    given = "logs=None" if logs is None else rf"logs with keys \[{', '.join(repr(k) for k in sorted(logs))}\]"
    with pytest.raises(ValueError, match=rf"needs the epoch's loss in logs\['loss'\].*; got {given}$"):
        callback.on_epoch_end(0, logs)
