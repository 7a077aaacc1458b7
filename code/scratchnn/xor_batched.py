"""Many XOR networks at once: the chapter's model with a leading seed axis S.

The chapter's experiments compare settings over many random starts.  Rather
than a Python loop of trainings, the S networks are stacked along a first
axis and trained together, one array computation per epoch:

    w1 (S, 2, H)   b1 (S, H)   w2 (S, H, 1)   b2 (S, 1)

Network s of the stack computes exactly what :func:`scratchnn.xor.forward`
computes for the parameters ``{k: v[s] for k, v in params.items()}``; each
may have its own learning rate.  Explained in the book's chapter "XOR".
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from scratchnn import checks, xor
from scratchnn import functional as F
from scratchnn.data import xor_data

__all__ = [
    "SPEC",
    "BatchedHistory",
    "Sweep",
    "dead",
    "epochs_to_reach",
    "forward_with_cache",
    "init_params_seeds",
    "loss_and_grads",
    "stack",
    "sweep",
    "train",
]

#: The stacked parameters: S networks of H hidden units.
SPEC = {"w1": ("S", 2, "H"), "b1": ("S", "H"), "w2": ("S", "H", 1), "b2": ("S", 1)}


def stack(networks: Iterable[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Stack S single networks (each w1 (2, H), ...) into w1 (S, 2, H), b1 (S, H), ..."""
    networks = [checks.params(p, xor.SPEC) for p in networks]
    if not networks:
        raise ValueError("networks is empty: stack needs at least one network")
    return {k: np.stack([p[k] for p in networks]) for k in xor.SPEC}


def init_params_seeds(seeds: Iterable[int], hidden: int = xor.BOOK.hidden) -> dict[str, np.ndarray]:
    """``xor.init_params(np.random.default_rng(s), hidden)`` for every seed s, stacked.

    Row s of the stack is the start of ``xor.run(seed=s, hidden=hidden)``.
    Returns w1 (S, 2, H), b1 (S, H), w2 (S, H, 1), b2 (S, 1).
    """
    seeds = [checks.whole_number(s, "seed", minimum=0) for s in seeds]
    return stack(xor.init_params(np.random.default_rng(s), hidden) for s in seeds)


def _check(params, x, y, activation, output):
    xor.check_options(activation, output)
    dims: dict[str, int] = {}
    params = checks.params(params, SPEC, dims=dims)
    x = checks.array(x, "x", ("N", 2), dims=dims)
    if y is not None:
        y = checks.array(y, "y", ("N", 1), dims=dims)
    return params, x, y


def forward_with_cache(
    params: dict[str, np.ndarray],
    x: np.ndarray,
    *,
    activation: str = xor.BOOK.activation,
    output: str = xor.BOOK.output,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The forward pass of S networks on the same inputs x (N, 2).

    Returns z1 (S, N, H), h (S, N, H), z2 (S, N, 1), y_hat (S, N, 1).
    """
    params, x, _ = _check(params, x, None, activation, output)
    return _forward(params, x, activation, output)


def _forward(params, x, activation, output):
    z1 = x @ params["w1"] + params["b1"][:, None, :]  # (S, N, H)
    h = F.activation(activation)[0](z1)  # (S, N, H)
    z2 = h @ params["w2"] + params["b2"][:, None, :]  # (S, N, 1)
    return z1, h, z2, F.activation(output)[0](z2)


def loss_and_grads(
    params: dict[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    activation: str = xor.BOOK.activation,
    output: str = xor.BOOK.output,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Each network's summed squared error and its gradient.

    Parameters: params stacked as in :data:`SPEC`, x (N, 2), y (N, 1).
    Returns loss (S,) and grads with the shapes of params: w1 (S, 2, H),
    b1 (S, H), w2 (S, H, 1), b2 (S, 1).  ``.mT`` transposes the last two axes.
    """
    params, x, y = _check(params, x, y, activation, output)
    return _loss_and_grads(params, x, y, activation, output)


def _loss_and_grads(params, x, y, activation, output):
    """:func:`loss_and_grads` without the checks: equations (4.x) with a seed axis in front."""
    z1, h, z2, y_hat = _forward(params, x, activation, output)
    loss = np.sum((y_hat - y) ** 2, axis=(1, 2))  # (S,)
    delta2 = 2.0 * (y_hat - y) * F.activation(output)[1](z2)  # (S, N, 1)
    d_h = delta2 @ params["w2"].mT  # (S, N, H); .mT transposes the last two axes
    delta1 = d_h * F.activation(activation)[1](z1)  # (S, N, H)
    grads = {
        "w1": x.T @ delta1,  # (S, 2, H)
        "b1": delta1.sum(axis=1),  # (S, H)
        "w2": h.mT @ delta2,  # (S, H, 1)
        "b2": delta2.sum(axis=1),  # (S, 1)
    }
    return loss, grads


@dataclass(frozen=True)
class BatchedHistory:
    """What :func:`train` returns.

    Attributes
    ----------
    losses : (S, epochs); ``losses[s, t]`` is network s's loss before update t
        (NaN or inf where a network diverged: the others carry on).
    params : the S trained networks, stacked as in :data:`SPEC`.
    """

    losses: np.ndarray
    params: dict[str, np.ndarray]


def train(
    params: dict[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    lr: float | np.ndarray,
    epochs: int,
    activation: str = xor.BOOK.activation,
    output: str = xor.BOOK.output,
) -> BatchedHistory:
    """Full-batch gradient descent on S networks at once, network s with rate lr[s].

    Parameters
    ----------
    params : stacked as in :data:`SPEC` (copied; the caller's arrays are untouched).
    x, y : (N, 2) inputs and (N, 1) targets, shared by every network.
    lr : one learning rate, or (S,) rates, each finite and > 0.
    epochs : number of updates, >= 1.

    Returns
    -------
    BatchedHistory with losses (S, epochs) and the trained params.
    """
    if y is None:
        raise TypeError("y is None: training needs the targets (N, 1)")
    params, x, y = _check(params, x, y, activation, output)
    size = len(params["w1"])
    if np.ndim(lr) == 0:
        rates = np.full(size, checks.positive_float(lr, "lr"))
    else:
        rates = checks.array(lr, "lr", (size,)) if np.shape(lr) == (size,) else None
        if rates is None or not np.all(rates > 0):
            raise ValueError(
                f"lr must be one number or {size} finite numbers > 0 (one per network), "
                f"got shape {np.shape(lr)}"
                + (f" with minimum {np.min(lr)}" if rates is not None else "")
            )
    epochs = checks.whole_number(epochs, "epochs", maximum=10_000_000)
    params = {k: v.copy() for k, v in params.items()}
    step = {k: rates.reshape((size,) + (1,) * (v.ndim - 1)) for k, v in params.items()}
    losses = np.empty((size, epochs))
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            losses[:, epoch], grads = _loss_and_grads(params, x, y, activation, output)
            for k in params:
                params[k] = params[k] - step[k] * grads[k]
    return BatchedHistory(losses, params)


def epochs_to_reach(losses: np.ndarray, level: float) -> np.ndarray:
    """For each row of losses (S, epochs), the first epoch whose loss is below ``level``.

    Returns (S,) float64: that epoch, or ``inf`` for a row that never gets below.
    """
    losses = checks.array(losses, "losses", ("S", "epochs"), finite_only=False)  # inf: diverged
    below = losses < checks.positive_float(level, "level")
    return np.where(below.any(axis=1), np.argmax(below, axis=1), np.inf).astype(np.float64)


def dead(params: dict[str, np.ndarray], x: np.ndarray, *, activation: str = "relu") -> np.ndarray:
    """For each of the S networks, :func:`scratchnn.xor.is_dead`: (S,) bool.

    True where the output pre-activation z2 is <= 0 on every row of x (N, 2).
    """
    z2 = forward_with_cache(params, x, activation=activation, output="relu")[2]  # (S, N, 1)
    return np.all(z2 <= 0, axis=(1, 2))


@dataclass(frozen=True)
class Sweep:
    """What :func:`sweep` returns: R learning rates, S seeds each.

    Attributes
    ----------
    rates : (R,) the learning rates.
    needed : (R, S) the first epoch with loss below the target (inf: never).
    final : (R, S) the loss after the last update's predecessor (the last recorded loss).
    """

    rates: np.ndarray
    needed: np.ndarray
    final: np.ndarray

    def solved(self) -> np.ndarray:
        """(R,) the share of seeds that got below the target, per rate."""
        return np.mean(np.isfinite(self.needed), axis=1)

    def best(self) -> int:
        """The index of the best rate: most seeds solved, then the fewest median epochs."""
        medians = np.median(self.needed, axis=1)  # a failed seed counts as inf
        return int(np.lexsort((medians, -self.solved()))[0])


def sweep(
    rates: np.ndarray,
    seeds: Iterable[int],
    *,
    epochs: int,
    target: float = 0.05,
    hidden: int = xor.BOOK.hidden,
    activation: str = xor.BOOK.activation,
    output: str = xor.BOOK.output,
) -> Sweep:
    """Train ``xor.run(seed=s, lr=r, ...)`` for every rate r and seed s, as one stack.

    rates : (R,) learning rates;  seeds : S seeds.  Returns a :class:`Sweep`.
    """
    rates = checks.array(rates, "rates", ("R",))
    seeds = list(seeds)
    start = init_params_seeds(seeds * len(rates), hidden)  # rate-major: row r * S + s
    x, y = xor_data()
    lr = np.repeat(rates, len(seeds))
    history = train(start, x, y, lr=lr, epochs=epochs, activation=activation, output=output)
    shape = (len(rates), len(seeds))
    needed = epochs_to_reach(history.losses, target).reshape(shape)
    return Sweep(rates, needed, history.losses[:, -1].reshape(shape))
