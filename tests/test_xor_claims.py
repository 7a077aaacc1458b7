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
