"""Linear regression: gradients, the closed form, convergence, the sweep, bad input, the program."""

import re

import numpy as np
import pytest

from scratchnn import linear_regression as lr
from scratchnn.data import linear_data
from scratchnn.gradcheck import check_gradients, numerical_gradient
from scratchnn.linear_regression_sweep import MAX_ENTRIES, book_problems, sweep
from scratchnn.train import DivergenceError, gradient_descent


@pytest.fixture(scope="module")
def book():
    return lr.run()


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_gradients_match_central_differences(seed, reduction):
    rng = np.random.default_rng(seed)
    x, y = linear_data(rng, 20)
    params = {"a": np.array(3 * rng.standard_normal()), "b": np.array(3 * rng.standard_normal())}
    errors = check_gradients(lr.loss_and_grads, params, x, y, reduction=reduction)
    assert set(errors) == {"a", "b"}
    assert max(errors.values()) < 1e-8


def test_gradient_values_on_a_small_example():
    # ŷ = [1, 3], r = [1, 1]: L = 1, ∂L/∂a = (2/2)(0 + 1) = 1, ∂L/∂b = (2/2)(1 + 1) = 2
    params = {"a": np.array(2.0), "b": np.array(1.0)}
    loss, grads = lr.loss_and_grads(params, np.array([0.0, 1.0]), np.array([0.0, 2.0]))
    assert loss == 1.0
    assert grads["a"].shape == grads["b"].shape == ()
    assert (float(grads["a"]), float(grads["b"])) == (1.0, 2.0)
    # the sum is N = 2 times the mean, and so are its gradients
    loss, grads = lr.loss_and_grads(params, [0.0, 1.0], [0.0, 2.0], reduction="sum")
    assert (loss, float(grads["a"]), float(grads["b"])) == (2.0, 2.0, 4.0)


@pytest.mark.parametrize("seed", [0, 5])
def test_closed_form_matches_lstsq(seed):
    x, y = linear_data(np.random.default_rng(seed), 50, a=-0.7, b=4.0)
    exact = lr.closed_form(x, y)
    design = np.column_stack([x, np.ones_like(x)])
    expected = np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose([exact["a"], exact["b"]], expected, rtol=1e-12)


def test_closed_form_has_zero_gradient():
    x, y = linear_data(np.random.default_rng(3))
    _, grads = lr.loss_and_grads(lr.closed_form(x, y), x, y)
    assert abs(float(grads["a"])) < 1e-12
    assert abs(float(grads["b"])) < 1e-12


def test_book_run_is_within_1e_3_of_the_closed_form(book):
    final, exact = book.history.params, book.exact
    assert abs(float(final["a"] - exact["a"])) < 1e-3
    assert abs(float(final["b"] - exact["b"])) < 1e-3
    assert book.distance < 1e-3
    assert book.history.losses.shape == (lr.BOOK.epochs,)
    assert book.x.shape == book.y.shape == (lr.BOOK.points,)


def test_book_problem_is_the_data_then_the_start(book):
    rng = np.random.default_rng(lr.BOOK.seed)
    x, y = linear_data(rng, lr.BOOK.points)
    start = lr.init_params(rng)
    np.testing.assert_array_equal(book.x, x)
    np.testing.assert_array_equal(book.y, y)
    assert {k: float(v) for k, v in book.start.items()} == {k: float(v) for k, v in start.items()}


def test_hessian_matches_finite_differences_of_the_gradient():
    x, y = linear_data(np.random.default_rng(4), 30)

    def grad_of(name):
        def g(theta):
            p = {"a": np.array(theta[0]), "b": np.array(theta[1])}
            return float(lr.loss_and_grads(p, x, y)[1][name])

        return numerical_gradient(g, np.array([0.3, -1.2]))

    numeric = np.array([grad_of("a"), grad_of("b")])
    np.testing.assert_allclose(lr.mse_hessian(x), numeric, rtol=1e-7)


def test_error_after_t_steps_is_the_hessian_contraction(book):
    # For a quadratic loss, θ_t − θ* = (I − lr H)^t (θ_0 − θ*) exactly.
    start = np.array([book.start["a"], book.start["b"]])
    exact = np.array([book.exact["a"], book.exact["b"]])
    step = np.eye(2) - lr.BOOK.lr * lr.mse_hessian(book.x)
    predicted = np.linalg.matrix_power(step, 300) @ (start - exact)
    run300 = lr.run(epochs=300)
    measured = np.array([run300.history.params["a"], run300.history.params["b"]]) - exact
    np.testing.assert_allclose(measured, predicted, rtol=1e-6)


def test_too_large_learning_rate_diverges_with_a_clear_message(book):
    with pytest.raises(DivergenceError, match=r"at epoch \d+ with learning rate lr=1;"):
        gradient_descent(lr.loss_and_grads, book.start, book.x, book.y, lr=1.0, epochs=1000)


def test_sweep_takes_the_same_steps_as_the_training_loop():
    x, y, start = book_problems([0, 7])
    lrs = [0.05, 0.5, 0.9]
    swept = sweep(x, y, start, lrs, epochs=200)
    assert swept.losses.shape == (2, 3, 200)
    for s in range(2):
        for k, rate in enumerate(lrs):
            one = {name: start[name][s] for name in start}
            if rate < 2 / np.linalg.eigvalsh(lr.mse_hessian(x[s]))[-1]:
                h = gradient_descent(lr.loss_and_grads, one, x[s], y[s], lr=rate, epochs=200)
                np.testing.assert_allclose(swept.losses[s, k], h.losses, rtol=1e-10)
                for name in "ab":
                    assert swept.params[name][s, k] == pytest.approx(float(h.params[name]), 1e-10)
            else:  # beyond 2 / λ2: the training loop stops, the sweep shows a growing loss
                with pytest.raises(DivergenceError):
                    gradient_descent(lr.loss_and_grads, one, x[s], y[s], lr=rate, epochs=2000)
                assert swept.losses[s, k, -1] > 100 * swept.losses[s, k, 0]


def test_book_problems_stack_the_book_problem():
    x, y, start = book_problems([3, 0])
    x0, y0, start0 = lr.book_problem(0)
    np.testing.assert_array_equal(x[1], x0)
    np.testing.assert_array_equal(y[1], y0)
    assert start["a"][1] == start0["a"] and start["b"][1] == start0["b"]


def test_a_slope_of_the_wrong_shape_is_refused_not_broadcast():
    message = "params['a'] must have shape (), got (5, 1) (the model wants a (), b ())"
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        lr.forward({"a": np.ones((5, 1)), "b": 0.0}, np.zeros(5))
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("call", "kind", "message"),
    [
        (lambda p: lr.loss_and_grads(p, np.zeros((3, 1)), np.zeros(3)), ValueError,
         "x must have shape (N,), got (3, 1)"),
        (lambda p: lr.loss_and_grads(p, np.zeros(3), np.zeros(4)), ValueError,
         "y must have shape (N,) with N = 3, got (4,)"),
        (lambda p: lr.loss_and_grads(p, np.zeros(3), np.zeros((3, 1))), ValueError,
         "y must have shape (N,) with N = 3, got (3, 1)"),
        (lambda p: lr.loss_and_grads({"a": 1.0}, np.zeros(3), np.zeros(3)), ValueError,
         "params must have exactly a (), b (); missing 'b'"),
        (lambda p: lr.loss_and_grads({**p, "c": 0.0}, np.zeros(3), np.zeros(3)), ValueError,
         "params must have exactly a (), b (); unexpected 'c'"),
        (lambda p: lr.loss_and_grads(p, [0, 1, np.nan], np.zeros(3)), ValueError,
         "x must hold only finite numbers, got nan at index (2,)"),
        (lambda p: lr.loss_and_grads(p, np.zeros(0), np.zeros(0)), ValueError,
         "x is empty (shape (0,)): it needs data"),
        (lambda p: lr.loss_and_grads(p, ["a", "b"], np.zeros(2)), TypeError,
         "x must hold real numbers (ints, floats or bools), got dtype <U1"),
        (lambda p: lr.loss_and_grads(p, np.zeros(3), np.zeros(3), reduction="max"), ValueError,
         "reduction must be one of 'mean', 'sum', got 'max'"),
        (lambda p: lr.init_params(0), TypeError,
         "rng must be a numpy.random.Generator such as np.random.default_rng(0), got int"),
        (lambda p: lr.closed_form(np.full(5, 0.5), np.arange(5.0)), ValueError,
         "x must hold at least two distinct values for a least-squares line"),
        (lambda p: lr.mse_hessian(np.zeros((2, 2))), ValueError,
         "x must have shape (N,), got (2, 2)"),
        (lambda p: lr.run(seed=-1), ValueError, "seed must be a whole number >= 0, got -1"),
        (lambda p: lr.run(points=0), ValueError, "points must be a whole number >= 1"),
        (lambda p: sweep(np.zeros((2, 3)), np.zeros((2, 3)), {"a": np.zeros(3), "b": np.zeros(3)},
                         [0.1]), ValueError,
         "params['a'] must have shape (S,) with S = 2, got (3,) (the model wants a (S,), b (S,))"),
        (lambda p: sweep(np.zeros((2, 3)), np.zeros((2, 3)), {"a": np.zeros(2), "b": np.zeros(2)},
                         [0.1, -1.0]), ValueError, "lrs must hold learning rates > 0, got -1"),
        (lambda p: sweep(np.zeros((1, 10_000)), np.zeros((1, 10_000)),
                         {"a": np.zeros(1), "b": np.zeros(1)}, np.ones(10_000)), ValueError,
         f"at most {MAX_ENTRIES:,}"),
        (lambda p: book_problems([]), ValueError, "seeds must hold at least one seed, got none"),
    ],
)  # fmt: skip
def test_bad_input_is_named(call, kind, message):
    params = {"a": np.array(1.0), "b": np.array(0.0)}
    with pytest.raises(kind, match=re.escape(message)) as info:
        call(params)
    assert type(info.value) is kind


def test_list_input_gives_the_same_answer_and_nothing_is_mutated():
    params = {"a": np.array(2.0), "b": np.array(-1.0)}
    x, y = np.array([0.0, 0.5, 1.0]), np.array([1.0, 0.0, 2.0])
    before = {k: v.copy() for k, v in params.items()}, x.copy(), y.copy()
    loss, grads = lr.loss_and_grads(params, x, y)
    loss_list, grads_list = lr.loss_and_grads({"a": 2, "b": -1}, x.tolist(), y.tolist())
    assert loss == loss_list
    assert {k: float(v) for k, v in grads.items()} == {k: float(v) for k, v in grads_list.items()}
    np.testing.assert_array_equal(lr.forward(params, x), 2 * x - 1)
    assert {k: float(v) for k, v in params.items()} == {k: float(v) for k, v in before[0].items()}
    np.testing.assert_array_equal(x, before[1])
    np.testing.assert_array_equal(y, before[2])


def test_summary_is_what_the_program_prints(book, capsys):
    final, exact = book.history.params, book.exact
    lines = lr.summary(book)
    assert lines == [
        f"gradient descent: a = {float(final['a']):.6f}, b = {float(final['b']):.6f}",
        f"least squares:    a = {float(exact['a']):.6f}, b = {float(exact['b']):.6f}",
        f"distance between the two: {book.distance:.3e}",
    ]
    assert lr.main([]) == 0
    assert capsys.readouterr().out.splitlines() == lines


def test_main_reports_divergence_naming_the_learning_rate(capsys):
    assert lr.main(["--lr", "1"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("python -m scratchnn.linear_regression: error: loss became inf at epoch")
    assert "lr=1;" in err


def test_figure_fit_draws_both_lines(book):
    fig = lr.figure_fit(book)
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["gradient descent", "least squares"]
    for line, params in zip(lines, [book.history.params, book.exact], strict=True):
        np.testing.assert_allclose(line.get_ydata(), [params["b"], params["a"] + params["b"]])
    assert lr.figure_data(book.x, book.y).axes[0].get_lines() == []


@pytest.mark.parametrize("scale", [1e-300, 1e-150, 1e150, 1e300])
def test_closed_form_solves_badly_scaled_x_as_lstsq_does_on_the_rescaled_problem(scale):
    """x times 1e300: Xᵀ X would overflow; the solution is a / scale with the same b."""
    rng = np.random.default_rng(4)
    x = rng.uniform(0.0, 1.0, 50)
    y = 2.0 * x + 1.0 + 0.1 * rng.standard_normal(50)
    a, b = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)[0]
    got = lr.closed_form(x * scale, y)
    assert got["a"] == pytest.approx(a / scale, rel=1e-12)
    assert got["b"] == pytest.approx(b, rel=1e-12)


def test_closed_form_names_a_slope_beyond_float64():
    x, y = np.array([0.0, 1e-300]), np.array([0.0, 1e300])
    message = r"^closed_form: the slope .* largest entries \|x\| 1e-300, \|y\| 1e\+300; rescale"
    with pytest.raises(ValueError, match=message):
        lr.closed_form(x, y)


def test_loss_forward_and_hessian_refuse_an_overflow_naming_the_largest_entries():
    params, x, y = {"a": 1.0, "b": 0.0}, np.array([1e300, 2e300]), np.zeros(2)
    with pytest.raises(ValueError, match=r"^loss_and_grads: .* overflows float64 .*\|x\| 2e\+300"):
        lr.loss_and_grads(params, x, y)
    with pytest.raises(ValueError, match=r"^forward: the output overflows float64"):
        lr.forward({"a": 1e300, "b": 0.0}, x)
    with pytest.raises(ValueError, match=r"^mse_hessian: .* overflows float64: .*\|x\| 2e\+300"):
        lr.mse_hessian(x)
