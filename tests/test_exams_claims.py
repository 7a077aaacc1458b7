"""The exam chapter's rate claim (scratchnn.exams_claims): its evidence and its verdict."""

import numpy as np

from scratchnn import exams_claims


def test_the_verdict_turns_when_the_evidence_does(monkeypatch):
    class Flat:  # every network stays a line and none dies: the rate changes nothing
        def __init__(self, params):
            self.params = params

    def fake_descent(fn, start, x, y, *, lr, epochs, mask):
        return Flat(start)

    monkeypatch.setattr(exams_claims, "gradient_descent", fake_descent)
    monkeypatch.setattr(exams_claims, "_SIZES", {"book": {"rates": (0.2, 0.1), "starts": 3}})
    evidence = exams_claims.rates()
    assert evidence.rates == (0.2, 0.1) and set(evidence.rmse) == {0.2, 0.1}
    assert evidence.rmse[0.2].shape == (3,) and evidence.dead[0.2] == evidence.dead[0.1]
    assert not evidence.verdict.holds and evidence.verdict.outcome == "the rate's effect turned"
    assert np.isfinite(evidence.ols_rmse) and "least squares" in evidence.verdict.detail
