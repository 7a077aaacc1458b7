"""The digits chapter's claims (scratchnn.digits_claims) at tiny sizes, McNemar against SciPy."""

import numpy as np
import pytest
from scipy.stats import binomtest

from scratchnn import claims, digits, digits_claims
from scratchnn.claims import Verdict


@pytest.mark.parametrize("seed", range(5))
def test_mcnemar_is_the_exact_binomial_test_of_the_discordant_pairs(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.random(60) < 0.8, rng.random(60) < 0.7
    only_a, only_b, p = digits_claims.mcnemar(a, b)
    assert only_a == np.sum(a & ~b) and only_b == np.sum(b & ~a)
    assert p == pytest.approx(binomtest(only_a, only_a + only_b, 0.5).pvalue, rel=1e-12)


def test_mcnemar_of_identical_classifiers_and_of_wrong_shapes():
    right = np.array([True, False, True])
    assert digits_claims.mcnemar(right, right) == (0, 0, 1.0)
    with pytest.raises(ValueError, match=r"must be \(N,\) alike, got \(3,\) and \(2,\)"):
        digits_claims.mcnemar(right, right[:2])


def test_a_resplit_is_stratified_disjoint_and_reproducible():
    one, again, other = (digits_claims.resplit(s) for s in (7, 7, 8))
    assert np.array_equal(one.y_test, again.y_test) and not np.array_equal(
        one.x_train, other.x_train
    )
    sizes = [len(one.y_train), len(one.y_val), len(one.y_test)]
    assert sum(sizes) == len(digits.split().y_train) + len(digits.split().y_val) + len(
        digits.split().y_test
    )
    per_digit = np.bincount(one.y_test, minlength=10)
    assert per_digit.max() - per_digit.min() <= 2  # about 36 of each digit


def test_hidden_layer_pairs_each_seed_with_the_linear_model_on_the_same_images():
    gain = digits_claims.hidden_layer(splits=2, seeds=2, epochs=2)
    assert gain.gains.shape == gain.p_values.shape == (2, 2)
    assert np.all((gain.p_values >= 0) & (gain.p_values <= 1))
    assert gain.low <= gain.mean_gain <= gain.high
    assert all(type(v) is float for v in (gain.low, gain.mean_gain, gain.high))  # for glue
    assert gain.mean_gain == pytest.approx(gain.gains.mean())
    assert set(gain.logistic_c) <= set(digits_claims.C_GRID)
    assert isinstance(gain.verdict, Verdict) and "McNemar" in gain.verdict.detail


def test_batch_sizes_counts_the_steps_and_checks_time_as_timing():
    race = digits_claims.batch_sizes(budget=1, seeds=1)
    n_train = len(digits.split().y_train)
    assert race.steps == {1: n_train, 32: -(-n_train // 32), n_train: 1}
    for b, rates in race.grids.items():
        assert race.best_lr[b] in rates and race.curves[b].shape == (1,)
    assert race.timing.verdict.timing and not race.verdict.timing
    assert race.timing.ratio.low <= race.timing.ratio.median <= race.timing.ratio.high


def test_learning_rate_refuses_a_best_rate_on_the_grids_edge(monkeypatch):
    monkeypatch.setattr(digits_claims, "RATE_GRID", {"book": ((0.2, 0.5), 1)})
    rates = digits_claims.learning_rate()
    assert rates.best in (0.2, 0.5) and rates.val_loss.shape == rates.val_acc.shape == (2,)
    assert rates.gap == pytest.approx(rates.val_loss[0] - rates.val_loss.min())
    assert not rates.verdict.holds and "edge" in rates.verdict.outcome
    with pytest.raises(claims.ClaimError, match=r"^digits\.learning_rate no longer supports"):
        claims.require(rates, "digits.learning_rate")
