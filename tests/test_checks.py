"""scratchnn.checks: the argument checks every public function relies on."""

import re

import numpy as np
import pytest

from scratchnn import checks

SPEC = {"w1": ("D", "H"), "b1": ("H",), "w2": ("H", 1)}


def exactly(error, message):
    """pytest.raises for ``error`` whose message is exactly ``message``."""
    return pytest.raises(error, match=f"^{re.escape(message)}$")


def good_params():
    return {"w1": np.zeros((3, 4)), "b1": np.zeros(4), "w2": np.zeros((4, 1))}


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), (np.int64(5), 5), (np.uint8(1), 1)],
)
def test_whole_numbers_accept_python_and_numpy_integers(value, expected):
    got = checks.whole_number(value, "epochs")
    assert got == expected
    assert type(got) is int


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (0, ValueError, "epochs must be a whole number >= 1, got 0"),
        (np.int64(0), ValueError, "epochs must be a whole number >= 1, got 0"),
        (2.0, TypeError, "epochs must be a whole number >= 1, got 2.0"),
        (True, TypeError, "epochs must be a whole number >= 1, got True"),
        ("3", TypeError, "epochs must be a whole number >= 1, got '3'"),
    ],
)
def test_whole_numbers_refuse_with_the_name_and_the_value(value, error, message):
    with exactly(error, message):
        checks.whole_number(value, "epochs")


def test_whole_numbers_have_an_upper_bound_when_asked():
    with exactly(ValueError, "hidden must be a whole number >= 1 and <= 100,000, got 1000000000"):
        checks.whole_number(10**9, "hidden", maximum=100_000)


@pytest.mark.parametrize("value", [0.5, 1, np.float32(0.5), np.float64(2.0)])
def test_positive_floats_accept_any_real_number_type(value):
    assert checks.positive_float(value, "lr") == float(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0.0, "lr must be a finite number > 0, got 0"),
        (-1, "lr must be a finite number > 0, got -1"),
        (float("nan"), "lr must be a finite number > 0, got nan"),
        (np.float32("inf"), "lr must be a finite number > 0, got inf"),
    ],
)
def test_positive_floats_refuse_zero_negative_and_non_finite(value, message):
    with exactly(ValueError, message):
        checks.positive_float(value, "lr")


def test_generator_refuses_an_int_seed():
    with exactly(
        TypeError,
        ("rng must be a numpy.random.Generator such as np.random.default_rng(0), got int"),
    ):
        checks.generator(0)
    rng = np.random.default_rng(0)
    assert checks.generator(rng) is rng


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([[1, 2]], np.array([[1.0, 2.0]])),
        (np.array([True, False]), np.array([1.0, 0.0])),
        (np.array([200, 100], dtype=np.uint8), np.array([200.0, 100.0])),
        (np.array([0.5], dtype=np.float32), np.array([0.5])),
    ],
)
def test_arrays_become_float64(value, expected):
    got = checks.array(value, "x")
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, expected)


def test_a_float64_array_is_passed_through_not_copied():
    x = np.zeros((2, 3))
    assert checks.array(x, "x", ("N", 3)) is x


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (
            np.array([1 + 2j]),
            TypeError,
            "x must hold real numbers (ints, floats or bools), got dtype complex128",
        ),
        (
            np.array(["a"]),
            TypeError,
            "x must hold real numbers (ints, floats or bools), got dtype <U1",
        ),
        (
            [[1.0, 2.0], [3.0, np.nan]],
            ValueError,
            "x must hold only finite numbers, got nan at index (1, 1)",
        ),
        (
            np.array([1.0, -np.inf]),
            ValueError,
            "x must hold only finite numbers, got -inf at index (1,)",
        ),
        (np.zeros((0, 2)), ValueError, "x is empty (shape (0, 2)): it needs data"),
    ],
)
def test_arrays_refuse_complex_strings_non_finite_and_empty(value, error, message):
    with exactly(error, message):
        checks.array(value, "x")


def test_huge_but_finite_values_are_not_mistaken_for_non_finite():
    x = np.full(4, 1e308)  # the quick sum overflows; the close look finds nothing
    assert checks.array(x, "x") is x


def test_shapes_bind_names_and_name_both_shapes():
    dims = {}
    checks.array(np.zeros((5, 3)), "x", ("N", "D"), dims=dims)
    assert dims == {"N": 5, "D": 3}
    with exactly(ValueError, "y must have shape (N, 1) with N = 5, got (4, 1)"):
        checks.array(np.zeros((4, 1)), "y", ("N", 1), dims=dims)
    with exactly(ValueError, "y must have shape (N, 1) with N = 5, got (5,)"):
        checks.array(np.zeros(5), "y", ("N", 1), dims=dims)


def test_params_pass_when_keys_and_shapes_fit():
    dims = {}
    got = checks.params(good_params(), SPEC, dims=dims)
    assert dims == {"D": 3, "H": 4}
    assert list(got) == ["w1", "b1", "w2"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda p: p.pop("b1"),
            "params must have exactly w1 (D, H), b1 (H,), w2 (H, 1); missing 'b1'",
        ),
        (
            lambda p: p.update(b2=np.zeros(1)),
            "params must have exactly w1 (D, H), b1 (H,), w2 (H, 1); unexpected 'b2'",
        ),
        (
            lambda p: p.update(b1=np.zeros(5)),
            "params['b1'] must have shape (H,) with H = 4, got (5,) "
            "(the model wants w1 (D, H), b1 (H,), w2 (H, 1))",
        ),
        (
            lambda p: p.update(w2=np.zeros((4, 1, 1))),
            "params['w2'] must have shape (H, 1) with H = 4, got (4, 1, 1) "
            "(the model wants w1 (D, H), b1 (H,), w2 (H, 1))",
        ),
    ],
)
def test_params_name_missing_extra_and_misshapen_keys(change, message):
    params = good_params()
    change(params)
    with exactly(ValueError, message):
        checks.params(params, SPEC)


def test_params_must_be_a_mapping_and_nothing_is_mutated():
    with exactly(TypeError, "params must be a dict of arrays, got list"):
        checks.params([np.zeros(3)], SPEC)
    params = {"w1": [[1, 2]], "b1": [0, 0], "w2": [[1], [2]]}
    got = checks.params(params, SPEC)
    assert params["w1"] == [[1, 2]]
    assert got["w1"].dtype == np.float64


def test_same_shape_refuses_the_broadcasting_trap():
    with exactly(ValueError, "y_hat has shape (3, 1) but y has shape (3,); they must be equal"):
        checks.same_shape(np.zeros((3, 1)), np.zeros(3), "y_hat", "y")


def test_choice_lists_the_options():
    assert checks.choice("relu", "activation", ("relu", "sigmoid")) == "relu"
    with exactly(ValueError, "activation must be one of 'relu', 'sigmoid', got 'tanhh'"):
        checks.choice("tanhh", "activation", ("relu", "sigmoid"))
