"""scratchnn.exams: gradients, initialisation, least squares, cross-validation, CLI."""

import contextlib
import io

import numpy as np
import pytest

from scratchnn import exams
from scratchnn.data import load_exams
from scratchnn.gradcheck import check_gradients, relative_error
from scratchnn.train import gradient_descent


@pytest.fixture(scope="module")
def data():
    return exams.scale(load_exams())


@pytest.fixture(scope="module")
def cli():
    """``main([])`` run once: what it printed, and the arguments and result of its run()."""
    calls, real_run = [], exams.run

    def spy(**kwargs):
        calls.append((kwargs, real_run(**kwargs)))
        return calls[-1][1]

    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.setattr(exams, "run", spy)
        status = exams.main([])
    return status, out.getvalue(), calls


@pytest.fixture(scope="module")
def result(cli):
    return cli[2][0][1]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_gradients_match_central_differences(seed, data):
    rng = np.random.default_rng(seed)
    params = exams.init_params(rng)
    params["b1"] = 0.1 * rng.standard_normal(5)
    params["b2"] = 0.1 * rng.standard_normal(1)
    errors = check_gradients(exams.loss_and_grads, params, *data)
    assert max(errors.values()) < 1e-7


def test_gradients_match_central_differences_other_sizes():
    rng = np.random.default_rng(7)
    params = exams.init_params(rng, n_in=4, hidden=6, n_out=2)
    x, y = rng.standard_normal((8, 4)), rng.standard_normal((8, 2))
    assert max(check_gradients(exams.loss_and_grads, params, x, y).values()) < 1e-7


@pytest.mark.torch
@pytest.mark.parametrize("seed", [0, 1])
def test_gradients_match_torch_autograd(seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    params = exams.init_params(rng)
    params["b1"] = rng.standard_normal(5)
    x, y = rng.standard_normal((25, 3)), rng.standard_normal((25, 1))
    loss, grads = exams.loss_and_grads(params, x, y)
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    h = torch.relu(torch.tensor(x) @ t["w1"] + t["b1"])
    t_loss = torch.mean((h @ t["w2"] + t["b2"] - torch.tensor(y)) ** 2)
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    for k in params:
        assert relative_error(grads[k], t[k].grad.numpy()) < 1e-12


def test_he_initialisation_has_variance_two_over_fan_in():
    rng = np.random.default_rng(11)
    draws = [exams.init_params(rng, n_in=3, hidden=5) for _ in range(4000)]
    w1 = np.concatenate([d["w1"].ravel() for d in draws])  # 60 000 samples
    w2 = np.concatenate([d["w2"].ravel() for d in draws])  # 20 000 samples
    assert np.var(w1) == pytest.approx(2 / 3, rel=0.03)
    assert np.var(w2) == pytest.approx(2 / 5, rel=0.05)
    assert abs(np.mean(w1)) < 0.02
    assert all(not d["b1"].any() and not d["b2"].any() for d in draws)
    assert draws[0]["w1"].shape == (3, 5)
    assert draws[0]["w2"].shape == (5, 1)


def test_divided_initialisation_is_n_in_over_two_times_too_large():
    he = exams.init_params(np.random.default_rng(5))
    divided = exams.init_params_divided(np.random.default_rng(5))
    np.testing.assert_allclose(divided["w1"], he["w1"] * 3 / 2, rtol=1e-14)
    np.testing.assert_allclose(divided["w2"], he["w2"] * 5 / 2, rtol=1e-14)


def test_least_squares_matches_the_published_fit():
    scores = load_exams()
    coef = exams.least_squares(scores[:, :3], scores[:, 3])
    np.testing.assert_allclose(coef, [-4.336, 0.3559, 0.5425, 1.1674], atol=6e-4)
    np.testing.assert_allclose(coef[1:], [0.35594, 0.54252, 1.16744], atol=6e-6)


def test_leave_one_out_least_squares_matches_the_hat_matrix_shortcut():
    # for least squares, the left-out residual is e_n / (1 - h_nn), h = X (X^T X)^-1 X^T
    scores = load_exams()
    design = np.column_stack([np.ones(25), scores[:, :3]])
    hat = design @ np.linalg.solve(design.T @ design, design.T)
    residual = scores[:, 3] - hat @ scores[:, 3]
    expected = scores[:, 3] - residual / (1 - np.diag(hat))
    np.testing.assert_allclose(exams.loo_least_squares(scores), expected, rtol=1e-10)


def test_stacked_loss_is_the_sum_of_each_networks_loss_on_its_rows(data):
    x, y = data
    rng = np.random.default_rng(2)
    nets = [exams.init_params(rng) for _ in range(4)]
    for net in nets:
        net["b1"] = 0.1 * rng.standard_normal(5)
    stacked = {k: np.stack([net[k] for net in nets]) for k in nets[0]}
    mask = (rng.uniform(size=(4, 25)) < 0.7).astype(float)
    loss, grads = exams.stacked_loss_and_grads(stacked, x, y, mask=mask)
    total = 0.0
    for m, net in enumerate(nets):
        rows = mask[m] == 1
        loss_m, grads_m = exams.loss_and_grads(net, x[rows], y[rows])
        total += loss_m
        for k in net:
            assert relative_error(grads[k][m], grads_m[k]) < 1e-12
    assert loss == pytest.approx(total, rel=1e-12)
    with pytest.raises(ValueError, match=r"mask must have shape \(4, 25\); got \(25, 25\)"):
        exams.stacked_loss_and_grads(stacked, x, y, mask=np.ones((25, 25)))


def test_loo_network_equals_separate_runs_and_is_reproducible():
    scores = load_exams()
    x, y = exams.scale(scores)
    predicted = exams.loo_network(scores, seed=3, epochs=200, lr=0.1)
    start = exams.init_params(np.random.default_rng(3))
    for n in [0, 13, 24]:
        keep = np.arange(25) != n
        history = gradient_descent(
            exams.loss_and_grads, start, x[keep], y[keep], lr=0.1, epochs=200
        )
        alone = exams.forward(history.params, x[n : n + 1])[0, 0] * 200
        assert predicted[n] == pytest.approx(alone, rel=1e-12)
    np.testing.assert_array_equal(exams.loo_network(scores, seed=3, epochs=200, lr=0.1), predicted)
    assert not np.allclose(exams.loo_network(scores, seed=4, epochs=200, lr=0.1), predicted)


def test_run_reports_consistent_errors(result):
    scores = load_exams()
    diff = result.loo_net - scores[:, 3]
    assert result.rmse_net == pytest.approx(np.sqrt(np.mean(diff**2)), rel=1e-15)
    assert result.mae_ols == pytest.approx(np.mean(np.abs(result.loo_ols - scores[:, 3])))
    assert result.losses.shape == (exams.EPOCHS,)
    assert result.losses[-1] < 1e-3 < result.losses[0]
    # fitting on all students must beat predicting each one left out
    assert np.sqrt(np.mean((result.fitted - scores[:, 3]) ** 2)) < result.rmse_net


def test_scale_and_errors_name_bad_shapes():
    with pytest.raises(ValueError, match=r"scores must have shape \(N, 4\).*got \(25, 3\)"):
        exams.scale(np.ones((25, 3)))
    with pytest.raises(ValueError, match=r"y_hat has shape \(25,\) but target y has shape \(24,\)"):
        exams.errors_in_points(np.ones(25), np.ones(24))


def test_cli_prints_the_books_numbers(cli, result):
    status, out, calls = cli
    assert status == 0
    # the book calls run() with the module's defaults; so does the command line
    assert [kwargs for kwargs, _ in calls] == [
        {"seed": exams.SEED, "epochs": exams.EPOCHS, "lr": exams.LR, "hidden": exams.HIDDEN}
    ]
    assert f"first {result.losses[0]:.6f}, last {result.losses[-1]:.6f}" in out
    assert f"network        RMSE {result.rmse_net:.3f}  MAE {result.mae_net:.3f}" in out
    assert f"least squares  RMSE {result.rmse_ols:.3f}  MAE {result.mae_ols:.3f}" in out


def test_run_is_reproducible_in_its_cheap_parts(result):
    again = exams.run(epochs=1)
    assert again.losses[0] == result.losses[0]
    np.testing.assert_array_equal(again.loo_ols, result.loo_ols)


def test_cli_saves_the_figure(tmp_path, capsys):
    path = tmp_path / "exams.png"
    assert exams.main(["--epochs", "5", "--plot", str(path)]) == 0
    assert path.stat().st_size > 1000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lr", "nan"], "--lr: expected a finite number > 0, got 'nan'"),
        (["--hidden", "0"], "--hidden: expected a whole number >= 1, got '0'"),
        (["--seed", "-1"], "--seed: expected a whole number >= 0, got '-1'"),
    ],
)
def test_cli_bad_values_are_one_line_errors(args, message, capsys):
    with pytest.raises(SystemExit) as stop:
        exams.main(args)
    assert stop.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert message in err
