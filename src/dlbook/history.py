"""Recording what a training run does, step by step (chapters 3-7).

A :class:`History` is filled by the loop the reader writes::

    history = History()
    for epoch in range(30):
        ...
        history.record(params=What, loss=loss, yhat=yhat)

or by Keras through :meth:`History.keras_callback`. Its arrays then feed the
plots and animations.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook._checks import to_numpy


class History:
    """Parameters, loss and predictions recorded once per step.

    Non-finite values are kept on purpose: a diverging run is a lesson too.
    """

    def __init__(self) -> None:
        self._params: list[np.ndarray] = []
        self._loss: list[float] = []
        self._yhat: list[np.ndarray] = []

    def record(self, params: Any, loss: Any = None, yhat: Any = None) -> None:
        """Append one step.

        ``params`` may be a tensor, an array, a number or a list of tensors
        (flattened and joined); ``loss`` a scalar; ``yhat`` an array of
        predictions. Every step must record the same things with the same sizes.
        A step that is rejected leaves the history as it was.
        """
        flat = to_numpy(params, "params").ravel()
        if flat.size == 0:
            raise ValueError("params must hold at least one number")
        if self._params and flat.size != self._params[0].size:
            raise ValueError(f"params must have {self._params[0].size} numbers like the first step, got {flat.size}")
        self._check_same_kind("loss", loss, self._loss)
        self._check_same_kind("yhat", yhat, self._yhat)
        loss_value = None
        if loss is not None:
            loss_array = to_numpy(loss, "loss")
            if loss_array.size != 1:
                raise ValueError(f"loss must be a single number, got shape {loss_array.shape}")
            loss_value = float(loss_array.reshape(()))
        pred = None
        if yhat is not None:
            pred = to_numpy(yhat, "yhat").ravel()
            if pred.size == 0:
                raise ValueError("yhat must hold at least one prediction")
            if self._yhat and pred.size != self._yhat[0].size:
                raise ValueError(
                    f"yhat must have {self._yhat[0].size} predictions like the first step, got {pred.size}"
                )
        # every check passed: only now does the step change the history
        if loss_value is not None:
            self._loss.append(loss_value)
        if pred is not None:
            self._yhat.append(pred)
        self._params.append(flat)

    def _check_same_kind(self, name: str, value: Any, recorded: list[Any]) -> None:
        if self._params and (value is None) != (not recorded):
            state = "recorded" if recorded else "not recorded"
            raise ValueError(f"{name} was {state} in earlier steps; record it in every step or in none")

    def __len__(self) -> int:
        return len(self._params)

    def __repr__(self) -> str:
        if not self._params:
            return "<History: empty>"
        last = ", ".join(f"{p:.6g}" for p in self._params[-1][:4]) + (", ..." if self._params[-1].size > 4 else "")
        return f"<History: {len(self)} steps, last params [{last}]>"

    @property
    def params(self) -> np.ndarray:
        """Shape (steps, number of parameters)."""
        return np.array(self._params)

    @property
    def loss(self) -> np.ndarray:
        """Shape (steps,); empty if no loss was recorded."""
        return np.array(self._loss)

    @property
    def yhat(self) -> np.ndarray:
        """Shape (steps, number of predictions); empty if none were recorded."""
        return np.array(self._yhat)

    def keras_callback(self, x: Any = None) -> Any:
        """A Keras callback that records one step per epoch.

        Each step pairs the weights at the start of the epoch with the loss
        Keras reports for that epoch: with full-batch training (``batch_size``
        = number of rows) that loss is exactly the loss at those weights, just
        as a hand-written loop records them. With ``x`` given, the predictions
        on ``x`` at those weights are recorded too.
        """
        import keras

        history = self

        class _Recorder(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
                self._weights = self.model.get_weights()
                self._yhat = None if x is None else self.model(x, training=False)

            def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
                if not isinstance(logs, dict) or "loss" not in logs:
                    given = f"logs with keys {sorted(logs)}" if isinstance(logs, dict) else f"logs={logs!r}"
                    raise ValueError(
                        "History.keras_callback needs the epoch's loss in logs['loss'], which Keras's fit "
                        f"reports for a model compiled with a loss; got {given}"
                    )
                history.record(params=self._weights, loss=logs["loss"], yhat=self._yhat)

        return _Recorder()
