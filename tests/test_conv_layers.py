"""layers.Conv2d, MaxPool2d, Flatten in a Sequential: against torch autograd and differences."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from scratchnn import layers as L
from scratchnn.gradcheck import check_gradients, relative_error


def _network(rng):
    """conv 3x3 padding 1 (2 -> 3 channels), ReLU, max pool 2, flatten, dense to 2 outputs."""
    params = {
        "0.w": rng.standard_normal((3, 2, 3, 3)),
        "0.b": rng.standard_normal(3),
        "4.w": rng.standard_normal((3 * 3 * 3, 2)),
        "4.b": rng.standard_normal(2),
    }
    model = L.Sequential(
        L.Conv2d(params["0.w"], params["0.b"], padding=1),
        L.ReLU(),
        L.MaxPool2d(2),
        L.Flatten(),
        L.Linear(params["4.w"], params["4.b"]),
    )
    return params, model


@pytest.mark.parametrize("seed", [0, 1])
def test_conv_layers_match_torch_autograd(seed):
    rng = np.random.default_rng(seed)
    params, model = _network(rng)
    x, y = rng.standard_normal((4, 2, 6, 6)), rng.standard_normal((4, 2))
    loss, grads = L.loss_and_grads(params, x, y, model=model, loss=L.MSELoss())
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    h = TF.max_pool2d(torch.relu(TF.conv2d(torch.tensor(x), t["0.w"], t["0.b"], padding=1)), 2)
    t_loss = torch.mean((h.flatten(1) @ t["4.w"] + t["4.b"] - torch.tensor(y)) ** 2)
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    assert set(grads) == set(params)
    for k in params:
        assert relative_error(grads[k], t[k].grad.numpy()) < 1e-12


def test_conv_layers_pass_the_gradient_check():
    rng = np.random.default_rng(2)
    params, model = _network(rng)
    x, y = rng.standard_normal((3, 2, 6, 6)), rng.standard_normal((3, 2))
    errors = check_gradients(L.loss_and_grads, params, x, y, model=model, loss=L.MSELoss())
    assert max(errors.values()) < 1e-6


def test_conv2d_layer_input_gradient_and_stride():
    rng = np.random.default_rng(3)
    w, b = rng.standard_normal((2, 1, 2, 2)), rng.standard_normal(2)
    x = rng.standard_normal((2, 1, 5, 6))
    layer = L.Conv2d(w, b, stride=(1, 3), padding=(0, 1))
    out = layer.forward(x)
    xt = torch.tensor(x, requires_grad=True)
    ref = TF.conv2d(xt, torch.tensor(w), torch.tensor(b), stride=(1, 3), padding=(0, 1))
    np.testing.assert_allclose(out, ref.detach().numpy(), atol=1e-13)
    g = rng.standard_normal(out.shape)
    ref.backward(torch.tensor(g))
    np.testing.assert_allclose(layer.backward(g), xt.grad.numpy(), atol=1e-13)


def test_flatten_round_trip_and_refusals():
    flat = L.Flatten()
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    np.testing.assert_array_equal(flat.forward(x), x.reshape(2, 12))
    np.testing.assert_array_equal(flat.backward(np.ones((2, 12))), np.ones(x.shape))
    with pytest.raises(ValueError, match=r"Flatten.backward: grad_out has shape \(2, 11\) but"):
        flat.backward(np.ones((2, 11)))
    with pytest.raises(ValueError, match=r"x must have shape \(N, ...\) with at least 2 axes"):
        flat.forward(np.ones(3))
    with pytest.raises(RuntimeError, match=r"MaxPool2d\.backward called before forward"):
        L.MaxPool2d(2).backward(np.ones((1, 1, 1, 1)))
    with pytest.raises(ValueError, match=r"w must have shape \(C_out, C_in, k_h, k_w\)"):
        L.Conv2d(np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match=r"x has C_in = 2 channels \(shape \(1, 2, 4, 4\)\)"):
        L.Conv2d(np.ones((1, 3, 2, 2)), np.ones(1)).forward(np.ones((1, 2, 4, 4)))
