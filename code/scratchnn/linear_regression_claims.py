"""The linear-regression chapter's speed lesson as a claim: how fast each stable rate converges.

Below the edge 2/λ₂ every learning rate converges, but not every larger one
converges faster.  After t steps the error along eigenvector i of the
Hessian has shrunk by (1 − ηλᵢ)ᵗ, so the whole error shrinks like ρ(η)ᵗ with

    ρ(η) = max(|1 − ηλ₁|, |1 − ηλ₂|),

which falls as η grows while the slow direction λ₁ sets it, and rises again
once the fast direction's overshoot |1 − ηλ₂| = ηλ₂ − 1 takes over.  The two
are equal at η* = 2/(λ₁ + λ₂), the fastest rate.

:func:`speed` ("linear_regression.speed") trains many data sets of the
book's problem at a grid of rates, each in units of its own edge 2/λ₂ (so
every data set is swept up to its own edge), counts the epochs each needs to
come within :data:`TARGET` of its least-squares loss, and checks that the
count falls up to η* and rises above it, with its minimum next to η*.
"""

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from scratchnn import linear_regression as linreg
from scratchnn.claims import Verdict, claim
from scratchnn.linear_regression_sweep import book_problems, sweep
from scratchnn.plotting import new_figure

__all__ = ["MARGIN", "NEAR", "TARGET", "SpeedEvidence", "figure_speed", "judge_speed", "speed"]

#: "Converged": the loss within this much of the least-squares loss.
TARGET = 1e-12
#: How far from η* (in units of the edge 2/λ₂) the monotone trend is checked;
#: closer than this the epoch counts of neighbouring rates are too flat to order.
MARGIN = 0.02
#: "Next to η*": the fastest rate of the grid within this much of it (in units of the
#: edge).  For a finite target the fastest rate sits a little below η*, where the
#: fast direction, which starts with the larger error, still shrinks quickly.
NEAR = 0.03
#: Data sets, the rates' grid in units of each one's edge, and the budget.
_SIZES = {
    "book": {"seeds": 20, "fractions": np.arange(0.30, 0.991, 0.03), "epochs": 4000},
    "full": {"seeds": 60, "fractions": np.arange(0.30, 0.9951, 0.005), "epochs": 4000},
}


@dataclass(frozen=True)
class SpeedEvidence:
    """What :func:`speed` returns, for S data sets and K rates.

    fractions : (K,) the rates, each a fraction of its data set's edge 2/λ₂.
    eigenvalues : (S, 2) each data set's λ₁ <= λ₂.
    best : (S,) the fastest rate, η* = 2/(λ₁+λ₂), as a fraction of the edge.
    epochs : (S, K) epochs each run needed to come within :data:`TARGET`.
    fastest : (S,) the grid's fastest fraction per data set.
    verdict : see :func:`judge_speed`.
    """

    fractions: np.ndarray
    eigenvalues: np.ndarray
    best: np.ndarray
    epochs: np.ndarray
    fastest: np.ndarray
    verdict: Verdict


def judge_speed(fractions: np.ndarray, best: np.ndarray, epochs: np.ndarray) -> Verdict:
    """The verdict on epoch counts ``epochs`` (S, K) at ``fractions`` (K,) of the edge.

    It holds when on every data set the count never rises (by more than the
    one epoch a threshold crossing can move) between two neighbouring rates
    below ``best`` − :data:`MARGIN`, never falls by more than one above
    ``best`` + :data:`MARGIN`, and is smallest within :data:`NEAR` of
    ``best`` (S,), the data set's η* in units of its edge.
    """
    falls = rises = near = 0
    for row, star in zip(epochs, best, strict=True):
        below = fractions < star - MARGIN
        above = fractions > star + MARGIN
        falls += bool(np.all(np.diff(row[below]) <= 1))
        rises += bool(np.all(np.diff(row[above]) >= -1))
        near += bool(abs(fractions[row.argmin()] - star) <= NEAR)
    s = len(epochs)
    holds = falls == rises == near == s
    outcome = (
        "faster up to 2/(λ1+λ2), slower above it, fastest next to it"
        if holds
        else "the speed's peak moved"
    )
    detail = (
        f"of {s} data sets: falls below η* on {falls}, rises above on {rises}, "
        f"fastest within {NEAR:g} of η* on {near}"
    )
    return Verdict(holds, outcome, detail)


@claim(
    "linear_regression.speed",
    chapter="linear_regression",
    axes={
        "learning rate": "0.30 to 0.99 of each data set's edge, step 0.03 / 0.30 to 0.995, 0.005",
        "data sets (seeds)": "20 / 60",
        "target": f"loss within {TARGET:g} of least squares",
    },
)
def speed(*, size: str = "book") -> SpeedEvidence:
    """Epochs to :data:`TARGET` at every rate of the grid, for data sets with seeds 0, 1, ..."""
    s = _SIZES[size]
    fractions = s["fractions"]
    x, y, start = book_problems(range(s["seeds"]))
    eig = np.array([np.linalg.eigvalsh(linreg.mse_hessian(row)) for row in x])  # (S, 2)
    epochs = np.empty((len(x), len(fractions)), dtype=int)
    for i in range(len(x)):
        one = {k: v[i : i + 1] for k, v in start.items()}
        run = sweep(x[i : i + 1], y[i : i + 1], one, fractions * 2 / eig[i, 1], epochs=s["epochs"])
        least = linreg.loss_and_grads(linreg.closed_form(x[i], y[i]), x[i], y[i])[0]
        close = run.losses[0] - least < TARGET  # (K, epochs)
        if not close[:, -1].all():
            raise RuntimeError(f"a run of data set {i} did not converge in {s['epochs']} epochs")
        epochs[i] = close.argmax(axis=-1)
    best = eig[:, 1] / eig.sum(axis=1)  # η* / (2/λ₂) = λ₂ / (λ₁ + λ₂)
    verdict = judge_speed(fractions, best, epochs)
    return SpeedEvidence(fractions, eig, best, epochs, fractions[epochs.argmin(axis=1)], verdict)


def figure_speed(evidence: SpeedEvidence) -> Figure:
    """Epochs to the target against the rate in units of the edge, one line per data set."""
    fig = new_figure()
    ax = fig.axes[0]
    for row in evidence.epochs:
        ax.plot(evidence.fractions, row, color="C0", alpha=0.4, lw=1)
    ax.axvline(
        float(np.median(evidence.best)), color="grey", ls=":", label="η* = 2/(λ₁+λ₂), median"
    )
    ax.set_yscale("log")
    ax.set_xlabel("learning rate η, in units of 2/λ₂ of its data set")
    ax.set_ylabel(f"epochs to within {TARGET:g}")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return fig
