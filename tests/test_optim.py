"""The optimisers (scratchnn.optim) step for step against torch.optim, in float64."""

import itertools

import numpy as np
import pytest

from scratchnn import optim

torch = pytest.importorskip("torch")

SHAPES = {"w": (3, 4), "b": (4,)}

# (our class, torch's class, keyword arguments shared by both)
CASES = [
    (optim.SGD, "SGD", {"lr": 0.1}),
    (optim.SGD, "SGD", {"lr": 0.05, "momentum": 0.9}),
    (optim.SGD, "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    (optim.SGD, "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    (optim.SGD, "SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.1}),
    (optim.RMSProp, "RMSprop", {"lr": 0.01}),
    (optim.RMSProp, "RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6, "weight_decay": 0.05}),
    (optim.Adam, "Adam", {"lr": 0.01}),
    (optim.Adam, "Adam", {"lr": 0.01, "betas": (0.5, 0.9), "eps": 1e-6}),
    (optim.Adam, "Adam", {"lr": 0.01, "weight_decay": 0.1}),
    (optim.AdamW, "AdamW", {"lr": 0.01}),
    (optim.AdamW, "AdamW", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.3}),
]


def seeded(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {name: rng.standard_normal(shape) for name, shape in SHAPES.items()}


@pytest.mark.parametrize(("ours", "theirs", "options"), CASES)
def test_sixty_steps_equal_torch_optim(ours, theirs, options):
    params = seeded(0)
    tensors = {
        k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()
    }
    reference = getattr(torch.optim, theirs)(list(tensors.values()), **options)
    mine = ours(**options)
    for step in range(60):
        grads = seeded(100 + step)  # seeded gradients, the same for both
        for name, tensor in tensors.items():
            tensor.grad = torch.tensor(grads[name], dtype=torch.float64)
        reference.step()
        params = mine.step(params, grads)
        for name, tensor in tensors.items():
            np.testing.assert_allclose(params[name], tensor.detach().numpy(), rtol=1e-12, atol=0)
    assert all(state["step"] == 60 for state in mine.state.values())


def test_state_is_named_as_pytorch_names_it():
    params, grads = seeded(0), seeded(1)
    expected = {
        optim.SGD(0.1, momentum=0.9): {"step", "momentum_buffer"},
        optim.RMSProp(0.1): {"step", "square_avg"},
        optim.Adam(0.1): {"step", "exp_avg", "exp_avg_sq"},
        optim.AdamW(0.1): {"step", "exp_avg", "exp_avg_sq"},
    }
    for opt, names in expected.items():
        opt.step(params, grads)
        assert set(opt.state) == set(SHAPES) and set(opt.state["w"]) == names


def test_step_changes_neither_argument():
    params, grads = seeded(0), seeded(1)
    before = {k: v.copy() for k, v in params.items()}, {k: v.copy() for k, v in grads.items()}
    for opt in [optim.SGD(0.1, momentum=0.9), optim.Adam(0.1), optim.AdamW(0.1, weight_decay=1)]:
        new = opt.step(params, grads)
        opt.step(new, grads)
    for name in SHAPES:
        assert np.array_equal(params[name], before[0][name])
        assert np.array_equal(grads[name], before[1][name])


def test_bias_correction_makes_the_first_adam_step_the_rate_times_the_sign():
    # m̂ = g and v̂ = g² at t = 1, so the step is η g / (|g| + ε): about η in every entry.
    params, grads = seeded(0), seeded(1)
    new = optim.Adam(0.01, eps=1e-12).step(params, grads)
    np.testing.assert_allclose(params["w"] - new["w"], 0.01 * np.sign(grads["w"]), rtol=1e-9)


def test_l2_and_decoupled_decay_agree_for_sgd_and_differ_for_adam():
    params, grads = seeded(0), seeded(1)
    l2 = optim.SGD(0.1, weight_decay=0.5).step(params, grads)
    by_hand = {k: params[k] * (1 - 0.1 * 0.5) - 0.1 * grads[k] for k in params}
    for name in SHAPES:
        np.testing.assert_allclose(l2[name], by_hand[name], rtol=1e-14)
    adam = optim.Adam(0.1, weight_decay=0.5).step(params, grads)
    adamw = optim.AdamW(0.1, weight_decay=0.5).step(params, grads)
    assert not np.allclose(adam["w"], adamw["w"])


def test_cosine_with_warmup():
    rates = [optim.cosine_with_warmup(t, total=10, warmup=2, lr=1.0) for t in range(10)]
    assert rates[:3] == [0.5, 1.0, 1.0]
    assert rates[-1] == pytest.approx(0.5 * (1 + np.cos(np.pi * 7 / 8)))
    assert all(a >= b for a, b in itertools.pairwise(rates[1:]))
    with pytest.raises(ValueError, match=r"^step must be a whole number >= 0 and <= 9, got 10$"):
        optim.cosine_with_warmup(10, total=10, lr=1.0)


IN_01 = r"must be a number in \[0, 1\), got "
BAD_SETTINGS = [
    (lambda: optim.SGD(0), ValueError, r"^lr must be a finite number > 0, got 0"),
    (lambda: optim.SGD(0.1, momentum=1.0), ValueError, r"^momentum " + IN_01 + "1.0$"),
    (lambda: optim.SGD(0.1, nesterov=True), ValueError, r"^nesterov needs momentum > 0"),
    (lambda: optim.SGD(0.1, weight_decay=-1), ValueError, r"^weight_decay must be a finite"),
    (lambda: optim.Adam(0.1, betas=(0.9, 1.0)), ValueError, r"^betas\[1\] " + IN_01 + "1.0$"),
    (lambda: optim.Adam(0.1, betas=(-0.1, 0.9)), ValueError, r"^betas\[0\] must be a finite"),
    (lambda: optim.Adam(0.1, betas=0.9), TypeError, r"^betas must be a pair \(beta1, beta2\)"),
    (lambda: optim.Adam(0.1, eps=0), ValueError, r"^eps must be a finite number > 0, got 0"),
    (lambda: optim.RMSProp(0.1, alpha=1), ValueError, r"^alpha " + IN_01 + "1.0$"),
]


@pytest.mark.parametrize(("make", "error", "message"), BAD_SETTINGS)
def test_bad_settings_are_named(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_bad_steps_are_named():
    opt = optim.Adam(0.1)
    params, grads = seeded(0), seeded(1)
    with pytest.raises(
        ValueError, match=r"^grads must have the names of params \('w', 'b'\), got 'w'$"
    ):
        opt.step(params, {"w": grads["w"]})
    with pytest.raises(ValueError, match=r"grads\['b'\].*params\['b'\]"):
        opt.step(params, {**grads, "b": np.zeros(5)})
    with pytest.raises(TypeError, match=r"^grads must be a dict of arrays, got list$"):
        opt.step(params, [grads["w"], grads["b"]])
    opt.step(params, grads)
    with pytest.raises(ValueError, match=r"state was made for 'w', 'b': use a new optimiser$"):
        opt.step({"v": params["w"]}, {"v": grads["w"]})


def test_the_training_loops_step_with_an_optimizer_as_its_own_loop_would():
    from scratchnn import two_layer
    from scratchnn.train import gradient_descent, sgd

    problem = two_layer.book_problem(0, n=8, d_in=5, hidden=4, d_out=3)
    start, x, y = problem.params, problem.x, problem.y
    history = gradient_descent(
        two_layer.loss_and_grads, start, x, y, epochs=5, optimizer=optim.Adam(1e-3)
    )
    by_hand, opt = dict(start), optim.Adam(1e-3)
    for _ in range(5):
        by_hand = opt.step(by_hand, two_layer.loss_and_grads(by_hand, x, y)[1])
    for name in start:
        np.testing.assert_array_equal(history.params[name], by_hand[name])
    rng = np.random.default_rng(0)
    full_batch = sgd(
        two_layer.loss_and_grads, start, x, y, rng=rng, batch_size=8, epochs=5,
        optimizer=optim.Adam(1e-3),
    )  # fmt: skip
    for name in start:
        np.testing.assert_array_equal(full_batch.params[name], by_hand[name])
    with pytest.raises(ValueError, match=r"^give lr or an optimizer, not both"):
        gradient_descent(two_layer.loss_and_grads, start, x, y, lr=0.1, epochs=1,
                         optimizer=optim.SGD(0.1))  # fmt: skip
    with pytest.raises(TypeError, match=r"^the training loops need lr \(or an optimizer\)$"):
        gradient_descent(two_layer.loss_and_grads, start, x, y, epochs=1)
    with pytest.raises(TypeError, match=r"^optimizer must be a scratchnn.optim optimiser"):
        sgd(two_layer.loss_and_grads, start, x, y, rng=rng, batch_size=8, epochs=1,
            optimizer="adam")  # fmt: skip
