"""Input checks shared by the modules: one wording for one kind of mistake.

Used by every module, so by every chapter that calls ``dlbook`` (chapters
3-7). A value of the wrong type (a string, ``None``, ``True`` where a count
is expected, 1.5 where a whole number is expected) raises ``TypeError``; a
value of the right type but a wrong value (0 or -1 where a positive number
is expected, NaN, infinity) raises ``ValueError``. Each message names the
argument, what was expected and what was given.
"""

from __future__ import annotations

import numbers
import reprlib
from typing import Any

import numpy as np

#: Kinds of NumPy dtype that hold numbers: bool, signed and unsigned integers, floats.
_NUMBER_KINDS = "biuf"


def to_numpy(value: Any, name: str) -> np.ndarray:
    """Return ``value`` (a NumPy array, TensorFlow or PyTorch tensor, list or scalar) as a float array.

    Tensors are detached and copied, so recording a parameter never keeps a
    reference to a variable that later changes. Text (even ``"1.5"``),
    ``None``, complex numbers and other objects raise ``TypeError``. NaN and
    infinity are kept (a diverging run is a lesson too); :func:`check_finite`
    rejects them where they cannot be used.
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
        raw = np.asarray(value)
        if raw.dtype.kind not in _NUMBER_KINDS:
            raise TypeError(f"dtype {raw.dtype}")
        array = np.array(raw, dtype=float)
    except (TypeError, ValueError) as error:  # ValueError: a ragged list
        raise TypeError(f"{name} must be numbers (an array, a tensor or a list), got {_describe(value)}") from error
    return array


def _describe(value: Any) -> str:
    """What a message says was given: short text and lists as written, else the type (and dtype)."""
    if value is None or isinstance(value, (str, bytes, list, tuple)):
        return reprlib.repr(value)
    dtype = getattr(value, "dtype", None)
    return f"{type(value).__name__} of {dtype}" if dtype is not None else type(value).__name__


def check_positive_int(value: Any, name: str) -> int:
    """Return ``value`` if it is a positive whole number, else raise.

    ``TypeError`` for anything that is not a whole number (1.5, ``True``,
    ``"1"``, infinity); ``ValueError`` for 0 and negative numbers.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive whole number, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive whole number, got {value}")
    return int(value)


def check_non_negative_int(value: Any, name: str, *, below: int | None = None) -> int:
    """Return ``value`` if it is a whole number >= 0 (and < ``below`` if given), else raise.

    ``TypeError`` for anything that is not a whole number (1.5, ``True``,
    ``"1"``, infinity); ``ValueError`` for a negative number or one too large.
    """
    expected = "a non-negative whole number" + ("" if below is None else f" below {below}")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {expected}, got {value!r}")
    whole = int(value)
    if whole < 0 or (below is not None and whole >= below):
        raise ValueError(f"{name} must be {expected}, got {value}")
    return whole


def check_finite_number(value: Any, name: str) -> float:
    """Return ``value`` as a float if it is a finite real number, else raise.

    ``TypeError`` for what is not a real number (``"1"``, ``None``, ``True``,
    an array); ``ValueError`` for NaN and infinity.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a finite number, got {value!r}")
    number = _as_float(value)
    if not np.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return number


def check_positive_number(value: Any, name: str) -> float:
    """Return ``value`` as a float if it is a finite number > 0, else raise.

    ``TypeError`` for what is not a real number (``"1"``, ``None``, ``True``);
    ``ValueError`` for 0, negative numbers, NaN and infinity.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number, got {value!r}")
    number = _as_float(value)
    if not np.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a finite number greater than 0, got {value}")
    return number


def _as_float(value: numbers.Real) -> float:
    """``float(value)``, with a whole number too large for a float read as infinity."""
    try:
        return float(value)
    except OverflowError:
        return float("-inf") if value < 0 else float("inf")


def check_finite(array: Any, name: str) -> np.ndarray:
    """Return ``array`` as a float array if it holds numbers and no NaN or infinity, else raise.

    ``TypeError`` for what is not numbers (see :func:`to_numpy`);
    ``ValueError`` for NaN and infinity.
    """
    array = to_numpy(array, name)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite numbers; it contains NaN or infinity")
    return array


def check_grid_axis(values: Any, name: str) -> np.ndarray:
    """Return a 1-D, finite, non-empty, increasing array of grid coordinates."""
    array = check_finite(values, name)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence of grid values, got shape {array.shape}")
    if array.size < 2:
        raise ValueError(f"{name} must hold at least 2 grid values, got {array.size}")
    if np.any(np.diff(array) <= 0):
        raise ValueError(f"{name} must be strictly increasing")
    return array
