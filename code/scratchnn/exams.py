"""Predicting final exam scores: a 3 -> 5 -> 1 ReLU network against least squares.

The data are 25 students' scores on three exams (out of 100) and on the final
(out of 200), from :func:`scratchnn.data.load_exams`.  The network is

    z1 = x w1 + b1,   h = relu(z1),   y_hat = h w2 + b2,   L = mean((y_hat - y)^2)

with x the exams divided by 100 and y the final divided by 200.  The book's
experiment (:func:`run`) trains it from several He starts, on all students
and in leave-one-out cross-validation, all at once, and compares it with
least squares (:mod:`scratchnn.exams_cv`), in points of the final exam.
Explained in the book's chapter "Predicting exam scores".

Run ``python -m scratchnn.exams --help`` for the command line.
"""

import dataclasses
import sys
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from scratchnn import checks, cli, exams_cv
from scratchnn.data import EXAM_COLUMNS, load_exams
from scratchnn.exams_model import (
    EXAM_POINTS,
    FINAL_POINTS,
    SPEC,
    forward,
    he_std,
    init_params,
    init_params_divided,
    live_units,
    loss_and_grads,
    scale,
)
from scratchnn.experiment import Callback, experiment
from scratchnn.plotting import new_figure
from scratchnn.train import History, gradient_descent

# fmt: off
__all__ = [  # noqa: RUF022 (grouped by contract, not sorted)
    # the experiment contract (scratchnn.experiment)
    "BOOK", "Defaults", "Result", "run", "summary", "main",
    # the model contract
    "SPEC", "init_params", "forward", "loss_and_grads",
    # figures
    "figure_predictions", "figure_scores",
    # this module's own
    "EXAM_POINTS", "FINAL_POINTS", "LAB_SHEET", "he_std", "init_params_divided", "live_units",
    "scale",
]
# fmt: on


@dataclass(frozen=True)
class Defaults:
    """The book's experiment; the fields are the keyword arguments of :func:`run`."""

    seed: int = cli.option(0, "seed of the random generator", minimum=0)
    epochs: int = cli.option(40_000, "gradient-descent steps")
    lr: float = cli.option(0.2, "learning rate")
    hidden: int = cli.option(5, "hidden units H", maximum=100)
    starts: int = cli.option(4, "He starts compared (each: 1 + 25 networks)", maximum=100)


#: The one spelling of the book's defaults.
BOOK = Defaults()

#: The original lab sheet's short run: 30 epochs at learning rate 0.01.
LAB_SHEET = dataclasses.replace(BOOK, epochs=30, lr=0.01, starts=1)


# --- the book's experiment -----------------------------------------------------


@dataclass(frozen=True)
class Result:
    """What :func:`run` returns; every error is in points of the final (out of 200).

    history : the network trained on all 25 students from the ``seed`` draw.
    comparison : :class:`scratchnn.exams_cv.Comparison`, both models on every
        start, on the training students and left out.
    lr, epochs : the training settings.
    """

    history: History
    comparison: exams_cv.Comparison
    lr: float
    epochs: int


@experiment(BOOK)
def run(options: Defaults, *, callback: Callback = None) -> Result:
    """Train on all 25 students from the ``seed`` draw, then compare both models.

    Called as ``run(**changes)``: ``options`` is ``BOOK`` with those fields,
    checked.  The comparison trains ``starts`` He draws (the first is the
    ``seed`` draw), each on all students and in its 25 leave-one-out folds, in
    one batched run; ``callback(epoch, loss)`` follows that run.
    """
    scores = load_exams()
    x, y = scale(scores)
    start = init_params(np.random.default_rng(options.seed), hidden=options.hidden)
    lr, epochs = options.lr, options.epochs
    history = gradient_descent(loss_and_grads, start, x, y, lr=lr, epochs=epochs)
    comparison = exams_cv.compare(scores, **dataclasses.asdict(options), callback=callback)
    return Result(history, comparison, lr, epochs)


def summary(result: Result) -> list[str]:
    """The lines the program prints: both models' errors in points, training and left out."""
    c = result.comparison
    lines = [
        f"{c.starts} He starts of a 3-{c.hidden}-1 ReLU network, lr {result.lr:g}, "
        f"{result.epochs} epochs; errors in points of the final (out of 200):",
        "                        training RMSE   MAE   left-out RMSE   MAE",
        f"  least squares         {c.ols_train[0]:13.3f} {c.ols_train[1]:5.2f} "
        f"{c.ols_loo[0]:15.3f} {c.ols_loo[1]:5.2f}",
    ]
    for s in range(c.starts):
        lines.append(
            f"  network, start {s:<3d}    {c.net_train[0][s]:13.3f} {c.net_train[1][s]:5.2f} "
            f"{c.net_loo[0][s]:15.3f} {c.net_loo[1][s]:5.2f}   live units {c.live[s]}"
        )
    return lines


# --- figures -----------------------------------------------------------------


def figure_scores(scores: np.ndarray) -> Figure:
    """The final against each of the three exams, one panel each.  scores: (N, 4)."""
    scores = checks.array(scores, "scores", ("N", len(EXAM_COLUMNS)))
    fig = new_figure(3, width=9.0, height=3.2)
    for i, ax in enumerate(fig.axes):
        ax.scatter(scores[:, i], scores[:, 3], s=18)
        ax.set_xlabel(f"{EXAM_COLUMNS[i]} (out of 100)")
        ax.grid(True, alpha=0.3)
    fig.axes[0].set_ylabel("FINAL (out of 200)")
    return fig


def figure_predictions(result: Result, *, start: int = 0) -> Figure:
    """Left-out predictions against the actual final, in points; the diagonal is a perfect guess.

    Least squares and the network of one start (``start``, the ``seed`` draw by default).
    """
    c = result.comparison
    start = checks.whole_number(start, "start", minimum=0, maximum=c.starts - 1)
    actual = c.actual
    fig = new_figure(width=5.0, height=4.6)
    ax = fig.axes[0]
    lo, hi = float(np.min(actual)) - 10, float(np.max(actual)) + 10
    ax.plot([lo, hi], [lo, hi], color="grey", lw=1, label="perfect prediction")
    ax.scatter(actual, c.net_left_out[start], s=22, marker="o", alpha=0.8, label="network")
    ax.scatter(actual, c.ols_left_out, s=22, marker="s", alpha=0.8, label="least squares")
    ax.set_xlabel("actual final (points out of 200)")
    ax.set_ylabel("left-out prediction (points)")
    ax.set_aspect("equal")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return fig


main = cli.chapter_main("exams", __doc__, run, summary, figure_predictions)

if __name__ == "__main__":
    sys.exit(main())
