"""dlbook._checks: one wording for one kind of mistake; TypeError for a wrong type, ValueError for a wrong value."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook._checks import (
    check_finite,
    check_finite_number,
    check_grid_axis,
    check_non_negative_int,
    check_positive_int,
    check_positive_number,
    to_numpy,
)

NOT_NUMBERS = ["abc", "1.5", None, object(), 1j, [1.0, None], [[1.0, 2.0], [3.0]], np.array(["a", "b"])]
NOT_NUMBER_IDS = ["text", "numeric text", "None", "object", "complex", "list with None", "ragged", "str array"]


# to_numpy: numbers in, a float array out; anything else is a TypeError


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=NOT_NUMBER_IDS)
def test_to_numpy_rejects_what_is_not_numbers(value):
    with pytest.raises(TypeError, match=r"^w must be numbers \(an array, a tensor or a list\), got "):
        to_numpy(value, "w")


def test_to_numpy_says_what_it_got():
    with pytest.raises(TypeError, match=r"got '1\.5'$"):
        to_numpy("1.5", "w")
    with pytest.raises(TypeError, match=r"got \[1\.0, None\]$"):
        to_numpy([1.0, None], "w")
    with pytest.raises(TypeError, match=r"got ndarray of <U1$"):
        to_numpy(np.array(["a"]), "w")
    with pytest.raises(TypeError, match="w must be numbers"):
        to_numpy([np.array([1.0]), "a"], "w")  # a list of arrays: each part is checked


def test_to_numpy_keeps_infinity_and_nan_for_check_finite_to_judge():
    np.testing.assert_array_equal(to_numpy([np.inf, -np.inf, 1], "w"), [np.inf, -np.inf, 1])
    assert np.isnan(to_numpy(float("nan"), "w"))


def test_to_numpy_accepts_arrays_tensors_lists_and_numbers():
    np.testing.assert_array_equal(to_numpy(torch.tensor([1.0, 2.0], requires_grad=True), "w"), [1, 2])
    np.testing.assert_array_equal(to_numpy([np.array([[1.0]]), torch.tensor([2.0])], "w"), [1, 2])
    np.testing.assert_array_equal(to_numpy(np.array([True, False]), "w"), [1, 0])
    assert to_numpy(3, "w").dtype == float and to_numpy([], "w").shape == (0,)


# check_positive_int


@pytest.mark.parametrize("value", [1.5, 2.0, True, "1", None, float("inf"), float("nan"), np.float64(3)])
def test_positive_int_rejects_what_is_not_a_whole_number(value):
    with pytest.raises(TypeError, match=r"^steps must be a positive whole number, got "):
        check_positive_int(value, "steps")


@pytest.mark.parametrize("value", [0, -1, np.int64(-3)])
def test_positive_int_rejects_zero_and_negatives(value):
    with pytest.raises(ValueError, match=rf"^steps must be a positive whole number, got {int(value)}$"):
        check_positive_int(value, "steps")


def test_positive_int_accepts_numpy_integers():
    assert check_positive_int(np.int64(3), "steps") == 3 and type(check_positive_int(np.int32(3), "steps")) is int


# check_non_negative_int


@pytest.mark.parametrize("value", [1.5, True, "1", None, float("inf")])
def test_non_negative_int_rejects_what_is_not_a_whole_number(value):
    with pytest.raises(TypeError, match=r"^seed must be a non-negative whole number below 10, got "):
        check_non_negative_int(value, "seed", below=10)


@pytest.mark.parametrize("value", [-1, 10, 11])
def test_non_negative_int_rejects_negatives_and_too_large(value):
    with pytest.raises(ValueError, match=rf"^seed must be a non-negative whole number below 10, got {value}$"):
        check_non_negative_int(value, "seed", below=10)


def test_non_negative_int_accepts_zero_and_has_no_upper_bound_unless_given():
    assert check_non_negative_int(0, "seed") == 0 and check_non_negative_int(2**70, "seed") == 2**70
    with pytest.raises(ValueError, match=r"^seed must be a non-negative whole number, got -1$"):
        check_non_negative_int(-1, "seed")


# check_finite_number


@pytest.mark.parametrize("value", ["1", None, True, [1.0], np.array(1.0), 1j])
def test_finite_number_rejects_what_is_not_a_number(value):
    with pytest.raises(TypeError, match=r"^w0 must be a finite number, got "):
        check_finite_number(value, "w0")


@pytest.mark.parametrize("value", [float("inf"), -float("inf"), float("nan"), np.float32(np.inf), 10**400])
def test_finite_number_rejects_nan_and_infinity(value):
    with pytest.raises(ValueError, match=r"^w0 must be a finite number, got "):
        check_finite_number(value, "w0")


def test_finite_number_accepts_real_numbers():
    assert check_finite_number(-3, "w0") == -3.0 and check_finite_number(np.float32(0.5), "w0") == 0.5


# check_positive_number


@pytest.mark.parametrize("value", ["0.1", None, True, [0.1], 1j])
def test_positive_number_rejects_what_is_not_a_number(value):
    with pytest.raises(TypeError, match=r"^lr must be a positive number, got "):
        check_positive_number(value, "lr")


@pytest.mark.parametrize("value", [0, -0.1, float("inf"), -float("inf"), float("nan"), np.float64(np.inf), 10**400])
def test_positive_number_rejects_zero_negatives_nan_and_infinity(value):
    with pytest.raises(ValueError, match=r"^lr must be a finite number greater than 0, got "):
        check_positive_number(value, "lr")


# check_finite


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=NOT_NUMBER_IDS)
def test_finite_rejects_what_is_not_numbers(value):
    with pytest.raises(TypeError, match=r"^x must be numbers \(an array, a tensor or a list\), got "):
        check_finite(value, "x")


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_finite_rejects_nan_and_infinity(bad):
    with pytest.raises(ValueError, match=r"^x must be finite numbers; it contains NaN or infinity$"):
        check_finite(np.array([[1.0], [bad]]), "x")
    with pytest.raises(ValueError, match="x must be finite numbers"):
        check_finite(torch.tensor([1.0, bad]), "x")


def test_finite_returns_a_float_array():
    array = check_finite([1, 2], "x")
    assert isinstance(array, np.ndarray) and array.dtype == float


# check_grid_axis


@pytest.mark.parametrize("value", ["0 1 2", [0.0, None], [0.0, "1"]], ids=["text", "None", "text in list"])
def test_grid_axis_rejects_what_is_not_numbers(value):
    with pytest.raises(TypeError, match=r"^w0_values must be numbers"):
        check_grid_axis(value, "w0_values")


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_grid_axis_rejects_nan_and_infinity(bad):
    with pytest.raises(ValueError, match=r"^w0_values must be finite numbers; it contains NaN or infinity$"):
        check_grid_axis([0.0, 1.0, bad], "w0_values")


@pytest.mark.parametrize(
    "value, message",
    [
        ([1.0], "must hold at least 2 grid values, got 1"),
        ([[0, 1], [2, 3]], r"must be a 1-D sequence of grid values, got shape \(2, 2\)"),
        ([0, 0], "must be strictly increasing"),
    ],
)
def test_grid_axis_rejects_a_bad_shape_or_order(value, message):
    with pytest.raises(ValueError, match=f"^w0_values {message}"):
        check_grid_axis(value, "w0_values")
