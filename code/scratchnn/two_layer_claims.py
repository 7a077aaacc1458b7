"""The two-layer chapter's lessons as claims: learning rates of the two starts, swept.

Two sentences of the chapter "A two-layer ReLU network in matrix form" are
comparisons, and both rest on one sweep (:func:`starts`):

* from the N(0, 1) start, the book's learning rate is the best of a grid
  that brackets it, although larger rates are still stable;
* the fan-in scaled start, at its own best rate, reaches the target in fewer
  steps than the N(0, 1) start at its best, on every problem.

Both starts are trained on the same problems (seeds) over a grid of
learning rates each, until the loss falls below a target; "best" is the rate
whose slowest problem reaches the target soonest, and it must lie inside its
grid, not on an edge.  Book size: 4 problems, one target, the book's 500
steps; full size: 8 problems, a looser and a stricter target as well, and
twice the steps.
"""

from dataclasses import dataclass

import numpy as np

from scratchnn import checks, two_layer, two_layer_lr
from scratchnn.claims import Verdict, claim

__all__ = [
    "LRS_NORMAL",
    "LRS_SCALED",
    "StartsEvidence",
    "Sweep",
    "at_target",
    "best_rate",
    "judge",
    "starts",
    "sweep",
]

#: The learning rates tried from each start (the book's 1e-6 and 2e-4 among them).
LRS_NORMAL = np.array([0.5e-6, 1e-6, 2e-6, 3e-6, 4e-6])
#: The same for the scaled start.
LRS_SCALED = np.array([1e-4, 2e-4, 5e-4, 1e-3, 1.5e-3, 2e-3])

#: Problems (seeds) and targets per size; the first target is the book's.
_SIZES = {
    "book": ((0, 1, 2, 3), (1e-3,), 1),
    "full": (tuple(range(8)), (1e-3, 1e-2, 1e-4), 2),
}


@dataclass(frozen=True)
class Sweep:
    """One start over a grid of learning rates, on S problems, until ``target``.

    lrs : (K,).   losses : (S, K, epochs) as :func:`scratchnn.two_layer_lr.train_many`.
    diverged : (S, K) the run overflowed.   steps : (S, K) steps to reach
    the target, -1 where it never did.   end : (S, K) the loss before the last
    step (NaN for a run that reached the target, inf for one that diverged).
    """

    lrs: np.ndarray
    target: float
    losses: np.ndarray
    diverged: np.ndarray
    steps: np.ndarray
    end: np.ndarray


def sweep(problem: two_layer.Problem, lrs, *, epochs: int, target: float) -> Sweep:
    """Train every problem of ``problem`` (stacked, S seeds) at every rate of ``lrs``.

    Shapes: problem.x (S, N, D_in), lrs (K,) -> a :class:`Sweep` of (S, K) arrays.
    """
    lrs = checks.array(lrs, "lrs", ("K",))
    losses = two_layer_lr.train_many(
        problem.params, problem.x, problem.y, lrs=lrs, epochs=epochs, until=target
    )
    return at_target(Sweep(lrs, float(target), losses, losses, losses, losses), target)


def at_target(result: Sweep, target: float) -> Sweep:
    """The same runs judged at a looser ``target`` (>= the one they ran to): no new training."""
    if target < result.target:
        raise ValueError(f"target {target:g} is below the {result.target:g} the runs stopped at")
    losses = result.losses
    below = losses < target
    reached = below.any(axis=-1)
    return Sweep(
        lrs=result.lrs,
        target=float(target),
        losses=np.where(np.cumsum(below, axis=-1) > 1, np.nan, losses),
        diverged=np.isinf(losses).any(axis=-1),
        steps=np.where(reached, np.argmax(below, axis=-1), -1),
        end=losses[..., -1],
    )


def best_rate(result: Sweep) -> tuple[int, np.ndarray]:
    """The index of the rate whose slowest problem reaches the target soonest, and its steps (S,).

    A rate that misses the target on any problem counts as never reaching it.
    Raises ValueError when no rate reaches it on every problem.
    """
    slowest = np.where((result.steps >= 0).all(axis=0), result.steps.max(axis=0), np.inf)
    if np.all(np.isinf(slowest)):
        raise ValueError(f"no learning rate reaches the target {result.target:g} on every problem")
    k = int(np.argmin(slowest))
    return k, result.steps[:, k]


@dataclass(frozen=True)
class StartsEvidence:
    """Both starts swept, per target; the first target is the book's.

    seeds : the problems.   normal, scaled : one :class:`Sweep` per target.
    best_normal, best_scaled : (targets,) index of each start's best rate.
    """

    seeds: tuple[int, ...]
    normal: tuple[Sweep, ...]
    scaled: tuple[Sweep, ...]
    best_normal: tuple[int, ...]
    best_scaled: tuple[int, ...]
    verdict: Verdict


def _inside(k: int, lrs: np.ndarray) -> bool:
    return 0 < k < len(lrs) - 1


def judge(normal: Sweep, scaled: Sweep, *, book_lr: float = two_layer.BOOK.lr):
    """The verdict on one target: (best index N(0, 1), best index fan-in, holds, note).

    Holds when both bests lie inside their grids, the N(0, 1) best is
    ``book_lr``, and the fan-in start's slowest problem at its best needs
    fewer steps than the N(0, 1) start's fastest at its best.
    """
    (kn, steps_n), (ks, steps_s) = best_rate(normal), best_rate(scaled)
    ok = (
        _inside(kn, normal.lrs)
        and _inside(ks, scaled.lrs)
        and normal.lrs[kn] == book_lr
        and steps_s.max() < steps_n.min()
    )
    note = (
        f"target {normal.target:g}: N(0, 1) best lr {normal.lrs[kn]:g} ({steps_n.min()}-"
        f"{steps_n.max()} steps), fan-in best lr {scaled.lrs[ks]:g} "
        f"({steps_s.min()}-{steps_s.max()} steps)"
    )
    return kn, ks, bool(ok), note


@claim(
    "two_layer.starts",
    chapter="two_layer",
    axes={
        "lr, N(0, 1) start": "5e-7 .. 4e-6 (5 rates)",
        "lr, fan-in start": "1e-4 .. 2e-3 (6 rates)",
        "problems (seeds)": "4 / 8",
        "target loss": "1e-3 / 1e-2, 1e-3, 1e-4",
        "budget": f"{two_layer.BOOK.epochs} / {2 * two_layer.BOOK.epochs} steps",
    },
)
def starts(*, size: str = "book") -> StartsEvidence:
    """Sweep both starts' learning rates on the same problems; compare each at its best.

    Holds when, for every target: each start's best rate lies inside its grid,
    the N(0, 1) start's best is the book's rate, and the fan-in start at its
    best needs fewer steps on its slowest problem than the N(0, 1) start at
    its best on its fastest.
    """
    seeds, targets, budget = _SIZES[size]
    epochs = budget * two_layer.BOOK.epochs
    normal_problem = two_layer.book_problems(seeds)
    scaled_problem = two_layer.book_problems(seeds, scale="fan_in")
    normal, scaled, best_n, best_s, notes = [], [], [], [], []
    holds = True
    tightest_n = sweep(normal_problem, LRS_NORMAL, epochs=epochs, target=min(targets))
    tightest_s = sweep(scaled_problem, LRS_SCALED, epochs=epochs, target=min(targets))
    for target in targets:
        n, s = at_target(tightest_n, target), at_target(tightest_s, target)
        kn, ks, ok, note = judge(n, s)
        holds &= ok
        notes.append(note)
        normal.append(n)
        scaled.append(s)
        best_n.append(kn)
        best_s.append(ks)
    outcome = (
        "fan-in start faster at each start's best rate, both bests inside their grids"
        if holds
        else "not faster at every best, or a best on a grid's edge"
    )
    return StartsEvidence(
        seeds=tuple(seeds),
        normal=tuple(normal),
        scaled=tuple(scaled),
        best_normal=tuple(best_n),
        best_scaled=tuple(best_s),
        verdict=Verdict(holds=holds, outcome=outcome, detail="; ".join(notes)),
    )
