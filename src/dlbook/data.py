"""The lectures' data recipes, seeds included (chapters 3-7).

Every function rebuilds exactly the data a lecture computes, so the chapters
print the lecture's numbers. TensorFlow and PyTorch are imported inside each
recipe: a chapter pays only for the framework it uses.

Every recipe takes a ``seed``: a whole number from 0 to 2**32 - 1, the range
all three frameworks' generators accept (NumPy's is the narrowest).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from dlbook._checks import check_finite_number, check_non_negative_int, check_positive_int

if TYPE_CHECKING:
    import tensorflow as tf
    import torch

LECTURE_SEED = 43052

#: Café temperatures (°C) of chapter 3; y is iced-drink sales.
CAFE_TEMPERATURES = (20.1, 22.2, 22.7, 23.3, 24.4, 25.1, 26.2, 27.3, 28.4, 30.4)


#: Seeds must be below this: ``np.random.RandomState`` accepts no larger one.
SEED_LIMIT = 2**32


def _check_seed(seed: Any) -> int:
    """``TypeError`` for 1.5, ``True``, ``"1"``; ``ValueError`` for -1 or 2**32."""
    return check_non_negative_int(seed, "seed", below=SEED_LIMIT)


def cafe_data(seed: int = LECTURE_SEED) -> tuple[tf.Tensor, tf.Tensor]:
    """Chapter 3: the café regression y = 10.2 + 2.2 x + ε with ε ~ N(0, 1).

    ``x`` is the ten temperatures, ``y`` the sales; both float64 tensors of
    shape (10,). Like the lecture, this calls ``tf.random.set_seed(seed)`` and
    draws ``tf.random.normal([10])`` (float32, widened exactly to float64).
    """
    import tensorflow as tf

    seed = _check_seed(seed)
    x = tf.constant(CAFE_TEMPERATURES, dtype=tf.float64)
    tf.random.set_seed(seed)
    epsilon = tf.cast(tf.random.normal([10]), tf.float64)
    y = 10.2 + 2.2 * x + epsilon
    return x, y


def line_data(n: int = 200, seed: int = LECTURE_SEED) -> tuple[tf.Tensor, tf.Tensor]:
    """Chapter 4: y = 2.5 + 4 x + 0.5 ε on ``n`` points x evenly spaced in [0, 1].

    Returns float64 tensors ``x`` and ``y`` of shape (n,), drawn as the lecture
    does with ``tnp.random.seed(seed)`` and ``tnp.random.randn(n)``.
    """
    import tensorflow.experimental.numpy as tnp

    n = check_positive_int(n, "n")
    seed = _check_seed(seed)
    tnp.random.seed(seed)
    x = tnp.linspace(0, 1, n)
    epsilon = tnp.random.randn(n) * 0.5
    y = 2.5 + 4 * x + epsilon
    return x, y


def torch_line_data(n: int = 100, seed: int = LECTURE_SEED) -> tuple[torch.Tensor, torch.Tensor]:
    """Chapter 5: y = X W + 0.5 ε with W = (2.5, 4) and sorted x ~ N(0, 1).

    Returns the design matrix ``X`` = [1, x] of shape (n, 2) and ``y`` of shape
    (n, 1), float32. The draws match the lecture's ``torch.manual_seed(seed)``
    followed by ``torch.randn(n).sort()`` and ``torch.randn(n) * 0.5``, but use
    a private generator so the global torch seed is left alone.
    """
    import torch

    n = check_positive_int(n, "n")
    generator = torch.Generator().manual_seed(_check_seed(seed))
    x, _ = torch.randn(n, generator=generator).sort()
    eps = torch.randn(n, generator=generator) * 0.5
    X = torch.stack([torch.ones(n), x], dim=1)
    W = torch.tensor([[2.5], [4.0]])
    y = X @ W + eps.reshape(n, 1)
    return X, y


def piecewise_data(n: int = 100, seed: int = LECTURE_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Chapter 6: y = x + 0.3 ε for x < 0 and y = 3.5 x + 0.3 ε otherwise.

    ``x`` holds ``n`` points evenly spaced in [-1, 1]; both arrays have shape
    (n, 1). One normal draw per point, in order, as the lecture's
    ``np.random.seed(seed)`` and ``map`` make them.
    """
    n = check_positive_int(n, "n")
    rng = np.random.RandomState(_check_seed(seed))
    x = np.linspace(-1, 1, n)
    y = np.array([xi * 1 + rng.normal() * 0.3 if xi < 0 else xi * 3.5 + rng.normal() * 0.3 for xi in x])
    return x.reshape(n, 1), y.reshape(n, 1)


def noise_data(n: int = 100, seed: int = LECTURE_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Chapter 6: pure noise y ~ N(0, 0.001²) on ``n`` points in [0, 1], shapes (n, 1).

    A wide network fits even this, which is the lecture's picture of overfitting.
    """
    n = check_positive_int(n, "n")
    rng = np.random.RandomState(_check_seed(seed))
    x = np.linspace(0, 1, n).reshape(n, 1)
    y = rng.normal(loc=0, scale=0.001, size=(n, 1))
    return x, y


def logistic_data(
    n: int = 2000, w0: float = -1.0, w1: float = 5.0, seed: int = LECTURE_SEED
) -> tuple[tf.Tensor, tf.Tensor]:
    """Chapter 7: y ~ Bernoulli(sigmoid(w0 + w1 x)) on ``n`` points x in [-1, 1].

    Returns float64 tensors ``x`` and ``y`` of shape (n, 1); y holds 0s and 1s.
    """
    import tensorflow as tf

    n = check_positive_int(n, "n")
    w0 = check_finite_number(w0, "w0")
    w1 = check_finite_number(w1, "w1")
    rng = np.random.RandomState(_check_seed(seed))
    x = np.linspace(-1, 1, n).reshape(n, 1)
    prob = 1 / (1 + np.exp(-(w0 + w1 * x)))
    y = rng.binomial(1, prob).astype(np.float64)
    return tf.constant(x), tf.constant(y)
