"""scratchnn.gradcheck passes a right gradient and catches a wrong one."""

import re

import numpy as np
import pytest

from scratchnn import functional as F
from scratchnn.gradcheck import check_gradients, numerical_gradient, relative_error


def quadratic(params, x, y):
    """L = sum((x @ w - y)^2), gradient 2 x^T (x w - y); a tiny model for the checker."""
    r = x @ params["w"] - y
    return float(np.sum(r**2)), {"w": 2.0 * x.T @ r}


def quadratic_wrong(params, x, y):
    loss, grads = quadratic(params, x, y)
    return loss, {"w": grads["w"].T.reshape(grads["w"].shape)[::-1]}


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    return (
        {"w": rng.standard_normal((3, 2))},
        rng.standard_normal((5, 3)),
        rng.standard_normal((5, 2)),
    )


def test_numerical_gradient_of_known_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    numeric = numerical_gradient(lambda v: float(np.sum(v**3)), x)
    np.testing.assert_allclose(numeric, 3 * x**2, rtol=1e-8)


def test_numerical_gradient_does_not_modify_its_argument():
    x = np.array([1.0, 2.0])
    numerical_gradient(lambda v: float(np.sum(v**2)), x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_works_on_float32_input_in_float64():
    x = np.array([0.3, -0.7], dtype=np.float32)
    numeric = numerical_gradient(lambda v: float(np.sum(F.sigmoid(v))), x)
    assert numeric.dtype == np.float64
    assert relative_error(F.sigmoid_derivative(x.astype(np.float64)), numeric) < 1e-8


def test_relative_error_values_and_floor():
    a = np.array([1.0, 2.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, -a) == 1.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0  # the floor avoids 0 / 0
    # below the floor the denominator is the floor: 1e-13 / 1e-12
    assert relative_error(np.zeros(1), np.array([1e-13])) == pytest.approx(0.1)


def test_relative_error_names_mismatched_shapes():
    with pytest.raises(ValueError, match=r"shapes \(2,\) and \(2, 1\)"):
        relative_error(np.zeros(2), np.zeros((2, 1)))


def test_check_gradients_passes_a_right_gradient(problem):
    errors = check_gradients(quadratic, *problem)
    assert set(errors) == {"w"}
    assert errors["w"] < 1e-8


def test_check_gradients_catches_a_wrong_gradient(problem):
    assert check_gradients(quadratic_wrong, *problem)["w"] > 0.1


def test_check_gradients_sampled_entries(problem):
    rng = np.random.default_rng(5)
    assert check_gradients(quadratic, *problem, samples=3, rng=rng)["w"] < 1e-8
    assert check_gradients(quadratic_wrong, *problem, samples=6, rng=rng)["w"] > 0.1
    with pytest.raises(TypeError, match=r"rng \(needed with samples=...\) must be a numpy"):
        check_gradients(quadratic, *problem, samples=3)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"samples": 0}, ValueError, "samples must be a whole number >= 1, got 0"),
        ({"samples": 2.5}, TypeError, "samples must be a whole number >= 1, got 2.5"),
        ({"eps": 0.0}, ValueError, "eps must be a finite number > 0, got 0"),
        ({"eps": float("nan")}, ValueError, "eps must be a finite number > 0, got nan"),
    ],
)
def test_check_gradients_cannot_report_a_perfect_score_for_nothing(
    problem, options, error, message
):
    """samples=0 would check no entry at all and report an error of 0."""
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        check_gradients(quadratic, *problem, rng=np.random.default_rng(0), **options)


def test_check_gradients_names_missing_gradients(problem):
    def none(params, x, y):
        return quadratic(params, x, y)[0], {}

    with pytest.raises(
        ValueError, match=r"returned gradients for \[\], but the parameters are \['w'\]"
    ):
        check_gradients(none, *problem)


def test_numerical_gradient_indices_address_entries_of_nd_arrays():
    x = np.arange(6.0).reshape(2, 3)
    grad = numerical_gradient(lambda v: float(np.sum(v**2)), x, indices=[(1, 2), (0, 1)])
    expected = np.zeros((2, 3))
    expected[1, 2], expected[0, 1] = 10.0, 2.0
    np.testing.assert_allclose(grad, expected, atol=1e-6)
    with pytest.raises(ValueError, match=r"tuples of 2 ints, got 0"):
        numerical_gradient(lambda v: float(np.sum(v**2)), x, indices=[0])
    with pytest.raises(ValueError, match=r"index \(2, 0\) is out of bounds"):
        numerical_gradient(lambda v: float(np.sum(v**2)), x, indices=[(2, 0)])


@pytest.mark.parametrize("magnitude", [1e-200, 1e-20, 1.0, 1e20, 1e200])
def test_relative_error_is_right_at_extreme_magnitudes(magnitude):
    a = np.array([3.0, 4.0]) * magnitude
    b = np.array([3.0, 4.0 + 1e-6]) * magnitude
    expected = 1e-6 / 10.0  # |a - b| / (|a| + |b|) with |a| = |b| = 5
    got = relative_error(a, b, floor=1e-300)
    assert got == pytest.approx(expected, rel=1e-6)


def test_relative_error_refuses_non_finite_entries_and_bad_floors():
    with pytest.raises(
        ValueError, match=r"^a must hold only finite numbers, got nan at index \(1,\)$"
    ):
        relative_error(np.array([1.0, np.nan]), np.zeros(2))
    with pytest.raises(ValueError, match="floor must be a finite number > 0"):
        relative_error(np.zeros(2), np.zeros(2), floor=0.0)


def test_check_gradients_names_a_gradient_of_the_wrong_shape(problem):
    def flat(params, x, y):
        loss, grads = quadratic(params, x, y)
        return loss, {"w": grads["w"].ravel()}

    with pytest.raises(ValueError, match=r"gradient 'w' has shape \(6,\) but parameter 'w'"):
        check_gradients(flat, *problem)


def test_check_gradients_does_not_modify_params(problem):
    params, x, y = problem
    before = params["w"].copy()
    check_gradients(quadratic, params, x, y)
    np.testing.assert_array_equal(params["w"], before)


@pytest.mark.parametrize("x", [np.ones(3), np.array([0.0, 1e10])])
def test_numerical_gradient_refuses_a_step_too_small_to_change_x(x):
    """eps = 1e-20 leaves 1.0 unchanged (1 + 1e-20 == 1): the result would be zeros."""
    with pytest.raises(ValueError, match=r"^eps=1e-20 is too small to change x\[\d\] = 1"):
        numerical_gradient(lambda v: float(np.sum(v**2)), x, eps=1e-20)


def test_numerical_gradient_checks_only_the_entries_it_perturbs():
    x = np.array([1e20, 1.0])  # 1e20 + 1e-6 == 1e20, but entry 0 is not perturbed
    grad = numerical_gradient(lambda v: float(v[1] ** 2), x, eps=1e-6, indices=[1])
    np.testing.assert_allclose(grad, [0.0, 2.0], atol=1e-8)


@pytest.mark.parametrize(
    ("f", "error", "message"),
    [
        (3.0, TypeError, r"^f must be a function f\(x\) -> number, got 3.0$"),
        (lambda v: None, TypeError, r"^f must return a number, got None$"),
        (lambda v: "1.0", TypeError, r"^f must return a number, got '1.0'$"),
        (lambda v: np.ones(1), TypeError, r"^f must return a number, got array\(\[1.\]\)$"),
    ],
    ids=["not callable", "None", "string", "shape (1,)"],
)
def test_numerical_gradient_names_a_function_that_is_not_one(f, error, message):
    with pytest.raises(error, match=message):
        numerical_gradient(f, np.ones(2))


def test_numerical_gradient_takes_a_0d_array_as_the_number_f_returns():
    grad = numerical_gradient(lambda v: np.array(np.sum(v**2)), np.ones(2))
    np.testing.assert_allclose(grad, [2.0, 2.0], rtol=1e-8)


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        (None, r"got None$"),
        ((None, {}), r"got the loss None$"),
        (("1.0", {}), r"got the loss '1.0'$"),
        ((1.0, [np.zeros(())]), r"got the grads \[array\(0.\)\]$"),
    ],
)
def test_check_gradients_names_what_loss_and_grads_returned(returned, message):
    with pytest.raises(TypeError, match=r"^loss_and_grads must return \(loss, grads\).*" + message):
        check_gradients(lambda p, x, y: returned, {"a": np.zeros(())}, np.ones(2), np.ones(2))


def test_check_gradients_refuses_a_loss_and_grads_that_is_not_callable():
    with pytest.raises(TypeError, match=r"^loss_and_grads must be a function"):
        check_gradients("mse", {"a": np.zeros(())}, np.ones(2), np.ones(2))
