"""The two-layer ReLU network: the book's problem, gradients, the sweep, the program."""

import numpy as np
import pytest

from scratchnn import two_layer, two_layer_lr
from scratchnn.gradcheck import check_gradients, numerical_gradient, relative_error
from scratchnn.train import DivergenceError, gradient_descent


def small(seed, n=5, d_in=7, hidden=6, d_out=3, scale=1.0):
    return two_layer.book_problem(seed, n=n, d_in=d_in, hidden=hidden, d_out=d_out, scale=scale)


def test_book_problem_is_one_generator_data_then_weights():
    x, y, params = two_layer.book_problem(0)
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(x, rng.standard_normal((64, 1000)))
    np.testing.assert_array_equal(y, rng.standard_normal((64, 10)))
    np.testing.assert_array_equal(params["w1"], rng.standard_normal((1000, 100)))
    np.testing.assert_array_equal(params["w2"], rng.standard_normal((100, 10)))
    assert (two_layer.N, two_layer.D_IN, two_layer.HIDDEN, two_layer.D_OUT) == (64, 1000, 100, 10)
    _, _, scaled = two_layer.book_problem(0, scale="fan_in")
    np.testing.assert_allclose(scaled["w1"], params["w1"] / np.sqrt(1000))
    np.testing.assert_allclose(scaled["w2"], params["w2"] / np.sqrt(100))


def test_book_problems_stack_the_single_problems():
    stacked = two_layer.book_problems([3, 1], n=4, d_in=5, hidden=2, d_out=3)
    assert stacked.x.shape == (2, 4, 5) and stacked.params["w1"].shape == (2, 5, 2)
    for i, seed in enumerate([3, 1]):
        one = small(seed, n=4, d_in=5, hidden=2, d_out=3)
        np.testing.assert_array_equal(stacked.y[i], one.y)
        np.testing.assert_array_equal(stacked.params["w2"][i], one.params["w2"])
    with pytest.raises(ValueError, match="seeds is empty"):
        two_layer.book_problems([])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"scale": "he"}, ValueError, "scale must be one of 'fan_in', got 'he'"),
        ({"scale": 0.0}, ValueError, "scale must be a finite number > 0, got 0"),
        ({"scale": float("inf")}, ValueError, "scale must be a finite number > 0, got inf"),
        ({"scale": True}, TypeError, "scale must be a finite number > 0, got True"),
        ({"hidden": 0}, ValueError, "hidden must be a whole number >= 1"),
        ({"d_in": 2.0}, TypeError, "d_in must be a whole number >= 1"),
    ],
)
def test_init_params_refuses_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        two_layer.init_params(np.random.default_rng(0), **kwargs)


def test_init_params_wants_a_generator():
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        two_layer.init_params(0)
    with pytest.raises(ValueError, match="seed must be a whole number >= 0, got -1"):
        two_layer.book_problem(-1)


def test_forward_and_loss_name_wrong_shapes():
    x, y, params = small(0)
    with pytest.raises(
        ValueError, match=r"^x must have shape \(N, D_in\) with D_in = 7, got \(5, 8\)"
    ):
        two_layer.forward(params, np.zeros((5, 8)))
    with pytest.raises(ValueError, match=r"params\['w2'\] must have shape \(H, D_out\) with H = 6"):
        two_layer.forward({"w1": params["w1"], "w2": np.zeros((5, 3))}, x)
    with pytest.raises(ValueError, match=r"^y must have shape \(N, D_out\) with N = 5, D_out = 3"):
        two_layer.loss_and_grads(params, x, y[:, :2])
    with pytest.raises(
        ValueError, match=r"params must have exactly w1 \(D_in, H\), w2 \(H, D_out\)"
    ):
        two_layer.loss_and_grads({"w1": params["w1"]}, x, y)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_gradients_match_central_differences(seed):
    x, y, params = small(seed)
    errors = check_gradients(two_layer.loss_and_grads, params, x, y)
    assert max(errors.values()) < 1e-7, errors


def test_gradients_sampled_at_full_size():
    x, y, params = two_layer.book_problem(4, scale="fan_in")
    rng = np.random.default_rng(4)
    errors = check_gradients(two_layer.loss_and_grads, params, x, y, samples=15, rng=rng)
    assert max(errors.values()) < 1e-7, errors


def test_gradients_match_torch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    for seed in range(4):
        n, d_in, hidden, d_out = (int(v) for v in rng.integers(1, 12, size=4))
        x, y, params = small(seed, n, d_in, hidden, d_out, scale=float(rng.uniform(0.1, 3)))
        loss, grads = two_layer.loss_and_grads(params, x, y)
        w = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
        t_loss = ((torch.relu(torch.tensor(x) @ w["w1"]) @ w["w2"] - torch.tensor(y)) ** 2).sum()
        t_loss.backward()
        assert abs(loss - t_loss.item()) <= 1e-12 * abs(loss)
        for k in params:
            assert relative_error(grads[k], w[k].grad.numpy()) < 1e-10


def test_a_wrong_gradient_is_caught():
    # delta2^T h has the right number of entries, but reshaped to (H, D_out)
    # it is not the gradient.
    x, y, params = small(6)
    h = np.maximum(x @ params["w1"], 0)
    delta2 = 2 * (h @ params["w2"] - y)
    wrong = (delta2.T @ h).reshape(params["w2"].shape)

    def loss_w2(w2):
        return two_layer.loss_and_grads({**params, "w2": w2}, x, y)[0]

    assert relative_error(wrong, numerical_gradient(loss_w2, params["w2"])) > 0.1


def test_relu_at_exactly_zero_passes_no_gradient():
    # z1 = x w1 = 1 - 1 = 0 exactly: the book's mask is 0 there, so dL/dw1 = 0;
    # the source's grad_h[h < 0] = 0 keeps it (slope 1): x^T (delta2 w2^T) = -12;
    # a central difference straddles the kink and gives the average, -6.
    x, y = np.array([[1.0, -1.0]]), np.array([[3.0]])
    params = {"w1": np.array([[1.0], [1.0]]), "w2": np.array([[2.0]])}
    _, grads = two_layer.loss_and_grads(params, x, y)
    assert grads["w1"][0, 0] == 0.0

    def loss_w1(w1):
        return two_layer.loss_and_grads({**params, "w1": w1}, x, y)[0]

    central = numerical_gradient(loss_w1, params["w1"], eps=1e-6)[0, 0]
    assert central == pytest.approx(-6.0, abs=1e-5)


def test_does_not_mutate_params():
    x, y, params = small(7)
    before = {k: v.copy() for k, v in params.items()}
    two_layer.loss_and_grads(params, x, y)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])


def test_overflowed_weights_are_refused_by_the_checked_function_and_inf_in_the_kernel():
    x, y, params = small(8)
    huge = {k: 1e200 * v for k, v in params.items()}
    overflow = r"^loss_and_grads: the loss or a gradient overflows"
    with pytest.raises(ValueError, match=overflow) as err:
        two_layer.loss_and_grads(huge, x, y)
    assert "|params['w1']| 2.54e+200" in str(err.value)
    with np.errstate(over="ignore", invalid="ignore"):
        loss, grads = two_layer.loss_and_grads.kernel(huge, x, y)
    assert loss == np.inf and set(grads) == {"w1", "w2"}


def test_largest_curvature_matches_the_hessian():
    x, y, params = small(8, n=4, d_in=3, hidden=4, d_out=2)
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
    estimate = two_layer_lr.largest_curvature(
        params, x, y, rng=np.random.default_rng(0), iterations=200
    )
    assert estimate == pytest.approx(top, rel=1e-4)


def test_train_many_takes_the_steps_of_gradient_descent():
    seeds, lrs = [0, 1], [0.002, 0.01]
    p = two_layer.book_problems(seeds, n=6, d_in=5, hidden=4, d_out=3)
    losses = two_layer_lr.train_many(p.params, p.x, p.y, lrs=lrs, epochs=30)
    assert losses.shape == (2, 2, 30)
    for s, seed in enumerate(seeds):
        x, y, params = small(seed, n=6, d_in=5, hidden=4, d_out=3)
        for k, lr in enumerate(lrs):
            ref = gradient_descent(two_layer.loss_and_grads, params, x, y, lr=lr, epochs=30)
            np.testing.assert_allclose(losses[s, k], ref.losses, rtol=1e-12)


def test_train_many_marks_diverged_and_finished_runs():
    p = two_layer.book_problems([0], n=6, d_in=5, hidden=4, d_out=3)
    losses = two_layer_lr.train_many(p.params, p.x, p.y, lrs=[0.002, 50.0], epochs=40, until=1.0)
    slow, wild = losses[0]
    assert np.isinf(wild[-1]) and np.isfinite(wild[0])
    below = np.flatnonzero(slow < 1.0)
    if below.size:  # after it reached the target, no further steps
        assert np.isnan(slow[below[0] + 1 :]).all()
    with pytest.raises(ValueError, match="lrs must all be > 0, got -1"):
        two_layer_lr.train_many(p.params, p.x, p.y, lrs=[0.1, -1.0], epochs=2)
    with pytest.raises(ValueError, match=r"^y must have shape \(S, N, D_out\) with S = 1"):
        two_layer_lr.train_many(p.params, p.x, p.y[0], lrs=[0.1], epochs=2)


@pytest.fixture(scope="module")
def book_run():
    return two_layer.run()


def test_book_run_starts_where_expected_and_fits_the_data(book_run):
    # With N(0, 1) weights an entry of z1 = x w1 has variance D_in = 1000,
    # relu of it has second moment 500, and an entry of y_hat variance
    # H * 500; the first loss is near 640 * (50000 + 1) ≈ 3.2e7.  The net has
    # 101 000 weights for 640 targets and fits them: after 500 steps the book's
    # run is below 1e-6; the bound 1e-3 leaves a margin of a thousandfold.
    losses = book_run.history.losses
    assert 0.5 * 3.2e7 < losses[0] < 2 * 3.2e7
    assert losses[-1] < 1e-3
    assert losses.shape == (500,)


def test_scaled_start_and_learning_rate():
    # fan_in weights: the first loss is near 640 * (1/2 + 1) = 960
    x, y, params = two_layer.book_problem(0, scale="fan_in")
    lam = two_layer_lr.largest_curvature(params, x, y, rng=np.random.default_rng(1))
    assert two_layer.SCALED_LR <= 1 / lam < 2 * two_layer.SCALED_LR
    result = two_layer.run(epochs=100, lr=two_layer.SCALED_LR, scale="fan_in")
    assert 0.5 * 960 < result.history.losses[0] < 2 * 960
    assert result.history.losses[-1] < 1e-2


def test_too_large_a_learning_rate_is_caught():
    with pytest.raises(DivergenceError, match=r"learning rate lr=1e-05"):
        two_layer.run(epochs=50, lr=1e-5)
    with pytest.raises(DivergenceError, match=r"learning rate lr=1;"):
        two_layer.run(epochs=10, lr=1.0)


def test_program_prints_the_books_numbers(capsys, book_run):
    assert two_layer.main([]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == two_layer.summary(book_run)
    assert f"last loss  {book_run.history.losses[-1]:.6e}" in out


def test_program_fan_in(capsys, tmp_path):
    plot = tmp_path / "loss.png"
    assert (
        two_layer.main(["--scale", "fan_in", "--lr", "2e-4", "--epochs", "5", "--plot", str(plot)])
        == 0
    )
    out = capsys.readouterr().out
    result = two_layer.run(epochs=5, lr=2e-4, scale="fan_in")
    assert "start fan_in, lr 0.0002, 5 steps" in out
    assert f"last loss  {result.history.losses[-1]:.6e}" in out
    assert plot.stat().st_size > 0


def test_program_divergence_is_one_line(capsys):
    assert two_layer.main(["--lr", "1e-5", "--epochs", "50"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "learning rate lr=1e-05" in err
