"""The XOR race claim (scratchnn.xor_claims): its evidence, and a verdict that can turn."""

import numpy as np
import pytest

from scratchnn import xor_batched as xb
from scratchnn import xor_claims
from scratchnn.data import xor_data


def test_needed_counts_the_epochs_of_the_runs_it_stacks():
    rates, seeds, scales = np.array([0.5, 2.0]), range(3), (1.0, 4.0)
    needed = xor_claims._needed("sigmoid", rates, seeds, scales, 300)
    x, y = xor_data()
    start = xb.init_params_seeds([1])
    start["w1"], start["w2"] = start["w1"] * 4.0, start["w2"] * 2.0  # c = 4: w1 × c, w2 × √c
    losses = xb.train(start, x, y, lr=np.array([2.0]), epochs=300).losses
    for target in xor_claims.TARGETS:
        assert needed[target].shape == (2, 2, 3)
        assert needed[target][1, 1, 1] == xb.epochs_to_reach(losses, target)[0]


def test_best_prefers_seeds_solved_then_the_median():
    inf = np.inf
    needed = np.array([[[10.0, 12.0, inf], [30.0, 31.0, 32.0]]])  # one scale, two rates
    best = xor_claims._best(needed, np.array([1.0, 2.0]), (1.0,))
    assert (best.lr, best.solved, best.median) == (2.0, 1.0, 31.0)


def test_the_verdict_turns_when_the_evidence_does(monkeypatch):
    def fake(activation, rates, seeds, scales, epochs):
        shape = (len(scales), len(rates), len(list(seeds)))
        fast = 20.0 if activation == "relu" else 40.0  # relu faster everywhere, solves all
        return {t: np.full(shape, fast) for t in xor_claims.TARGETS}

    monkeypatch.setattr(xor_claims, "_needed", fake)
    verdict = xor_claims.race().verdict
    assert not verdict.holds and verdict.outcome == "the race turned"
    assert "relu to 0.01: He 20, best start" in verdict.detail


@pytest.mark.slow
def test_the_book_size_race_holds():
    assert xor_claims.race().verdict.holds


def test_a_symmetric_start_is_copies_of_unit_zero():
    start = xor_claims.symmetric_start(range(3), hidden=4)
    assert start["w1"].shape == (3, 2, 4) and np.ptp(start["w1"], axis=2).max() == 0
    assert np.ptp(start["w2"], axis=1).max() == 0 and not start["b1"].any()


def test_the_symmetric_verdict_turns_when_copies_break_often(monkeypatch):
    """Every network's units pulled apart by the short run: more than a rare few broke."""
    real_train = xb.train

    def train(start, x, y, *, lr, epochs, **options):
        history = real_train(start, x, y, lr=lr, epochs=min(epochs, 5), **options)
        if epochs <= 2000:
            history.params["w1"][..., 0] += 1.0  # unit 0 of every network moved away
        return history

    monkeypatch.setattr(xor_claims.xb, "train", train)
    evidence = xor_claims.symmetric()
    assert max(evidence.broken.values()) == 1.0
    assert not evidence.verdict.holds and evidence.verdict.outcome == "the symmetric start turned"


@pytest.mark.slow
def test_the_book_size_symmetric_claim_holds():
    evidence = xor_claims.symmetric()
    assert evidence.verdict.holds, evidence.verdict.detail
    assert max(evidence.broken.values()) <= xor_claims.RARE
