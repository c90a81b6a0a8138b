"""The data recipes rebuild the lectures' data: the numbers they print are pinned here."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook import data


def test_cafe_data_is_the_lecture_recipe():
    import tensorflow as tf

    x, y = data.cafe_data()
    assert x.shape == (10,) and y.shape == (10,) and y.dtype == tf.float64
    tf.random.set_seed(43052)
    epsilon = tf.random.normal([10])
    expected = 10.2 + 2.2 * np.array(data.CAFE_TEMPERATURES) + epsilon.numpy().astype(np.float64)
    np.testing.assert_array_equal(y.numpy(), expected)
    np.testing.assert_allclose(y.numpy()[:3], [55.4183651, 58.19427589, 61.23082496], rtol=1e-9)


def test_line_data_gives_the_week5_closed_form():
    x, y = data.line_data()
    x, y = x.numpy(), y.numpy()
    assert x.shape == y.shape == (200,)
    sxx = ((x - x.mean()) ** 2).sum()
    sxy = ((x - x.mean()) * (y - y.mean())).sum()
    beta1 = sxy / sxx
    beta0 = y.mean() - x.mean() * beta1
    np.testing.assert_allclose([beta0, beta1], [2.583667211565867, 3.9330345167331697], rtol=1e-12)


def test_torch_line_data_gives_the_lecture_first_step():
    X, y = data.torch_line_data()
    assert X.shape == (100, 2) and y.shape == (100, 1)
    assert torch.all(X[:, 0] == 1) and torch.all(torch.diff(X[:, 1]) >= 0)  # sorted x
    What = torch.tensor([[-5.0], [10.0]], requires_grad=True)
    loss = torch.sum((y - X @ What) ** 2)
    loss.backward()
    assert loss.item() == pytest.approx(8587.6875, abs=1e-3)
    np.testing.assert_allclose(What.grad.ravel().numpy(), [-1342.2524, 1188.9305], atol=1e-3)
    updated = What.data - 0.001 * What.grad
    np.testing.assert_allclose(updated.ravel().numpy(), [-3.6577, 8.8111], atol=1e-4)
    closed = torch.linalg.inv(X.T @ X) @ X.T @ y
    np.testing.assert_allclose(closed.ravel().numpy(), [2.4459, 4.0043], atol=1e-4)


def test_torch_line_data_matches_the_global_seed_recipe_and_leaves_it_alone():
    torch.manual_seed(43052)
    x, _ = torch.randn(100).sort()
    eps = torch.randn(100) * 0.5
    expected_state = torch.get_rng_state()
    X, y = data.torch_line_data()
    assert torch.equal(torch.get_rng_state(), expected_state)
    assert torch.equal(X[:, 1], x)
    assert torch.equal(y, X @ torch.tensor([[2.5], [4.0]]) + eps.reshape(100, 1))


def test_piecewise_data_matches_the_lecture_printout():
    x, y = data.piecewise_data()
    assert x.shape == y.shape == (100, 1)
    np.testing.assert_allclose(y[:5, 0], [-0.88497385, -0.65454563, -0.61676249, -0.84702584, -0.84785569], atol=1e-8)
    np.testing.assert_allclose(y[-3:, 0], [3.30306495, 3.74590922, 3.85610433], atol=1e-8)


def test_noise_data_is_small_noise():
    x, y = data.noise_data()
    assert x.shape == y.shape == (100, 1)
    assert np.abs(y).max() < 0.005 and np.isclose(x[-1, 0], 1.0)


def test_logistic_data_follows_the_model():
    x, y = data.logistic_data()
    assert x.shape == y.shape == (2000, 1)
    values = y.numpy()
    assert set(np.unique(values)) == {0.0, 1.0}
    # more successes on the right: π rises with x when w1 > 0
    assert values[x.numpy()[:, 0] > 0.5].mean() > 0.9 > 0.1 > values[x.numpy()[:, 0] < -0.5].mean()
    x2, y2 = data.logistic_data()
    np.testing.assert_array_equal(x.numpy(), x2.numpy())
    np.testing.assert_array_equal(values, y2.numpy())


SIZED_RECIPES = [data.line_data, data.torch_line_data, data.piecewise_data, data.noise_data, data.logistic_data]
RECIPES = [data.cafe_data, *SIZED_RECIPES]


def recipe_id(recipe):
    return recipe.__name__


@pytest.mark.parametrize("recipe", SIZED_RECIPES, ids=recipe_id)
@pytest.mark.parametrize("bad_n, error", [(0, ValueError), (-5, ValueError), (2.5, TypeError), ("10", TypeError)])
def test_recipes_reject_a_bad_size(recipe, bad_n, error):
    with pytest.raises(error, match="n must be a positive whole number"):
        recipe(n=bad_n)


@pytest.mark.parametrize("recipe", RECIPES, ids=recipe_id)
@pytest.mark.parametrize("seed", [1.5, True, "1", None, float(data.LECTURE_SEED)], ids=repr)
def test_recipes_reject_a_seed_of_the_wrong_type(recipe, seed):
    with pytest.raises(TypeError, match=rf"^seed must be a non-negative whole number below 4294967296, got {seed!r}$"):
        recipe(seed=seed)


@pytest.mark.parametrize("recipe", RECIPES, ids=recipe_id)
@pytest.mark.parametrize("seed", [-1, data.SEED_LIMIT], ids=["-1", "2**32"])
def test_recipes_reject_a_seed_out_of_range(recipe, seed):
    """A negative whole number is the wrong value, not the wrong type; 2**32 is past NumPy's range."""
    with pytest.raises(ValueError, match=rf"^seed must be a non-negative whole number below 4294967296, got {seed}$"):
        recipe(seed=seed)


@pytest.mark.parametrize("recipe", RECIPES, ids=recipe_id)
def test_recipes_accept_every_seed_in_range(recipe):
    for seed in (0, data.SEED_LIMIT - 1, np.int64(7)):
        first, second = recipe(seed=seed)
        assert len(first) == len(second)


@pytest.mark.parametrize("which", ["w0", "w1"])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_logistic_data_rejects_nan_and_infinite_weights(which, bad):
    with pytest.raises(ValueError, match=rf"^{which} must be a finite number, got "):
        data.logistic_data(**{which: bad})


@pytest.mark.parametrize("which", ["w0", "w1"])
@pytest.mark.parametrize("bad", ["5", None, True, [5.0]], ids=repr)
def test_logistic_data_rejects_weights_that_are_not_numbers(which, bad):
    with pytest.raises(TypeError, match=rf"^{which} must be a finite number, got "):
        data.logistic_data(**{which: bad})
