"""The torch versions of the two-layer network agree with the NumPy one."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from scratchnn import torch_compare as tc  # noqa: E402
from scratchnn import two_layer  # noqa: E402
from scratchnn.gradcheck import relative_error  # noqa: E402
from scratchnn.train import DivergenceError, gradient_descent  # noqa: E402

pytestmark = pytest.mark.torch

TRAINS = [tc.train_manual, tc.train_autograd, tc.train_nn]


def random_problem(rng, scale=1.0):
    n, d_in, hidden, d_out = (int(v) for v in rng.integers(1, 12, size=4))
    seed = int(rng.integers(0, 1000))
    x, y, p = two_layer.book_problem(seed, n=n, d_in=d_in, hidden=hidden, d_out=d_out, scale=scale)
    return x, y, p["w1"], p["w2"]


def grads_numpy(x, y, w1, w2):
    loss, grads = two_layer.loss_and_grads({"w1": w1, "w2": w2}, x, y)
    return loss, grads["w1"], grads["w2"]


def train_numpy(x, y, w1, w2, *, lr, steps):
    h = gradient_descent(two_layer.loss_and_grads, {"w1": w1, "w2": w2}, x, y, lr=lr, epochs=steps)
    return h.losses, h.params["w1"], h.params["w2"]


@pytest.mark.parametrize("version", tc.VERSIONS)
def test_gradients_agree_with_numpy_in_float64(version):
    rng = np.random.default_rng(0)
    for _ in range(5):
        x, y, w1, w2 = random_problem(rng, scale=float(rng.uniform(0.1, 3.0)))
        loss, g1, g2 = grads_numpy(x, y, w1, w2)
        t_loss, t1, t2 = tc.gradients(x, y, w1, w2, version=version)
        assert abs(loss - t_loss) <= 1e-12 * abs(loss)
        assert t1.shape == w1.shape and t2.shape == w2.shape
        assert relative_error(g1, t1) < 1e-10
        assert relative_error(g2, t2) < 1e-10


@pytest.mark.parametrize("train", TRAINS)
def test_training_agrees_with_numpy_on_small_shapes(train):
    rng = np.random.default_rng(1)
    x, y, w1, w2 = random_problem(rng, scale=0.5)
    losses, v1, v2 = train_numpy(x, y, w1, w2, lr=0.01, steps=20)
    t_losses, t1, t2 = train(x, y, w1, w2, lr=0.01, steps=20)
    np.testing.assert_allclose(t_losses, losses, rtol=1e-10)
    np.testing.assert_allclose(t1, v1, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(t2, v2, rtol=1e-10, atol=1e-14)


def test_500_book_steps_of_numpy_and_torch_track_each_other():
    x, y, p = two_layer.book_problem(tc.BOOK.seed)
    w1, w2 = p["w1"], p["w2"]
    losses, v1, v2 = train_numpy(x, y, w1, w2, lr=tc.BOOK.lr, steps=500)
    t_losses, t1, t2 = tc.train_manual(x, y, w1, w2, lr=tc.BOOK.lr, steps=500)
    assert np.max(np.abs(t_losses - losses) / losses) < 1e-8
    assert max(relative_error(v1, t1), relative_error(v2, t2)) < 1e-8


@pytest.mark.parametrize("train", TRAINS)
def test_float32_is_float32_but_returns_float64(train):
    rng = np.random.default_rng(2)
    x, y, w1, w2 = random_problem(rng, scale=0.5)
    losses, _, _ = train_numpy(x, y, w1, w2, lr=0.01, steps=5)
    t_losses, t1, _ = train(x, y, w1, w2, lr=0.01, steps=5, dtype=torch.float32)
    assert t_losses.dtype == np.float64 and t1.dtype == np.float64
    np.testing.assert_allclose(t_losses, losses, rtol=1e-4)
    # float32 rounding shows: not equal to float64 to 1e-10
    assert np.max(np.abs(t_losses - losses) / losses) > 1e-10


@pytest.mark.parametrize("train", TRAINS)
def test_inputs_are_not_modified(train):
    rng = np.random.default_rng(3)
    arrays = random_problem(rng)
    before = [a.copy() for a in arrays]
    train(*arrays, lr=0.01, steps=3)
    for a, b in zip(arrays, before, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("train", TRAINS)
def test_divergence_names_the_learning_rate(train):
    x, y, w1, w2 = random_problem(np.random.default_rng(4))
    with pytest.raises(DivergenceError, match=r"learning rate lr=100"):
        train(x, y, w1, w2, lr=100.0, steps=200)


@pytest.mark.parametrize("train", TRAINS)
def test_bad_arguments_are_named(train):
    x, y, w1, w2 = random_problem(np.random.default_rng(5))
    d_in, d_out = w1.shape[0], w2.shape[1]
    with pytest.raises(ValueError, match=rf"^x must have shape \(N, D_in\) with D_in = {d_in}"):
        train(x[:, :0], y, w1, w2, lr=0.1, steps=1)
    with pytest.raises(
        ValueError, match=rf"^y must have shape \(N, D_out\) with .*D_out = {d_out}"
    ):
        train(x, np.zeros((x.shape[0], 99)), w1, w2, lr=0.1, steps=1)
    with pytest.raises(ValueError, match=r"^w2 must have shape \(H, D_out\) with H = "):
        train(x, y, w1, np.zeros((w2.shape[0] + 1, w2.shape[1])), lr=0.1, steps=1)
    with pytest.raises(ValueError, match="lr must be a finite number > 0, got -1"):
        train(x, y, w1, w2, lr=-1.0, steps=1)
    with pytest.raises(ValueError, match="steps must be a whole number >= 1"):
        train(x, y, w1, w2, lr=0.1, steps=0)
    with pytest.raises(ValueError, match=r"dtype must be torch\.float64 or torch\.float32"):
        train(x, y, w1, w2, lr=0.1, steps=1, dtype=torch.float16)
    with pytest.raises(ValueError, match="version must be one of 'manual', 'autograd', 'nn'"):
        tc.gradients(x, y, w1, w2, version="jax")


@pytest.mark.parametrize("version", tc.VERSIONS)
def test_relu_at_exactly_zero_passes_no_gradient_in_torch_too(version):
    # z1 = 1 - 1 = 0: torch, like the book, uses relu'(0) = 0
    x, y = np.array([[1.0, -1.0]]), np.array([[3.0]])
    w1, w2 = np.array([[1.0], [1.0]]), np.array([[2.0]])
    _, t1, t2 = tc.gradients(x, y, w1, w2, version=version)
    _, g1, g2 = grads_numpy(x, y, w1, w2)
    np.testing.assert_array_equal(t1, g1)
    np.testing.assert_array_equal(t2, g2)
    assert g1[0, 0] == 0.0


def test_pick_device(monkeypatch):
    assert tc.pick_device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert tc.pick_device() == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert tc.pick_device() == torch.device("cuda")


def test_cli_prints_run_numbers(capsys, tmp_path):
    plot = tmp_path / "curves.png"
    assert tc.main(["--epochs", "5", "--dtype", "float32", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    result = tc.run(epochs=5, dtype="float32")
    assert out.splitlines()[:-1] == tc.summary(result)
    assert f"torch device: {tc.pick_device()}, dtype float32" in out
    assert f"last loss:  NumPy {result.history.losses[-1]:.6e}" in out
    assert f"relative error {result.grad_errors['autograd']:.3e}" in out
    assert result.grad_errors["nn"] < 1e-12
    assert plot.stat().st_size > 0


@pytest.mark.parametrize("args", [["--dtype", "float16"], ["--lr", "x"], ["--epochs", "2.5"]])
def test_cli_bad_values_exit_2(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        tc.main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "error: argument" in err


def test_the_deliberately_wrong_loop_accumulates_gradients():
    # Without the reset, step t uses the sum of the first t + 1 gradients:
    # the second update of w1 is lr * (g0 + g1), so after two steps w1 equals
    # w1 - lr * g0 - lr * (g0 + g1).
    x, y, w1, w2 = random_problem(np.random.default_rng(6), scale=0.5)
    lr = 0.01
    _, g0_1, g0_2 = tc.gradients(x, y, w1, w2)
    a1, a2 = w1 - lr * g0_1, w2 - lr * g0_2
    _, g1_1, g1_2 = tc.gradients(x, y, a1, a2)
    _, v1, v2 = tc.train_autograd(x, y, w1, w2, lr=lr, steps=2, reset=False)
    np.testing.assert_allclose(v1, a1 - lr * (g0_1 + g1_1), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(v2, a2 - lr * (g0_2 + g1_2), rtol=1e-12, atol=1e-14)


def test_mean_reduction_is_the_sum_run_scaled():
    x, y, w1, w2 = random_problem(np.random.default_rng(8), scale=0.5)
    size = y.size
    sums, s1, _ = tc.train_nn(x, y, w1, w2, lr=0.001, steps=10)
    means, m1, _ = tc.train_nn(x, y, w1, w2, lr=0.001 * size, steps=10, reduction="mean")
    np.testing.assert_allclose(means * size, sums, rtol=1e-10)
    np.testing.assert_allclose(m1, s1, rtol=1e-10, atol=1e-14)
    with pytest.raises(ValueError, match="reduction must be one of 'sum', 'mean', got 'max'"):
        tc.train_nn(x, y, w1, w2, lr=0.1, steps=1, reduction="max")
