"""Figures of the chapter "A two-layer ReLU network in matrix form".

Each figure takes data and returns a Figure; nothing is shown or saved here.
"""

import numpy as np
from matplotlib.figure import Figure

from scratchnn import checks
from scratchnn.plotting import loss_curve, new_figure
from scratchnn.two_layer_claims import StartsEvidence

__all__ = ["figure_starts", "figure_targets"]


def figure_targets(y: np.ndarray, y_hat: np.ndarray) -> Figure:
    """Histograms of the targets (left) and of the untrained predictions (right).

    Shapes: y (N, D_out), y_hat (N, D_out).
    """
    dims: dict[str, int] = {}
    y = checks.array(y, "y", ("N", "D_out"), dims=dims)
    y_hat = checks.array(y_hat, "y_hat", ("N", "D_out"), dims=dims)
    fig = new_figure(2, width=8.0)
    left, right = fig.axes
    left.hist(y.ravel(), bins=30, color="tab:blue")
    left.set_title("targets y")
    right.hist(y_hat.ravel(), bins=30, color="tab:orange")
    right.set_title("predictions ŷ at the start")
    for ax in fig.axes:
        ax.set_xlabel("value")
    left.set_ylabel("count")
    return fig


def figure_starts(evidence: StartsEvidence, *, problem: int = 0, target: int = 0) -> Figure:
    """Loss per step of the first problem: the N(0, 1) start at its best rate, the fan-in at all.

    problem : index into ``evidence.seeds``.   target : index into the targets swept.
    """
    problem = checks.whole_number(problem, "problem", minimum=0, maximum=len(evidence.seeds) - 1)
    target = checks.whole_number(target, "target", minimum=0, maximum=len(evidence.normal) - 1)
    normal, scaled = evidence.normal[target], evidence.scaled[target]
    k = evidence.best_normal[target]

    def shown(
        losses: np.ndarray,
    ) -> np.ndarray:  # a diverged run is drawn up to its last finite loss
        bad = ~np.isfinite(losses)
        return losses[: int(np.argmax(bad))] if bad.any() else losses

    curves = {f"N(0, 1), lr {normal.lrs[k]:.0e}": shown(normal.losses[problem, k])}
    for j, lr in enumerate(scaled.lrs):
        curve = shown(scaled.losses[problem, j])
        if len(curve):
            curves[f"fan-in, lr {lr:.1e}"] = curve
    return loss_curve(curves, log=True, xlabel="step", ylabel="sum of squared errors")
