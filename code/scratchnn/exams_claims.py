"""The exam chapter's explanation as a claim: is the network a straight line, or is the rate?

At the book's learning rate (0.2) no network fits the students better than
least squares: the units that survive are on for every student, so the
network is a straight line (or, not yet converged, a worse one).
:func:`rates` asks whether that is what the network is or what the rate
does: it trains the same He starts on all 25 students at the book's rate
and at smaller ones, each for the same product lr × epochs (the same
distance along the gradient flow), and counts the starts that lose every
live unit and measures how well the rest fit.
"""

from dataclasses import dataclass

import numpy as np

from scratchnn import exams, exams_cv
from scratchnn.claims import Verdict, claim
from scratchnn.data import load_exams
from scratchnn.train import gradient_descent

__all__ = ["RateEvidence", "rates"]

#: lr × epochs of every run: the book's 0.2 × 40 000.
FLOW = 8000.0
#: "No better than least squares": a training RMSE at most this many points below it.
TOLERANCE = 0.01
_SIZES = {
    "book": {"rates": (0.2, 0.1), "starts": 8},
    "full": {"rates": (0.2, 0.1, 0.05), "starts": 32},
}


@dataclass(frozen=True)
class RateEvidence:
    """What :func:`rates` returns.

    rates : the learning rates, the book's first;  starts : S He starts (seed 0).
    ols_rmse : least squares' training RMSE, in points of the final.
    dead : rate -> how many of the S networks ended with no live unit.
    rmse : rate -> (S,) training RMSE of each network, in points.
    live : rate -> (S,) live hidden units of each network at the end.
    verdict : see :func:`rates`.
    """

    rates: tuple[float, ...]
    starts: int
    ols_rmse: float
    dead: dict[float, int]
    rmse: dict[float, np.ndarray]
    live: dict[float, np.ndarray]
    verdict: Verdict


@claim(
    "exams.rates",
    chapter="exam_scores",
    axes={
        "learning rate": "0.2, 0.1 (book); 0.2, 0.1, 0.05 (full), lr × epochs = 8000",
        "starts": "8 (book), 32 (full) He starts",
    },
)
def rates(*, size: str = "book") -> RateEvidence:
    """The same starts trained at the book's rate and at smaller ones, to the same lr × epochs.

    The verdict holds when (1) at the book's rate no network fits the
    students better than least squares (by more than :data:`TOLERANCE`),
    (2) fewer networks lose every unit at the smallest rate than at the
    book's, and (3) at the smallest rate some network fits the training
    students better than any straight line, by more than 0.1 point.
    """
    s = _SIZES[size]
    scores = load_exams()
    x, y = exams.scale(scores)
    ols = exams_cv.least_squares(scores[:, :3], scores[:, 3])
    fitted = exams_cv.least_squares_predict(ols, scores[:, :3])
    ols_rmse = float(exams_cv.errors_in_points(fitted, scores[:, 3])[0])
    dead, rmse, live = {}, {}, {}
    for lr in s["rates"]:
        start = exams_cv.stack_starts(np.random.default_rng(0), s["starts"])
        everyone = np.ones((s["starts"], len(x)))
        history = gradient_descent(
            exams_cv.stacked_loss_and_grads, start, x, y, lr=lr, epochs=round(FLOW / lr),
            mask=everyone,
        )  # fmt: skip
        predicted = exams_cv.stacked_forward(history.params, x)[:, :, 0] * exams.FINAL_POINTS
        rmse[lr] = np.sqrt(np.mean((predicted - scores[:, 3]) ** 2, axis=1))
        live[lr] = exams.live_units(history.params, x)
        dead[lr] = int(np.sum(live[lr] == 0))
    book, smallest = s["rates"][0], s["rates"][-1]
    alive_book = live[book] > 0
    lines_at_book = bool(np.all(rmse[book][alive_book] >= ols_rmse - TOLERANCE))
    fewer_dead = dead[smallest] < dead[book]
    better_fit = float(rmse[smallest][live[smallest] > 0].min()) < ols_rmse - 0.1
    holds = lines_at_book and fewer_dead and better_fit
    outcome = (
        "the book's rate kills units and leaves lines; smaller rates fit better than any line"
        if holds
        else "the rate's effect turned"
    )
    detail = (
        "; ".join(
            f"lr {lr:g}: dead {dead[lr]}/{s['starts']}, "
            f"best RMSE {rmse[lr][live[lr] > 0].min():.3f}"
            for lr in s["rates"]
        )
        + f"; least squares {ols_rmse:.3f}"
    )
    return RateEvidence(
        tuple(s["rates"]), s["starts"], ols_rmse, dead, rmse, live, Verdict(holds, outcome, detail)
    )
