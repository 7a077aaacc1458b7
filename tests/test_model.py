"""The model contract as code (scratchnn.model): checked functions made from kernels."""

import inspect

import numpy as np
import pytest

from scratchnn import checks, gradcheck, model, train, two_layer
from scratchnn.model import Model, choice_of, flag

TOY = Model(
    params={"w": ("D", "K")},
    x=("N", "D"),
    y=("N", "K"),
    options={"square": flag, "kind": choice_of(("plain", "scaled"))},
    validate=lambda o: None if o["kind"] == "plain" or o["square"] else _refuse(),
    sizes={"d": 100},
    init_options={"spread": lambda v, name: checks.positive_float(v, name)},
)


def _refuse():
    raise ValueError("kind 'scaled' needs square=True")


@TOY.init_params
def init(rng, d=2, k=1, *, spread=1.0):
    """w (d, k) from N(0, spread²)."""
    return {"w": spread * rng.standard_normal((d, k))}


@TOY.forward
def forward(params, x, *, kind="plain"):
    """x w, or 2 x w."""
    return (2.0 if kind == "scaled" else 1.0) * (x @ params["w"])


@TOY.loss_and_grads
def loss_and_grads(params, x, y, *, square=True, kind="plain"):
    """Sum of squared (or absolute) errors of forward."""
    factor = 2.0 if kind == "scaled" else 1.0
    r = factor * (x @ params["w"]) - y
    if square:
        return float(np.sum(r**2)), {"w": factor * x.T @ (2 * r)}
    return float(np.sum(np.abs(r))), {"w": factor * x.T @ np.sign(r)}


def data(n=5, d=2, k=1, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal((n, k)), init(rng, d, k)


def test_the_checked_function_equals_its_kernel_and_keeps_its_name_and_docstring():
    x, y, params = data()
    loss, grads = loss_and_grads(params, x, y)
    k_loss, k_grads = loss_and_grads.kernel(params, x, y)
    assert loss == k_loss and np.array_equal(grads["w"], k_grads["w"])
    assert loss_and_grads.__name__ == "loss_and_grads"
    assert loss_and_grads.__doc__ == "Sum of squared (or absolute) errors of forward."
    assert "def loss_and_grads(params, x, y" in inspect.getsource(loss_and_grads)


def test_arguments_are_checked_with_the_messages_of_scratchnn_checks():
    x, y, params = data()
    with pytest.raises(ValueError, match=r"^x must have shape \(N, D\) with D = 2, got \(5, 3\)$"):
        loss_and_grads(params, np.ones((5, 3)), y)
    with pytest.raises(ValueError, match=r"^y must have shape \(N, K\) with N = 5, K = 1"):
        loss_and_grads(params, x, np.ones((4, 1)))
    with pytest.raises(ValueError, match=r"^params must have exactly w \(D, K\); missing 'w'"):
        loss_and_grads({}, x, y)
    with pytest.raises(TypeError, match=r"^square must be True or False, got 1$"):
        loss_and_grads(params, x, y, square=1)
    with pytest.raises(ValueError, match=r"^kind must be one of 'plain', 'scaled', got 'x'$"):
        forward(params, x, kind="x")
    with pytest.raises(ValueError, match=r"^kind 'scaled' needs square=True$"):
        loss_and_grads(params, x, y, kind="scaled", square=False)
    with pytest.raises(TypeError, match=r"^unexpected option 'other'; the model's options are"):
        loss_and_grads(params, x, y, other=1)
    with pytest.raises(TypeError, match=r"^y is None: loss_and_grads needs the targets$"):
        loss_and_grads(params, x, None)


def test_forward_takes_and_checks_the_options_of_loss_and_grads_and_shows_them():
    x, _, params = data()
    assert np.array_equal(forward(params, x, square=False), forward(params, x))
    with pytest.raises(TypeError, match=r"^square must be True or False"):
        forward(params, x, square="yes")
    assert list(inspect.signature(forward).parameters) == ["params", "x", "kind", "square"]


def test_init_params_checks_rng_sizes_and_options():
    with pytest.raises(TypeError, match=r"^rng must be a numpy.random.Generator"):
        init(0)
    with pytest.raises(ValueError, match=r"^d must be a whole number >= 1 and <= 100, got 101$"):
        init(np.random.default_rng(0), 101)
    with pytest.raises(ValueError, match=r"^spread must be a finite number > 0, got -1$"):
        init(np.random.default_rng(0), spread=-1)
    assert init(np.random.default_rng(0), 3, 2)["w"].shape == (3, 2)


def test_an_overflow_is_an_error_naming_the_arguments_but_the_kernel_returns_inf():
    x, y, _ = data()
    huge = {"w": np.full((2, 1), 1e300)}
    with pytest.raises(ValueError, match=r"^loss_and_grads: the loss or a gradient overflows"):
        loss_and_grads(huge, x, y)
    with pytest.raises(ValueError, match=r"\|params\['w'\]\| 1e\+308; rescale"):
        forward({"w": np.full((2, 1), 1e308)}, 10 * x)
    with np.errstate(over="ignore", invalid="ignore"):
        assert loss_and_grads.kernel(huge, x, y)[0] == np.inf


def test_prepare_fills_in_the_defaults_and_converts():
    x, y, params = data()
    p = loss_and_grads.prepare(params, x.tolist(), y, kind="plain")
    assert p.options == {"square": True, "kind": "plain"}
    assert p.x.dtype == np.float64 and isinstance(p.x, np.ndarray)
    _, same = model.prepared(lambda *a: None, params, x, y, {"a": 1})
    assert same.options == {"a": 1} and same.x is x


@pytest.fixture
def counted(monkeypatch):
    calls = {"n": 0}
    real = checks.params

    def count(*args, **kwargs):
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(checks, "params", count)
    return calls


@pytest.mark.parametrize("epochs", [1, 40])
def test_training_loops_check_once_whatever_the_number_of_steps(counted, epochs):
    x, y, params = two_layer.book_problem(0, n=8, d_in=5, hidden=4, d_out=3, scale="fan_in")
    train.gradient_descent(two_layer.loss_and_grads, params, x, y, lr=1e-3, epochs=epochs)
    assert counted["n"] == 1
    counted["n"] = 0
    rng = np.random.default_rng(0)
    train.sgd(
        two_layer.loss_and_grads,
        params,
        x,
        y,
        rng=rng,
        batch_size=3,
        lr=1e-3,
        epochs=epochs,
        validation=(x, y),
    )
    assert counted["n"] == 2  # the training data, then the validation data


def test_check_once_gives_the_same_run_as_checking_every_step():
    x, y, params = two_layer.book_problem(1, n=8, d_in=5, hidden=4, d_out=3, scale="fan_in")
    fast = train.gradient_descent(two_layer.loss_and_grads, params, x, y, lr=1e-2, epochs=30)

    def every_step(p, x, y):
        return two_layer.loss_and_grads(p, x, y)

    slow = train.gradient_descent(every_step, params, x, y, lr=1e-2, epochs=30)
    assert np.array_equal(fast.losses, slow.losses)
    assert all(np.array_equal(fast.params[k], slow.params[k]) for k in params)


def test_a_bad_input_is_refused_before_the_first_step_with_the_same_message():
    x, y, params = two_layer.book_problem(0, n=8, d_in=5, hidden=4, d_out=3)
    seen = []
    wrong = r"^x must have shape \(N, D_in\) with D_in = 5, got \(8, 4\)$"
    with pytest.raises(ValueError, match=wrong) as looped:
        train.gradient_descent(
            two_layer.loss_and_grads, params, x[:, :4], y, lr=1e-3, epochs=5, callback=seen.append
        )
    with pytest.raises(ValueError, match=wrong) as direct:
        two_layer.loss_and_grads(params, x[:, :4], y)
    assert str(looped.value) == str(direct.value) and seen == []


def test_a_diverging_kernel_run_names_the_learning_rate():
    x, y, params = two_layer.book_problem(0, n=8, d_in=5, hidden=4, d_out=3)
    with pytest.raises(train.DivergenceError, match=r"with learning rate lr=1"):
        train.gradient_descent(two_layer.loss_and_grads, params, x, y, lr=1.0, epochs=200)


def test_the_gradient_check_agrees_on_the_checked_function():
    x, y, params = data(seed=3)
    errors = gradcheck.check_gradients(loss_and_grads, params, x, y)
    assert errors["w"] < 1e-8
