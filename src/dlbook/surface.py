"""Loss surfaces over a grid of two parameters (chapters 5 and 7).

The loss is evaluated for the whole grid at once: the reader's loss function
receives ``w0`` and ``w1`` as arrays of shape (rows, columns, 1), so an
expression such as ``((y - w0 - w1 * x) ** 2).sum(axis=-1)`` broadcasts over
the data in its last axis. No Python loop runs over the grid.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from dlbook._checks import check_finite, check_finite_number, check_grid_axis, to_numpy


@dataclass(frozen=True)
class LossSurface:
    """A loss evaluated on a grid: ``loss[i, j]`` is the loss at ``(w0[i, j], w1[i, j])``."""

    w0: np.ndarray
    w1: np.ndarray
    loss: np.ndarray

    def argmin(self) -> tuple[float, float]:
        """The grid point with the smallest loss, as (w0, w1); NaN losses are skipped."""
        if np.all(np.isnan(self.loss)):
            raise ValueError("the loss is NaN at every grid point: there is no smallest loss")
        i, j = np.unravel_index(np.nanargmin(self.loss), self.loss.shape)
        return float(self.w0[i, j]), float(self.w1[i, j])


def loss_surface(loss_fn: Callable[[np.ndarray, np.ndarray], Any], w0_values: Any, w1_values: Any) -> LossSurface:
    """Evaluate ``loss_fn(w0, w1)`` on the grid ``w0_values`` × ``w1_values`` in one call.

    ``loss_fn`` gets arrays of shape (len(w0_values), len(w1_values), 1) and
    must return one loss per grid point, shape (rows, columns) or
    (rows, columns, 1). It may return a NumPy array or a TF/PyTorch tensor.
    """
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a function of (w0, w1), got {type(loss_fn).__name__}")
    w0_axis = check_grid_axis(w0_values, "w0_values")
    w1_axis = check_grid_axis(w1_values, "w1_values")
    w0, w1 = np.meshgrid(w0_axis, w1_axis, indexing="ij")
    loss = to_numpy(loss_fn(w0[..., None], w1[..., None]), "loss_fn's result")
    if loss.shape == (*w0.shape, 1):
        loss = loss[..., 0]
    if loss.shape != w0.shape:
        raise ValueError(
            f"loss_fn must return one loss per grid point, shape {w0.shape}; got {loss.shape}. "
            "Reduce over the data with axis=-1."
        )
    return LossSurface(w0=w0, w1=w1, loss=loss)


def plot_surface(
    ax: Any,
    surface: LossSurface,
    *,
    path: Any = None,
    path_loss: Any = None,
    points: Mapping[str, tuple[float, float]] | None = None,
    alpha: float = 0.35,
) -> list[Any]:
    """Draw ``surface`` on a 3-D axes, with an optional path and marked points.

    ``path`` is an array of shape (steps, 2) of (w0, w1) visited by training;
    its heights are taken from ``path_loss`` if given, else looked up on the
    surface. ``points`` maps a label to (w0, w1), e.g. ``{"true W": (2.5, 4)}``;
    each is drawn as a star at its loss on the surface. Returns the artists
    drawn for the path and points, so an animation can update them.
    """
    if getattr(ax, "name", "") != "3d":
        raise TypeError("ax must be a 3-D axes: fig.add_subplot(projection='3d')")
    if not isinstance(surface, LossSurface):
        raise TypeError(f"surface must be a LossSurface made by loss_surface(...), got {type(surface).__name__}")
    alpha = check_finite_number(alpha, "alpha")
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    # every input is checked before anything is drawn
    steps = heights = None
    if path is not None:
        steps = _pairs(path, "path", "(steps, 2)")
        heights = surface_height(surface, steps) if path_loss is None else to_numpy(path_loss, "path_loss")
        if heights.shape != (steps.shape[0],):
            raise ValueError(
                f"path_loss must have one loss per step of the path, shape ({steps.shape[0]},); got {heights.shape}"
            )
    elif path_loss is not None:
        raise ValueError("path_loss is the height of each step of a path: give path too")
    if points is not None and not isinstance(points, Mapping):
        raise TypeError(
            f"points must map a label to (w0, w1), e.g. {{'true W': (2.5, 4)}}; got {type(points).__name__}"
        )
    marked = {
        label: _pairs(point, f"points[{label!r}]", "(2,): (w0, w1)", single=True)
        for label, point in (points or {}).items()
    }

    ax.plot_surface(surface.w0, surface.w1, surface.loss, cmap="viridis", alpha=alpha, linewidth=0)
    ax.set_xlabel("$w_0$")
    ax.set_ylabel("$w_1$")
    artists: list[Any] = []
    if steps is not None:
        (line,) = ax.plot(steps[:, 0], steps[:, 1], heights, "o-", color="gray", markersize=3)
        artists.append(line)
    colors = iter(["red", "blue", "orange", "black"])
    for label, (w0, w1) in marked.items():
        z = surface_height(surface, np.array([[w0, w1]]))
        (star,) = ax.plot([w0], [w1], z, "*", color=next(colors, "black"), markersize=14, label=label)
        artists.append(star)
    if marked:
        ax.legend(loc="upper right")
    return artists


def _pairs(value: Any, name: str, shape: str, *, single: bool = False) -> np.ndarray:
    """``value`` as finite (w0, w1) rows: shape (k, 2), or (2,) with ``single``."""
    array = check_finite(value, name)
    right_shape = array.shape == (2,) if single else array.ndim == 2 and array.shape[1] == 2
    if not right_shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}")
    return array


def surface_height(surface: LossSurface, at: Any) -> np.ndarray:
    """The loss of the grid point nearest to each (w0, w1) row of ``at``, shape (k, 2) or (2,)."""
    if not isinstance(surface, LossSurface):
        raise TypeError(f"surface must be a LossSurface made by loss_surface(...), got {type(surface).__name__}")
    given = check_finite(at, "at")
    at = given[None, :] if given.ndim == 1 else given
    if at.ndim != 2 or at.shape[1] != 2:
        raise ValueError(f"at must have shape (points, 2) or (2,), got {given.shape}")
    w0_axis, w1_axis = surface.w0[:, 0], surface.w1[0, :]
    i = np.abs(w0_axis[None, :] - at[:, [0]]).argmin(axis=1)
    j = np.abs(w1_axis[None, :] - at[:, [1]]).argmin(axis=1)
    return surface.loss[i, j]
