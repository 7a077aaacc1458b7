"""scratchnn.layers: every backward against finite differences and torch, the
layered model against the function version, and errors that name shapes."""

import numpy as np
import pytest

from scratchnn import exams
from scratchnn import layers as L
from scratchnn.gradcheck import check_gradients, numerical_gradient, relative_error
from scratchnn.train import gradient_descent

NAMES = {"w1": "0.w", "b1": "0.b", "w2": "2.w", "b2": "2.b"}


def away_from_zero(rng, shape):
    """Random values at least 0.1 from 0, so no ReLU kink is within a step."""
    return rng.uniform(0.1, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def exams_model(params):
    return L.Sequential(
        L.Linear(params["w1"], params["b1"]), L.ReLU(), L.Linear(params["w2"], params["b2"])
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linear_backward_matches_central_differences(seed):
    rng = np.random.default_rng(seed)
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    r = rng.standard_normal((4, 2))  # L = sum(out * r), so dL/dout = r

    def loss(x=x, w=w, b=b):
        return float(np.sum(L.Linear(w, b).forward(x) * r))

    layer = L.Linear(w, b)
    layer.forward(x)
    grad_in = layer.backward(r)
    assert relative_error(grad_in, numerical_gradient(lambda v: loss(x=v), x)) < 1e-8
    assert relative_error(layer.grads["w"], numerical_gradient(lambda v: loss(w=v), w)) < 1e-8
    assert relative_error(layer.grads["b"], numerical_gradient(lambda v: loss(b=v), b)) < 1e-8


@pytest.mark.parametrize("cls", [L.ReLU, L.Sigmoid])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_activation_backward_matches_central_differences(cls, seed):
    rng = np.random.default_rng(seed)
    x, r = away_from_zero(rng, (5, 3)), rng.standard_normal((5, 3))
    layer = cls()
    layer.forward(x)
    grad_in = layer.backward(r)
    numeric = numerical_gradient(lambda v: float(np.sum(cls().forward(v) * r)), x)
    assert layer.params == {}
    assert layer.grads == {}
    assert relative_error(grad_in, numeric) < 1e-8


def test_mse_backward_matches_central_differences():
    rng = np.random.default_rng(3)
    y_hat, y = rng.standard_normal((2, 6, 2))
    loss = L.MSELoss()
    value = loss.forward(y_hat, y)
    assert value == pytest.approx(np.mean((y_hat - y) ** 2), rel=1e-15)
    numeric = numerical_gradient(lambda v: L.MSELoss().forward(v, y), y_hat)
    assert relative_error(loss.backward(), numeric) < 1e-8


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_sequential_gives_the_function_versions_loss_and_gradients(seed):
    rng = np.random.default_rng(seed)
    params = exams.init_params(rng)
    x, y = rng.uniform(0.3, 1.0, (25, 3)), rng.uniform(0.3, 1.0, (25, 1))
    model = exams_model(params)
    loss_fn, grads_fn = exams.loss_and_grads(params, x, y)
    loss_layers, grads_layers = L.loss_and_grads(model.params, x, y, model=model, loss=L.MSELoss())
    assert set(grads_layers) == set(NAMES.values())
    assert abs(loss_fn - loss_layers) <= 1e-12 * loss_fn
    for name, key in NAMES.items():
        assert relative_error(grads_fn[name], grads_layers[key]) <= 1e-12


def test_sequential_trains_like_the_function_version():
    x, y = exams.scale(exams.load_exams())
    params = exams.init_params(np.random.default_rng(0))
    model = exams_model(params)
    start = model.params
    h_fn = gradient_descent(exams.loss_and_grads, params, x, y, lr=0.1, epochs=300)
    h_layers = gradient_descent(
        L.loss_and_grads, start, x, y, lr=0.1, epochs=300, model=model, loss=L.MSELoss()
    )
    np.testing.assert_allclose(h_layers.losses, h_fn.losses, rtol=1e-12)
    for name, key in NAMES.items():
        np.testing.assert_allclose(h_layers.params[key], h_fn.params[name], rtol=1e-12)


def test_check_gradients_works_on_a_sequential_with_every_layer():
    rng = np.random.default_rng(4)
    model = L.Sequential(
        L.Linear(rng.standard_normal((3, 4)), rng.standard_normal(4)),
        L.Sigmoid(),
        L.Linear(rng.standard_normal((4, 4)), rng.standard_normal(4)),
        L.ReLU(),
        L.Linear(rng.standard_normal((4, 2)), rng.standard_normal(2)),
    )
    x, y = rng.standard_normal((7, 3)), rng.standard_normal((7, 2))
    errors = check_gradients(L.loss_and_grads, model.params, x, y, model=model, loss=L.MSELoss())
    assert set(errors) == {"0.w", "0.b", "2.w", "2.b", "4.w", "4.b"}
    assert max(errors.values()) < 1e-7


@pytest.mark.torch
@pytest.mark.parametrize("seed", [0, 1])
def test_gradients_match_torch_autograd(seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    shapes = {"0.w": (3, 6), "0.b": (6,), "2.w": (6, 4), "2.b": (4,), "4.w": (4, 1), "4.b": (1,)}
    params = {k: rng.standard_normal(s) for k, s in shapes.items()}
    x, y = rng.standard_normal((9, 3)), rng.standard_normal((9, 1))
    model = L.Sequential(
        L.Linear(params["0.w"], params["0.b"]),
        L.ReLU(),
        L.Linear(params["2.w"], params["2.b"]),
        L.Sigmoid(),
        L.Linear(params["4.w"], params["4.b"]),
    )
    loss, grads = L.loss_and_grads(params, x, y, model=model, loss=L.MSELoss())

    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    h = torch.relu(torch.tensor(x) @ t["0.w"] + t["0.b"])
    h = torch.sigmoid(h @ t["2.w"] + t["2.b"])
    t_loss = torch.mean((h @ t["4.w"] + t["4.b"] - torch.tensor(y)) ** 2)
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    for k in params:
        assert relative_error(grads[k], t[k].grad.numpy()) < 1e-12


def test_layers_do_not_modify_their_arguments_or_print(capsys):
    w, b, x = np.ones((3, 2)), np.zeros(2), np.full((4, 3), 0.5)
    layer = L.Linear(w, b)
    layer.params["w"][0, 0] = 7.0  # the layer owns a copy
    assert w[0, 0] == 1.0
    model = L.Sequential(layer, L.ReLU())
    model.backward(np.ones_like(model.forward(x)))
    np.testing.assert_array_equal(x, 0.5)
    assert capsys.readouterr() == ("", "")


def test_wrong_input_width_names_both_shapes():
    model = exams_model(exams.init_params(np.random.default_rng(0)))
    with pytest.raises(
        ValueError,
        match=r"^x must have shape \(N, 3\), got \(1, 5\)$",
    ):
        model.forward(np.zeros((1, 5)))


def test_the_wrong_batch_is_caught_at_the_loss_naming_the_shapes():
    model = exams_model(exams.init_params(np.random.default_rng(0)))
    x, y = exams.scale(exams.load_exams())
    y_hat = model.forward(x[:1])  # one student's prediction against 25 targets
    with pytest.raises(
        ValueError,
        match=r"^prediction y_hat has shape \(1, 1\) but target y has shape \(25, 1\); "
        r"they must be equal$",
    ):
        L.MSELoss().forward(y_hat, y)


def test_backward_with_a_gradient_of_the_wrong_shape_names_both_shapes():
    layer = L.Linear(np.ones((5, 1)), np.zeros(1))
    layer.forward(np.ones((1, 5)))
    with pytest.raises(
        ValueError,
        match=r"^Linear.backward: grad_out has shape \(25, 1\) "
        r"but the forward output had shape \(1, 1\)$",
    ):
        layer.backward(np.ones((25, 1)))
    relu = L.ReLU()
    relu.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"grad_out has shape \(3, 2\) .* shape \(2, 3\)"):
        relu.backward(np.ones((3, 2)))


def test_backward_before_forward_is_a_clear_error():
    with pytest.raises(RuntimeError, match=r"^Sigmoid.backward called before forward$"):
        L.Sigmoid().backward(np.ones(3))
    with pytest.raises(RuntimeError, match=r"^MSELoss.backward called before forward$"):
        L.MSELoss().backward()


def test_bad_parameters_are_named():
    with pytest.raises(
        ValueError, match=r"^b must have shape \(D_out,\) with D_out = 5, got \(3,\)$"
    ):
        L.Linear(np.ones((3, 5)), np.zeros(3))
    model = L.Sequential(L.Linear(np.ones((3, 5)), np.zeros(5)))
    with pytest.raises(
        ValueError, match=r"params must have exactly 0.w \(3, 5\), 0.b \(5,\); missing '0.b'"
    ):
        model.set_params({"0.w": np.ones((3, 5))})
    with pytest.raises(ValueError, match=r"params\['0.b'\] must have shape \(5,\), got \(1, 5\)"):
        model.set_params({"0.w": np.ones((3, 5)), "0.b": np.zeros((1, 5))})


def test_layers_take_lists_and_refuse_bad_data_naming_the_argument():
    layer = L.Linear([[1.0, 2.0]], [0.5, 0.0])
    np.testing.assert_array_equal(layer.forward([[2.0], [3.0]]), [[2.5, 4.0], [3.5, 6.0]])
    with pytest.raises(
        ValueError, match=r"^x must hold only finite numbers, got nan at index \(0, 0\)$"
    ):
        layer.forward([[np.nan]])
    with pytest.raises(TypeError, match=r"^w must hold real numbers"):
        L.Linear(np.ones((1, 2), complex), np.zeros(2))
    with pytest.raises(
        ValueError, match=r"^y_hat has shape \(2,\) but y has shape|prediction y_hat"
    ):
        L.MSELoss().forward(np.ones(2), np.ones(3))
