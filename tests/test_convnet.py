"""scratchnn.convnet and companions: gradients against torch, shifts, McNemar, the speed curve."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from scipy.stats import binomtest

from scratchnn import convnet, convnet_figures, convnet_shift, convnet_speed
from scratchnn.conv import conv2d
from scratchnn.gradcheck import check_gradients, relative_error


def _case(seed=0, n=5, filters=3):
    rng = np.random.default_rng(seed)
    params = convnet.init_params(rng, filters)
    params["b1"] = rng.uniform(0.1, 0.5, filters)  # away from the ReLU kink of blank windows
    return params, rng.uniform(0.0, 1.0, (n, 1, 8, 8)), rng.integers(0, 10, n)


def test_loss_and_grads_match_torch_autograd():
    params, x, y = _case()
    loss, grads = convnet.loss_and_grads(params, x, y)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    h = TF.max_pool2d(torch.relu(TF.conv2d(torch.tensor(x), t["w1"], t["b1"], padding=1)), 2)
    t_loss = TF.cross_entropy(h.flatten(1) @ t["w2"] + t["b2"], torch.tensor(y))
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    for k in params:
        assert relative_error(grads[k], t[k].grad.numpy()) < 1e-12, k


def test_gradient_check_and_parameter_count():
    params, x, y = _case(1)
    assert max(check_gradients(convnet.loss_and_grads, params, x, y).values()) < 1e-6
    assert sum(v.size for v in params.values()) == convnet.parameter_count(3) == 520


def test_refusals_name_the_shapes():
    params, x, y = _case()
    with pytest.raises(ValueError, match=r"params\['w2'\] must have shape \(48, 10\)"):
        convnet.forward({**params, "w2": np.zeros((16, 10))}, x)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1, 8, 8\)"):
        convnet.forward(params, x.reshape(5, 64))
    with pytest.raises(ValueError, match=r"y must be integer class labels 0..9 of shape \(N,\)"):
        convnet.loss_and_grads(params, x, y[:3])


def test_shift_moves_pixels_and_fills_with_zeros():
    x = np.arange(64.0).reshape(1, 64)
    moved = convnet.shift(x, 1, -2).reshape(8, 8)
    grid = x.reshape(8, 8)
    np.testing.assert_array_equal(moved[1:, :6], grid[:7, 2:])
    assert not moved[0].any() and not moved[:, 6:].any()
    np.testing.assert_array_equal(convnet.shift(x, 0, 0), x)
    test = convnet_shift.shifted_test(2)
    assert test.shape == convnet_shift.digits_split().x_test.shape


def test_mcnemar_equals_the_exact_binomial_test():
    rng = np.random.default_rng(3)
    a, b = rng.random(200) < 0.8, rng.random(200) < 0.7
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
    exact = binomtest(only_a, only_a + only_b, 0.5).pvalue
    assert convnet_shift.mcnemar(a, b) == pytest.approx(exact, rel=1e-12)
    assert convnet_shift.mcnemar(a, a) == 1.0


def test_a_short_run_learns():
    result = convnet.run(epochs=2)
    assert result.history.val_accuracies[-1] > 0.5
    assert len(convnet.summary(result)) == 5
    assert convnet_figures.figure_filters(result.history.params["w1"]).axes


def test_speed_curve_compares_equal_outputs():
    curve = convnet_speed.measure(convnet_speed.Settings(sides=(4,), kernels=(3,), repeats=1))
    assert curve.ratio.shape == (1, 1) and curve.difference.max() < 1e-12
    assert convnet_figures.figure_speed(curve).axes
    with pytest.raises(ValueError, match="kernels must be odd, got 2"):
        convnet_speed.measure(convnet_speed.Settings(sides=(4,), kernels=(2,)))


def test_conv2d_of_the_network_is_the_layer_torch_computes():
    params, x, _ = _case(2)
    ours = conv2d(x, params["w1"], params["b1"], padding=1)
    theirs = TF.conv2d(
        torch.tensor(x), torch.tensor(params["w1"]), torch.tensor(params["b1"]), padding=1
    )
    np.testing.assert_allclose(ours, theirs.numpy(), atol=1e-13)


@pytest.mark.slow
def test_shift_claim_at_book_size():
    evidence = convnet_shift.shift_claim(size="book")
    assert evidence.verdict.holds, evidence.verdict.detail
    assert convnet_figures.figure_shift(evidence).axes


def test_benchmark_9_rows_compare_with_torch():
    from scratchnn.speed import conv_torch

    timings, gap = conv_torch.measure_torch(conv_torch.Layer(batch=2, side=4, calls=1, repeats=1))
    assert gap < 1e-10
    assert set(timings.seconds) == {"ours", "torch"}
