from __future__ import annotations

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
    [([1.0], "at least 2"), ([], "at least 2"), ([[0, 1], [2, 3]], "1-D"), ([0, np.nan], "NaN"), ([1, 0], "increasing")],
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
