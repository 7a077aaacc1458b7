"""toy_mlp.wrong_gradient: the flawed w1 rule trains from the book's start, not everywhere."""

import numpy as np
import pytest

from scratchnn import toy_mlp as toy
from scratchnn.toy_mlp_claims import (
    _largest_training_rate,
    stacked_grads,
    train_stack,
    wrong_gradient,
)
from scratchnn.train import gradient_descent


@pytest.mark.parametrize("flawed", [False, True])
def test_the_stacked_rules_are_the_chapters_rules(flawed):
    rng = np.random.default_rng(5)
    w1, w2 = rng.standard_normal((4, 2, 2)), rng.standard_normal((4, 2))
    loss, dw1, dw2 = stacked_grads(w1, w2, flawed=flawed)
    rule = toy.loss_and_grads_flawed if flawed else toy.loss_and_grads
    for s in range(4):
        one_loss, grads = rule({"w1": w1[s], "w2": w2[s]}, toy.X, toy.Y)
        np.testing.assert_allclose(loss[s], one_loss, rtol=1e-14)
        np.testing.assert_allclose(dw1[s], grads["w1"], rtol=1e-14)
        np.testing.assert_allclose(dw2[s], grads["w2"], rtol=1e-14)


def test_the_flawed_update_is_not_the_gradient():
    rng = np.random.default_rng(1)
    w1, w2 = rng.standard_normal((3, 2, 2)), rng.standard_normal((3, 2))
    assert not np.allclose(
        stacked_grads(w1, w2, flawed=True)[1], stacked_grads(w1, w2, flawed=False)[1]
    )


def test_stacked_training_is_gradient_descent():
    start = toy.starting_params()
    history = gradient_descent(toy.loss_and_grads_flawed, start, toy.X, toy.Y, lr=0.03, epochs=8)
    final = train_stack(start["w1"][None], start["w2"][None], lr=0.03, epochs=8, flawed=True)
    expected, _ = toy.loss_and_grads_flawed(history.params, toy.X, toy.Y)
    assert expected > 1e-4  # still far from 0, where rounding dominates
    np.testing.assert_allclose(final[0], expected, rtol=1e-12)


def test_the_largest_training_rate_is_the_end_of_the_first_run_of_successes():
    lrs = np.array([0.1, 0.2, 0.3, 0.4])
    assert _largest_training_rate(lrs, np.array([True, True, False, True])) == 0.2
    assert _largest_training_rate(lrs, np.array([True, True, True, True])) == 0.4
    assert _largest_training_rate(lrs, np.array([False, True, True, True])) == 0.0


def test_the_claim_holds_at_book_size():
    evidence = wrong_gradient()
    assert evidence.verdict.holds, evidence.verdict.detail
    assert evidence.largest[0] > evidence.largest[1] > toy.BOOK.lr
    assert evidence.missed[0].sum() == 0 < evidence.missed[1].min()
