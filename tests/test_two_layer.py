"""The two-layer ReLU network: gradients, the book's training run, the CLI."""

import numpy as np
import pytest

from scratchnn import two_layer
from scratchnn.data import two_layer_data
from scratchnn.gradcheck import check_gradients, numerical_gradient, relative_error
from scratchnn.train import DivergenceError


def small(seed, n=5, d_in=7, hidden=6, d_out=3):
    rng = np.random.default_rng(seed)
    x, y = two_layer_data(rng, n, d_in, d_out)
    return two_layer.init_params(rng, d_in, hidden, d_out), x, y


def test_init_params_shapes_and_scales():
    rng = np.random.default_rng(0)
    p = two_layer.init_params(rng)
    assert p["w1"].shape == (1000, 100)
    assert p["w2"].shape == (100, 10)
    assert p["w1"].dtype == np.float64
    assert abs(p["w1"].std() - 1.0) < 0.02
    q = two_layer.init_params(np.random.default_rng(0), scale="fan_in")
    np.testing.assert_allclose(q["w1"], p["w1"] / np.sqrt(1000))
    np.testing.assert_allclose(q["w2"], p["w2"] / np.sqrt(100))
    r = two_layer.init_params(np.random.default_rng(0), scale=0.5)
    np.testing.assert_allclose(r["w2"], 0.5 * p["w2"])


@pytest.mark.parametrize("scale", [0.0, -1.0, float("inf"), "he", True])
def test_init_params_rejects_bad_scale(scale):
    with pytest.raises(ValueError, match="scale must be a finite number > 0 or 'fan_in'"):
        two_layer.init_params(np.random.default_rng(0), scale=scale)


def test_forward_names_wrong_shapes():
    params, x, y = small(0)
    with pytest.raises(ValueError, match=r"x has shape \(5, 8\) but w1 \(7, 6\) needs x"):
        two_layer.forward(params, np.zeros((5, 8)))
    with pytest.raises(ValueError, match=r"w1 \(7, 6\) and w2 \(5, 3\) must be"):
        two_layer.forward({"w1": params["w1"], "w2": np.zeros((5, 3))}, x)
    with pytest.raises(ValueError, match=r"shape \(5, 3\) but target y has shape \(5, 2\)"):
        two_layer.loss_and_grads(params, x, y[:, :2])


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_gradients_match_central_differences(seed):
    params, x, y = small(seed)
    errors = check_gradients(two_layer.loss_and_grads, params, x, y)
    assert max(errors.values()) < 1e-7, errors


def test_gradients_sampled_at_full_size():
    rng = np.random.default_rng(4)
    x, y = two_layer_data(rng)
    params = two_layer.init_params(rng, scale="fan_in")
    errors = check_gradients(two_layer.loss_and_grads, params, x, y, samples=15, rng=rng)
    assert max(errors.values()) < 1e-7, errors


def test_gradients_match_torch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    for _ in range(4):
        n, d_in, hidden, d_out = rng.integers(1, 12, size=4)
        x, y = two_layer_data(rng, n, d_in, d_out)
        params = two_layer.init_params(rng, d_in, hidden, d_out, scale=rng.uniform(0.1, 3))
        loss, grads = two_layer.loss_and_grads(params, x, y)
        w = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
        t_loss = ((torch.relu(torch.tensor(x) @ w["w1"]) @ w["w2"] - torch.tensor(y)) ** 2).sum()
        t_loss.backward()
        assert abs(loss - t_loss.item()) <= 1e-12 * abs(loss)
        for k in params:
            assert relative_error(grads[k], w[k].grad.numpy()) < 1e-10


def test_a_wrong_gradient_is_caught():
    # The transposed product g^T h_relu has the right number of entries but
    # reshaped to (H, D_out) it is not the gradient.
    params, x, y = small(6)
    h_relu = np.maximum(x @ params["w1"], 0)
    g = 2 * (h_relu @ params["w2"] - y)
    wrong = (g.T @ h_relu).reshape(params["w2"].shape)

    def loss_w2(w2):
        return two_layer.loss_and_grads({**params, "w2": w2}, x, y)[0]

    assert relative_error(wrong, numerical_gradient(loss_w2, params["w2"])) > 0.1


def test_does_not_mutate_params():
    params, x, y = small(7)
    before = {k: v.copy() for k, v in params.items()}
    two_layer.loss_and_grads(params, x, y)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])


def test_largest_curvature_matches_the_hessian():
    params, x, y = small(8, n=4, d_in=3, hidden=4, d_out=2)
    flat = np.concatenate([params["w1"].ravel(), params["w2"].ravel()])

    def grad_flat(v):
        p = {"w1": v[:12].reshape(3, 4), "w2": v[12:].reshape(4, 2)}
        g = two_layer.loss_and_grads(p, x, y)[1]
        return np.concatenate([g["w1"].ravel(), g["w2"].ravel()])

    eye = np.eye(flat.size)
    hessian = np.array(
        [(grad_flat(flat + 1e-5 * e) - grad_flat(flat - 1e-5 * e)) / 2e-5 for e in eye]
    )
    eigenvalues = np.linalg.eigvalsh((hessian + hessian.T) / 2)
    top = eigenvalues[np.argmax(np.abs(eigenvalues))]
    estimate = two_layer.largest_curvature(
        params, x, y, rng=np.random.default_rng(0), iterations=200
    )
    assert estimate == pytest.approx(top, rel=1e-4)


@pytest.fixture(scope="module")
def book_run():
    return two_layer.run()


def test_book_run_starts_where_expected_and_fits_the_data(book_run):
    # With N(0, 1) weights an entry of x w1 has variance D_in = 1000, relu of
    # it has second moment 500, and an entry of y_hat variance H * 500; the
    # first loss is near 640 * (50000 + 1) ≈ 3.2e7.  The net has 101 000
    # weights for 640 targets and can fit them exactly: after 500 steps the
    # book's run is below 1e-6.  The bound 1e-3 (an error of about 1e-3 per
    # entry, for targets of size 1) leaves a margin of over a hundredfold.
    assert 0.5 * 3.2e7 < book_run.first_loss < 2 * 3.2e7
    assert book_run.last_loss < 1e-3
    assert book_run.losses.shape == (500,)


def test_scaled_start_and_learning_rate():
    # fan_in weights: the first loss is near 640 * (1/2 + 1) = 960
    rng = np.random.default_rng(0)
    x, y = two_layer_data(rng)
    params = two_layer.init_params(rng, scale="fan_in")
    lam = two_layer.largest_curvature(params, x, y, rng=np.random.default_rng(1))
    assert two_layer.SCALED_LR <= 1 / lam < 2 * two_layer.SCALED_LR
    result = two_layer.run(epochs=100, lr=two_layer.SCALED_LR, scale="fan_in")
    assert 0.5 * 960 < result.first_loss < 2 * 960
    assert result.last_loss < 1e-2


def test_too_large_a_learning_rate_is_caught():
    with pytest.raises(DivergenceError, match=r"learning rate lr=1e-05"):
        two_layer.run(epochs=50, lr=1e-5)


def test_cli_prints_the_books_numbers(capsys, book_run):
    assert two_layer.main([]) == 0
    out = capsys.readouterr().out
    result = book_run
    assert f"first loss {result.first_loss:.6e}" in out
    assert f"last loss  {result.last_loss:.6e}" in out


def test_cli_fan_in_uses_the_scaled_learning_rate(capsys, tmp_path):
    plot = tmp_path / "loss.png"
    assert two_layer.main(["--init", "fan_in", "--epochs", "5", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    result = two_layer.run(epochs=5, lr=two_layer.SCALED_LR, scale="fan_in")
    assert "lr 0.0002" in out
    assert f"last loss  {result.last_loss:.6e}" in out
    assert plot.stat().st_size > 0


def test_cli_divergence_is_one_line(capsys):
    assert two_layer.main(["--lr", "1e-5", "--epochs", "50"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "learning rate lr=1e-05" in err


@pytest.mark.parametrize("args", [["--lr", "-1"], ["--init", "he"], ["--seed", "-3"]])
def test_cli_bad_values_exit_2(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        two_layer.main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "error: argument" in err
