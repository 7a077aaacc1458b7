"""scratchnn.exams: gradients, initialisation, least squares, cross-validation, CLI."""

import numpy as np
import pytest

from scratchnn import exams, exams_cv
from scratchnn.data import load_exams
from scratchnn.gradcheck import check_gradients, relative_error
from scratchnn.train import gradient_descent


@pytest.fixture(scope="module")
def data():
    return exams.scale(load_exams())


@pytest.fixture(scope="module")
def result():
    """A short version of the book's experiment (the full one runs in the book)."""
    return exams.run(epochs=3000, starts=2)


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
    coef = exams_cv.least_squares(scores[:, :3], scores[:, 3])
    np.testing.assert_allclose(coef, [-4.336, 0.3559, 0.5425, 1.1674], atol=6e-4)
    np.testing.assert_allclose(coef[1:], [0.35594, 0.54252, 1.16744], atol=6e-6)


def test_leave_one_out_least_squares_matches_the_hat_matrix_shortcut():
    # for least squares, the left-out residual is e_n / (1 - h_nn), h = X (X^T X)^-1 X^T
    scores = load_exams()
    design = np.column_stack([np.ones(25), scores[:, :3]])
    hat = design @ np.linalg.solve(design.T @ design, design.T)
    residual = scores[:, 3] - hat @ scores[:, 3]
    expected = scores[:, 3] - residual / (1 - np.diag(hat))
    np.testing.assert_allclose(exams_cv.loo_least_squares(scores), expected, rtol=1e-10)


def test_stacked_loss_is_the_sum_of_each_networks_loss_on_its_rows(data):
    x, y = data
    rng = np.random.default_rng(2)
    nets = [exams.init_params(rng) for _ in range(4)]
    for net in nets:
        net["b1"] = 0.1 * rng.standard_normal(5)
    stacked = {k: np.stack([net[k] for net in nets]) for k in nets[0]}
    mask = (rng.uniform(size=(4, 25)) < 0.7).astype(float)
    loss, grads = exams_cv.stacked_loss_and_grads(stacked, x, y, mask=mask)
    total = 0.0
    for m, net in enumerate(nets):
        rows = mask[m] == 1
        loss_m, grads_m = exams.loss_and_grads(net, x[rows], y[rows])
        total += loss_m
        for k in net:
            assert relative_error(grads[k][m], grads_m[k]) < 1e-12
    assert loss == pytest.approx(total, rel=1e-12)
    with pytest.raises(
        ValueError, match=r"mask must have shape \(M, N\) with M = 4, N = 25, got \(25, 25\)"
    ):
        exams_cv.stacked_loss_and_grads(stacked, x, y, mask=np.ones((25, 25)))


def test_compare_equals_separate_runs_for_every_start_and_fold():
    scores = load_exams()
    x, y = exams.scale(scores)
    c = exams_cv.compare(scores, seed=3, starts=2, epochs=200, lr=0.1)
    rng = np.random.default_rng(3)
    for s in range(2):
        start = exams.init_params(rng)
        full = gradient_descent(exams.loss_and_grads, start, x, y, lr=0.1, epochs=200)
        np.testing.assert_allclose(
            c.net_fitted[s], exams.forward(full.params, x)[:, 0] * 200, rtol=1e-11
        )
        assert c.live[s] == exams.live_units(full.params, x)
        for n in [0, 13, 24]:
            keep = np.arange(25) != n
            alone = gradient_descent(
                exams.loss_and_grads, start, x[keep], y[keep], lr=0.1, epochs=200
            )
            expected = exams.forward(alone.params, x[n : n + 1])[0, 0] * 200
            assert c.net_left_out[s, n] == pytest.approx(expected, rel=1e-11)
    again = exams_cv.compare(scores, seed=3, starts=2, epochs=200, lr=0.1)
    np.testing.assert_array_equal(again.net_left_out, c.net_left_out)


def test_standardised_compare_uses_each_folds_own_statistics():
    scores = load_exams()
    c = exams_cv.compare(scores, seed=1, starts=1, epochs=50, lr=0.1, standardise=True)
    start = exams.init_params(np.random.default_rng(1))
    keep = np.arange(25) != 7
    x, y = exams.scale(scores, standardise=True, rows=keep)
    alone = gradient_descent(exams.loss_and_grads, start, x[keep], y[keep], lr=0.1, epochs=50)
    expected = exams.forward(alone.params, x[7:8])[0, 0] * 200
    assert c.net_left_out[0, 7] == pytest.approx(expected, rel=1e-11)
    # the left-out student does not enter its fold's statistics
    x_all, _ = exams.scale(scores, standardise=True)
    assert not np.allclose(x_all, x)


def test_live_units_counts_units_active_for_some_student(data):
    x, _ = data
    params = exams.init_params(np.random.default_rng(0))
    z1 = x @ params["w1"]
    assert exams.live_units(params, x) == int((z1 > 0).any(axis=0).sum())
    stacked = exams_cv.stack_starts(np.random.default_rng(0), 3)
    assert exams.live_units(stacked, x)[0] == exams.live_units(params, x)
    assert exams.live_units({"w1": -np.ones((3, 5)), "b1": np.zeros(5)}, x) == 0
    assert exams.live_units({"w1": -np.ones((3, 5)), "b1": np.full(5, 3.0)}, x) == 5


def test_run_reports_consistent_errors(result):
    c = result.comparison
    scores = load_exams()
    diff = c.net_left_out - scores[:, 3]
    np.testing.assert_allclose(c.net_loo[0], np.sqrt(np.mean(diff**2, axis=1)), rtol=1e-15)
    assert c.ols_loo[1] == pytest.approx(np.mean(np.abs(c.ols_left_out - scores[:, 3])))
    assert result.history.losses.shape == (3000,)
    # the book's single run is start 0 of the comparison, trained on all students
    x, _ = exams.scale(scores)
    fitted = exams.forward(result.history.params, x)[:, 0] * 200
    np.testing.assert_allclose(c.net_fitted[0], fitted, rtol=1e-10)
    # least squares: the training error is the smallest any line can reach
    assert c.ols_train[0] < c.ols_loo[0]
    assert c.net_left_out.shape == (2, 25)


def test_least_squares_training_error_matches_numpy_lstsq():
    scores = load_exams()
    design = np.column_stack([np.ones(25), scores[:, :3]])
    _coef, residual, *_ = np.linalg.lstsq(design, scores[:, 3], rcond=None)
    fitted = exams_cv.least_squares_predict(
        exams_cv.least_squares(scores[:, :3], scores[:, 3]), scores[:, :3]
    )
    rmse, _ = exams_cv.errors_in_points(fitted, scores[:, 3])
    assert rmse == pytest.approx(np.sqrt(residual[0] / 25), rel=1e-12)


def test_bad_inputs_name_the_argument_and_the_shapes(data):
    x, y = data
    params = exams.init_params(np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"^scores must have shape \(N, 4\), got \(25, 3\)$"):
        exams.scale(np.ones((25, 3)))
    with pytest.raises(ValueError, match=r"^x must have shape \(N, D\) with D = 3, got \(25, 4\)$"):
        exams.forward(params, np.ones((25, 4)))
    with pytest.raises(
        ValueError, match=r"^y must have shape \(N, K\) with N = 25, K = 1, got \(25,\)$"
    ):
        exams.loss_and_grads(params, x, y[:, 0])
    with pytest.raises(ValueError, match=r"missing 'b2'"):
        exams.forward({k: v for k, v in params.items() if k != "b2"}, x)
    with pytest.raises(TypeError, match=r"^rng must be a numpy.random.Generator"):
        exams.init_params(0)
    with pytest.raises(ValueError, match=r"^hidden must be a whole number >= 1, got 0$"):
        exams.init_params(np.random.default_rng(0), hidden=0)
    with pytest.raises(
        ValueError, match=r"^predicted has shape \(25,\) but actual has shape \(24,\)"
    ):
        exams_cv.errors_in_points(np.ones(25), np.ones(24))
    with pytest.raises(ValueError, match=r"^x must hold only finite numbers"):
        exams.forward(params, np.full((2, 3), np.inf))


def test_nothing_is_mutated(data):
    x, y = data
    params = exams.init_params(np.random.default_rng(0))
    before = {k: v.copy() for k, v in params.items()}
    x0 = x.copy()
    exams.loss_and_grads(params, x, y)
    exams.live_units(params, x)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
    np.testing.assert_array_equal(x, x0)


def test_summary_prints_both_models_numbers(result):
    lines = exams.summary(result)
    c = result.comparison
    assert f"{c.ols_train[0]:13.3f} {c.ols_train[1]:5.2f} {c.ols_loo[0]:15.3f}" in lines[2]
    assert len(lines) == 3 + c.starts
    assert f"live units {c.live[1]}" in lines[-1]


def test_book_defaults_and_lab_sheet():
    assert exams.LAB_SHEET.epochs == 30 and exams.LAB_SHEET.lr == 0.01
    assert exams.LAB_SHEET.seed == exams.BOOK.seed


def test_cli_saves_the_figure(tmp_path, capsys):
    path = tmp_path / "exams.png"
    assert exams.main(["--epochs", "5", "--starts", "1", "--plot", str(path)]) == 0
    assert path.stat().st_size > 1000
    out = capsys.readouterr().out
    assert "least squares" in out and f"figure saved to {path}" in out


def test_cli_huge_learning_rate_is_one_line(capsys):
    assert exams.main(["--lr", "100", "--epochs", "50", "--starts", "1"]) in (0, 1)
    _, err = capsys.readouterr()
    assert "Traceback" not in err and len(err.splitlines()) <= 1
