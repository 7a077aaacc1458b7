"""The deeper network (scratchnn.deeper) and its optimiser claim (scratchnn.deeper_claims)."""

import numpy as np
import pytest

from scratchnn import deeper, deeper_claims, optim
from scratchnn.data import digits_split
from scratchnn.gradcheck import check_gradients

torch = pytest.importorskip("torch")


def test_gradients_match_central_differences_and_torch_autograd():
    split = digits_split()
    x, y = split.x_train[:12], split.y_train[:12]
    params = deeper.init_params(np.random.default_rng(0), hidden=5, depth=3)
    assert max(check_gradients(deeper.loss_and_grads, params, x, y).values()) < 1e-6
    loss, grads = deeper.loss_and_grads(params, x, y)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    h = torch.tensor(x)
    for layer in range(1, 4):
        h = torch.relu(h @ t[f"w{layer}"] + t[f"b{layer}"])
    logits = h @ t["w4"] + t["b4"]
    reference = torch.nn.functional.cross_entropy(logits, torch.tensor(y))
    reference.backward()
    assert loss == pytest.approx(reference.item(), rel=1e-12)
    for name, g in grads.items():
        np.testing.assert_allclose(g, t[name].grad.numpy(), rtol=1e-10, atol=1e-14)


def test_starting_scales_follow_their_rules():
    params = deeper.init_params(np.random.default_rng(0), hidden=400, depth=2, scale="glorot")
    assert params["w2"].std() == pytest.approx(np.sqrt(2 / 800), rel=0.02)
    he = deeper.init_params(np.random.default_rng(0), hidden=400, depth=2)
    assert he["w1"].std() == pytest.approx(np.sqrt(2 / 64), rel=0.02)
    small = deeper.init_params(np.random.default_rng(0), hidden=400, depth=2, scale="small")
    np.testing.assert_allclose(small["w2"], 0.1 * he["w2"])  # the same draws, a tenth


def test_layer_scales_shrink_geometrically_from_the_small_start():
    split = digits_split()
    small = deeper.init_params(np.random.default_rng(0), scale="small")
    s = deeper.layer_scales(small, split.x_train, split.y_train)
    assert s.activation.shape == (4,) and s.gradient.shape == (5,)
    assert np.all(s.activation[1:] / s.activation[:-1] < 0.2)


def test_run_trains_with_the_optimiser_it_names():
    result = deeper.run(epochs=2, hidden=8, depth=2, optimiser="momentum", lr=0.05)
    assert (
        result.history.losses.shape == (2,) and result.history.losses[1] < result.history.losses[0]
    )
    assert isinstance(deeper.make_optimiser("adam", 0.1), optim.Adam)
    with pytest.raises(ValueError, match=r"^optimiser must be one of 'sgd', 'momentum', 'adam'"):
        deeper.make_optimiser("lbfgs", 0.1)


def test_the_optimiser_verdict_turns_when_the_evidence_does(monkeypatch):
    class Run:
        def __init__(self, acc):
            self.val_accuracy = acc

    def fake_run(*, optimiser, lr, scale, seed, epochs):
        return Run(0.95 if scale == "he" else 0.1)  # nobody trains the small start

    monkeypatch.setattr(deeper, "run", fake_run)
    evidence = deeper_claims.optimisers()
    assert not evidence.verdict.holds and evidence.verdict.outcome == "the optimisers' race turned"
    assert evidence.best[("adam", "he", 10)][1] == 0.95
