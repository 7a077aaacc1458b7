"""Linear regression: gradients, the closed form, convergence, and the command line."""

import numpy as np
import pytest

from scratchnn import linear_regression as lr
from scratchnn.data import linear_data
from scratchnn.gradcheck import check_gradients, numerical_gradient
from scratchnn.train import DivergenceError, gradient_descent


@pytest.fixture(scope="module")
def book():
    return lr.run()


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_gradients_match_central_differences(seed):
    rng = np.random.default_rng(seed)
    x, y = linear_data(rng, 20)
    params = {"a": np.array(3 * rng.standard_normal()), "b": np.array(3 * rng.standard_normal())}
    errors = check_gradients(lr.loss_and_grads, params, x, y)
    assert set(errors) == {"a", "b"}
    assert max(errors.values()) < 1e-8


def test_gradient_values_on_a_small_example():
    # y_hat = [1, 3], r = [1, 1]: L = 1, dL/da = (2/2)(0 + 1) = 1, dL/db = (2/2)(1 + 1) = 2
    params = {"a": np.array(2.0), "b": np.array(1.0)}
    loss, grads = lr.loss_and_grads(params, np.array([0.0, 1.0]), np.array([0.0, 2.0]))
    assert loss == 1.0
    assert grads["a"].shape == grads["b"].shape == ()
    assert (float(grads["a"]), float(grads["b"])) == (1.0, 2.0)


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
    assert book.history.losses.shape == (lr.DEFAULT_EPOCHS,)


def test_hessian_matches_finite_differences_of_the_gradient():
    x, y = linear_data(np.random.default_rng(4), 30)
    params = {"a": np.array(0.3), "b": np.array(-1.2)}

    def grad_of(name):
        def g(theta):
            p = {"a": np.array(theta[0]), "b": np.array(theta[1])}
            return float(lr.loss_and_grads(p, x, y)[1][name])

        return numerical_gradient(g, np.array([0.3, -1.2]))

    numeric = np.array([grad_of("a"), grad_of("b")])
    np.testing.assert_allclose(lr.mse_hessian(x), numeric, rtol=1e-7)
    assert lr.loss_and_grads(params, x, y)[0] > 0


def test_error_after_t_steps_is_the_hessian_contraction(book):
    # For a quadratic loss, θ_t − θ* = (I − lr H)^t (θ_0 − θ*) exactly.
    start = np.array([book.start["a"], book.start["b"]])
    exact = np.array([book.exact["a"], book.exact["b"]])
    step = np.eye(2) - lr.DEFAULT_LR * lr.mse_hessian(book.x)
    predicted = np.linalg.matrix_power(step, 300) @ (start - exact)
    run300 = gradient_descent(
        lr.loss_and_grads, book.start, book.x, book.y, lr=lr.DEFAULT_LR, epochs=300
    )
    measured = np.array([run300.params["a"], run300.params["b"]]) - exact
    np.testing.assert_allclose(measured, predicted, rtol=1e-6)


def test_too_large_learning_rate_diverges_with_a_clear_message(book):
    with pytest.raises(DivergenceError, match=r"at epoch \d+ with learning rate lr=1;"):
        gradient_descent(lr.loss_and_grads, book.start, book.x, book.y, lr=1.0, epochs=1000)


def test_bad_shapes_are_named():
    params = {"a": np.array(1.0), "b": np.array(0.0)}
    with pytest.raises(ValueError, match=r"x must have shape \(N,\), got shape \(3, 1\)"):
        lr.loss_and_grads(params, np.zeros((3, 1)), np.zeros(3))
    with pytest.raises(ValueError, match=r"shape \(3,\) but target y has shape \(3, 1\)"):
        lr.loss_and_grads(params, np.zeros(3), np.zeros((3, 1)))


def test_closed_form_refuses_a_single_x_value():
    with pytest.raises(ValueError, match="at least two distinct x values"):
        lr.closed_form(np.full(5, 0.5), np.arange(5.0))


def test_main_prints_the_books_numbers(capsys, book):
    assert lr.main([]) == 0
    out = capsys.readouterr().out
    final, exact = book.history.params, book.exact
    assert f"gradient descent: a = {float(final['a']):.6f}, b = {float(final['b']):.6f}" in out
    assert f"least squares:    a = {float(exact['a']):.6f}, b = {float(exact['b']):.6f}" in out
    assert f"distance between the two: {book.distance:.3e}" in out


def test_main_reports_divergence(capsys):
    assert lr.main(["--lr", "1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: loss became inf at epoch")
    assert "lr=1;" in err


def test_main_saves_the_plot(tmp_path):
    path = tmp_path / "fit.png"
    assert lr.main(["--epochs", "5", "--plot", str(path)]) == 0
    assert path.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("bad", [["--epochs", "-3"], ["--lr", "nan"], ["--seed", "-1"]])
def test_main_rejects_bad_values_in_one_line(bad, capsys):
    with pytest.raises(SystemExit) as exit_info:
        lr.main(bad)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert f"error: argument {bad[0]}: expected" in err
