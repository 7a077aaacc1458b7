"""BatchNorm and Dropout (scratchnn.layers) against torch.nn.BatchNorm1d and central differences."""

import numpy as np
import pytest

from scratchnn import layers

torch = pytest.importorskip("torch")


def batches(seed: int, n: int = 6, d: int = 4, count: int = 3) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(2.0, 3.0, size=(n, d)) for _ in range(count)]


def test_batch_norm_matches_torch_in_both_modes_with_its_running_statistics():
    ours = layers.BatchNorm(4, eps=1e-5, momentum=0.2)
    ours.params["gamma"] = np.array([1.5, 0.5, -1.0, 2.0])
    ours.params["beta"] = np.array([0.1, -0.2, 0.3, 0.0])
    theirs = torch.nn.BatchNorm1d(4, eps=1e-5, momentum=0.2).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.params["gamma"]))
        theirs.bias.copy_(torch.tensor(ours.params["beta"]))
    upstream = np.random.default_rng(9).standard_normal((6, 4))
    for x in batches(0):
        xt = torch.tensor(x, requires_grad=True)
        out_t = theirs(xt)
        (out_t * torch.tensor(upstream)).sum().backward()
        out = ours.forward(x)
        grad_in = ours.backward(upstream)
        np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(grad_in, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours.grads["gamma"], theirs.weight.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours.grads["beta"], theirs.bias.grad.numpy(), rtol=1e-12)
        theirs.weight.grad = theirs.bias.grad = None
    np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)
    theirs.eval()
    ours.training = False
    x = batches(1, n=3, count=1)[0]
    xt = torch.tensor(x, requires_grad=True)
    out_t = theirs(xt)
    out_t.sum().backward()
    np.testing.assert_allclose(ours.forward(x), out_t.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.backward(np.ones((3, 4))), xt.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_backward_matches_central_differences(training):
    rng = np.random.default_rng(3)
    layer = layers.BatchNorm(3)
    layer.forward(rng.normal(size=(5, 3)))  # running statistics away from 0 and 1
    layer.training = training
    x, weights = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))

    def loss(z):
        return float(np.sum(weights * layer.forward(z)))

    frozen = (layer.running_mean.copy(), layer.running_var.copy())
    loss(x)
    grad = layer.backward(weights)
    numeric = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = 1e-6
        numeric[i] = (loss(x + step) - loss(x - step)) / 2e-6
        layer.running_mean, layer.running_var = frozen  # the forward passes move them
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)
    if training:  # the mean of each column is removed: the gradient sums to 0 down a column
        np.testing.assert_allclose(grad.sum(axis=0), 0.0, atol=1e-12)


def test_dropout_keeps_the_expected_activation_and_routes_the_gradient_through_the_mask():
    layer = layers.Dropout(0.25, np.random.default_rng(0))
    x = np.full((400, 50), 2.0)
    out = layer.forward(x)
    kept = out != 0
    assert abs(kept.mean() - 0.75) < 0.01
    assert np.all(out[kept] == 2.0 / 0.75)
    assert abs(out.mean() - 2.0) < 0.03
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), kept / 0.75)
    layer.training = False
    np.testing.assert_array_equal(layer.forward(x), x)


def test_sequential_switches_the_modes():
    model = layers.Sequential(layers.BatchNorm(2), layers.Dropout(0.5, np.random.default_rng(0)))
    assert all(layer.training is False for layer in model.eval().layers)
    assert all(layer.training is True for layer in model.train().layers)


def test_bad_settings_and_batches_are_named():
    with pytest.raises(ValueError, match=r"^p must be a number in \[0, 1\), got 1.0$"):
        layers.Dropout(1.0, np.random.default_rng(0))
    with pytest.raises(TypeError, match=r"^rng must be a numpy.random.Generator"):
        layers.Dropout(0.5, 0)
    with pytest.raises(ValueError, match=r"^BatchNorm in training mode needs a batch of N >= 2"):
        layers.BatchNorm(3).forward(np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"^x must have shape \(N, 3\), got \(4, 2\)$"):
        layers.BatchNorm(3).forward(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"^eps must be a finite number > 0"):
        layers.BatchNorm(3, eps=0)
