"""Input checks shared by the modules: one wording for one kind of mistake."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def to_numpy(value: Any, name: str) -> np.ndarray:
    """Return ``value`` (a NumPy array, TensorFlow or PyTorch tensor, list or scalar) as a float array.

    Tensors are detached and copied, so recording a parameter never keeps a
    reference to a variable that later changes.
    """
    if hasattr(value, "detach"):  # torch.Tensor / nn.Parameter
        value = value.detach().cpu().numpy()
    elif hasattr(value, "numpy") and callable(value.numpy):  # tf.Tensor / tf.Variable
        value = value.numpy()
    elif isinstance(value, (list, tuple)) and any(
        isinstance(v, np.ndarray) or hasattr(v, "detach") or hasattr(v, "numpy") for v in value
    ):  # e.g. [kernel, bias]: flattened and joined
        parts = [to_numpy(v, name).ravel() for v in value]
        return np.concatenate(parts) if parts else np.zeros(0)
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must be numbers (an array, a tensor or a list), got {type(value).__name__}"
        ) from error
    return array


def check_positive_int(value: Any, name: str) -> int:
    """Return ``value`` if it is a positive whole number, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive whole number, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive whole number, got {value}")
    return int(value)


def check_positive_number(value: Any, name: str) -> float:
    """Return ``value`` as a float if it is a finite number > 0, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number, got {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number greater than 0, got {value}")
    return float(value)


def check_finite(array: np.ndarray, name: str) -> np.ndarray:
    """Raise if ``array`` holds NaN or infinity."""
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite numbers; it contains NaN or infinity")
    return array


def check_grid_axis(values: Any, name: str) -> np.ndarray:
    """Return a 1-D, finite, non-empty, increasing array of grid coordinates."""
    array = check_finite(to_numpy(values, name), name)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence of grid values, got shape {array.shape}")
    if array.size < 2:
        raise ValueError(f"{name} must hold at least 2 grid values, got {array.size}")
    if np.any(np.diff(array) <= 0):
        raise ValueError(f"{name} must be strictly increasing")
    return array
