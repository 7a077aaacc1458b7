"""Mini-batch SGD: reproducible, no mutation, full batch = gradient descent, clear errors."""

import numpy as np
import pytest

from scratchnn import digits
from scratchnn.train import DivergenceError, gradient_descent, sgd


def least_squares(params, x, y):
    """L = mean over rows of (x w - y)^2; gradient 2 x^T (x w - y) / N.  x (N, 3), y (N,)."""
    r = x @ params["w"] - y
    return float(np.mean(r**2)), {"w": 2.0 * x.T @ r / len(y)}


@pytest.fixture
def problem():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((40, 3))
    y = x @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(40)
    return x, y


def train(x, y, seed=0, **kw):
    options = {"lr": 0.05, "epochs": 20, "batch_size": 8, **kw}
    return sgd(least_squares, {"w": np.zeros(3)}, x, y, rng=np.random.default_rng(seed), **options)


def test_reproducible_for_a_seed_and_different_for_another(problem):
    a, b, c = train(*problem, seed=3), train(*problem, seed=3), train(*problem, seed=4)
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.params["w"], b.params["w"])
    assert not np.array_equal(a.params["w"], c.params["w"])


def test_does_not_mutate_its_arguments(problem):
    x, y = problem
    x0, y0, w = x.copy(), y.copy(), np.zeros(3)
    sgd(least_squares, {"w": w}, x, y, lr=0.1, epochs=3, batch_size=4, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(w, np.zeros(3))


def test_full_batch_takes_exactly_the_steps_of_gradient_descent(problem):
    x, y = problem
    full = train(x, y, batch_size=len(x))
    gd = gradient_descent(least_squares, {"w": np.zeros(3)}, x, y, lr=0.05, epochs=20)
    np.testing.assert_array_equal(full.losses, gd.losses)
    np.testing.assert_array_equal(full.params["w"], gd.params["w"])


def test_one_epoch_visits_every_example_once():
    seen = []

    def record(params, x, y):
        seen.extend(y.tolist())
        return 0.0, {"w": np.zeros(1)}

    y = np.arange(10.0)
    h = sgd(record, {"w": np.zeros(1)}, y[:, None], y, lr=0.1, epochs=1, batch_size=3,
            rng=np.random.default_rng(0))  # fmt: skip
    assert sorted(seen) == list(range(10)) and seen != list(range(10))  # all, shuffled
    assert h.losses.shape == (1,)


def test_losses_are_the_example_weighted_mean_of_the_batch_losses(problem):
    x, y = problem
    h = train(x, y, batch_size=39, epochs=1, seed=5)  # batches of 39 rows and 1 row
    order = np.random.default_rng(5).permutation(40)  # the order sgd draws
    first, second = order[:39], order[39:]
    w = np.zeros(3)
    loss1, g = least_squares({"w": w}, x[first], y[first])
    w = w - 0.05 * g["w"]
    loss2, g = least_squares({"w": w}, x[second], y[second])
    np.testing.assert_allclose(h.losses, [(39 * loss1 + loss2) / 40], rtol=1e-14)
    np.testing.assert_allclose(h.params["w"], w - 0.05 * g["w"], rtol=1e-14)


def test_momentum_zero_is_plain_sgd_and_momentum_changes_the_steps(problem):
    plain, zero = train(*problem), train(*problem, momentum=0.0)
    np.testing.assert_array_equal(plain.params["w"], zero.params["w"])
    assert not np.allclose(train(*problem, momentum=0.9).params["w"], plain.params["w"])


def test_validation_and_accuracy_are_recorded_per_epoch():
    data = digits.split()
    params = digits.init_params(np.random.default_rng(0), 8)
    h = sgd(digits.loss_and_grads, params, data.x_train, data.y_train, lr=0.2, epochs=3,
            batch_size=64, rng=np.random.default_rng(0), validation=(data.x_val, data.y_val),
            accuracy=digits.accuracy)  # fmt: skip
    assert h.val_losses.shape == h.accuracies.shape == h.val_accuracies.shape == (3,)
    last_val = digits.loss_and_grads(h.params, data.x_val, data.y_val)[0]
    assert h.val_losses[-1] == last_val
    assert h.val_accuracies[-1] == digits.accuracy(h.params, data.x_val, data.y_val)
    assert h.val_losses[-1] < h.val_losses[0]


def test_without_validation_the_optional_fields_are_none(problem):
    h = train(*problem)
    assert h.accuracies is None and h.val_losses is None and h.val_accuracies is None


def test_a_diverging_learning_rate_raises_the_clear_error(problem):
    with pytest.raises(
        DivergenceError,
        match=r"^loss became (inf|nan) at epoch \d+ with learning rate lr=50; the steps overshoot",
    ):
        train(*problem, lr=50.0, epochs=200)


def test_non_finite_data_and_empty_data_are_not_blamed_on_the_learning_rate(problem):
    x, y = problem
    bad = x.copy()
    bad[5, 2] = np.nan
    with pytest.raises(
        ValueError, match=r"^x must hold only finite numbers, got nan at index \(5, 2\)"
    ):
        train(bad, y)
    with pytest.raises(ValueError, match=r"^x is empty \(shape \(0, 3\)\)"):
        train(x[:0], y[:0])


@pytest.mark.parametrize(
    ("batch_size", "error", "message"),
    [
        (0, ValueError, r"^batch_size must be a whole number >= 1 and <= 40, got 0$"),
        (41, ValueError, r"^batch_size must be a whole number >= 1 and <= 40, got 41$"),
        (2.0, TypeError, r"^batch_size must be a whole number >= 1 and <= 40, got 2\.0$"),
        (None, TypeError, r"^batch_size must be a whole number >= 1 and <= 40, got None$"),
    ],
)
def test_bad_batch_size_is_a_clear_error(problem, batch_size, error, message):
    with pytest.raises(error, match=message):
        train(*problem, batch_size=batch_size)


def test_numpy_integer_batch_size_is_accepted(problem):
    np.testing.assert_array_equal(
        train(*problem, batch_size=np.int64(8)).losses, train(*problem).losses
    )


def test_other_bad_arguments_are_named(problem):
    x, y = problem
    with pytest.raises(ValueError, match=r"^x has 40 examples \(shape \(40, 3\)\) but y has 39"):
        train(x, y[:39])
    with pytest.raises(TypeError, match=r"^rng must be a numpy.random.Generator"):
        sgd(least_squares, {"w": np.zeros(3)}, x, y, lr=0.1, epochs=1, batch_size=4, rng=0)
    with pytest.raises(ValueError, match=r"^momentum must be a number in \[0, 1\), got 1\.0$"):
        train(x, y, momentum=1.0)
    with pytest.raises(TypeError, match=r"^validation must be a pair \(x_val, y_val\)"):
        train(x, y, validation=x)
