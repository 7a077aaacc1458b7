"""The XOR network: gradients, the four experiments of the chapter, the loop reference, the CLI."""

import numpy as np
import pytest

from scratchnn import xor
from scratchnn.data import xor_data
from scratchnn.gradcheck import check_gradients

NAMES = ["sigmoid", "relu", "identity"]


def random_params(rng, hidden):
    """Random weights and biases: nonzero biases keep ReLU kinks away from the data."""
    return {
        "w1": rng.standard_normal((2, hidden)),
        "b1": rng.standard_normal(hidden),
        "w2": rng.standard_normal((hidden, 1)),
        "b2": rng.standard_normal(1),
    }


@pytest.fixture(scope="module")
def sigmoid_run():
    return xor.run()


@pytest.mark.parametrize("activation", NAMES)
@pytest.mark.parametrize("output", NAMES)
@pytest.mark.parametrize("hidden", [1, 3, 10])
def test_gradients_match_central_differences(activation, output, hidden):
    rng = np.random.default_rng(hidden)
    x, y = xor_data()
    for _ in range(3):
        x_random = rng.uniform(-1.0, 2.0, size=(5, 2))  # also off the four corners
        y_random = rng.uniform(0.0, 1.0, size=(5, 1))
        params = random_params(rng, hidden)
        for xs, ys in [(x, y), (x_random, y_random)]:
            errors = check_gradients(
                xor.loss_and_grads, params, xs, ys, activation=activation, output=output
            )
            assert max(errors.values()) < 1e-6, errors


@pytest.mark.torch
@pytest.mark.parametrize("activation", NAMES)
@pytest.mark.parametrize("output", NAMES)
def test_gradients_match_torch_autograd(activation, output):
    torch = pytest.importorskip("torch")
    fn = {"sigmoid": torch.sigmoid, "relu": torch.relu, "identity": lambda t: t}
    rng = np.random.default_rng(7)
    x, y = xor_data()
    params = random_params(rng, 6)
    loss, grads = xor.loss_and_grads(params, x, y, activation=activation, output=output)
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    h = fn[activation](torch.tensor(x) @ t["w1"] + t["b1"])
    t_loss = ((fn[output](h @ t["w2"] + t["b2"]) - torch.tensor(y)) ** 2).sum()
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-13)
    for k in params:
        np.testing.assert_allclose(grads[k], t[k].grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("activation", NAMES)
@pytest.mark.parametrize("output", NAMES)
def test_loop_and_vectorised_gradients_agree(activation, output):
    rng = np.random.default_rng(3)
    x, y = xor_data()
    for hidden in [1, 10]:
        params = random_params(rng, hidden)
        loss, grads = xor.loss_and_grads(params, x, y, activation=activation, output=output)
        loss_loop, grads_loop = xor.loss_and_grads_loop(
            params, x, y, activation=activation, output=output
        )
        assert loss_loop == pytest.approx(loss, rel=1e-12)
        for k in params:
            np.testing.assert_allclose(grads_loop[k], grads[k], rtol=1e-12, atol=1e-13)


def test_loop_reference_is_the_books_default_model():
    x, y = xor_data()
    params = xor.init_params(np.random.default_rng(xor.SEED))
    loss, grads = xor.loss_and_grads(params, x, y)
    loss_loop, grads_loop = xor.loss_and_grads_loop(params, x, y)
    assert loss_loop == pytest.approx(loss, rel=1e-12)
    for k in grads:
        np.testing.assert_allclose(grads_loop[k], grads[k], rtol=1e-12, atol=1e-13)


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


@pytest.mark.parametrize("hidden", [0, -1, 2.0, True])
def test_init_params_rejects_bad_hidden(hidden):
    with pytest.raises(ValueError, match="hidden must be a whole number >= 1"):
        xor.init_params(np.random.default_rng(0), hidden)


def test_loss_and_grads_does_not_mutate_params():
    params = random_params(np.random.default_rng(0), 3)
    copy = {k: v.copy() for k, v in params.items()}
    x, y = xor_data()
    xor.loss_and_grads(params, x, y)
    xor.loss_and_grads_loop(params, x, y)
    for k in params:
        np.testing.assert_array_equal(params[k], copy[k])


def test_wrong_shapes_are_named():
    x, y = xor_data()
    params = random_params(np.random.default_rng(0), 3)
    with pytest.raises(ValueError, match=r"shape \(4, 1\) but target y has shape \(4,\)"):
        xor.loss_and_grads(params, x, y[:, 0])
    with pytest.raises(ValueError, match=r"x must have shape \(N, 2\), got \(4, 3\)"):
        xor.forward(params, np.zeros((4, 3)))
    bad = {**params, "w2": np.zeros(3)}
    with pytest.raises(ValueError, match=r"w1 \(2, 3\), b1 \(3,\), w2 \(3,\), b2 \(1,\)"):
        xor.loss_and_grads(bad, x, y)
    with pytest.raises(ValueError, match="unknown activation 'tanh'"):
        xor.loss_and_grads(params, x, y, activation="tanh")
    with pytest.raises(ValueError, match=r"shape \(4, 1\) but target y has shape \(4,\)"):
        xor.loss_and_grads_loop(params, x, y[:, 0])


def test_sigmoid_run_recovers_the_truth_table(sigmoid_run):
    _, y = xor_data()
    # L < 0.25 forces |y_hat - y| < 0.5 on every row, so rounding gives y
    assert sigmoid_run.final_loss < 0.25
    np.testing.assert_array_equal(np.round(sigmoid_run.predictions), y)
    assert sigmoid_run.losses.shape == (xor.EPOCHS,)
    assert np.all(np.diff(sigmoid_run.losses) < 0)


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
    assert np.all(result.losses == 2.0)
    for k in params:
        np.testing.assert_array_equal(result.params[k], params[k])


def test_a_live_relu_output_is_not_reported_dead():
    x, y = xor_data()
    params = xor.init_params(np.random.default_rng(1))
    params["b2"] = np.array([0.5])
    assert not xor.is_dead(params, x, activation="relu")
    _, grads = xor.loss_and_grads(params, x, y, activation="relu", output="relu")
    assert grads["b2"][0] != 0.0


def test_truth_table_text():
    x, y = xor_data()
    text = xor.truth_table(x, y, np.array([[0.1], [0.9], [0.6], [0.4]]))
    assert text.splitlines()[1:] == [
        " 0   0 |   0 | 0.1000        0",
        " 0   1 |   1 | 0.9000        1",
        " 1   0 |   1 | 0.6000        1",
        " 1   1 |   0 | 0.4000        0",
    ]


def test_main_prints_the_books_numbers(capsys, sigmoid_run):
    assert xor.main([]) == 0
    out = capsys.readouterr().out
    x, y = xor_data()
    assert f"final loss {sigmoid_run.final_loss:.6g}" in out
    assert xor.truth_table(x, y, sigmoid_run.predictions) in out
    assert f"epoch   1000  loss {sigmoid_run.losses[1000]:.6g}" in out


def test_main_passes_the_options_and_saves_the_plot(capsys, tmp_path):
    path = tmp_path / "xor.png"
    argv = ["--activation", "relu", "--output", "identity", "--hidden", "3", "--lr", "0.02"]
    assert xor.main([*argv, "--epochs", "30", "--seed", "5", "--plot", str(path)]) == 0
    out = capsys.readouterr().out
    expected = xor.run(seed=5, hidden=3, lr=0.02, epochs=30, activation="relu", output="identity")
    assert f"final loss {expected.final_loss:.6g}" in out
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_main_reports_divergence(capsys):
    assert xor.main(["--activation", "identity", "--output", "identity", "--lr", "1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: loss became inf at epoch")
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "bad",
    [["--hidden", "0"], ["--activation", "tanh"], ["--output", "softmax"], ["--lr", "-1"]],
)
def test_main_rejects_bad_values_in_one_line(bad, capsys):
    with pytest.raises(SystemExit) as exit_info:
        xor.main(bad)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert f"error: argument {bad[0]}:" in err
