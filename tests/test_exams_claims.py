"""The exam chapter's claims: many rates trained at once, verdicts computed from evidence."""

import numpy as np
import pytest

from scratchnn import claims, exams, exams_claims, exams_cv, exams_figures
from scratchnn.data import load_exams
from scratchnn.exams_claims import judge_dead, judge_short, train_rates
from scratchnn.train import gradient_descent


def test_each_network_takes_the_steps_of_gradient_descent_at_its_own_rate():
    x, y = exams.scale(load_exams())
    start = exams_cv.stack_starts(np.random.default_rng(0), 3)
    lrs, epochs = np.array([0.2, 0.05, 0.1]), np.array([7, 20, 3])
    final = train_rates(start, x, y, lrs=lrs, epochs=epochs)
    for m in range(3):
        one = {k: v[m] for k, v in start.items()}
        oracle = gradient_descent(
            exams.loss_and_grads, one, x, y, lr=float(lrs[m]), epochs=int(epochs[m])
        ).params
        for k in one:
            np.testing.assert_allclose(final[k][m], oracle[k], rtol=1e-12, atol=1e-14)
    assert np.array_equal(start["w1"], exams_cv.stack_starts(np.random.default_rng(0), 3)["w1"])
    with pytest.raises(ValueError, match="lrs must be > 0 and epochs >= 1"):
        train_rates(start, x, y, lrs=[0.1, 0.0, 0.1], epochs=[1, 1, 1])


def test_the_dead_start_verdict_wants_the_largest_rate_worst_and_no_rise():
    assert judge_dead((0.2, 0.1, 0.05), [14, 1, 0], 40).holds
    assert "lr 0.1: 1 of 40" in judge_dead((0.2, 0.1, 0.05), [14, 1, 0], 40).detail
    assert not judge_dead((0.2, 0.1, 0.05), [14, 0, 1], 40).holds  # rises again
    assert not judge_dead((0.2, 0.1), [3, 3], 40).holds  # a tie is not "fewer"


def test_the_short_run_verdict_needs_one_flip_between_the_lab_and_the_book_rate():
    lrs = (0.005, 0.01, 0.05, 0.2)
    assert judge_short(lrs, [9, 5, 2, 1], [3, 2, 3, 4]).holds
    wavering = judge_short((0.005, 0.01, 0.02, 0.05, 0.2), [9, 5, 1, 4, 1], [3, 2, 3, 3, 4])
    assert not wavering.holds and wavering.outcome == "no single flip between 0.01 and 0.2"
    assert not judge_short(lrs, [1, 1, 1, 1], [2, 2, 2, 2]).holds  # never slower


def test_the_claims_are_registered_and_the_spread_figure_is_drawn_from_the_package():
    assert {"exams.dead_starts", "exams.short_run"} <= set(claims.all_claims())
    sizes = exams_figures.rms_per_layer(np.random.default_rng(1), "divided", width=8, depth=3)
    he = exams_figures.rms_per_layer(np.random.default_rng(1), "He", width=8, depth=3)
    assert sizes.shape == (3,) and np.all(sizes / he > 1)  # (width / 2) = 4 times per layer
    np.testing.assert_allclose(sizes / he, 4.0 ** np.arange(1, 4))
    assert len(exams_figures.figure_spread(width=8, depth=3).axes[0].lines) == 2
    with pytest.raises(ValueError, match="rule"):
        exams_figures.rms_per_layer(np.random.default_rng(1), "Xavier")


def test_live_by_rule_trains_each_rule_from_the_same_draws():
    found = exams_claims.live_by_rule(count=3, epochs=5, lr=0.2, seed=4)
    x, y = exams.scale(load_exams())
    for rule, init in exams_claims.INITS.items():
        start = exams_cv.stack_starts(np.random.default_rng(4), 3, init=init)
        run = gradient_descent(
            exams_cv.stacked_loss_and_grads, start, x, y, lr=0.2, epochs=5, mask=np.ones((3, 25))
        )
        before, after = found[rule]
        assert np.array_equal(before, exams.live_units(start, x))
        assert np.array_equal(after, exams.live_units(run.params, x))


def test_the_rate_verdict_turns_when_the_evidence_does(monkeypatch):
    class Flat:  # every network stays a line and none dies: the rate changes nothing
        def __init__(self, params):
            self.params = params

    def fake_descent(fn, start, x, y, *, lr, epochs, mask):
        return Flat(start)

    monkeypatch.setattr(exams_claims, "gradient_descent", fake_descent)
    monkeypatch.setattr(exams_claims, "_RATE_SIZES", {"book": {"rates": (0.2, 0.1), "starts": 3}})
    evidence = exams_claims.rates()
    assert evidence.rates == (0.2, 0.1) and set(evidence.rmse) == {0.2, 0.1}
    assert evidence.rmse[0.2].shape == (3,) and evidence.dead[0.2] == evidence.dead[0.1]
    assert not evidence.verdict.holds and evidence.verdict.outcome == "the rate's effect turned"
    assert np.isfinite(evidence.ols_rmse) and "least squares" in evidence.verdict.detail
