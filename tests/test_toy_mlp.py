"""The toy 2-2-1 network: exact gradients, the flawed rule, ReLU, and the command line."""

import numpy as np
import pytest

from scratchnn import toy_mlp as toy
from scratchnn.gradcheck import check_gradients
from scratchnn.train import gradient_descent

ACTIVATIONS = sorted(toy.ACTIVATION_NAMES)

TRUE_W1_GRAD = [[4.1832, 0.9296], [6.2748, 1.3944]]
FLAWED_W1_GRAD = [[2.30076, 3.45114], [2.2078, 3.3117]]


def random_problem(seed, n=3, d=2, h=2):
    """Random weights and a batch of n examples, no pre-activation within 1e-3 of 0."""
    rng = np.random.default_rng(seed)
    params = toy.init_params(rng, d, h)
    x, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    assert np.abs(x @ params["w1"]).min() > 1e-3
    return params, x, y


def test_gradients_at_the_books_starting_point():
    loss, grads = toy.loss_and_grads(toy.starting_params(), toy.X, toy.Y)
    assert loss == pytest.approx(0.5 * 1.162**2, rel=1e-12)
    np.testing.assert_allclose(grads["w1"], TRUE_W1_GRAD, rtol=1e-12)
    np.testing.assert_allclose(grads["w2"], [1.162 * 0.99, 1.162 * 0.95], rtol=1e-12)


def test_flawed_rule_at_the_books_starting_point():
    _, grads = toy.loss_and_grads_flawed(toy.starting_params(), toy.X, toy.Y)
    np.testing.assert_allclose(grads["w1"], FLAWED_W1_GRAD, rtol=1e-12)
    _, right = toy.loss_and_grads(toy.starting_params(), toy.X, toy.Y)
    np.testing.assert_allclose(grads["w2"], right["w2"], rtol=1e-15)  # only w1 is wrong
    assert not np.allclose(grads["w1"], right["w1"].T)  # not even the transpose


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradients_match_central_differences(activation, seed):
    params, x, y = random_problem(seed, d=3, h=4)
    errors = check_gradients(toy.loss_and_grads, params, x, y, activation=activation)
    assert max(errors.values()) < 1e-7


@pytest.mark.torch
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradients_match_torch_autograd(activation):
    torch = pytest.importorskip("torch")
    params, x, y = random_problem(7, n=5, d=3, h=4)
    loss, grads = toy.loss_and_grads(params, x, y, activation=activation)
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    z = torch.tensor(x) @ t["w1"]
    h = torch.relu(z) if activation == "relu" else z
    t_loss = 0.5 * torch.sum((h @ t["w2"] - torch.tensor(y)) ** 2)
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    for name in params:
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


def test_both_rules_drive_the_prediction_to_one():
    right = toy.run()
    flawed = toy.run(flawed=True)
    assert right.prediction == pytest.approx(1.0, abs=1e-12)
    assert flawed.prediction == pytest.approx(1.0, abs=1e-6)
    assert not np.allclose(flawed.history.params["w1"], right.history.params["w1"], atol=0.01)


def test_relu_from_the_books_start_equals_linear_since_both_units_stay_active():
    linear, relu = toy.run(), toy.run(activation="relu")
    np.testing.assert_array_equal(linear.history.losses, relu.history.losses)
    path = toy.preactivation_path(
        toy.starting_params(), toy.X, toy.Y, lr=toy.DEFAULT_LR, epochs=toy.DEFAULT_EPOCHS
    )
    assert path.shape == (toy.DEFAULT_EPOCHS + 1, 1, 2)
    assert path.min() > 0.3
    np.testing.assert_allclose(path[-1], toy.X @ linear.history.params["w1"], rtol=1e-12)


def test_an_inactive_relu_unit_never_learns():
    params = toy.starting_params()
    params["w1"][:, 0] *= -1.0  # unit 1 starts at z = -0.99
    history = gradient_descent(
        toy.loss_and_grads, params, toy.X, toy.Y, lr=0.01, epochs=200, activation="relu"
    )
    np.testing.assert_array_equal(history.params["w1"][:, 0], params["w1"][:, 0])
    assert history.params["w2"][0] == params["w2"][0]
    assert toy.forward(history.params, toy.X, activation="relu")[0] == pytest.approx(1.0)


def test_loss_and_grads_does_not_modify_params():
    params = toy.starting_params()
    toy.loss_and_grads(params, toy.X, toy.Y, activation="relu")
    np.testing.assert_array_equal(params["w1"], toy.starting_params()["w1"])


def test_bad_inputs_are_named():
    params = toy.starting_params()
    known = "choose one of 'linear', 'relu'"
    with pytest.raises(ValueError, match=f"unknown activation 'tanh'; {known}"):
        toy.forward(params, toy.X, activation="tanh")
    with pytest.raises(ValueError, match=r"x must have shape \(N, 2\) .* got shape \(2,\)"):
        toy.loss_and_grads(params, np.array([2.0, 3.0]), toy.Y)
    with pytest.raises(ValueError, match=r"prediction y_hat has shape \(1,\) but target y"):
        toy.loss_and_grads(params, toy.X, np.array(1.0))
    wide, x, y = random_problem(0, d=3, h=4)
    with pytest.raises(ValueError, match=r"builds an \(4, 3\) array; w1 has shape \(3, 4\)"):
        toy.loss_and_grads_flawed(wide, x, y)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_main_prints_the_books_prediction(activation, capsys):
    assert toy.main(["--activation", activation]) == 0
    out = capsys.readouterr().out
    assert f"final prediction: {toy.run(activation=activation).prediction:.6f}" in out


def test_main_flawed_shows_the_failed_check(capsys):
    assert toy.main(["--flawed"]) == 0
    out = capsys.readouterr().out
    assert "gradient check at the start (relative error): w1 4.1e-01" in out


@pytest.mark.parametrize("bad", [["--activation", "tanh"], ["--lr", "inf"], ["--seed", "1"]])
def test_main_rejects_bad_arguments_in_one_line(bad, capsys):
    with pytest.raises(SystemExit) as exit_info:
        toy.main(bad)
    assert exit_info.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
