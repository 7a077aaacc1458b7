"""The XOR chapter: the model, its seed-axis twin, the loops, the experiment and the CLI."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from scratchnn import xor, xor_loops
from scratchnn import xor_batched as xb
from scratchnn.data import xor_data
from scratchnn.gradcheck import check_gradients

NAMES = ["sigmoid", "relu", "identity", "tanh"]


def random_params(rng, hidden):
    """Random weights and biases: nonzero biases keep ReLU kinks away from the data."""
    return {
        "w1": rng.standard_normal((2, hidden)),
        "b1": rng.standard_normal(hidden),
        "w2": rng.standard_normal((hidden, 1)),
        "b2": rng.standard_normal(1),
    }


@pytest.fixture(scope="module")
def book_run():
    return xor.run()


# --- gradients -----------------------------------------------------------


@pytest.mark.parametrize("activation", NAMES)
@pytest.mark.parametrize("output", NAMES)
@pytest.mark.parametrize("hidden", [1, 3, 10])
def test_gradients_match_central_differences(activation, output, hidden):
    rng = np.random.default_rng(hidden)
    x, y = xor_data()
    for _ in range(2):
        x_random = rng.uniform(-1.0, 2.0, size=(5, 2))  # also off the four corners
        y_random = rng.uniform(0.0, 1.0, size=(5, 1))
        params = random_params(rng, hidden)
        for xs, ys in [(x, y), (x_random, y_random)]:
            errors = check_gradients(
                xor.loss_and_grads, params, xs, ys, activation=activation, output=output
            )
            assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("activation", NAMES)
def test_cross_entropy_gradients_match_central_differences(activation):
    rng = np.random.default_rng(11)
    x, y = xor_data()
    params = random_params(rng, 4)
    errors = check_gradients(
        xor.loss_and_grads, params, x, y, activation=activation, loss="cross_entropy"
    )
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.torch
@pytest.mark.parametrize("activation", NAMES)
@pytest.mark.parametrize("output", NAMES)
def test_gradients_match_torch_autograd(activation, output):
    torch = pytest.importorskip("torch")
    fn = {"sigmoid": torch.sigmoid, "relu": torch.relu, "identity": lambda t: t, "tanh": torch.tanh}
    x, y = xor_data()
    params = random_params(np.random.default_rng(7), 6)
    loss, grads = xor.loss_and_grads(params, x, y, activation=activation, output=output)
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    h = fn[activation](torch.tensor(x) @ t["w1"] + t["b1"])
    t_loss = ((fn[output](h @ t["w2"] + t["b2"]) - torch.tensor(y)) ** 2).sum()
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-13)
    for k in params:
        np.testing.assert_allclose(grads[k], t[k].grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.torch
def test_cross_entropy_matches_torch_binary_cross_entropy():
    torch = pytest.importorskip("torch")
    x, y = xor_data()
    params = random_params(np.random.default_rng(8), 5)
    params["b2"] = np.array([30.0])  # a saturated output: the loss must stay finite and exact
    loss, grads = xor.loss_and_grads(params, x, y, loss="cross_entropy")
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    z2 = torch.sigmoid(torch.tensor(x) @ t["w1"] + t["b1"]) @ t["w2"] + t["b2"]
    t_loss = torch.nn.functional.binary_cross_entropy_with_logits(
        z2, torch.tensor(y), reduction="sum"
    )
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    for k in params:
        np.testing.assert_allclose(grads[k], t[k].grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("activation", NAMES)
@pytest.mark.parametrize("output", NAMES)
def test_loop_and_vectorised_gradients_agree(activation, output):
    rng = np.random.default_rng(3)
    x, y = xor_data()
    for hidden in [1, 10]:
        params = random_params(rng, hidden)
        loss, grads = xor.loss_and_grads(params, x, y, activation=activation, output=output)
        loss_loop, grads_loop = xor_loops.loss_and_grads_loop(
            params, x, y, activation=activation, output=output
        )
        assert loss_loop == pytest.approx(loss, rel=1e-12)
        for k in params:
            np.testing.assert_allclose(grads_loop[k], grads[k], rtol=1e-12, atol=1e-13)


# --- the seed axis -----------------------------------------------------------


@pytest.mark.parametrize("activation", NAMES)
def test_batched_loss_and_grads_are_the_single_networks_stacked(activation):
    rng = np.random.default_rng(5)
    x, y = xor_data()
    networks = [random_params(rng, 4) for _ in range(3)]
    losses, grads = xb.loss_and_grads(xb.stack(networks), x, y, activation=activation)
    assert losses.shape == (3,)
    for s, params in enumerate(networks):
        loss, single = xor.loss_and_grads(params, x, y, activation=activation)
        assert losses[s] == pytest.approx(loss, rel=1e-13)
        for k in params:
            np.testing.assert_allclose(grads[k][s], single[k], rtol=1e-12, atol=1e-15)


def test_batched_training_reproduces_run_seed_by_seed():
    x, y = xor_data()
    rates = np.array([0.5, 2.0, 0.1])
    history = xb.train(
        xb.init_params_seeds([0, 1, 2], 6), x, y, lr=rates, epochs=300, activation="relu"
    )
    assert history.losses.shape == (3, 300)
    for s, lr in enumerate(rates):
        single = xor.run(seed=s, hidden=6, lr=float(lr), epochs=300, activation="relu")
        np.testing.assert_allclose(history.losses[s], single.history.losses, rtol=1e-10, atol=1e-14)
        for k in single.history.params:
            np.testing.assert_allclose(
                history.params[k][s], single.history.params[k], rtol=1e-9, atol=1e-12
            )


def test_batched_training_does_not_mutate_and_lets_a_diverging_row_diverge():
    x, y = xor_data()
    start = xb.init_params_seeds([0, 0])
    copy = {k: v.copy() for k, v in start.items()}
    history = xb.train(
        start, x, y, lr=np.array([0.01, 50.0]), epochs=300, activation="identity", output="identity"
    )
    for k in start:
        np.testing.assert_array_equal(start[k], copy[k])
    assert history.losses[0, -1] == pytest.approx(1.0, abs=1e-3)  # the least-squares plane
    assert not np.isfinite(history.losses[1, -1])


def test_epochs_to_reach():
    losses = np.array([[3.0, 0.2, 0.04, 0.01], [3.0, 2.0, 1.0, 0.5]])
    np.testing.assert_array_equal(xb.epochs_to_reach(losses, 0.05), [2.0, np.inf])
    with pytest.raises(ValueError, match=r"losses must have shape \(S, epochs\)"):
        xb.epochs_to_reach(np.zeros(3), 0.05)


def test_batched_dead_agrees_with_is_dead():
    x, _ = xor_data()
    stacked = xb.init_params_seeds(range(40))
    flags = xb.dead(stacked, x)
    expected = [xor.is_dead(xor.init_params(np.random.default_rng(s)), x) for s in range(40)]
    np.testing.assert_array_equal(flags, expected)
    assert 0 < flags.sum() < 40


def test_batched_bad_input_is_named():
    x, y = xor_data()
    stacked = xb.init_params_seeds([0, 1])
    with pytest.raises(ValueError, match=r"lr must be one number or 2 finite numbers > 0"):
        xb.train(stacked, x, y, lr=np.array([0.5, 0.5, 0.5]), epochs=2)
    with pytest.raises(ValueError, match=r"lr must be one number or 2 finite numbers > 0"):
        xb.train(stacked, x, y, lr=np.array([0.5, -1.0]), epochs=2)
    with pytest.raises(ValueError, match=r"params\['b1'\] must have shape \(S, H\) with S = 2"):
        xb.loss_and_grads({**stacked, "b1": np.zeros((3, 10))}, x, y)
    with pytest.raises(ValueError, match="networks is empty"):
        xb.stack([])


# --- the deliberately wrong pass ---------------------------------------------


def test_stale_epoch_is_a_gradient_step_only_to_first_order():
    x, y = xor_data()
    start = xb.init_params_seeds(range(5))
    _, grads = xb.loss_and_grads(start, x, y)
    gaps = []
    for lr in [1e-2, 1e-3]:
        loss, after = xor_loops.stale_epoch(start, x, y, lr=lr)
        np.testing.assert_allclose(loss, xb.loss_and_grads(start, x, y)[0], rtol=1e-14)
        gaps.append(max(np.max(np.abs(after[k] - (start[k] - lr * grads[k]))) for k in start))
    assert gaps[1] > 0
    # the departure from the gradient step shrinks like lr^2: ten times smaller lr, 100 times
    assert gaps[0] / gaps[1] == pytest.approx(100, rel=0.1)


def test_stale_epoch_with_one_example_and_a_fixed_output_layer_is_one_gradient_step():
    # with one example nothing is stale; with w2 = 0 the new w2 differs from the old one,
    # so compare only the output layer, which uses nothing updated before it
    x, y = np.array([[1.0, 0.5]]), np.array([[1.0]])
    start = xb.stack([random_params(np.random.default_rng(1), 3)])
    _, grads = xb.loss_and_grads(start, x, y)
    _, after = xor_loops.stale_epoch(start, x, y, lr=0.3)
    for k in ["w2", "b2"]:
        np.testing.assert_allclose(after[k], start[k] - 0.3 * grads[k], rtol=1e-13)
    assert not np.allclose(after["w1"], start["w1"] - 0.3 * grads["w1"], rtol=1e-6)


# --- model contract --------------------------------------------------------


def test_init_params_shapes_scale_and_determinism():
    params = xor.init_params(np.random.default_rng(0), 4)
    assert {k: v.shape for k, v in params.items()} == {
        "w1": (2, 4),
        "b1": (4,),
        "w2": (4, 1),
        "b2": (1,),
    }
    again = xor.init_params(np.random.default_rng(0), 4)
    for k in params:
        np.testing.assert_array_equal(params[k], again[k])
    assert not params["b1"].any() and not params["b2"].any()
    big = xor.init_params(np.random.default_rng(1), 20_000)
    assert np.std(big["w1"]) == pytest.approx(1.0, rel=0.02)  # He: 2 / fan_in, fan_in = 2
    assert np.std(big["w2"]) == pytest.approx(np.sqrt(2 / 20_000), rel=0.02)


@pytest.mark.parametrize(
    ("hidden", "error", "message"),
    [
        (0, ValueError, "hidden must be a whole number >= 1 and <= 10,000,000, got 0"),
        (2.0, TypeError, "hidden must be a whole number >= 1 and <= 10,000,000, got 2.0"),
        (True, TypeError, "hidden must be a whole number >= 1 and <= 10,000,000, got True"),
    ],
)
def test_init_params_rejects_bad_hidden(hidden, error, message):
    with pytest.raises(error) as info:
        xor.init_params(np.random.default_rng(0), hidden)
    assert str(info.value) == message


def test_init_params_wants_a_generator():
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator .* got int"):
        xor.init_params(0)


def test_loss_and_grads_does_not_mutate_params():
    params = random_params(np.random.default_rng(0), 3)
    copy = {k: v.copy() for k, v in params.items()}
    x, y = xor_data()
    xor.loss_and_grads(params, x, y)
    xor_loops.loss_and_grads_loop(params, x, y)
    xor_loops.stale_epoch(xb.stack([params]), x, y, lr=0.5)
    for k in params:
        np.testing.assert_array_equal(params[k], copy[k])


def test_lists_and_ints_are_accepted_as_arrays():
    params = random_params(np.random.default_rng(0), 2)
    x, y = xor_data()
    as_lists = {k: v.tolist() for k, v in params.items()}
    loss, _ = xor.loss_and_grads(as_lists, x.astype(int).tolist(), y.astype(int))
    assert loss == xor.loss_and_grads(params, x, y)[0]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda p, x, y: xor.loss_and_grads(p, x, y[:, 0]),
            "y must have shape (N, 1) with N = 4, got (4,)",
        ),
        (lambda p, x, y: xor.forward(p, np.zeros((4, 3))), "x must have shape (N, 2), got (4, 3)"),
        (
            lambda p, x, y: xor.loss_and_grads({**p, "w2": np.zeros(3)}, x, y),
            "params['w2'] must have shape (H, 1) with H = 3, got (3,) "
            "(the model wants w1 (2, H), b1 (H,), w2 (H, 1), b2 (1,))",
        ),
        (
            lambda p, x, y: xor.forward({k: v for k, v in p.items() if k != "b2"}, x),
            "params must have exactly w1 (2, H), b1 (H,), w2 (H, 1), b2 (1,); missing 'b2'",
        ),
        (
            lambda p, x, y: xor.loss_and_grads(p, x, y, activation="softplus"),
            "activation must be one of 'identity', 'relu', 'sigmoid', 'tanh', got 'softplus'",
        ),
        (
            lambda p, x, y: xor.loss_and_grads(p, x, y, output="relu", loss="cross_entropy"),
            "loss 'cross_entropy' needs output 'sigmoid', got output 'relu'",
        ),
        (
            lambda p, x, y: xor_loops.loss_and_grads_loop(p, x, y[:3]),
            "y must have shape (N, 1) with N = 4, got (3, 1)",
        ),
        (
            lambda p, x, y: xor.forward(p, [[0.0, np.nan]]),
            "x must hold only finite numbers, got nan at index (0, 1)",
        ),
    ],
)
def test_bad_input_is_named_exactly(call, message):
    params = random_params(np.random.default_rng(0), 3)
    x, y = xor_data()
    with pytest.raises((ValueError, TypeError)) as info:
        call(params, x, y)
    assert str(info.value) == message


# --- the chapter's experiments -----------------------------------------------


def test_book_run_recovers_the_truth_table(book_run):
    _, y = xor_data()
    # L < 0.25 forces |y_hat - y| < 0.5 on every row, so rounding gives y
    assert book_run.final_loss < 0.25
    np.testing.assert_array_equal(np.round(book_run.predictions), y)
    assert book_run.history.losses.shape == (xor.BOOK.epochs,)
    assert np.all(np.diff(book_run.history.losses) < 0)
    start = xor.init_params(np.random.default_rng(xor.BOOK.seed))
    for k in start:
        np.testing.assert_array_equal(book_run.start[k], start[k])


def test_identity_network_is_stuck_at_the_least_squares_loss():
    result = xor.run(activation="identity", output="identity", lr=0.01)
    assert result.final_loss == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(result.predictions, 0.5, atol=1e-6)
    # the same value from an independent solver: least squares on [x, 1]
    x, y = xor_data()
    design = np.column_stack([x, np.ones(4)])
    _, residual, _, _ = np.linalg.lstsq(design, y, rcond=None)
    assert residual[0] == pytest.approx(1.0, abs=1e-12)


def test_dead_relu_output_has_exactly_zero_gradients():
    x, y = xor_data()
    params = xor.init_params(np.random.default_rng(1))  # the chapter's dead seed
    assert xor.is_dead(params, x, activation="relu")
    loss, grads = xor.loss_and_grads(params, x, y, activation="relu", output="relu")
    assert loss == 2.0
    for k in grads:
        assert np.all(grads[k] == 0.0), k
    result = xor.run(seed=1, activation="relu", output="relu", lr=0.01, epochs=50)
    assert np.all(result.history.losses == 2.0)
    for k in params:
        np.testing.assert_array_equal(result.history.params[k], params[k])


def test_a_live_relu_output_is_not_reported_dead():
    x, y = xor_data()
    params = {**xor.init_params(np.random.default_rng(1)), "b2": np.array([0.5])}
    assert not xor.is_dead(params, x, activation="relu")
    _, grads = xor.loss_and_grads(params, x, y, activation="relu", output="relu")
    assert grads["b2"][0] != 0.0


def test_all_zero_weights_are_a_standstill_on_xor():
    x, y = xor_data()
    zeros = {k: np.zeros_like(v) for k, v in xb.init_params_seeds([0]).items()}
    for activation in ["sigmoid", "relu"]:
        losses, grads = xb.loss_and_grads(zeros, x, y, activation=activation)
        assert losses[0] == 1.0  # y_hat = 1/2 everywhere
        for k in grads:
            assert np.all(grads[k] == 0.0), (activation, k)


def test_a_symmetric_start_keeps_the_hidden_units_identical():
    x, y = xor_data()
    he = xb.init_params_seeds(range(4))
    symmetric = {
        "w1": np.repeat(he["w1"][:, :, :1], 10, axis=2),  # every unit a copy of unit 0
        "b1": np.zeros((4, 10)),
        "w2": np.repeat(he["w2"][:, :1], 10, axis=1),
        "b2": np.zeros((4, 1)),
    }
    history = xb.train(symmetric, x, y, lr=0.5, epochs=500)
    assert np.ptp(history.params["w1"], axis=2).max() < 1e-8
    assert np.ptp(history.params["w2"], axis=1).max() < 1e-8
    assert np.abs(history.params["w2"] - symmetric["w2"]).max() > 0.1  # it did move
    assert history.losses[:, -1].min() > 0.5  # and, one unit in effect, did not solve XOR


def test_truth_table_and_summary(book_run):
    x, y = xor_data()
    lines = xor.truth_table(x, y, np.array([[0.1], [0.9], [0.6], [0.4]]))
    assert lines[1:] == [
        " 0   0 |   0 | 0.1000        0",
        " 0   1 |   1 | 0.9000        1",
        " 1   0 |   1 | 0.6000        1",
        " 1   1 |   0 | 0.4000        0",
    ]
    assert xor.summary(book_run) == [
        f"final loss {book_run.final_loss:.6g}",
        *xor.truth_table(x, y, book_run.predictions),
    ]


def test_figures_are_returned_with_a_boundary_only_when_there_is_one(book_run):
    fig = xor.figure_decision_boundary(book_run, title="trained")
    assert isinstance(fig, Figure)
    assert len(fig.axes[0].collections) >= 4  # surface, contour, two sets of points
    flat = {k: np.zeros_like(v) for k, v in book_run.start.items()}
    assert len(xor.figure_output_surface(flat).axes[0].collections) == 3  # no contour


# --- the program -------------------------------------------------------------


def test_main_prints_the_books_summary(capsys, book_run):
    assert xor.main([]) == 0
    assert capsys.readouterr().out.splitlines() == xor.summary(book_run)


def test_main_passes_the_options_and_saves_the_plot(capsys, tmp_path):
    path = tmp_path / "xor.png"
    argv = ["--activation", "tanh", "--output", "identity", "--hidden", "3", "--lr", "0.02"]
    assert xor.main([*argv, "--epochs", "30", "--seed", "5", "--plot", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    expected = xor.run(seed=5, hidden=3, lr=0.02, epochs=30, activation="tanh", output="identity")
    assert out == [*xor.summary(expected), f"figure saved to {path}"]
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_main_reports_divergence_in_one_line(capsys):
    assert xor.main(["--activation", "identity", "--output", "identity", "--lr", "1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("python -m scratchnn.xor: error: loss became inf at epoch")
    assert "lr=1" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (["--hidden", "0"], "argument --hidden: expected a whole number >= 1 and <= 100,000"),
        (["--hidden", "200000"], "argument --hidden: expected a whole number >= 1 and <= 100,000"),
        (["--activation", "softplus"], "argument --activation: invalid choice: 'softplus'"),
        (["--lr", "-1"], "argument --lr: expected a finite number > 0, got '-1'"),
    ],
)
def test_main_rejects_bad_values_in_one_line(bad, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        xor.main(bad)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"python -m scratchnn.xor: error: {message}")


def test_main_rejects_cross_entropy_without_a_sigmoid_output(capsys):
    assert xor.main(["--loss", "cross_entropy", "--output", "relu"]) == 2
    assert capsys.readouterr().err == (
        "python -m scratchnn.xor: error: loss 'cross_entropy' needs output 'sigmoid', "
        "got output 'relu'\n"
    )


def test_sweep_finds_the_best_rate_and_counts_failures():
    sweep = xb.sweep(np.array([0.5, 2.0, 64.0]), range(4), epochs=400, activation="relu")
    assert sweep.needed.shape == sweep.final.shape == (3, 4)
    solved = sweep.solved()
    assert solved[-1] == 0.0 and np.all(np.isinf(sweep.needed[-1]))  # far too large a rate
    assert solved[sweep.best()] == solved.max()
    single = xor.run(seed=2, lr=0.5, epochs=400, activation="relu").history.losses
    expected = xb.epochs_to_reach(single[None, :], 0.05)[0]
    assert sweep.needed[0, 2] == expected
