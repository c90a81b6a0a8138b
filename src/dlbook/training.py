"""Many full-batch epochs of a compiled Keras model in one compiled call (chapters 6 and 7).

``model.fit(x, y, epochs=E, batch_size=len(x), verbose=0)`` pays Keras's
per-epoch bookkeeping (a data iterator, callbacks, metric updates) on every
epoch: about 30 ms an epoch even on 100 rows, so the lectures' 1000-epoch fits
would take half a minute each. :func:`fit_full_batch` runs the same updates --
the model's compiled loss, its compiled optimizer, one step per epoch on all
rows -- inside a single ``tf.function`` loop, and records the weights and the
loss every ``record_every`` epochs into a :class:`dlbook.History`.

It changes nothing in the model but its weights and its optimizer's state, so
``fit`` and :func:`fit_full_batch` can be mixed on the same model.
"""

from __future__ import annotations

import functools
import weakref
from typing import Any

from dlbook._checks import check_finite, check_positive_int
from dlbook.history import History

# One compiled training loop per (model, optimizer, loss): tracing costs far
# more than running, so repeated calls reuse the loop.
_LOOPS: weakref.WeakKeyDictionary[Any, tuple[Any, Any, Any, Any]] = weakref.WeakKeyDictionary()


def fit_full_batch(model: Any, x: Any, y: Any, epochs: int, *, record_every: int | None = None) -> History:
    """Train ``model`` for ``epochs`` full-batch epochs, as ``model.fit`` would.

    Each epoch is one step of ``model.optimizer`` on the gradient of the
    compiled loss over all rows of ``x`` and ``y``: the update
    ``model.fit(x, y, epochs=epochs, batch_size=len(x), verbose=0)`` makes,
    up to the rounding of its row shuffling. Floating inputs are cast to
    Keras's ``floatx`` like ``fit`` casts them.

    Returns a :class:`dlbook.History` holding the weights (all of
    ``model.get_weights()``, flattened and joined) and the loss at those
    weights after epochs 0, ``record_every``, 2 ``record_every``, ... and
    after the last epoch. Without ``record_every`` it records the start and
    the end only.

    Used by chapter 6 (ReLU networks) and chapter 7 (logistic regression).
    """
    import keras
    import tensorflow as tf

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a Keras model (keras.Sequential, ...), got {type(model).__name__}")
    if not model.compiled or model.optimizer is None:
        raise ValueError("model is not compiled: call model.compile(optimizer=..., loss=...) first")
    epochs = check_positive_int(epochs, "epochs")
    every = epochs if record_every is None else check_positive_int(record_every, "record_every")
    x_tensor, y_tensor = _as_tensors(x, y)

    if not model.built:  # build it the way fit does on its first batch
        model(x_tensor[:1])
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    train, evaluate = _compiled_loop(model)

    history = History()
    history.record(params=model.get_weights(), loss=evaluate(x_tensor, y_tensor))
    done = 0
    while done < epochs:
        steps = min(every, epochs - done)
        train(x_tensor, y_tensor, tf.constant(steps))
        done += steps
        history.record(params=model.get_weights(), loss=evaluate(x_tensor, y_tensor))
    return history


def _as_tensors(x: Any, y: Any) -> tuple[Any, Any]:
    """``x`` and ``y`` as tensors with the same number of rows, floats in ``floatx``."""
    import keras
    import tensorflow as tf

    arrays = []
    for name, value in (("x", x), ("y", y)):
        array = check_finite(value, name)
        if array.ndim == 0:
            raise ValueError(f"{name} must have one row per example, got a single number")
        if array.shape[0] == 0:
            raise ValueError(f"{name} must hold at least one row")
        arrays.append(array)
    if arrays[0].shape[0] != arrays[1].shape[0]:
        raise ValueError(
            f"x and y must have the same number of rows, got {arrays[0].shape[0]} and {arrays[1].shape[0]}"
        )
    floatx = keras.config.floatx()
    return tf.constant(arrays[0], dtype=floatx), tf.constant(arrays[1], dtype=floatx)


def _compiled_loop(model: Any) -> tuple[Any, Any]:
    """The model's compiled training loop and loss evaluation, traced once per optimizer and loss."""
    import tensorflow as tf

    cached = _LOOPS.get(model)
    if cached is not None and cached[0] is model.optimizer and cached[1] is model.loss:
        return cached[2], cached[3]
    # partial objects, not closures: TensorFlow counts retracing per Python
    # function, and each model's loop is a new function traced once
    train = tf.function(functools.partial(_train_steps, model), reduce_retracing=True)
    evaluate = tf.function(functools.partial(_loss, model), reduce_retracing=True)
    _LOOPS[model] = (model.optimizer, model.loss, train, evaluate)
    return train, evaluate


def _train_steps(model: Any, x: Any, y: Any, steps: Any) -> None:
    """``steps`` optimizer steps on the whole batch: the body of Keras's train_step, without metrics."""
    import tensorflow as tf

    weights = model.trainable_weights
    # a tensor is iterable (and tf.function loops over tf.range); types-tensorflow's Tensor lacks __iter__
    for _ in tf.range(steps):  # type: ignore[attr-defined]
        with tf.GradientTape() as tape:
            y_pred = model(x, training=True)
            loss = model.compute_loss(x=x, y=y, y_pred=y_pred, training=True)
            loss = model.optimizer.scale_loss(loss)
        gradients = tape.gradient(loss, weights)
        model.optimizer.apply_gradients(zip(gradients, weights, strict=True))


def _loss(model: Any, x: Any, y: Any) -> Any:
    """The compiled loss of ``model`` on ``x`` and ``y`` at its current weights."""
    return model.compute_loss(x=x, y=y, y_pred=model(x, training=False), training=False)
