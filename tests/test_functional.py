"""The building blocks of scratchnn.functional against central differences."""

import numpy as np
import pytest

from scratchnn import functional as F
from scratchnn.gradcheck import numerical_gradient, relative_error

TOL = 1e-7


def away_from_zero(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random points at least 0.05 from relu's kink, of both signs."""
    return rng.uniform(0.05, 4.0, n) * rng.choice([-1.0, 1.0], n)


@pytest.mark.parametrize("name", sorted(F.ACTIVATIONS))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_activation_derivative_matches_central_differences(name, seed):
    f, df = F.activation(name)
    z = away_from_zero(np.random.default_rng(seed), 15)
    numeric = numerical_gradient(lambda v: float(np.sum(f(v))), z)
    assert relative_error(df(z), numeric) < TOL


@pytest.mark.parametrize("loss", ["sum_squared_error", "mean_squared_error", "half_squared_error"])
@pytest.mark.parametrize("shape", [(7,), (4, 3), (5, 1)])
def test_loss_grad_matches_central_differences(loss, shape):
    rng = np.random.default_rng(3)
    y_hat, y = rng.standard_normal(shape), rng.standard_normal(shape)
    f, grad = getattr(F, loss), getattr(F, loss + "_grad")
    numeric = numerical_gradient(lambda v: f(v, y), y_hat)
    assert relative_error(grad(y_hat, y), numeric) < TOL


def test_loss_values_on_a_small_example():
    y_hat, y = np.array([1.0, 2.0, 4.0]), np.array([0.0, 2.0, 2.0])
    assert F.sum_squared_error(y_hat, y) == 5.0
    assert F.mean_squared_error(y_hat, y) == pytest.approx(5.0 / 3.0)
    assert F.half_squared_error(y_hat, y) == 2.5


def test_activation_values():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(F.relu(z), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(F.relu_derivative(z), [0.0, 0.0, 1.0])
    np.testing.assert_allclose(F.sigmoid(z), 1.0 / (1.0 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_array_equal(F.identity(z), z)


def test_sigmoid_is_stable_for_huge_inputs():
    z = np.array([-1e308, -1000.0, -745.0, 0.0, 745.0, 1000.0, 1e308])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow, no NaN
        s = F.sigmoid(z)
        d = F.sigmoid_derivative(z)
    np.testing.assert_array_equal(s[[0, 1, -2, -1]], [0.0, 0.0, 1.0, 1.0])
    assert s[3] == 0.5
    assert np.all(np.isfinite(d)) and np.all(d >= 0)


def test_activations_do_not_modify_their_input():
    z = np.array([-1.0, 2.0])
    for f, df in F.ACTIVATIONS.values():
        f(z)
        df(z)
    np.testing.assert_array_equal(z, [-1.0, 2.0])


def test_unknown_activation_names_the_choices():
    with pytest.raises(
        ValueError, match=r"unknown activation 'softplus'; choose one of 'identity'"
    ):
        F.activation("softplus")


@pytest.mark.parametrize(
    "loss",
    [F.sum_squared_error, F.sum_squared_error_grad, F.mean_squared_error, F.half_squared_error],
)
def test_losses_refuse_to_broadcast_and_name_both_shapes(loss):
    with pytest.raises(ValueError, match=r"y_hat has shape \(4, 1\) but target y has shape \(4,\)"):
        loss(np.zeros((4, 1)), np.zeros(4))


def test_losses_do_not_wrap_around_on_integer_targets():
    """uint8 arithmetic would give (10 - 82) ** 2 = 64 instead of 5184."""
    y_hat = np.array([10, 0], dtype=np.uint8)
    y = np.array([82, 0], dtype=np.uint8)
    assert F.sum_squared_error(y_hat, y) == 5184.0
    np.testing.assert_array_equal(F.sum_squared_error_grad(y_hat, y), [-144.0, 0.0])


def test_losses_refuse_complex_predictions():
    with pytest.raises(TypeError, match=r"^y_hat must hold real numbers .* got dtype complex128$"):
        F.mean_squared_error(np.array([1j]), np.array([0.0]))


def test_tanh_derivative_matches_central_differences():
    z = np.linspace(-3.0, 3.0, 13)
    numeric = (F.tanh(z + 1e-6) - F.tanh(z - 1e-6)) / 2e-6
    np.testing.assert_allclose(F.tanh_derivative(z), numeric, rtol=1e-8, atol=1e-10)


ELEMENTWISE = [getattr(F, n) for pair in F.ACTIVATIONS.values() for n in (p.__name__ for p in pair)]


@pytest.mark.parametrize("f", [*ELEMENTWISE, F.softmax, F.log_softmax], ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        ([1 + 2j], TypeError, r"^z must hold real numbers .* got dtype complex128$"),
        (None, TypeError, r"^z is None: it must be an array of real numbers$"),
        (["1.5"], TypeError, r"^z must hold real numbers .* got dtype <U3$"),
        (np.zeros((0, 3)), ValueError, r"^z is empty \(shape \(0, 3\)\): it needs data$"),
    ],
    ids=["complex", "None", "strings", "empty"],
)
def test_activations_and_softmax_refuse_what_is_not_real_data(f, bad, error, message):
    with pytest.raises(error, match=message):
        f(bad)


def test_activations_keep_infinities_as_ieee_arithmetic_does():
    assert F.relu(np.inf) == np.inf and F.sigmoid(-np.inf) == 0.0 and F.tanh(np.inf) == 1.0


@pytest.mark.parametrize(
    ("classes", "error"), [(2.5, TypeError), (True, TypeError), (0, ValueError), ("3", TypeError)]
)
def test_one_hot_refuses_classes_that_are_not_a_whole_number(classes, error):
    with pytest.raises(error, match=r"^classes must be a whole number >= 1"):
        F.one_hot([0, 1], classes)


@pytest.mark.parametrize("f", [F.one_hot, F.check_labels])
def test_labels_refuse_none_and_empty(f):
    with pytest.raises(TypeError, match=r"^y is None: it must be integer class labels$"):
        f(None, 3)
    with pytest.raises(ValueError, match=r"^y is empty \(shape \(0,\)\): it needs at least one"):
        f([], 3)


def test_cross_entropy_refuses_no_examples_instead_of_nan():
    for f in (F.cross_entropy, F.cross_entropy_grad):
        with pytest.raises(ValueError, match=r"^logits is empty \(shape \(0, 3\)\)"):
            f(np.zeros((0, 3)), np.zeros(0, dtype=int))


def test_softmax_shift_is_true_or_false():
    with pytest.raises(TypeError, match=r"^shift must be True or False, got 1$"):
        F.softmax([1.0, 2.0], shift=1)


def test_softmax_backward_names_a_complex_upstream_gradient():
    with pytest.raises(TypeError, match=r"^d_p must hold real numbers"):
        F.softmax_backward(np.full((2, 3), 1 / 3), np.ones((2, 3)) * 1j)


def test_relu_derivative_at_the_kink_is_torch_relus_not_clamps():
    """The book's convention, 0 at z = 0, is torch.relu's; clamp(min=0) takes 1 there."""
    torch = pytest.importorskip("torch")
    z = np.array([-1.0, 0.0, 2.0])
    slopes = {}
    for name, f in {"relu": torch.relu, "clamp": lambda t: t.clamp(min=0)}.items():
        t = torch.tensor(z, requires_grad=True)
        f(t).sum().backward()
        slopes[name] = t.grad.numpy()
    np.testing.assert_array_equal(F.relu_derivative(z), slopes["relu"])
    np.testing.assert_array_equal(slopes["clamp"], [0.0, 1.0, 1.0])
