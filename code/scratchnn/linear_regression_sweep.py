"""Many linear regressions at once: S data sets times K learning rates, one computation.

The chapter "Linear regression by gradient descent" measures the largest
stable learning rate and how fast each rate converges over many seeds.  One
training per seed and rate, in a Python loop, would take seconds; here the
runs are one array computation over a leading (S, K) axis, with the same
steps as :func:`scratchnn.linear_regression.run` (the test suite compares
them to rounding).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from scratchnn import checks, cli
from scratchnn.linear_regression import BOOK, book_problem

__all__ = ["MAX_ENTRIES", "Sweep", "book_problems", "sweep"]

#: The most residuals S * K * N that :func:`sweep` holds at once (8 bytes each).
MAX_ENTRIES = 50_000_000


def book_problems(
    seeds: Sequence[int], points: int = BOOK.points
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """The book's problem for each seed, stacked: x (S, N), y (S, N), {"a": (S,), "b": (S,)}.

    Row s is :func:`scratchnn.linear_regression.book_problem` of ``seeds[s]``.
    """
    if len(seeds) == 0:
        raise ValueError("seeds must hold at least one seed, got none")
    problems = [book_problem(seed, points) for seed in seeds]
    x = np.stack([p[0] for p in problems])
    y = np.stack([p[1] for p in problems])
    start = {k: np.array([p[2][k] for p in problems]) for k in ("a", "b")}
    return x, y, start


@dataclass(frozen=True)
class Sweep:
    """Training runs of S data sets at K learning rates (see :func:`sweep`).

    Attributes
    ----------
    lrs : (K,) the learning rates
    losses : (S, K, epochs) mean squared error before each step (inf or NaN once a run overflows)
    params : {"a": (S, K), "b": (S, K)} after the last step
    """

    lrs: np.ndarray
    losses: np.ndarray
    params: dict[str, np.ndarray]


def sweep(
    x: np.ndarray,
    y: np.ndarray,
    params: Mapping[str, np.ndarray],
    lrs: Sequence[float],
    *,
    epochs: int = BOOK.epochs,
) -> Sweep:
    """Gradient descent on the mean squared error for every data set and rate, in one computation.

    The steps of :func:`scratchnn.linear_regression.run` (the test suite
    compares them), batched over a leading data-set axis S and a
    learning-rate axis K.  A diverging run is not an error here: its losses
    become inf or NaN and the others go on.

    Parameters
    ----------
    x, y : (S, N) one data set per row
    params : {"a": (S,), "b": (S,)} one start per data set
    lrs : (K,) learning rates, each finite and > 0
    epochs : steps, >= 1
    """
    dims: dict[str, int] = {}
    x = checks.array(x, "x", ("S", "N"), dims=dims)
    y = checks.array(y, "y", ("S", "N"), dims=dims)
    params = checks.params(params, {"a": ("S",), "b": ("S",)}, dims=dims)
    lrs = checks.array(lrs, "lrs", ("K",))
    if np.any(lrs <= 0):
        raise ValueError(f"lrs must hold learning rates > 0, got {lrs[lrs <= 0][0]:g}")
    epochs = checks.whole_number(epochs, "epochs", maximum=cli.MAX_EPOCHS)
    (s, n), k = x.shape, lrs.size
    if s * k * n > MAX_ENTRIES:
        raise ValueError(
            f"sweep of S = {s} data sets of N = {n} points at K = {k} learning rates needs "
            f"{s * k * n:,} residuals at once; at most {MAX_ENTRIES:,}"
        )
    a = np.repeat(params["a"][:, None], k, axis=1)  # (S, K)
    b = np.repeat(params["b"][:, None], k, axis=1)
    r = np.empty((s, k, n))  # (S, K, N) residuals ŷ − y, reused
    losses = np.empty((s, k, epochs))
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            np.multiply(a[..., None], x[:, None, :], out=r)
            r += b[..., None]
            r -= y[:, None, :]
            losses[..., epoch] = np.einsum("skn,skn->sk", r, r) / n
            # ∂L/∂ŷ = 2 r / N, then its sums against x and against 1
            a = a - lrs * (2.0 / n) * np.einsum("skn,sn->sk", r, x)
            b = b - lrs * (2.0 / n) * r.sum(axis=-1)
    return Sweep(lrs, losses, {"a": a, "b": b})
