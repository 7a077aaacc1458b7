"""The torch versions of the two-layer network agree with the NumPy one."""

import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from scratchnn import torch_compare as tc  # noqa: E402
from scratchnn.data import two_layer_data  # noqa: E402
from scratchnn.gradcheck import relative_error  # noqa: E402
from scratchnn.train import DivergenceError  # noqa: E402

pytestmark = pytest.mark.torch

GRADS = [tc.grads_manual, tc.grads_autograd, tc.grads_nn]
TRAINS = [tc.train_manual, tc.train_autograd, tc.train_nn]


def random_problem(rng, scale=1.0):
    n, d_in, hidden, d_out = (int(v) for v in rng.integers(1, 12, size=4))
    x, y = two_layer_data(rng, n, d_in, d_out)
    w1 = scale * rng.standard_normal((d_in, hidden))
    w2 = scale * rng.standard_normal((hidden, d_out))
    return x, y, w1, w2


@pytest.mark.parametrize("grads", GRADS)
def test_gradients_agree_with_numpy_in_float64(grads):
    rng = np.random.default_rng(0)
    for _ in range(5):
        x, y, w1, w2 = random_problem(rng, scale=rng.uniform(0.1, 3.0))
        loss, g1, g2 = tc.grads_numpy(x, y, w1, w2)
        t_loss, t1, t2 = grads(x, y, w1, w2)
        assert abs(loss - t_loss) <= 1e-12 * abs(loss)
        assert t1.shape == w1.shape and t2.shape == w2.shape
        assert relative_error(g1, t1) < 1e-10
        assert relative_error(g2, t2) < 1e-10


@pytest.mark.parametrize("train", TRAINS)
def test_training_agrees_with_numpy_on_small_shapes(train):
    rng = np.random.default_rng(1)
    x, y, w1, w2 = random_problem(rng, scale=0.5)
    losses, v1, v2 = tc.train_numpy(x, y, w1, w2, lr=0.01, steps=20)
    t_losses, t1, t2 = train(x, y, w1, w2, lr=0.01, steps=20)
    np.testing.assert_allclose(t_losses, losses, rtol=1e-10)
    np.testing.assert_allclose(t1, v1, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(t2, v2, rtol=1e-10, atol=1e-14)


def test_500_book_steps_of_numpy_and_torch_track_each_other():
    x, y, w1, w2 = tc.start()
    losses, v1, v2 = tc.train_numpy(x, y, w1, w2, lr=tc.BOOK_LR, steps=500)
    t_losses, t1, t2 = tc.train_manual(x, y, w1, w2, lr=tc.BOOK_LR, steps=500)
    assert np.max(np.abs(t_losses - losses) / losses) < 1e-8
    assert relative_error(v1, t1) < 1e-8
    assert relative_error(v2, t2) < 1e-8


@pytest.mark.parametrize("train", TRAINS)
def test_float32_is_float32_but_returns_float64(train):
    rng = np.random.default_rng(2)
    x, y, w1, w2 = random_problem(rng, scale=0.5)
    losses, _, _ = tc.train_numpy(x, y, w1, w2, lr=0.01, steps=5)
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
    with pytest.raises(ValueError, match=r"x has shape"):
        train(x[:, :0], y, w1, w2, lr=0.1, steps=1)
    with pytest.raises(ValueError, match=r"y has shape \(\d+, 99\) but the prediction"):
        train(x, np.zeros((x.shape[0], 99)), w1, w2, lr=0.1, steps=1)
    with pytest.raises(ValueError, match="learning rate lr must be a finite number > 0"):
        train(x, y, w1, w2, lr=-1.0, steps=1)
    with pytest.raises(ValueError, match="steps must be a whole number >= 1"):
        train(x, y, w1, w2, lr=0.1, steps=0)


def test_pick_device(monkeypatch):
    assert tc.pick_device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert tc.pick_device() == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert tc.pick_device() == torch.device("cuda")


def test_time_steps_interleaves_and_warms_up():
    calls = []
    runners = {name: (lambda steps, name=name: calls.append((name, steps))) for name in "ab"}
    medians = tc.time_steps(runners, steps=4, repeats=3)
    # one untimed warm-up round, then 3 rounds, each starting one runner later
    assert calls == [("b", 4), ("a", 4), ("a", 4), ("b", 4), ("b", 4), ("a", 4), ("a", 4), ("b", 4)]
    assert set(medians) == {"a", "b"}
    assert all(v >= 0 for v in medians.values())


def test_the_rest_of_the_package_imports_without_torch():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "import scratchnn.two_layer, scratchnn.train, scratchnn.gradcheck\n"
        "try:\n    import scratchnn.torch_compare\nexcept ImportError:\n    print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout == "ok\n"


def test_cli_prints_run_numbers(capsys, tmp_path):
    plot = tmp_path / "curves.png"
    assert tc.main(["--epochs", "30", "--dtype", "float32", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    result = tc.run(epochs=30, dtype="float32")
    assert f"torch device: {tc.pick_device()}, dtype float32" in out
    assert f"last loss:  NumPy {result.losses_numpy[-1]:.6e}" in out
    assert f"torch {result.losses_torch[-1]:.6e}" in out
    assert f"relative error {result.grad_errors['autograd']:.3e}" in out
    assert plot.stat().st_size > 0


@pytest.mark.parametrize("args", [["--dtype", "float16"], ["--lr", "x"], ["--epochs", "2.5"]])
def test_cli_bad_values_exit_2(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        tc.main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "error: argument" in err
