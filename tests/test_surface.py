from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlbook import loss_surface, plot_surface
from dlbook.surface import surface_height

x = np.linspace(-1, 1, 50)
y = 2.5 + 4 * x


def sse(w0, w1):
    return ((y - w0 - w1 * x) ** 2).sum(axis=-1)


def test_surface_equals_the_loss_at_every_grid_point():
    w0_values, w1_values = np.linspace(-6, 11, 18), np.linspace(-6, 11, 35)
    surface = loss_surface(sse, w0_values, w1_values)
    assert surface.loss.shape == (18, 35)
    for i in (0, 7, 17):
        for j in (0, 20, 34):
            expected = ((y - w0_values[i] - w1_values[j] * x) ** 2).sum()
            assert surface.loss[i, j] == pytest.approx(expected)
    assert surface.argmin() == pytest.approx((2.5, 4.0), abs=0.5)


def test_surface_calls_the_loss_once_for_the_whole_grid():
    calls = []

    def counting(w0, w1):
        calls.append(w0.shape)
        return sse(w0, w1)

    loss_surface(counting, np.linspace(0, 1, 30), np.linspace(0, 1, 40))
    assert calls == [(30, 40, 1)]


def test_surface_accepts_tensors_and_a_trailing_axis():
    import torch

    surface = loss_surface(lambda w0, w1: torch.tensor(w0 + w1), [0.0, 1.0], [0.0, 2.0, 3.0])
    np.testing.assert_allclose(surface.loss, [[0, 2, 3], [1, 3, 4]])


@pytest.mark.parametrize(
    "w0_values, message",
    [
        ([1.0], "at least 2"),
        ([], "at least 2"),
        ([[0, 1], [2, 3]], "1-D"),
        ([0, np.nan], "NaN"),
        ([1, 0], "increasing"),
    ],
)
def test_surface_rejects_a_bad_grid(w0_values, message):
    with pytest.raises(ValueError, match=message):
        loss_surface(sse, w0_values, [0.0, 1.0])


def test_surface_rejects_a_loss_that_does_not_reduce_over_the_data():
    with pytest.raises(ValueError, match="one loss per grid point"):
        loss_surface(lambda w0, w1: (y - w0 - w1 * x) ** 2, [0.0, 1.0], [0.0, 1.0])
    with pytest.raises(TypeError, match="loss_fn must be a function"):
        loss_surface(3, [0.0, 1.0], [0.0, 1.0])


def test_plot_surface_draws_path_and_points():
    surface = loss_surface(sse, np.linspace(-6, 11, 20), np.linspace(-6, 11, 20))
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    path = np.array([[-5.0, 10.0], [0.0, 6.0], [2.5, 4.0]])
    artists = plot_surface(ax, surface, path=path, points={"true W": (2.5, 4.0), "start": (-5, 10)})
    assert len(artists) == 3
    xs, ys, zs = artists[0].get_data_3d()
    np.testing.assert_allclose(xs, path[:, 0])
    np.testing.assert_allclose(ys, path[:, 1])
    np.testing.assert_allclose(zs, surface_height(surface, path))
    plt.close(fig)


def test_plot_surface_checks_its_inputs():
    surface = loss_surface(sse, [0.0, 1.0], [0.0, 1.0])
    fig, ax = plt.subplots()
    with pytest.raises(TypeError, match="3-D axes"):
        plot_surface(ax, surface)
    ax3 = fig.add_subplot(projection="3d")
    with pytest.raises(ValueError, match=r"shape \(steps, 2\)"):
        plot_surface(ax3, surface, path=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="finite"):
        plot_surface(ax3, surface, path=np.array([[0.0, np.nan]]))
    plt.close(fig)


def three_d_axes():
    fig = plt.figure()
    return fig, fig.add_subplot(projection="3d")


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_surface_rejects_an_infinite_grid(bad):
    with pytest.raises(ValueError, match=r"^w1_values must be finite numbers; it contains NaN or infinity$"):
        loss_surface(sse, [0.0, 1.0], [0.0, bad])


def test_surface_rejects_a_grid_or_a_loss_that_is_not_numbers():
    with pytest.raises(TypeError, match=r"^w0_values must be numbers \(an array, a tensor or a list\), got '0 1'$"):
        loss_surface(sse, "0 1", [0.0, 1.0])
    with pytest.raises(TypeError, match=r"^loss_fn's result must be numbers \(an array, a tensor or a list\), got "):
        loss_surface(lambda w0, w1: "low", [0.0, 1.0], [0.0, 1.0])


def test_argmin_skips_nan_and_says_when_every_loss_is_nan():
    surface = loss_surface(lambda w0, w1: np.where(w0 > 0, w1, np.nan)[..., 0], [0.0, 1.0], [2.0, 3.0])
    assert surface.argmin() == (1.0, 2.0)
    all_nan = loss_surface(lambda w0, w1: np.full(w0.shape[:2], np.nan), [0.0, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match=r"^the loss is NaN at every grid point: there is no smallest loss$"):
        all_nan.argmin()


@pytest.mark.parametrize("steps", [2, 4])
def test_plot_surface_rejects_a_path_loss_of_the_wrong_length(steps):
    surface = loss_surface(sse, [0.0, 1.0], [0.0, 1.0])
    fig, ax = three_d_axes()
    with pytest.raises(
        ValueError, match=rf"^path_loss must have one loss per step of the path, shape \(3,\); got \({steps},\)$"
    ):
        plot_surface(ax, surface, path=np.zeros((3, 2)), path_loss=np.zeros(steps))
    with pytest.raises(ValueError, match=r"shape \(3,\); got \(3, 1\)$"):
        plot_surface(ax, surface, path=np.zeros((3, 2)), path_loss=np.zeros((3, 1)))
    assert not ax.collections and not ax.lines  # nothing drawn before the check
    plt.close(fig)


@pytest.mark.parametrize(
    "path", [np.zeros(2), np.zeros((3, 1)), np.zeros((2, 2, 2))], ids=["(2,)", "(3, 1)", "(2, 2, 2)"]
)
def test_plot_surface_rejects_a_path_of_the_wrong_shape(path):
    surface = loss_surface(sse, [0.0, 1.0], [0.0, 1.0])
    fig, ax = three_d_axes()
    with pytest.raises(ValueError, match=rf"^path must have shape \(steps, 2\), got {re.escape(str(path.shape))}$"):
        plot_surface(ax, surface, path=path)
    plt.close(fig)


def test_plot_surface_rejects_infinity_and_non_numbers_in_the_path():
    surface = loss_surface(sse, [0.0, 1.0], [0.0, 1.0])
    fig, ax = three_d_axes()
    with pytest.raises(ValueError, match=r"^path must be finite numbers; it contains NaN or infinity$"):
        plot_surface(ax, surface, path=np.array([[0.0, np.inf]]))
    with pytest.raises(TypeError, match=r"^path must be numbers \(an array, a tensor or a list\), got "):
        plot_surface(ax, surface, path=[["a", "b"]])
    with pytest.raises(TypeError, match=r"^path_loss must be numbers \(an array, a tensor or a list\), got "):
        plot_surface(ax, surface, path=np.zeros((1, 2)), path_loss=["high"])
    with pytest.raises(ValueError, match=r"^path_loss is the height of each step of a path: give path too$"):
        plot_surface(ax, surface, path_loss=np.zeros(3))
    plt.close(fig)


@pytest.mark.parametrize(
    "points, error, message",
    [
        ({"W": (1.0, 2.0, 3.0)}, ValueError, r"^points\['W'\] must have shape \(2,\): \(w0, w1\), got \(3,\)$"),
        ({"W": 2.5}, ValueError, r"^points\['W'\] must have shape \(2,\): \(w0, w1\), got \(\)$"),
        ({"W": (np.nan, 4.0)}, ValueError, r"^points\['W'\] must be finite numbers; it contains NaN or infinity$"),
        ({"W": ("2.5", "4")}, TypeError, r"^points\['W'\] must be numbers"),
        ([(2.5, 4.0)], TypeError, r"^points must map a label to \(w0, w1\), e.g. \{'true W': \(2.5, 4\)\}; got list$"),
    ],
    ids=["three numbers", "one number", "NaN", "text", "a list"],
)
def test_plot_surface_rejects_bad_points(points, error, message):
    surface = loss_surface(sse, [0.0, 1.0], [0.0, 1.0])
    fig, ax = three_d_axes()
    with pytest.raises(error, match=message):
        plot_surface(ax, surface, points=points)
    assert not ax.collections  # nothing drawn before the check
    plt.close(fig)


def test_plot_surface_rejects_a_bad_surface_and_alpha():
    surface = loss_surface(sse, [0.0, 1.0], [0.0, 1.0])
    fig, ax = three_d_axes()
    with pytest.raises(TypeError, match=r"^surface must be a LossSurface made by loss_surface\(...\), got ndarray$"):
        plot_surface(ax, surface.loss)
    with pytest.raises(ValueError, match=r"^alpha must be between 0 and 1, got 1\.5$"):
        plot_surface(ax, surface, alpha=1.5)
    with pytest.raises(TypeError, match=r"^alpha must be a finite number, got '0\.5'$"):
        plot_surface(ax, surface, alpha="0.5")
    plt.close(fig)


def test_surface_height_checks_its_points():
    surface = loss_surface(sse, [0.0, 1.0], [0.0, 1.0])
    np.testing.assert_allclose(surface_height(surface, [1.0, 0.0]), [surface.loss[1, 0]])
    with pytest.raises(ValueError, match=r"^at must have shape \(points, 2\) or \(2,\), got \(3,\)$"):
        surface_height(surface, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"^at must be finite numbers"):
        surface_height(surface, [np.nan, 0.0])
    with pytest.raises(TypeError, match=r"^surface must be a LossSurface"):
        surface_height(None, [0.0, 0.0])
