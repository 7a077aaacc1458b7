"""The chapter "Training deeper networks" as claims: which optimiser, from which start.

:func:`optimisers` trains the deeper network of :mod:`scratchnn.deeper` with
plain SGD, SGD with momentum and Adam, each at every rate of one grid, from
two starts (He's, and one ten times smaller), over seeds, for a short and a
longer budget, and scores each run on the validation split (the test split
is not touched).  Each optimiser is judged at its own best rate for every
start and budget: the rate with the best median validation accuracy.
"""

from dataclasses import dataclass

import numpy as np

from scratchnn import deeper
from scratchnn.claims import Verdict, claim

__all__ = ["OptimiserEvidence", "optimisers"]

_SIZES = {
    "book": {"rates": (1e-3, 1e-2, 1e-1, 1.0), "seeds": (0, 1), "budgets": (10,)},
    "full": {
        "rates": tuple(10.0 ** np.arange(-4, 0.5, 0.5)),
        "seeds": (0, 1, 2, 3, 4),
        "budgets": (10, 30),
    },
}
STARTS = ("he", "small")


@dataclass(frozen=True)
class OptimiserEvidence:
    """What :func:`optimisers` returns.

    rates, seeds, budgets : the grid.
    accuracy : (optimiser, start, budget) -> (R, S) validation accuracy per rate and seed.
    best : (optimiser, start, budget) -> (best rate, median accuracy there, lowest seed's).
    verdict : see :func:`optimisers`.
    """

    rates: tuple[float, ...]
    seeds: tuple[int, ...]
    budgets: tuple[int, ...]
    accuracy: dict[tuple[str, str, int], np.ndarray]
    best: dict[tuple[str, str, int], tuple[float, float, float]]
    verdict: Verdict


@claim(
    "deeper.optimisers",
    chapter="deeper",
    axes={
        "learning rate": "1e-3 .. 1 by decades (book); 1e-4 .. 1 by half decades (full)",
        "start": "He's, and ten times smaller",
        "seeds": "2 (book), 5 (full)",
        "budget": "10 epochs (book); 10 and 30 (full)",
    },
)
def optimisers(*, size: str = "book") -> OptimiserEvidence:
    """SGD, SGD with momentum and Adam on the deeper network, each at its own best rate.

    The verdict holds when (1) from He's start the three best median
    validation accuracies lie within 0.03 of each other, at every budget,
    and (2) from the small start, SGD with or without momentum at its best
    rate stays below 0.5 at every budget while Adam at its best rate reaches 0.75.
    """
    s = _SIZES[size]
    accuracy, best = {}, {}
    for name in deeper.OPTIMISERS:
        for start in STARTS:
            for budget in s["budgets"]:
                acc = np.array(
                    [
                        [
                            deeper.run(optimiser=name, lr=lr, scale=start, seed=seed,
                                       epochs=budget).val_accuracy
                            for seed in s["seeds"]
                        ]
                        for lr in s["rates"]
                    ]
                )  # fmt: skip
                key = (name, start, budget)
                accuracy[key] = acc
                medians = np.median(acc, axis=1)
                r = int(np.argmax(medians))
                best[key] = (float(s["rates"][r]), float(medians[r]), float(acc[r].min()))
    he_close = all(
        max(best[(n, "he", b)][1] for n in deeper.OPTIMISERS)
        - min(best[(n, "he", b)][1] for n in deeper.OPTIMISERS)
        <= 0.03
        for b in s["budgets"]
    )
    small_split = all(
        max(best[("sgd", "small", b)][1], best[("momentum", "small", b)][1]) < 0.5
        and best[("adam", "small", b)][1] >= 0.75
        for b in s["budgets"]
    )
    holds = he_close and small_split
    outcome = (
        "a tie from He's start; only Adam trains the small start"
        if holds
        else "the optimisers' race turned"
    )
    detail = "; ".join(f"{k}: lr {v[0]:g}, median {v[1]:.3f}" for k, v in best.items())
    return OptimiserEvidence(
        tuple(s["rates"]), tuple(s["seeds"]), tuple(s["budgets"]), accuracy, best,
        Verdict(holds, outcome, detail),
    )  # fmt: skip
