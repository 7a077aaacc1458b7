"""The exam-score chapter's lessons as claims: what the learning rate does to the units.

The chapter "Predicting exam scores" trains at lr 0.2, and two of its
sentences depend on that choice, so both are swept over it:

* :func:`dead_starts` ("exams.dead_starts"): how many He networks lose every
  live hidden unit, at each learning rate, trained for the same lr x epochs
  (the same distance along the gradient flow); fewer die as the rate falls.
* :func:`short_run` ("exams.short_run"): after a short run, do the starts
  with one live unit end above those with two or more?  The answer depends on
  the learning rate, and the claim says where it flips.

Many networks, and many learning rates, are trained at once by
:func:`train_rates`: one stack, network m at its own rate for its own number
of epochs, then frozen.
"""

from dataclasses import dataclass

import numpy as np

from scratchnn import checks, exams_cv
from scratchnn import exams_model as exams
from scratchnn.claims import Verdict, claim
from scratchnn.data import load_exams
from scratchnn.train import gradient_descent

__all__ = [
    "DEAD_LRS",
    "FLOW",
    "INITS",
    "TOLERANCE",
    "DeadEvidence",
    "RateEvidence",
    "ShortEvidence",
    "dead_starts",
    "judge_dead",
    "judge_short",
    "live_by_rule",
    "rates",
    "short_run",
    "train_rates",
]

#: The learning rates of the dead-unit sweep, the book's 0.2 first (0.02 at full size only).
DEAD_LRS = (0.2, 0.1, 0.05, 0.02)


def train_rates(params, x, y, *, lrs, epochs) -> dict[str, np.ndarray]:
    """Full-batch gradient descent of M stacked exam networks, each at its own rate.

    Network m takes ``epochs[m]`` steps of ``lrs[m]`` on its mean squared
    error over all N students, then stops.  The steps are those of
    :func:`scratchnn.train.gradient_descent` on
    :func:`scratchnn.exams_cv.stacked_loss_and_grads` (a network's gradient
    is its own, so each rate applies to its own network only).

    Shapes: params as :data:`scratchnn.exams_cv.SPEC_STACKED` (M networks),
    x (N, D), y (N, 1), lrs (M,), epochs (M,) -> the final params, same shapes.
    """
    lrs = checks.array(lrs, "lrs", ("M",))
    epochs = checks.array(epochs, "epochs", (len(lrs),)).astype(int)
    if np.any(lrs <= 0) or np.any(epochs < 1):
        raise ValueError("lrs must be > 0 and epochs >= 1 for every network")
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    done = 0
    for stop in np.unique(epochs):  # train the networks still running up to the next stop
        running = np.flatnonzero(epochs >= stop)
        part = {k: v[running] for k, v in params.items()}
        rate = lrs[running].reshape(-1, 1, 1)
        mask = np.ones((len(running), len(x)))
        for _ in range(int(stop) - done):
            _, grads = exams_cv.stacked_loss_and_grads(part, x, y, mask=mask)
            part = {
                k: v - (rate[:, 0] if v.ndim == 2 else rate) * grads[k] for k, v in part.items()
            }
        for k in params:
            params[k][running] = part[k]
        done = int(stop)
    return params


#: The two initialisation rules of the chapter: He, and the lab sheet's deliberately wrong one.
INITS = {"He": exams.init_params, "divided": exams.init_params_divided}


def live_by_rule(
    *, count: int = 100, epochs: int = 2000, lr: float = 0.2, seed: int = 3
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Live units of ``count`` networks per rule of :data:`INITS`, before and after training.

    Every rule draws its starts from ``default_rng(seed)`` (the same random
    numbers), and all train at once at ``lr`` for ``epochs`` on all students.
    Returns rule -> (live at the start (count,), live after training (count,)).
    """
    count = checks.whole_number(count, "count", maximum=100_000)
    x, y = exams.scale(load_exams())
    starts = {
        r: exams_cv.stack_starts(np.random.default_rng(seed), count, init=f)
        for r, f in INITS.items()
    }
    stacked = {k: np.concatenate([p[k] for p in starts.values()]) for k in exams_cv.SPEC_STACKED}
    n = len(stacked["w1"])
    final = train_rates(stacked, x, y, lrs=np.full(n, lr), epochs=np.full(n, epochs))
    after = exams.live_units(final, x).reshape(len(INITS), count)
    return {r: (exams.live_units(p, x), after[i]) for i, (r, p) in enumerate(starts.items())}


@dataclass(frozen=True)
class DeadEvidence:
    """Networks left with no live unit, per learning rate.

    lrs : the rates.   epochs : (K,) the steps at each, lr x epochs = ``budget``.
    starts : He draws per rate (the same draws at every rate).
    live : (K, starts) live units after training.   dead : (K,) networks with none.
    """

    lrs: tuple[float, ...]
    epochs: np.ndarray
    budget: float
    starts: int
    live: np.ndarray
    dead: np.ndarray
    verdict: Verdict


_DEAD_SIZES = {"book": (40, 200.0, DEAD_LRS[:3]), "full": (100, 400.0, DEAD_LRS)}


@claim(
    "exams.dead_starts",
    chapter="exam_scores",
    axes={
        "lr": "0.2, 0.1, 0.05 / and 0.02",
        "budget lr x epochs": "200 / 400 (1000 / 2000 epochs at 0.2)",
        "He starts": "40 / 100",
    },
)
def dead_starts(*, size: str = "book", seed: int = 3) -> DeadEvidence:
    """Train the same He starts at each rate of :data:`DEAD_LRS` for the same lr x epochs.

    Holds when the book's 0.2 leaves more networks with no live unit than
    any smaller rate, and the count never rises as the rate falls.
    """
    count, budget, lrs = _DEAD_SIZES[size]
    x, y = exams.scale(load_exams())
    first = exams_cv.stack_starts(np.random.default_rng(seed), count)
    k = len(lrs)
    stacked = {name: np.tile(v, (k,) + (1,) * (v.ndim - 1)) for name, v in first.items()}
    epochs = np.array([round(budget / lr) for lr in lrs])
    final = train_rates(stacked, x, y, lrs=np.repeat(lrs, count), epochs=np.repeat(epochs, count))
    live = exams.live_units(final, x).reshape(k, count)
    dead = (live == 0).sum(axis=1)
    return DeadEvidence(tuple(lrs), epochs, budget, count, live, dead, judge_dead(lrs, dead, count))


def judge_dead(lrs, dead, count: int) -> Verdict:
    """Holds when the first (largest) rate has more dead networks than any other, and the
    count never rises as the rate falls.  lrs (K,) falling, dead (K,) counts of ``count``."""
    dead = np.asarray(dead)
    holds = bool(dead[0] > dead[1:].max() and np.all(np.diff(dead) <= 0))
    detail = ", ".join(f"lr {lr:g}: {d} of {count}" for lr, d in zip(lrs, dead, strict=True))
    outcome = "fewer dead starts at every smaller rate" if holds else "dead starts not fewer"
    return Verdict(holds, outcome, detail)


@dataclass(frozen=True)
class ShortEvidence:
    """Mean squared error after a short run, one-live-unit starts against the others.

    lrs : the rates.   epochs : the steps (the lab sheet's).
    live : (starts,) live units at the start.   losses : (K, starts) final MSE.
    median_one, median_more : (K,) medians of the starts with 1 and with >= 2 live units.
    """

    lrs: tuple[float, ...]
    epochs: int
    live: np.ndarray
    losses: np.ndarray
    median_one: np.ndarray
    median_more: np.ndarray
    verdict: Verdict


_SHORT_SIZES = {
    "book": ((0.005, 0.01, 0.02, 0.05, 0.1, 0.2), 100),
    "full": ((0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3), 300),
}


@claim(
    "exams.short_run",
    chapter="exam_scores",
    axes={"lr": "0.005 .. 0.2 / 0.002 .. 0.3", "He starts": "100 / 300", "budget": "30 epochs"},
)
def short_run(*, size: str = "book", epochs: int = 30, seed: int = 3) -> ShortEvidence:
    """After ``epochs`` steps, compare the median loss of one-live-unit starts and the others.

    The sentence it supports: one-live-unit starts end higher at the lab
    sheet's small rates and lower at the book's 0.2, so how fast a start
    learns depends on the rate together with its live units.  Holds when
    the one-unit median is higher at 0.01 and lower at 0.2, and the sign
    changes once along the grid.
    """
    lrs, count = _SHORT_SIZES[size]
    x, y = exams.scale(load_exams())
    first = exams_cv.stack_starts(np.random.default_rng(seed), count)
    live = exams.live_units(first, x)
    k = len(lrs)
    stacked = {name: np.tile(v, (k,) + (1,) * (v.ndim - 1)) for name, v in first.items()}
    final = train_rates(stacked, x, y, lrs=np.repeat(lrs, count), epochs=np.full(k * count, epochs))
    losses = np.mean((exams_cv.stacked_forward(final, x) - y) ** 2, axis=(1, 2)).reshape(k, count)
    one = np.median(losses[:, live == 1], axis=1)
    more = np.median(losses[:, live >= 2], axis=1)
    return ShortEvidence(lrs, epochs, live, losses, one, more, judge_short(lrs, one, more))


def judge_short(lrs, one, more) -> Verdict:
    """Holds when the one-unit median is above the others' at 0.01, below at 0.2, and the
    order flips exactly once along the rising rates.  lrs, one, more: (K,)."""
    slower = np.asarray(one) > np.asarray(more)
    flips = int(np.sum(slower[1:] != slower[:-1]))
    at = {float(lr): i for i, lr in enumerate(lrs)}
    holds = bool(slower[at[0.01]] and not slower[at[0.2]] and flips == 1)
    detail = "; ".join(
        f"lr {lr:g}: one {a:.4f}, more {b:.4f}" for lr, a, b in zip(lrs, one, more, strict=True)
    )
    outcome = (
        "one-unit starts slower at small rates, faster at 0.2, one flip"
        if holds
        else "no single flip between 0.01 and 0.2"
    )
    return Verdict(holds, outcome, detail)


# --- is the network a straight line, or is the rate? -----------------------------

#: lr × epochs of every run: the book's 0.2 × 40 000.
FLOW = 8000.0
#: "No better than least squares": a training RMSE at most this many points below it.
TOLERANCE = 0.01
_RATE_SIZES = {
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
    s = _RATE_SIZES[size]
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
