"""The toy chapter's lesson on a wrong gradient, as a claim: where it trains, and where it fails.

From the chapter's fixed start and at its learning rate, the flawed w1 rule
(:func:`scratchnn.toy_mlp.loss_and_grads_flawed`) drives ŷ to y as the
gradient does.  That is true there and misleading in general, and
:func:`wrong_gradient` ("toy_mlp.wrong_gradient") measures how far it goes:
from the book's start at a grid of learning rates, and from many random
N(0, 1) starts at the book's rate, both rules trained side by side.

The many runs are one computation: :func:`train_stack` trains S toy networks
(the linear one, on the chapter's single example) at once, with the steps of
:func:`scratchnn.train.gradient_descent` on each rule (the tests compare).
"""

from dataclasses import dataclass

import numpy as np

from scratchnn import checks
from scratchnn import toy_mlp as toy
from scratchnn.claims import Verdict, claim

__all__ = ["TARGET", "WrongGradientEvidence", "stacked_grads", "train_stack", "wrong_gradient"]

#: "Trained": the loss ½ (ŷ − y)² below this.
TARGET = 1e-6
_SIZES = {
    "book": {
        "lrs": (0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.08, 0.1),
        "starts": 100,
        "budgets": (1000,),
    },
    "full": {
        "lrs": tuple(np.round(np.arange(0.005, 0.1001, 0.005), 3)),
        "starts": 400,
        "budgets": (1000, 5000),
    },
}


def stacked_grads(
    w1: np.ndarray, w2: np.ndarray, *, flawed: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Loss and (w1, w2) updates of S linear toy networks on the chapter's example (X, Y).

    Shapes: w1 (S, 2, 2), w2 (S, 2) -> loss (S,), dw1 (S, 2, 2), dw2 (S, 2).
    ``flawed`` gives the w1 update of :func:`scratchnn.toy_mlp.loss_and_grads_flawed`
    (the outer product of δ2 h with x, in w1's transposed position).
    """
    x, y = toy.X[0], toy.Y[0]  # (2,), scalar
    h = np.einsum("d,sdh->sh", x, w1)  # (S, H): the hidden layer is linear
    e = np.einsum("sh,sh->s", h, w2) - y  # (S,) δ2 = ŷ − y
    dw2 = e[:, None] * h  # (S, H)
    dw1 = (
        np.einsum("sh,d->shd", dw2, x)  # (S, H, D): WRONG on purpose
        if flawed
        else np.einsum("d,sh->sdh", x, e[:, None] * w2)  # (S, D, H) xᵀ (δ2 w2)
    )
    return 0.5 * e**2, dw1, dw2


def train_stack(w1: np.ndarray, w2: np.ndarray, *, lr: float, epochs: int, flawed: bool):
    """Full-batch gradient descent of S stacked toy networks; returns the final loss (S,).

    A run that overflows ends with loss inf or NaN; the others go on.
    Shapes as :func:`stacked_grads`.
    """
    w1 = checks.array(w1, "w1", ("S", 2, 2)).copy()
    w2 = checks.array(w2, "w2", (len(w1), 2)).copy()
    lr = checks.positive_float(lr, "lr")
    epochs = checks.whole_number(epochs, "epochs", maximum=1_000_000)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(epochs):
            _, dw1, dw2 = stacked_grads(w1, w2, flawed=flawed)
            w1 -= lr * dw1
            w2 -= lr * dw2
        return stacked_grads(w1, w2, flawed=flawed)[0]


def _largest_training_rate(lrs: np.ndarray, trains: np.ndarray) -> float:
    """The largest of the rising rates ``lrs`` (K,) up to which ``trains`` (K,) is all True."""
    first_failure = len(lrs) if trains.all() else int(np.argmin(trains))
    return float(lrs[first_failure - 1]) if first_failure else 0.0


@dataclass(frozen=True)
class WrongGradientEvidence:
    """What :func:`wrong_gradient` returns (index 0: the gradient, 1: the flawed rule).

    lrs : (K,) the rates tried from the book's start, for the book's epochs.
    book_start : (2, K) final loss of each rule from :func:`scratchnn.toy_mlp.starting_params`.
    largest : (2,) the largest rate of ``lrs`` up to which each rule trains (below
        :data:`TARGET`) at every rate; 0 if it fails at the smallest.
    starts : how many random N(0, 1) starts (seed 0), trained at the book's rate.
    budgets : the epochs they are given.
    missed : (2, len(budgets)) starts that end above :data:`TARGET`.
    diverged : (2, len(budgets)) of those, the runs that overflowed.
    verdict : see :func:`wrong_gradient`.
    """

    lrs: np.ndarray
    book_start: np.ndarray
    largest: np.ndarray
    starts: int
    budgets: tuple[int, ...]
    missed: np.ndarray
    diverged: np.ndarray
    verdict: Verdict


@claim(
    "toy_mlp.wrong_gradient",
    chapter="toy_network",
    axes={
        "learning rate": "0.005 .. 0.1, 8 rates / every 0.005",
        "start": "the book's, and 100 / 400 random N(0, 1) starts",
        "budget": "200 epochs (book start); 1000 / 1000 and 5000 (random starts)",
    },
)
def wrong_gradient(*, size: str = "book") -> WrongGradientEvidence:
    """Both rules from the book's start at every rate, and from random starts at the book's.

    The verdict holds when (1) from the book's start at the book's rate both
    train, (2) from the book's start the gradient trains at a larger rate
    than the flawed rule does, and (3) from the random starts the gradient
    trains every one and the flawed rule misses some, at every budget.
    """
    s = _SIZES[size]
    lrs = np.array(s["lrs"])
    book = toy.starting_params()
    book_start = np.array(
        [
            [
                train_stack(
                    book["w1"][None], book["w2"][None], lr=lr, epochs=toy.BOOK.epochs, flawed=f
                )[0]
                for lr in lrs
            ]
            for f in (False, True)
        ]
    )
    trains = book_start < TARGET  # NaN compares False: a diverged run does not train
    largest = np.array([_largest_training_rate(lrs, row) for row in trains])
    rng = np.random.default_rng(0)
    w1 = rng.standard_normal((s["starts"], 2, 2))
    w2 = rng.standard_normal((s["starts"], 2))
    final = np.array(
        [
            [train_stack(w1, w2, lr=toy.BOOK.lr, epochs=b, flawed=f) for b in s["budgets"]]
            for f in (False, True)
        ]
    )  # (2, B, S)
    missed = np.sum(~(final < TARGET), axis=-1)
    diverged = np.sum(~np.isfinite(final), axis=-1)
    k = int(np.flatnonzero(np.isclose(lrs, toy.BOOK.lr))[0])
    holds = bool(
        trains[:, k].all()
        and largest[0] > largest[1]
        and np.all(missed[0] == 0)
        and np.all(missed[1] > 0)
    )
    outcome = (
        "both train from the book's start; the flawed rule fails at larger rates and other starts"
        if holds
        else "the wrong gradient's record changed"
    )
    detail = (
        f"largest rate that trains from the book's start: gradient {largest[0]:g}, "
        f"flawed {largest[1]:g}; random starts missed at lr {toy.BOOK.lr:g}: "
        + ", ".join(
            f"{b} epochs gradient {missed[0, i]}/{s['starts']}, flawed {missed[1, i]}"
            for i, b in enumerate(s["budgets"])
        )
    )
    return WrongGradientEvidence(
        lrs, book_start, largest, s["starts"], tuple(s["budgets"]), missed, diverged,
        Verdict(holds, outcome, detail),
    )  # fmt: skip
