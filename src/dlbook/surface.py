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

from dlbook._checks import check_finite, check_grid_axis, to_numpy


@dataclass(frozen=True)
class LossSurface:
    """A loss evaluated on a grid: ``loss[i, j]`` is the loss at ``(w0[i, j], w1[i, j])``."""

    w0: np.ndarray
    w1: np.ndarray
    loss: np.ndarray

    def argmin(self) -> tuple[float, float]:
        """The grid point with the smallest loss, as (w0, w1)."""
        i, j = np.unravel_index(np.nanargmin(self.loss), self.loss.shape)
        return float(self.w0[i, j]), float(self.w1[i, j])


def loss_surface(
    loss_fn: Callable[[np.ndarray, np.ndarray], Any], w0_values: Any, w1_values: Any
) -> LossSurface:
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
    loss = to_numpy(loss_fn(w0[..., None], w1[..., None]), "the loss")
    if loss.shape == w0.shape + (1,):
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
    ax.plot_surface(surface.w0, surface.w1, surface.loss, cmap="viridis", alpha=alpha, linewidth=0)
    ax.set_xlabel("$w_0$")
    ax.set_ylabel("$w_1$")
    artists: list[Any] = []
    if path is not None:
        steps = check_finite(to_numpy(path, "path"), "path")
        if steps.ndim != 2 or steps.shape[1] != 2:
            raise ValueError(f"path must have shape (steps, 2), got {steps.shape}")
        heights = surface_height(surface, steps) if path_loss is None else to_numpy(path_loss, "path_loss")
        if heights.shape != (steps.shape[0],):
            raise ValueError(f"path_loss must have one loss per step, shape ({steps.shape[0]},)")
        (line,) = ax.plot(steps[:, 0], steps[:, 1], heights, "o-", color="gray", markersize=3)
        artists.append(line)
    colors = iter(["red", "blue", "orange", "black"])
    for label, (w0, w1) in (points or {}).items():
        z = surface_height(surface, np.array([[w0, w1]]))
        (star,) = ax.plot([w0], [w1], z, "*", color=next(colors, "black"), markersize=14, label=label)
        artists.append(star)
    if points:
        ax.legend(loc="upper right")
    return artists


def surface_height(surface: LossSurface, at: np.ndarray) -> np.ndarray:
    """The loss of the grid point nearest to each (w0, w1) row of ``at``."""
    at = np.atleast_2d(np.asarray(at, dtype=float))
    w0_axis, w1_axis = surface.w0[:, 0], surface.w1[0, :]
    i = np.abs(w0_axis[None, :] - at[:, [0]]).argmin(axis=1)
    j = np.abs(w1_axis[None, :] - at[:, [1]]).argmin(axis=1)
    return surface.loss[i, j]
