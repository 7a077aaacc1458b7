"""The shared training loop: convergence, no mutation, and the loss guard."""

import numpy as np
import pytest

from scratchnn.train import DivergenceError, History, gradient_descent, sgd


def bowl(params, x, y, *, scale=1.0):
    """L = scale * sum((w - x)^2): minimum 0 at w = x, gradient 2 scale (w - x)."""
    d = params["w"] - x
    return float(scale * np.sum(d**2)), {"w": 2.0 * scale * d}


def test_converges_to_the_known_minimum():
    target = np.array([1.0, -2.0, 3.0])
    history = gradient_descent(bowl, {"w": np.zeros(3)}, target, None, lr=0.1, epochs=200)
    assert isinstance(history, History)
    np.testing.assert_allclose(history.params["w"], target, atol=1e-12)
    assert history.losses.shape == (200,)
    # each step multiplies the distance by (1 - 2 lr) = 0.8, the loss by 0.64
    np.testing.assert_allclose(history.losses[1:4] / history.losses[0:3], 0.64)


def test_losses_are_recorded_before_each_update():
    history = gradient_descent(bowl, {"w": np.array([2.0])}, np.zeros(1), None, lr=0.25, epochs=2)
    np.testing.assert_allclose(history.losses, [4.0, 1.0])  # w: 2 -> 1 -> 0.5
    np.testing.assert_allclose(history.params["w"], [0.5])


def test_model_options_are_passed_on():
    h = gradient_descent(bowl, {"w": np.ones(1)}, np.zeros(1), None, lr=0.1, epochs=1, scale=3.0)
    assert h.losses[0] == 3.0


def test_does_not_mutate_the_callers_arrays():
    w = np.array([5.0, 5.0])
    gradient_descent(bowl, {"w": w}, np.zeros(2), None, lr=0.1, epochs=10)
    np.testing.assert_array_equal(w, [5.0, 5.0])


def test_callback_sees_every_epoch():
    seen = []
    gradient_descent(
        bowl,
        {"w": np.ones(1)},
        np.zeros(1),
        None,
        lr=0.1,
        epochs=3,
        callback=lambda e, L: seen.append(e),
    )
    assert seen == [0, 1, 2]


def test_divergence_names_the_learning_rate():
    # lr > 1 makes |w| grow by |1 - 2 lr| each step until the loss overflows
    with pytest.raises(
        DivergenceError, match=r"loss became inf at epoch \d+ with learning rate lr=5"
    ):
        gradient_descent(bowl, {"w": np.ones(2)}, np.zeros(2), None, lr=5.0, epochs=1000)


def test_a_loss_that_is_not_finite_before_any_step_does_not_blame_the_learning_rate():
    def nan_model(params, x, y):
        return float("nan"), {"w": params["w"]}

    with pytest.raises(DivergenceError, match=r"loss is nan at the starting parameters") as err:
        gradient_descent(nan_model, {"w": np.ones(1)}, None, None, lr=0.1, epochs=5)
    assert "lr=" not in str(err.value)


def test_nan_after_steps_blames_the_learning_rate():
    def nan_later(params, x, y):  # finite at w = 1, nan once a step has moved w
        loss = 1.0 if params["w"][0] == 1.0 else float("nan")
        return loss, {"w": np.ones(1)}

    with pytest.raises(
        DivergenceError, match=r"loss became nan at epoch 1 with learning rate lr=0\.1"
    ):
        gradient_descent(nan_later, {"w": np.ones(1)}, None, None, lr=0.1, epochs=5)


@pytest.mark.parametrize("where", ["x", "y"])
def test_non_finite_data_is_named_not_blamed_on_the_learning_rate(where):
    data = {"x": np.zeros(3), "y": np.zeros(3)}
    data[where] = np.array([0.0, np.nan, 0.0])
    with pytest.raises(
        ValueError, match=rf"^{where} must hold only finite numbers, got nan at index \(1,\)$"
    ):
        gradient_descent(bowl, {"w": np.ones(3)}, data["x"], data["y"], lr=0.1, epochs=5)


def test_non_finite_parameters_are_named():
    with pytest.raises(
        ValueError, match=r"^params\['w'\] must hold only finite numbers, got inf at index \(0,\)$"
    ):
        gradient_descent(bowl, {"w": np.array([np.inf])}, np.zeros(1), None, lr=0.1, epochs=5)


def test_an_empty_batch_is_its_own_error():
    with pytest.raises(
        ValueError, match=r"^x is empty \(shape \(0, 2\)\): a batch needs at least one example$"
    ):
        gradient_descent(bowl, {"w": np.ones(2)}, np.zeros((0, 2)), None, lr=0.1, epochs=5)


@pytest.mark.parametrize("lr", [0.0, -0.1, float("nan"), float("inf"), "0.1", True])
def test_bad_learning_rate(lr):
    with pytest.raises((ValueError, TypeError), match=r"^lr must be a finite number > 0, got"):
        gradient_descent(bowl, {"w": np.ones(1)}, np.zeros(1), None, lr=lr, epochs=1)


def test_numpy_scalars_are_accepted_for_lr_and_epochs():
    h = gradient_descent(
        bowl, {"w": np.ones(1)}, np.zeros(1), None, lr=np.float32(0.25), epochs=np.int64(2)
    )
    np.testing.assert_allclose(h.losses, [1.0, 0.25])


@pytest.mark.parametrize("epochs", [0, -1, 2.5, None])
def test_bad_epochs(epochs):
    with pytest.raises(
        (ValueError, TypeError),
        match=r"^epochs must be a whole number >= 1 and <= 100,000,000, got",
    ):
        gradient_descent(bowl, {"w": np.ones(1)}, np.zeros(1), None, lr=0.1, epochs=epochs)


def test_gradient_of_wrong_shape_names_both_shapes():
    def bad(params, x, y):
        return 1.0, {"w": np.zeros(3)}

    with pytest.raises(
        ValueError, match=r"gradient for 'w' has shape \(3,\), but the parameter has shape \(2,\)"
    ):
        gradient_descent(bad, {"w": np.ones(2)}, None, None, lr=0.1, epochs=1)


def _mse(params, x, y):
    r = x * params["a"] - y
    return float(np.mean(r**2)), {"a": np.array(2 * np.mean(r * x))}


def _train(loop, loss=_mse, **kw):
    x, y = np.linspace(0, 1, 8), np.linspace(0, 2, 8)
    options = {"lr": 0.1, "epochs": 3, **kw}
    if loop is sgd:
        options = {"rng": np.random.default_rng(0), "batch_size": 4, **options}
    return loop(loss, {"a": np.zeros(())}, x, y, **options)


LOOPS = pytest.mark.parametrize("loop", [gradient_descent, sgd], ids=["gd", "sgd"])


@LOOPS
@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"epochs": 10**400}, ValueError, r"^epochs must be .* got an integer of 401 digits$"),
        ({"epochs": 10**12}, ValueError, r"^epochs must be a whole number >= 1 and <= 100,000,000"),
        ({"lr": 10**400}, ValueError, r"^lr must be a finite number > 0, got an integer of 401"),
        ({"callback": 3}, TypeError, r"^callback must be a function \(epoch, loss\), got 3$"),
        ({"loss": "mse"}, TypeError, r"^loss_and_grads must be a function \(params, x, y"),
    ],
)
def test_bounds_and_callables_are_named(loop, changes, error, message):
    changes = dict(changes)
    loss = changes.pop("loss", _mse)
    with pytest.raises(error, match=message):
        _train(loop, loss, **changes)


def test_sgd_bounds_the_steps_not_only_the_epochs():
    """10**8 epochs of 2 batches: 2 * 10**8 steps, refused before the first."""
    with pytest.raises(ValueError, match=r"^epochs=100,000,000 with batch_size=4 on 8 examples"):
        _train(sgd, epochs=10**8)


@LOOPS
@pytest.mark.parametrize(
    ("returned", "message"),
    [
        (None, r"got None$"),
        ((None, {"a": np.zeros(())}), r"got the loss None$"),
        (("0.5", {"a": np.zeros(())}), r"got the loss '0.5'$"),
        ((np.ones(1), {"a": np.zeros(())}), r"got the loss array\(\[1.\]\)$"),
        ((0.5, [np.zeros(())]), r"got the grads \[array\(0.\)\]$"),
    ],
    ids=["None", "loss None", "loss str", "loss (1,)", "grads list"],
)
def test_what_loss_and_grads_returns_is_checked(loop, returned, message):
    with pytest.raises(TypeError, match=r"^loss_and_grads must return \(loss, grads\).*" + message):
        _train(loop, lambda p, x, y: returned)


@LOOPS
def test_numbers_as_0d_arrays_are_numbers(loop):
    """lr=np.array(0.1) is the number 0.1, and a loss returned as a 0-d array a float."""
    want = _train(loop).losses
    got = _train(loop, lambda p, x, y: (np.array(_mse(p, x, y)[0]), _mse(p, x, y)[1]),
                 lr=np.array(0.1), epochs=np.array(3))  # fmt: skip
    np.testing.assert_array_equal(got.losses, want)


@LOOPS
@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"a": 1j}, TypeError, r"^params\['a'\] must hold real numbers"),
        ({"a": "0.5"}, TypeError, r"^params\['a'\] must hold real numbers"),
        ({"a": None}, TypeError, r"^params\['a'\] is None"),
        ({}, ValueError, r"^params is empty"),
    ],
)
def test_params_are_not_converted_silently(loop, params, error, message):
    options = {"lr": 0.1, "epochs": 1}
    if loop is sgd:
        options.update(rng=np.random.default_rng(0), batch_size=1)
    with pytest.raises(error, match=message):
        loop(_mse, params, np.ones(2), np.ones(2), **options)


def test_sgd_names_data_that_are_not_real_numbers():
    for x, message in [(None, r"^x is None"), (np.ones(8) * 1j, r"^x must hold real numbers")]:
        with pytest.raises(TypeError, match=message):
            sgd(_mse, {"a": 0.0}, x, np.ones(8), rng=np.random.default_rng(0), batch_size=2,
                lr=0.1, epochs=1)  # fmt: skip


def test_sgd_names_an_accuracy_that_is_not_callable():
    with pytest.raises(TypeError, match=r"^accuracy must be a function \(params, x, y"):
        _train(sgd, accuracy=0.5)
