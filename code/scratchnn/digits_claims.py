"""The digits chapter's claims: the learning rate, the hidden layer's gain, the batch sizes.

* ``digits.learning_rate``: on the validation split (mean validation
  cross-entropy over seeds, the criterion of the chapter's grid), the book's
  rate lies within :data:`TOLERANCE` of the lowest, and the lowest lies inside
  the swept grid: the loss is flat around it.
* ``digits.hidden_layer``: our network against ``LogisticRegression`` (its C
  chosen on validation) over several stratified re-splits of the data and
  several seeds, each pair scored on the same test images by McNemar's exact
  test.  The sentence it supports: the hidden layer's gain is small, and not
  significant on every split.
* ``digits.batch_sizes``: per example seen, batches of 32 learn far more than
  the full batch and about as much as single examples (each at its own best
  rate); single examples take many times the steps, hence the time.  The
  counts are asserted; the time ratio is checked with a wide margin, as a
  timing claim.
"""

from dataclasses import dataclass
from math import comb

import numpy as np

from scratchnn import digits, digits_baseline, timing
from scratchnn.claims import Verdict, claim
from scratchnn.data import DIGITS_FRACTIONS, DigitsSplit, load_digits, stratified_split
from scratchnn.train import DivergenceError, sgd

__all__ = [
    "TOLERANCE",
    "BatchEvidence",
    "HiddenLayerEvidence",
    "RateEvidence",
    "batch_sizes",
    "hidden_layer",
    "learning_rate",
    "mcnemar",
    "resplit",
]

BOOK = digits.BOOK


def mcnemar(correct_a: np.ndarray, correct_b: np.ndarray) -> tuple[int, int, float]:
    """McNemar's exact test for two classifiers scored on the same examples.

    correct_a, correct_b : (N,) bool, whether each classifier got example n right.
    Returns (b, c, p): b examples only A got right, c only B, and the two-sided
    p-value of the binomial test of b against Binomial(b + c, 1/2).
    """
    a, b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"correct_a and correct_b must be (N,) alike, got {a.shape} and {b.shape}")
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(b & ~a))
    n, k = only_a + only_b, min(only_a, only_b)
    tail = sum(comb(n, i) for i in range(k + 1)) / 2**n if n else 1.0
    return only_a, only_b, min(1.0, 2 * tail)


def resplit(seed: int) -> DigitsSplit:
    """A stratified 60/20/20 % split of the digits drawn from ``default_rng(seed)``."""
    x, y = load_digits()
    parts = stratified_split(np.random.default_rng(seed), y, DIGITS_FRACTIONS)
    return DigitsSplit(*[a for rows in parts for a in (x[rows], y[rows])])


def _train(data: DigitsSplit, *, seed: int, networks: int, **changes: object) -> dict:
    """Train ``networks`` stacked networks on ``data``'s training set; returns their params."""
    o = {**{k: getattr(BOOK, k) for k in ("epochs", "lr", "hidden", "batch_size")}, **changes}
    rng = np.random.default_rng(seed)
    params = digits.init_params(rng, o["hidden"], networks=networks)
    history = sgd(digits.loss_and_grads, params, data.x_train, data.y_train, rng=rng,
                  lr=o["lr"], epochs=o["epochs"], batch_size=o["batch_size"])  # fmt: skip
    return history.params


# --------------------------------------------------------------- learning rate


@dataclass(frozen=True)
class RateEvidence:
    """rates : the grid.  val_loss, val_acc : (rates,) means over seeds.

    best : the rate of the lowest val_loss.  gap : the book rate's val_loss minus the lowest.
    """

    rates: tuple[float, ...]
    seeds: int
    val_loss: np.ndarray
    val_acc: np.ndarray
    best: float
    gap: float
    verdict: Verdict


#: How far above the lowest mean validation cross-entropy the book's rate may lie.
TOLERANCE = 0.005
RATE_GRID = {"book": ((0.05, 0.1, 0.2, 0.5, 1.0), 2), "full": ((0.05, 0.1, 0.2, 0.3, 0.5, 1.0), 6)}


@claim(
    "digits.learning_rate",
    chapter="digits",
    axes={"lr": "0.05-1 (5 rates) / 0.05-1 (6 rates)", "seeds": "2 / 6"},
)
def learning_rate(*, size: str = "book") -> RateEvidence:
    """Mean validation cross-entropy after the book's epochs at each rate; the lowest is chosen."""
    rates, seeds = RATE_GRID[size]
    losses, accs = [], []
    for lr in rates:
        run = digits.run(lr=lr, networks=seeds)
        losses.append(run.history.val_losses[-1] / seeds)  # the stacked loss sums the seeds
        accs.append(float(run.history.val_accuracies[-1].mean()))
    losses, accs = np.array(losses), np.array(accs)
    best = rates[int(np.argmin(losses))]
    inside = rates[0] < best < rates[-1]
    gap = float(losses[rates.index(BOOK.lr)] - losses.min())
    holds = bool(inside and gap < TOLERANCE)
    outcome = (
        f"book's rate within {TOLERANCE:g} of the lowest validation loss, inside the grid"
        if holds
        else "book's rate not near the best, or the best on the grid's edge"
    )
    detail = ", ".join(
        f"lr {r:g}: {v:.4f} ({a:.3f})" for r, v, a in zip(rates, losses, accs, strict=True)
    )
    return RateEvidence(
        tuple(rates), seeds, losses, accs, best, gap, Verdict(holds, outcome, detail)
    )


# ---------------------------------------------------------------- hidden layer


@dataclass(frozen=True)
class HiddenLayerEvidence:
    """Ours against LogisticRegression on re-splits, paired on each split's test images.

    gains : (splits, seeds) our test accuracy minus logistic regression's.
    p_values : (splits, seeds) McNemar's exact p for each pair.
    logistic_c : (splits,) the C chosen on each split's validation set.
    mean_gain, low, high : the mean gain and a 95 % interval over the splits
        (t-interval of the split means: the split is the unit that varies).
    significant : how many pairs McNemar finds different at the 5 % level.
    """

    gains: np.ndarray
    p_values: np.ndarray
    logistic_c: np.ndarray
    mean_gain: float
    low: float
    high: float
    significant: int
    verdict: Verdict


SPLITS = {"book": (3, 2), "full": (8, 5)}  # (re-splits, seeds)
C_GRID = (0.1, 1.0, 10.0, 100.0)
_T975 = {2: 4.303, 7: 2.365}  # Student's t quantiles for the splits' degrees of freedom


@claim(
    "digits.hidden_layer",
    chapter="digits",
    axes={
        "split": "3 / 8 stratified re-splits",
        "seeds": "2 / 5",
        "C of the linear model": "0.1-100",
    },
)
def hidden_layer(
    *,
    size: str = "book",
    splits: int | None = None,
    seeds: int | None = None,
    epochs: int = BOOK.epochs,
) -> HiddenLayerEvidence:
    """Our network (book settings) against the validated LogisticRegression on re-splits.

    ``splits``, ``seeds`` and ``epochs`` override the size's (for tests).
    """
    from sklearn.linear_model import LogisticRegression

    n_splits, n_seeds = SPLITS[size]
    n_splits, n_seeds = splits or n_splits, seeds or n_seeds
    gains, p_values, cs = np.empty((n_splits, n_seeds)), np.empty((n_splits, n_seeds)), []
    for s in range(n_splits):
        data = resplit(1000 + s)
        fits = {c: LogisticRegression(C=c, max_iter=5000).fit(data.x_train, data.y_train)
                for c in C_GRID}  # fmt: skip
        c = max(C_GRID, key=lambda c: fits[c].score(data.x_val, data.y_val))
        cs.append(c)
        linear_right = fits[c].predict(data.x_test) == data.y_test
        params = _train(data, seed=s, networks=n_seeds, epochs=epochs)
        guesses = digits.predict(params, data.x_test)  # (S, N_test)
        for k in range(n_seeds):
            ours_right = guesses[k] == data.y_test
            gains[s, k] = ours_right.mean() - linear_right.mean()
            p_values[s, k] = mcnemar(ours_right, linear_right)[2]
    per_split = gains.mean(axis=1)
    mean = float(per_split.mean())
    half = float(_T975.get(n_splits - 1, 2.0) * per_split.std(ddof=1) / np.sqrt(n_splits))
    significant = int(np.sum(p_values < 0.05))
    small = abs(mean) < 0.03
    not_everywhere = significant < gains.size
    holds = bool(small and not_everywhere and mean > 0)
    outcome = (
        "small mean gain, not significant on every split"
        if holds
        else "the hidden layer's gain is not small, or significant everywhere, or negative"
    )
    detail = (
        f"mean gain {mean:+.4f} (95 % interval {mean - half:+.4f} to {mean + half:+.4f}); "
        f"per pair {gains.min():+.4f} to {gains.max():+.4f}; McNemar p < 0.05 on "
        f"{significant} of {gains.size}"
    )
    return HiddenLayerEvidence(gains, p_values, np.array(cs), mean, mean - half, mean + half,
                               significant, Verdict(holds, outcome, detail))  # fmt: skip


# ----------------------------------------------------------------- batch sizes


@dataclass(frozen=True)
class BatchEvidence:
    """Each batch size at its own best rate, with the same examples seen.

    batches : (1, 32, N).  best_lr : batch -> rate.  curves : batch -> (epochs,) mean validation
    accuracy at its best rate.  steps : batch -> steps taken in the budget.
    seconds : batch -> median training time (one network, interleaved).
    timing : the time ratio of batch 1 to batch 32 and its own (timing) verdict.
    """

    budget: int
    seeds: int
    batches: tuple[int, ...]
    grids: dict
    best_lr: dict
    curves: dict
    steps: dict
    seconds: dict
    timing: timing.RatioCheck
    verdict: Verdict


BATCH = {"book": (10, 3, 3), "full": (10, 6, 5)}  # (epochs, seeds, timing rounds)


@claim(
    "digits.batch_sizes",
    chapter="digits",
    axes={
        "lr": "4 rates per batch size (batch 1: 0.01-0.3 / 0.003-0.3), best inside",
        "seeds": "3 / 6",
        "budget": "10 epochs",
    },
)
def batch_sizes(*, size: str = "book", budget: int | None = None, seeds: int | None = None):
    """The race of batch sizes 1, 32 and N, each at its own best rate, then timed interleaved."""
    epochs, n_seeds, rounds = BATCH[size]
    epochs, n_seeds = budget or epochs, seeds or n_seeds
    n_train = len(digits.split().y_train)
    single = (0.01, 0.03, 0.1, 0.3) if size == "book" else (0.003, 0.01, 0.03, 0.1, 0.3)
    grids = {1: single, 32: (0.2, 0.5, 1.0, 2.0), n_train: (0.25, 0.5, 1.0, 2.0)}
    sweep = {}
    for batch, rates in grids.items():
        for lr in rates:
            try:
                run = digits.run(lr=lr, epochs=epochs, batch_size=batch, networks=n_seeds)
                acc = run.history.val_accuracies.reshape(epochs, -1)  # (epochs, seeds)
                sweep[batch, lr] = acc.mean(axis=1)
            except DivergenceError:
                sweep[batch, lr] = np.full(epochs, np.nan)
    best = {b: max(r, key=lambda lr: np.nan_to_num(sweep[b, lr][-1])) for b, r in grids.items()}
    curves = {b: sweep[b, best[b]] for b in grids}
    steps = {b: epochs * -(-n_train // b) for b in grids}
    final = {b: float(curves[b][-1]) for b in grids}
    inside = all(r[0] < best[b] < r[-1] for b, r in grids.items())
    holds = bool(
        inside
        and final[n_train] < min(final[1], final[32]) - 0.05
        and final[1] < final[32] + 0.02
        and steps[n_train] < steps[32] < steps[1]
    )
    outcome = (
        "per example seen, the full batch far behind, batch 1 no better than 32"
        if holds
        else "the batch sizes' order changed, or a best rate on its grid's edge"
    )
    detail = ", ".join(
        f"batch {b}: lr {best[b]:g}, {final[b]:.3f}, {steps[b]} steps" for b in grids
    )
    contenders = {
        b: lambda b=b: digits_baseline.train_ours(epochs=epochs, lr=best[b], batch_size=b)
        for b in grids
    }
    timed = timing.interleaved(contenders, repeats=rounds, warmup=0)
    # batch 1 takes 32 times the steps of batch 32; the time ratio is checked far below that
    ratio = timing.check_ratio(timed.ratio(1, 32), "batch 1's time / batch 32's", above=3.0)
    seconds = {b: timed.time(b).median for b in grids}
    return BatchEvidence(epochs, n_seeds, tuple(grids), grids, best, curves, steps, seconds,
                         ratio, Verdict(holds, outcome, detail))  # fmt: skip
