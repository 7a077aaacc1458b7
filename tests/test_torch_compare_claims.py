"""The PyTorch chapter's claim (scratchnn.torch_compare_claims) at a tiny size."""

import numpy as np
import pytest
import torch

from scratchnn import torch_compare as tc
from scratchnn import torch_compare_claims, two_layer


@pytest.fixture
def problem():
    x, y, params = two_layer.book_problem(0, n=8, d_in=5, hidden=4, d_out=3)
    return x, y, params["w1"], params["w2"]


def test_float64_weights_follow_the_float64_run_to_float32_accuracy(problem):
    x, y, w1, w2 = problem
    mixed = torch_compare_claims.train_float64_weights(x, y, w1, w2, lr=1e-3, steps=20)
    full, _, _ = tc.train_manual(x, y, w1, w2, lr=1e-3, steps=20)
    assert mixed.shape == (20,) and mixed.dtype == np.float64
    assert np.allclose(mixed, full, rtol=1e-5) and not np.array_equal(mixed, full)
    assert np.array_equal(problem[2], w1)  # the caller's weights untouched


def test_float64_weights_keep_an_update_that_float32_rounds_away(problem):
    x, y, w1, w2 = problem
    tiny = 1e-12  # far below float32's rounding step of a weight
    _, w1_32, _ = tc.train_manual(x, y, w1, w2, lr=tiny, steps=1, dtype=torch.float32)
    assert np.array_equal(w1_32, w1.astype(np.float32))  # every update rounded away
    with pytest.raises(ValueError, match="lr"):
        torch_compare_claims.train_float64_weights(x, y, w1, w2, lr=-1.0, steps=1)


def test_the_claim_reports_the_factor_per_seed_and_what_closes_it():
    evidence = torch_compare_claims.float32_gap(steps=5)
    assert evidence.seeds.tolist() == [0, 1, 2, 3]
    assert np.allclose(evidence.ratio32, evidence.last32 / evidence.last64)
    assert np.allclose(evidence.ratio_mixed, evidence.last_mixed / evidence.last64)
    assert "float32 / float64 final loss" in evidence.verdict.detail
