"""The two-layer chapter's claims: the sweep's evidence, the best rate, the verdict and figures."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from scratchnn import claims, two_layer, two_layer_claims, two_layer_figures
from scratchnn.train import gradient_descent
from scratchnn.two_layer_claims import Sweep, best_rate, judge, sweep


def _sweep(steps, lrs, target=1e-3):
    steps = np.array(steps)
    shape = (*steps.shape, 3)
    return Sweep(np.array(lrs), target, np.ones(shape), steps < -1, steps, np.ones(steps.shape))


def test_a_sweep_counts_the_steps_gradient_descent_takes_to_the_target():
    problem = two_layer.book_problems([0, 1], n=6, d_in=5, hidden=4, d_out=2, scale="fan_in")
    found = sweep(problem, [1e-3, 1e-2, 50.0], epochs=80, target=1.0)
    assert found.steps.shape == found.diverged.shape == (2, 3)
    assert found.diverged[:, 2].all() and not found.diverged[:, :2].any()
    for s in range(2):
        params = {k: v[s] for k, v in problem.params.items()}
        oracle = gradient_descent(
            two_layer.loss_and_grads, params, problem.x[s], problem.y[s], lr=1e-2, epochs=80
        ).losses
        below = np.flatnonzero(oracle < 1.0)
        assert found.steps[s, 1] == (below[0] if below.size else -1)
        reached = found.steps[s, 1] if found.steps[s, 1] >= 0 else 80
        np.testing.assert_allclose(found.losses[s, 1, :reached], oracle[:reached], rtol=1e-10)


def test_the_best_rate_is_the_one_whose_slowest_problem_is_fastest():
    result = _sweep([[30, 10, -1], [40, 50, 20]], [1, 2, 3])
    k, steps = best_rate(result)  # rate 3 misses a problem; rate 1's slowest is 40 < 50
    assert k == 0 and steps.tolist() == [30, 40]
    with pytest.raises(ValueError, match=r"^no learning rate reaches the target 0.001 on every"):
        best_rate(_sweep([[-1, 3], [4, -1]], [1, 2]))


def test_the_verdict_needs_both_bests_inside_their_grids_and_the_scaled_start_faster():
    normal = _sweep([[-1, 300, -1], [-1, 320, -1]], [0.5e-6, 1e-6, 2e-6])
    scaled = _sweep([[90, 40, 60], [80, 50, 70]], [1e-4, 1e-3, 2e-3])
    assert judge(normal, scaled)[2]
    edge = _sweep([[90, 60, 40], [80, 70, 50]], [1e-4, 1e-3, 2e-3])  # best at the top
    assert not judge(normal, edge)[2]
    slow = _sweep([[900, 400, 600], [800, 500, 700]], [1e-4, 1e-3, 2e-3])
    kn, ks, ok, note = judge(normal, slow)
    assert (kn, ks, ok) == (1, 1, False) and "fan-in best lr 0.001 (400-500 steps)" in note
    assert not judge(normal, scaled, book_lr=2e-6)[2]


def test_the_claim_is_registered_and_its_figure_draws_every_curve(monkeypatch):
    assert claims.CLAIMS["two_layer.starts"].chapter == "two_layer"
    assert "two_layer_claims" in claims.MODULES
    normal = _sweep([[-1, 300, -1]], [0.5e-6, 1e-6, 2e-6])
    scaled = _sweep([[90, 40, 60]], [1e-4, 1e-3, 2e-3])
    evidence = two_layer_claims.StartsEvidence(
        (0,), (normal,), (scaled,), (1,), (1,), claims.Verdict(True, "ok")
    )
    fig = two_layer_figures.figure_starts(evidence)
    assert isinstance(fig, Figure) and len(fig.axes[0].lines) == 4
    with pytest.raises(ValueError, match="problem"):
        two_layer_figures.figure_starts(evidence, problem=1)
    y = np.zeros((3, 2))
    assert len(two_layer_figures.figure_targets(y, y).axes) == 2
    with pytest.raises(ValueError, match="y_hat"):
        two_layer_figures.figure_targets(y, np.zeros((3, 4)))
