"""linear_regression.speed: the fastest learning rate is 2/(λ1+λ2), not the edge."""

import numpy as np
import pytest

from scratchnn import linear_regression as linreg
from scratchnn.linear_regression_claims import MARGIN, NEAR, judge_speed, speed
from scratchnn.linear_regression_sweep import book_problems

FRACTIONS = np.arange(0.30, 0.991, 0.03)


def test_a_v_shaped_count_with_its_bottom_at_the_best_rate_holds():
    best = np.array([0.9, 0.8])
    epochs = 100 + 1000 * np.abs(FRACTIONS[None, :] - best[:, None])
    verdict = judge_speed(FRACTIONS, best, epochs.round())
    assert verdict.holds, verdict.detail


def test_larger_is_always_faster_does_not_hold():
    """The lesson the chapter used to teach: the count falling all the way to the edge."""
    epochs = np.round(1000 * (1.2 - FRACTIONS))[None, :]
    verdict = judge_speed(FRACTIONS, np.array([0.6]), epochs)
    assert not verdict.holds
    assert "rises above on 0" in verdict.detail


def test_a_bottom_far_from_the_best_rate_does_not_hold():
    epochs = np.round(100 + 1000 * np.abs(FRACTIONS - 0.6))[None, :]
    verdict = judge_speed(FRACTIONS, np.array([0.6 + NEAR + 0.05]), epochs)
    assert not verdict.holds
    assert f"fastest within {NEAR:g} of η* on 0" in verdict.detail


def test_one_epoch_of_noise_is_tolerated_two_are_not():
    best = np.array([0.9])
    epochs = np.round(100 + 1000 * np.abs(FRACTIONS - 0.9))[None, :]
    k = int(np.flatnonzero(FRACTIONS < 0.9 - MARGIN)[-1])
    noisy = epochs.copy()
    noisy[0, k] = noisy[0, k - 1] + 1
    assert judge_speed(FRACTIONS, best, noisy).holds
    noisy[0, k] = noisy[0, k - 1] + 2
    assert not judge_speed(FRACTIONS, best, noisy).holds


@pytest.fixture(scope="module")
def book_size():
    return speed(size="book")


def test_the_claim_holds_at_book_size(book_size):
    assert book_size.verdict.holds, book_size.verdict.detail
    # the book's two rates are both below every data set's η*
    assert np.all(2 / book_size.eigenvalues.sum(axis=1) > 0.7)


def test_the_epoch_counts_are_those_of_a_plain_loop(book_size):
    """Data set 3 at three rates, counted again with the gradient written out here."""
    x, y, start = book_problems([3])
    x, y = x[0], y[0]
    hess = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    lam = np.linalg.eigvalsh(hess)
    np.testing.assert_allclose(book_size.eigenvalues[3], lam, rtol=1e-12)
    (a_ls, b_ls), *_ = np.linalg.lstsq(np.stack([x, np.ones_like(x)], axis=1), y, rcond=None)
    least = np.mean((a_ls * x + b_ls - y) ** 2)
    for k in (0, 10, len(FRACTIONS) - 1):
        lr = book_size.fractions[k] * 2 / lam[1]
        a, b = float(start["a"][0]), float(start["b"][0])
        epoch = 0
        while np.mean((a * x + b - y) ** 2) - least >= 1e-12 and epoch < 4000:
            r = a * x + b - y
            a, b = a - lr * 2 * np.mean(r * x), b - lr * 2 * np.mean(r)
            epoch += 1
        assert epoch == book_size.epochs[3, k], (k, epoch)
    assert linreg.BOOK.points == len(x)
