"""The digits model: softmax cross-entropy against finite differences and PyTorch, clear errors."""

import numpy as np
import pytest

from scratchnn import digits
from scratchnn import functional as F
from scratchnn.data import DIGITS_FRACTIONS, DIGITS_SPLIT_SEED, load_digits, stratified_split
from scratchnn.gradcheck import check_gradients


@pytest.fixture
def small():
    rng = np.random.default_rng(0)
    params = digits.init_params(rng, 5)
    params["b1"] = rng.normal(0, 0.1, 5)  # non-zero biases, so their gradients are tested
    params["b2"] = rng.normal(0, 0.1, 10)
    x = rng.uniform(0, 1, (7, 64))
    y = rng.integers(0, 10, 7)
    return params, x, y


def test_shapes_of_the_parameters_logits_and_gradients(small):
    params, x, y = small
    assert {k: v.shape for k, v in params.items()} == {
        "w1": (64, 5),
        "b1": (5,),
        "w2": (5, 10),
        "b2": (10,),
    }
    assert digits.forward(params, x).shape == (7, 10)
    loss, grads = digits.loss_and_grads(params, x, y)
    assert isinstance(loss, float)
    assert {k: g.shape for k, g in grads.items()} == {k: v.shape for k, v in params.items()}


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"activation": "tanh"},
        {"activation": "identity"},
        {"loss": "squared_error"},
        {"weight_decay": 0.3},
    ],
)
def test_gradients_match_finite_differences(small, options):
    params, x, y = small
    errors = check_gradients(digits.loss_and_grads, params, x, y, **options)
    assert max(errors.values()) < 1e-7, errors


def test_loss_and_gradients_match_torch_autograd(small):
    torch = pytest.importorskip("torch")
    params, x, y = small
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    z2 = torch.relu(torch.tensor(x) @ t["w1"] + t["b1"]) @ t["w2"] + t["b2"]
    loss = torch.nn.functional.cross_entropy(z2, torch.tensor(y))
    loss.backward()
    ours, grads = digits.loss_and_grads(params, x, y)
    np.testing.assert_allclose(ours, loss.item(), rtol=1e-13)
    for k in params:
        np.testing.assert_allclose(grads[k], t[k].grad.numpy(), rtol=1e-10, atol=1e-14)


def test_cross_entropy_and_its_gradient_match_torch_for_logits_of_size_1e4():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    z = rng.normal(0, 1e4, (6, 10))
    y = rng.integers(0, 10, 6)
    tz = torch.tensor(z, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(tz, torch.tensor(y))
    expected.backward()
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # not even a warning
        loss, grad = F.cross_entropy(z, y), F.cross_entropy_grad(z, y)
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    np.testing.assert_allclose(loss, expected.item(), rtol=1e-12)
    np.testing.assert_allclose(grad, tz.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_the_model_stays_finite_when_its_logits_are_huge(small):
    params, x, y = small
    big = {**params, "w2": params["w2"] * 1e4}
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, grads = digits.loss_and_grads(big, x, y)
    assert np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads.values())


def test_gradient_with_respect_to_the_logits_is_softmax_minus_one_hot_over_n():
    z = np.array([[0.0, np.log(3.0)], [0.0, 0.0]])  # probabilities (1/4, 3/4) and (1/2, 1/2)
    y = np.array([1, 0])
    np.testing.assert_allclose(F.cross_entropy_grad(z, y), [[0.125, -0.125], [-0.25, 0.25]])
    np.testing.assert_allclose(F.cross_entropy(z, y), (np.log(4 / 3) + np.log(2)) / 2)


def test_shifting_prevents_the_overflow_of_the_formula_as_written():
    z = np.array([[1000.0, 999.0, 998.0]])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = F.softmax(z, shift=False)
    assert np.all(np.isnan(naive))
    e = np.exp([0.0, -1.0, -2.0])
    np.testing.assert_allclose(F.softmax(z), [e / e.sum()])
    np.testing.assert_allclose(F.log_softmax(z), [np.log(e / e.sum())])


def test_stacked_networks_equal_each_network_on_its_own(small):
    _, x, y = small
    stack = digits.init_params(np.random.default_rng(3), 4, networks=3)
    loss, grads = digits.loss_and_grads(stack, x, y)
    total = 0.0
    for s in range(3):
        one = {k: v[s] for k, v in stack.items()}
        loss_s, grads_s = digits.loss_and_grads(one, x, y)
        total += loss_s
        for k in one:
            np.testing.assert_allclose(grads[k][s], grads_s[k], rtol=1e-12)
        np.testing.assert_array_equal(digits.predict(stack, x)[s], digits.predict(one, x))
    np.testing.assert_allclose(loss, total, rtol=1e-12)
    assert digits.accuracy(stack, x, y).shape == (3,)


def test_confusion_counts_true_rows_against_predicted_columns(small):
    params, x, y = small
    counts = digits.confusion(params, x, y)
    guess = digits.predict(params, x)
    assert counts.shape == (10, 10) and counts.sum() == 7
    assert np.trace(counts) == np.sum(guess == y)
    assert counts[y[0], guess[0]] >= 1


def test_the_split_is_stratified_disjoint_and_fixed():
    data = digits.split()
    sizes = [len(data.y_train), len(data.y_val), len(data.y_test)]
    assert sum(sizes) == 1797 and sizes == [1078, 360, 359]
    for part in (data.y_train, data.y_val, data.y_test):
        share = np.bincount(part, minlength=10) / len(part)
        np.testing.assert_allclose(share, 0.1, atol=0.01)
    x, y = load_digits()
    parts = stratified_split(np.random.default_rng(DIGITS_SPLIT_SEED), y, DIGITS_FRACTIONS)
    np.testing.assert_array_equal(np.sort(np.concatenate(parts)), np.arange(1797))  # disjoint
    np.testing.assert_array_equal(data.x_val, x[parts[1]])
    np.testing.assert_array_equal(data.y_test, y[parts[2]])
    assert data.x_train.min() == 0.0 and data.x_train.max() == 1.0
    assert not data.x_train.flags.writeable  # shared by every caller, so read-only


def test_the_books_defaults_reach_95_percent_on_the_test_split():
    result = digits.run()
    assert digits.final_test_accuracy(result) >= 0.95
    assert result.history.val_accuracies[-1] >= 0.95


@pytest.mark.parametrize(
    ("labels", "error", "message"),
    [
        (np.array([0, 1, 2, 3, 4, 5, 10]), ValueError, r"got 10 at index 6$"),
        (np.array([0, 1, 2, 3, 4, 5, -1]), ValueError, r"got -1 at index 6$"),
        (np.zeros(7, dtype=float), TypeError, r"got dtype float64$"),
        (np.zeros(7, dtype=bool), TypeError, r"got dtype bool$"),
        (np.array(list("0123456")), TypeError, r"got dtype <U1$"),
        (np.zeros((7, 1), dtype=int), ValueError, r"with N = 7, got shape \(7, 1\)$"),
        (np.zeros(6, dtype=int), ValueError, r"with N = 7, got shape \(6,\)$"),
        (
            np.eye(10, dtype=int)[:7],
            ValueError,
            r"got shape \(7, 10\) \(labels, not one-hot rows: use y.argmax\(axis=1\)\)$",
        ),
    ],
)
def test_bad_labels_are_clear_errors_naming_what_was_expected(small, labels, error, message):
    params, x, _ = small
    expected = r"^y must be integer class labels 0\.\.9 of shape \(N,\)"
    with pytest.raises(error, match=expected + ".*" + message):
        digits.loss_and_grads(params, x, labels)


def test_labels_may_be_any_integer_type_or_a_list(small):
    params, x, y = small
    want = digits.loss_and_grads(params, x, y)[0]
    assert digits.loss_and_grads(params, x, y.astype(np.uint8))[0] == want
    assert digits.loss_and_grads(params, x, y.tolist())[0] == want


def test_bad_images_and_parameters_name_the_shapes(small):
    params, x, y = small
    with pytest.raises(ValueError, match=r"^x must have shape \(N, 64\), got \(7, 63\)$"):
        digits.loss_and_grads(params, x[:, :63], y)
    with pytest.raises(ValueError, match=r"^params\['w2'\] must have shape \(H, 10\) with H = 5"):
        digits.forward({**params, "w2": np.zeros((5, 9))}, x)
    with pytest.raises(ValueError, match=r"^params must have exactly w1 \(64, H\).*missing 'b2'"):
        digits.forward({k: v for k, v in params.items() if k != "b2"}, x)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"loss": "hinge"}, r"^loss must be one of 'cross_entropy', 'squared_error', got 'hinge'$"),
        ({"weight_decay": -1.0}, r"^weight_decay must be a finite number >= 0, got -1$"),
        ({"activation": "swish"}, r"^unknown activation 'swish'"),
    ],
)
def test_bad_options_are_named(small, options, message):
    with pytest.raises(ValueError, match=message):
        digits.loss_and_grads(*small, **options)


def test_nothing_is_mutated(small):
    params, x, y = small
    before = {k: v.copy() for k, v in params.items()}, x.copy(), y.copy()
    digits.loss_and_grads(params, x, y, weight_decay=0.1)
    for k in params:
        np.testing.assert_array_equal(params[k], before[0][k])
    np.testing.assert_array_equal(x, before[1])
    np.testing.assert_array_equal(y, before[2])


def test_the_program_prints_the_summary(capsys):
    assert digits.main(["--epochs", "2", "--hidden", "8", "--batch-size", "64"]) == 0
    out = capsys.readouterr().out
    assert "trained 2 epochs" in out and "validation accuracy" in out
    assert "test accuracy" not in out  # the test split is scored once, in the chapter
    assert digits.main(["--batch-size", "5000"]) == 2
    assert (
        "batch_size must be a whole number >= 1 and <= 1,078, got 5000" in capsys.readouterr().err
    )


def test_the_figures_are_returned_with_their_panels_and_never_shown():
    from matplotlib.figure import Figure

    from scratchnn import digits_figures

    images = np.random.default_rng(0).uniform(0, 1, (12, 64))
    grid = digits_figures.figure_digits(images, [str(k % 10) for k in range(12)], ncols=5)
    assert isinstance(grid, Figure) and len(grid.axes) == 15  # 3 rows of 5, 3 left blank
    assert [ax.get_title() for ax in grid.axes[:3]] == ["0", "1", "2"]
    with pytest.raises(ValueError, match=r"^got 12 images but 11 titles: one title per image$"):
        digits_figures.figure_digits(images, ["0"] * 11)
    result = digits.run(epochs=2, hidden=4)
    assert len(digits.figure_learning_curves(result).axes) == 2
    data = digits.split()
    counts = digits.confusion(result.history.params, data.x_test, data.y_test)
    assert len(digits_figures.figure_confusion(counts).axes) == 2  # the matrix and its colour bar
    curves = {"a": (np.array([0.1, 0.2]), np.array([0.5, 0.6]))}
    assert len(digits_figures.figure_batch_sizes(curves).axes) == 2


def test_the_baseline_trains_ours_exactly_as_run_does():
    from scratchnn import digits_baseline

    settings = {"seed": 3, "epochs": 2, "lr": 0.2, "hidden": 8, "batch_size": 50}
    ours = digits_baseline.train_ours(**settings)
    watched = digits.run(**settings)
    for k in ours.params:
        np.testing.assert_array_equal(ours.params[k], watched.history.params[k])
    np.testing.assert_array_equal(ours.losses, watched.history.losses)


def test_the_scikit_learn_network_is_set_up_like_ours():
    pytest.importorskip("sklearn")
    from scratchnn import digits_baseline

    mlp = digits_baseline.mlp_classifier(seed=1, epochs=7, lr=0.3, hidden=16, batch_size=32)
    got = mlp.get_params()
    assert got["hidden_layer_sizes"] == (16,) and got["activation"] == "relu"
    assert got["solver"] == "sgd" and got["learning_rate"] == "constant"
    assert got["learning_rate_init"] == 0.3 and got["batch_size"] == 32 and got["max_iter"] == 7
    assert got["momentum"] == 0.0 and got["alpha"] == 0.0 and not got["early_stopping"]
    comparison = digits_baseline.compare_with_mlp(epochs=3, hidden=8, repeats=1, warmup=0)
    assert comparison.ratio.median > 0
    assert 0.5 < comparison.ours_accuracy <= 1 and 0.5 < comparison.mlp_accuracy <= 1
