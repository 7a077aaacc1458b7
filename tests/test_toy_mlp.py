"""The toy 2-2-1 network: exact gradients, the two wrong rules, ReLU, bad input, the program."""

import re

import numpy as np
import pytest

from scratchnn import toy_mlp as toy
from scratchnn.gradcheck import check_gradients
from scratchnn.toy_mlp_figures import figure_network, figure_preactivations, preactivation_path
from scratchnn.train import gradient_descent

ACTIVATIONS = sorted(toy.ACTIVATIONS)
LOSSES = sorted(toy.LOSSES)

TRUE_W1_GRAD = [[4.1832, 0.9296], [6.2748, 1.3944]]
FLAWED_W1_GRAD = [[2.30076, 3.45114], [2.2078, 3.3117]]


def random_problem(seed, n=3, d=2, h=2, biases=False):
    """Random weights and a batch of n examples, no pre-activation within 1e-3 of 0."""
    rng = np.random.default_rng(seed)
    params = toy.init_params(rng, d, h, biases=biases)
    x, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    assert np.abs(x @ params["w1"] + params.get("b1", 0.0)).min() > 1e-3
    return params, x, y


def test_gradients_at_the_books_starting_point():
    loss, grads = toy.loss_and_grads(toy.starting_params(), toy.X, toy.Y)
    assert loss == pytest.approx(0.5 * 1.162**2, rel=1e-12)
    np.testing.assert_allclose(grads["w1"], TRUE_W1_GRAD, rtol=1e-12)
    np.testing.assert_allclose(grads["w2"], [1.162 * 0.99, 1.162 * 0.95], rtol=1e-12)


def test_without_the_half_loss_and_gradients_double():
    half = toy.loss_and_grads(toy.starting_params(), toy.X, toy.Y)
    full = toy.loss_and_grads(toy.starting_params(), toy.X, toy.Y, loss="sum_squared_error")
    assert full[0] == 2 * half[0]
    for name in half[1]:
        np.testing.assert_array_equal(full[1][name], 2 * half[1][name])


def test_flawed_rule_at_the_books_starting_point():
    _, grads = toy.loss_and_grads_flawed(toy.starting_params(), toy.X, toy.Y)
    np.testing.assert_allclose(grads["w1"], FLAWED_W1_GRAD, rtol=1e-12)
    _, right = toy.loss_and_grads(toy.starting_params(), toy.X, toy.Y)
    np.testing.assert_allclose(grads["w2"], right["w2"], rtol=1e-15)  # only w1 is wrong
    assert not np.allclose(grads["w1"], right["w1"].T)  # not even the transpose


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("biases", [False, True])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradients_match_central_differences(activation, seed, biases, loss):
    params, x, y = random_problem(seed, d=3, h=4, biases=biases)
    options = {"activation": activation, "biases": biases, "loss": loss}
    errors = check_gradients(toy.loss_and_grads, params, x, y, **options)
    assert set(errors) == set(params)
    assert max(errors.values()) < 1e-7


@pytest.mark.torch
@pytest.mark.parametrize("biases", [False, True])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradients_match_torch_autograd(activation, biases):
    torch = pytest.importorskip("torch")
    params, x, y = random_problem(7, n=5, d=3, h=4, biases=biases)
    loss, grads = toy.loss_and_grads(params, x, y, activation=activation, biases=biases)
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    z1 = torch.tensor(x) @ t["w1"] + (t["b1"] if biases else 0.0)
    h = torch.relu(z1) if activation == "relu" else z1
    y_hat = h @ t["w2"] + (t["b2"] if biases else 0.0)
    t_loss = 0.5 * torch.sum((y_hat - torch.tensor(y)) ** 2)
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    np.testing.assert_allclose(toy.forward(params, x, activation=activation, biases=biases),
                               y_hat.detach().numpy(), rtol=1e-12)  # fmt: skip
    for name in params:
        assert grads[name].shape == params[name].shape
        np.testing.assert_allclose(grads[name], t[name].grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradient_check_rejects_the_flawed_rule(activation):
    errors = check_gradients(
        toy.loss_and_grads_flawed, toy.starting_params(), toy.X, toy.Y, activation=activation
    )
    assert errors["w1"] > 0.1
    assert errors["w2"] < 1e-7
    params, x, y = random_problem(3)
    assert check_gradients(toy.loss_and_grads_flawed, params, x, y)["w1"] > 0.1


def test_gradient_check_rejects_the_frozen_rule_but_it_fits_anyway():
    errors = check_gradients(toy.loss_and_grads_frozen_w1, toy.starting_params(), toy.X, toy.Y)
    assert errors["w1"] == 1.0  # zero against a nonzero gradient
    assert errors["w2"] < 1e-7
    h = gradient_descent(
        toy.loss_and_grads_frozen_w1, toy.starting_params(), toy.X, toy.Y, lr=0.1, epochs=200
    )
    np.testing.assert_array_equal(h.params["w1"], toy.starting_params()["w1"])
    assert toy.forward(h.params, toy.X)[0] == pytest.approx(1.0, abs=1e-12)


def test_the_frozen_rule_passes_every_option_on_and_zeroes_only_w1():
    params = toy.starting_params(biases=True)
    options = {"activation": "relu", "biases": True, "loss": "sum_squared_error"}
    loss, grads = toy.loss_and_grads(params, toy.X, toy.Y, **options)
    frozen_loss, frozen = toy.loss_and_grads_frozen_w1(params, toy.X, toy.Y, **options)
    assert frozen_loss == loss
    assert set(frozen) == {"w1", "b1", "w2", "b2"}
    np.testing.assert_array_equal(frozen["w1"], np.zeros((2, 2)))
    assert np.any(grads["w1"] != 0)  # so the zero is the rule's, not the gradient's
    for k in ("b1", "w2", "b2"):
        np.testing.assert_array_equal(frozen[k], grads[k], err_msg=k)
    with pytest.raises(TypeError, match="momentum"):
        toy.loss_and_grads_frozen_w1(params, toy.X, toy.Y, momentum=0.9)


def test_both_rules_drive_the_prediction_to_one():
    right = toy.run()
    flawed = toy.run(flawed=True)
    assert right.prediction == pytest.approx(1.0, abs=1e-12)
    assert flawed.prediction == pytest.approx(1.0, abs=1e-6)
    assert not np.allclose(flawed.history.params["w1"], right.history.params["w1"], atol=0.01)
    assert right.check["w1"] < 1e-9 < 0.1 < flawed.check["w1"]


def test_relu_from_the_books_start_equals_linear_since_both_units_stay_active():
    linear, relu = toy.run(), toy.run(activation="relu")
    np.testing.assert_array_equal(linear.history.losses, relu.history.losses)
    path = preactivation_path(
        toy.starting_params(), toy.X, toy.Y, lr=toy.BOOK.lr, epochs=toy.BOOK.epochs
    )
    assert path.shape == (toy.BOOK.epochs + 1, 1, 2)
    assert path.min() > 0.3
    np.testing.assert_allclose(path[-1], toy.X @ linear.history.params["w1"], rtol=1e-12)


def test_an_inactive_relu_unit_never_learns():
    params = toy.starting_params()
    params["w1"][:, 0] *= -1.0  # unit 1 starts at z1 = -0.99
    history = gradient_descent(
        toy.loss_and_grads, params, toy.X, toy.Y, lr=0.01, epochs=200, activation="relu"
    )
    np.testing.assert_array_equal(history.params["w1"][:, 0], params["w1"][:, 0])
    assert history.params["w2"][0] == params["w2"][0]
    assert toy.forward(history.params, toy.X, activation="relu")[0] == pytest.approx(1.0)


def test_biases_start_at_zero_and_the_unbiased_start_is_unchanged():
    plain, biased = toy.starting_params(), toy.starting_params(biases=True)
    assert list(biased) == ["w1", "b1", "w2", "b2"]
    assert biased["b1"].shape == (2,) and biased["b2"].shape == ()
    assert (
        toy.loss_and_grads(biased, toy.X, toy.Y, biases=True)[0]
        == toy.loss_and_grads(plain, toy.X, toy.Y)[0]
    )


def test_nothing_is_mutated():
    params = toy.starting_params(biases=True)
    x, y = toy.X.copy(), toy.Y.copy()
    toy.loss_and_grads(params, x, y, activation="relu", biases=True)
    toy.loss_and_grads_flawed(toy.starting_params(), x, y, activation="relu")
    for name, value in toy.starting_params(biases=True).items():
        np.testing.assert_array_equal(params[name], value)
    np.testing.assert_array_equal(x, toy.X)
    np.testing.assert_array_equal(y, toy.Y)


@pytest.mark.parametrize(
    ("call", "kind", "message"),
    [
        (lambda p: toy.forward(p, np.array([2.0, 3.0])), ValueError,
         "x must have shape (N, D) with D = 2, got (2,)"),
        (lambda p: toy.forward(p, toy.X, activation="tanh"), ValueError,
         "activation must be one of 'linear', 'relu', got 'tanh'"),
        (lambda p: toy.loss_and_grads(p, toy.X, np.array(1.0)), ValueError,
         "y must have shape (N,) with N = 1, got ()"),
        (lambda p: toy.loss_and_grads(p, toy.X, toy.Y, loss="mse"), ValueError,
         "loss must be one of 'half_squared_error', 'sum_squared_error', got 'mse'"),
        (lambda p: toy.loss_and_grads(p, toy.X, toy.Y, biases=True), ValueError,
         "params must have exactly w1 (D, H), b1 (H,), w2 (H,), b2 (); missing 'b1', 'b2'"),
        (lambda p: toy.loss_and_grads({**p, "b1": np.zeros(2)}, toy.X, toy.Y), ValueError,
         "params must have exactly w1 (D, H), w2 (H,); unexpected 'b1'"),
        (lambda p: toy.loss_and_grads({"w1": np.ones((3, 2)), "w2": np.ones(2)}, toy.X, toy.Y),
         ValueError, "x must have shape (N, D) with D = 3, got (1, 2)"),
        (lambda p: toy.forward({"w1": np.ones((2, 2)), "w2": np.ones((2, 1))}, toy.X), ValueError,
         "params['w2'] must have shape (H,) with H = 2, got (2, 1) "
         "(the model wants w1 (D, H), w2 (H,))"),
        (lambda p: toy.loss_and_grads({**p, "w1": [[1j, 0], [0, 1]]}, toy.X, toy.Y), TypeError,
         "params['w1'] must hold real numbers (ints, floats or bools), got dtype complex128"),
        (lambda p: toy.loss_and_grads_flawed(*random_problem(0, d=3, h=4)), ValueError,
         "params['w1'] must be square for the flawed rule, which builds a (4, 3) array; "
         "got shape (3, 4)"),
        (lambda p: toy.init_params(0), TypeError,
         "rng must be a numpy.random.Generator such as np.random.default_rng(0), got int"),
        (lambda p: toy.init_params(np.random.default_rng(0), 0), ValueError,
         "d must be a whole number >= 1 and <= 100,000, got 0"),
        (lambda p: preactivation_path(p, toy.X, toy.Y, lr=0.01, epochs=0), ValueError,
         "epochs must be a whole number >= 1"),
    ],
)  # fmt: skip
def test_bad_input_is_named(call, kind, message):
    with pytest.raises(kind, match=re.escape(message)) as info:
        call(toy.starting_params())
    assert type(info.value) is kind


@pytest.mark.parametrize("flawed", [False, True])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_summary_is_what_the_program_prints(activation, flawed, capsys):
    result = toy.run(activation=activation, flawed=flawed)
    lines = toy.summary(result)
    assert lines[-1] == f"final prediction: {result.prediction:.6f} (target 1)"
    assert lines[1] == (
        f"loss: first {result.history.losses[0]:.6f}, last {result.history.losses[-1]:.3e}"
    )
    argv = ["--activation", activation] + (["--flawed"] if flawed else [])
    assert toy.main(argv) == 0
    assert capsys.readouterr().out.splitlines() == lines


def test_main_flawed_shows_the_failed_check(capsys):
    assert toy.main(["--flawed"]) == 0
    out = capsys.readouterr().out
    assert "gradient check at the start (relative error): w1 4.1e-01" in out


def test_figures_draw_what_they_are_given():
    fig = figure_network(toy.starting_params(), toy.X[0])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "$w_{1,12} = 0.13$" in texts and "$x_2 = 3$" in texts
    path = preactivation_path(toy.starting_params(), toy.X, toy.Y, lr=0.01, epochs=5)
    fig = figure_preactivations({"a": path, "b": -path})
    assert len(fig.axes) == 2
    np.testing.assert_array_equal(fig.axes[1].get_lines()[0].get_ydata(), -path[:, 0, 0])
    assert toy.figure_loss(toy.run(epochs=3)).axes[0].get_yscale() == "log"
