"""Least squares, leave-one-out cross-validation, and many exam networks trained at once.

The companion of :mod:`scratchnn.exams`.  M networks of the same shape are
stacked on a leading axis (w1 (M, D, H), b1 (M, H), w2 (M, H, 1), b2 (M, 1))
and trained together by one gradient-descent run on the *sum* of their
losses; since network m's parameters appear only in its own term, each one
gets exactly its own gradient.  :func:`compare` uses this to train, for each
of S He starts, one network on all N students and N leave-one-out networks:
S (1 + N) networks, one array computation per epoch.
Explained in the book's chapter "Predicting exam scores".
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from scratchnn import checks
from scratchnn import exams_model as exams
from scratchnn.train import History, gradient_descent

__all__ = [
    "SPEC_STACKED",
    "Comparison",
    "compare",
    "errors_in_points",
    "least_squares",
    "least_squares_predict",
    "loo_least_squares",
    "stack_starts",
    "stacked_forward",
    "stacked_loss_and_grads",
]

#: The parameters of M stacked networks with one output.
SPEC_STACKED = {"w1": ("M", "D", "H"), "b1": ("M", "H"), "w2": ("M", "H", 1), "b2": ("M", 1)}


def _checked(params, x, y=None, mask=None):
    dims: dict[str, int] = {}
    params = checks.params(params, SPEC_STACKED, dims=dims)
    shared = np.ndim(x) == 2  # one x for every network, or x (M, N, D), one per network
    x = checks.array(x, "x", ("N", "D") if shared else ("M", "N", "D"), dims=dims)
    if y is not None:
        y = checks.array(y, "y", ("N", 1), dims=dims)
        mask = checks.array(mask, "mask", ("M", "N"), dims=dims)
        if np.any(mask.sum(axis=1) <= 0) or np.any(mask < 0):
            raise ValueError("mask must be >= 0 with at least one positive entry in every row")
    return params, x, y, mask


def _hidden(params, x):
    """z1 (N, M, H), students first, for x (N, D) or (M, N, D)."""
    w1 = params["w1"]
    m, d, h = w1.shape
    if x.ndim == 2:  # one matrix product for all M networks: (N, D) @ (D, M H)
        return (x @ w1.transpose(1, 0, 2).reshape(d, m * h)).reshape(len(x), m, h) + params["b1"]
    return (x @ w1).transpose(1, 0, 2) + params["b1"]


def stacked_forward(params: Mapping[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """:func:`scratchnn.exams.forward` for M networks at once.

    Shapes: x (N, D) shared by all, or (M, N, D) one per network; params as
    :data:`SPEC_STACKED` -> y_hat (M, N, 1), network m's predictions in ``y_hat[m]``.
    """
    params, x, _, _ = _checked(params, x)
    h = np.maximum(_hidden(params, x), 0.0)  # (N, M, H)
    y_hat = (h * params["w2"][:, :, 0]).sum(axis=-1) + params["b2"][:, 0]  # (N, M)
    return y_hat.T[:, :, None]


def stacked_loss_and_grads(
    params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray, *, mask: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """The sum over M networks of each one's mean squared error on its own rows.

    Network m is trained on the rows n with ``mask[m, n] == 1``: its term is
    :func:`scratchnn.exams.loss_and_grads` on those rows, and so is its gradient.

    Parameters
    ----------
    params : as :data:`SPEC_STACKED`.
    x : (N, D) or (M, N, D)   y : (N, 1)
    mask : (M, N) of 0 and 1, at least one 1 per row.

    Returns
    -------
    loss : float, the sum of the M losses.
    grads : dict with the keys and shapes of ``params``.
    """
    params, x, y, mask = _checked(params, x, y, mask)
    z1 = _hidden(params, x)  # (N, M, H)
    h = np.maximum(z1, 0.0)
    w2 = params["w2"][:, :, 0]  # (M, H)
    residual = (h * w2).sum(axis=-1) + params["b2"][:, 0] - y  # y_hat - y, (N, M)
    weight = (mask / mask.sum(axis=1, keepdims=True)).T  # 1 / N_m on network m's rows
    loss = float(np.sum(weight * residual**2))
    delta2 = 2.0 * weight * residual  # dL/dy_hat (N, M)
    delta1 = delta2[:, :, None] * w2 * (z1 > 0)  # dL/dz1 (N, M, H)
    n, m, hidden = delta1.shape
    if x.ndim == 2:
        d_w1 = (x.T @ delta1.reshape(n, m * hidden)).reshape(-1, m, hidden).transpose(1, 0, 2)
    else:
        d_w1 = np.swapaxes(x, 1, 2) @ delta1.transpose(1, 0, 2)
    grads = {
        "w1": d_w1,
        "b1": delta1.sum(axis=0),
        "w2": (h * delta2[:, :, None]).sum(axis=0)[:, :, None],
        "b2": delta2.sum(axis=0)[:, None],
    }
    return loss, grads


def stack_starts(
    rng: np.random.Generator, count: int, init: Callable[..., dict] = exams.init_params, **options
) -> dict[str, np.ndarray]:
    """``count`` draws of ``init(rng, **options)``, each parameter stacked on a new first axis.

    Draw s equals the s-th of ``count`` successive calls of ``init`` on ``rng``.
    Shapes: w1 (count, D, H), b1 (count, H), w2 (count, H, K), b2 (count, K).
    """
    rng = checks.generator(rng)
    count = checks.whole_number(count, "count", maximum=1_000_000)
    nets = [init(rng, **options) for _ in range(count)]
    return {k: np.stack([net[k] for net in nets]) for k in nets[0]}


# --- least squares ------------------------------------------------------------------


def least_squares(exams_: np.ndarray, final: np.ndarray) -> np.ndarray:
    """Ordinary least squares with an intercept: final ≈ c0 + exams @ c[1:].

    Shapes: exams (N, D), final (N,) -> c (D + 1,).
    """
    dims: dict[str, int] = {}
    exams_ = checks.array(exams_, "exams", ("N", "D"), dims=dims)
    final = checks.array(final, "final", ("N",), dims=dims)
    design = np.column_stack([np.ones(len(exams_)), exams_])
    coef, *_ = np.linalg.lstsq(design, final, rcond=None)
    return coef


def least_squares_predict(coef: np.ndarray, exams_: np.ndarray) -> np.ndarray:
    """c0 + exams @ c[1:].  Shapes: coef (D + 1,), exams (N, D) -> (N,)."""
    coef = checks.array(coef, "coef", ("D1",))
    exams_ = checks.array(exams_, "exams", ("N", len(coef) - 1))
    return coef[0] + exams_ @ coef[1:]


def loo_least_squares(scores: np.ndarray) -> np.ndarray:
    """Leave-one-out predictions of least squares, in points of the final.

    Student n's prediction comes from a fit to the other N - 1 students.
    Shapes: scores (N, 4) -> (N,).
    """
    scores = checks.array(scores, "scores", ("N", 4))
    keep = ~np.eye(len(scores), dtype=bool)
    return np.array(
        [
            least_squares_predict(
                least_squares(scores[k, :3], scores[k, 3]), scores[n : n + 1, :3]
            )[0]
            for n, k in enumerate(keep)
        ]
    )


def errors_in_points(predicted: np.ndarray, actual: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Root-mean-square and mean absolute error over the last axis.

    Shapes: predicted (..., N), actual (N,) -> RMSE (...), MAE (...); floats for (N,).
    """
    actual = checks.array(actual, "actual", ("N",))
    predicted = checks.array(predicted, "predicted")
    if predicted.shape[-1:] != actual.shape:
        raise ValueError(
            f"predicted has shape {predicted.shape} but actual has shape {actual.shape}; "
            "their last axes must be equal"
        )
    diff = predicted - actual
    rmse, mae = np.sqrt(np.mean(diff**2, axis=-1)), np.mean(np.abs(diff), axis=-1)
    return (float(rmse), float(mae)) if predicted.ndim == 1 else (rmse, mae)


# --- the comparison -------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Both models on S starts, in points of the final (out of 200).

    actual : (N,) the finals.
    coef : (4,) least squares on all students.
    ols_fitted, ols_left_out : (N,) least squares on all students, and left out.
    net_fitted, net_left_out : (S, N) the network of each start on all
        students, and its N leave-one-out predictions.
    live_start, live : (S,) live hidden units (for all students) at the start
        and after training.
    history : the batched run (loss = sum over S (N + 1) nets).
    """

    starts: int
    hidden: int
    actual: np.ndarray
    coef: np.ndarray
    ols_fitted: np.ndarray
    ols_left_out: np.ndarray
    net_fitted: np.ndarray
    net_left_out: np.ndarray
    live_start: np.ndarray
    live: np.ndarray
    history: History

    @property
    def ols_train(self) -> tuple[float, float]:
        """Least squares' (RMSE, MAE) on the students it was fitted to."""
        return errors_in_points(self.ols_fitted, self.actual)

    @property
    def ols_loo(self) -> tuple[float, float]:
        """Least squares' leave-one-out (RMSE, MAE)."""
        return errors_in_points(self.ols_left_out, self.actual)

    @property
    def net_train(self) -> tuple[np.ndarray, np.ndarray]:
        """Each start's (RMSE (S,), MAE (S,)) on the students it was trained on."""
        return errors_in_points(self.net_fitted, self.actual)

    @property
    def net_loo(self) -> tuple[np.ndarray, np.ndarray]:
        """Each start's leave-one-out (RMSE (S,), MAE (S,))."""
        return errors_in_points(self.net_left_out, self.actual)


def compare(
    scores: np.ndarray,
    *,
    seed: int,
    starts: int,
    epochs: int,
    lr: float,
    hidden: int = 5,
    standardise: bool = False,
    callback: Callable[[int, float], None] | None = None,
) -> Comparison:
    """Least squares against S = ``starts`` He starts of the network, all trained at once.

    Start s is the s-th draw of ``exams.init_params`` from ``default_rng(seed)``.
    Each start trains one network on all N students and N leave-one-out
    networks, from the same weights, at the same ``lr`` for the same ``epochs``.
    With ``standardise`` every network standardises the exams with the means
    and standard deviations of its own training students.  Shapes: scores (N, 4).
    """
    scores = checks.array(scores, "scores", ("N", 4))
    seed = checks.whole_number(seed, "seed", minimum=0)
    starts = checks.whole_number(starts, "starts", maximum=10_000)
    n = len(scores)
    masks = np.vstack([np.ones((1, n)), 1.0 - np.eye(n)])  # (N + 1, N): all, then each left out
    first = stack_starts(np.random.default_rng(seed), starts, hidden=hidden)
    stacked = {k: np.repeat(v, n + 1, axis=0) for k, v in first.items()}  # (S (N + 1), ...)
    mask = np.tile(masks, (starts, 1))
    if standardise:
        x = np.stack([exams.scale(scores, standardise=True, rows=row)[0] for row in masks])
        x = np.tile(x, (starts, 1, 1))  # (S (N + 1), N, 3)
    else:
        x = exams.scale(scores)[0]
    y = exams.scale(scores)[1]
    history = gradient_descent(
        stacked_loss_and_grads, stacked, x, y, lr=lr, epochs=epochs, mask=mask, callback=callback
    )
    y_hat = (
        stacked_forward(history.params, x)[:, :, 0].reshape(starts, n + 1, n) * exams.FINAL_POINTS
    )
    full = {k: v[:: n + 1] for k, v in history.params.items()}
    x_full = x if x.ndim == 2 else x[0]
    return Comparison(
        starts=starts,
        hidden=hidden,
        actual=scores[:, 3],
        coef=least_squares(scores[:, :3], scores[:, 3]),
        ols_fitted=least_squares_predict(least_squares(scores[:, :3], scores[:, 3]), scores[:, :3]),
        ols_left_out=loo_least_squares(scores),
        net_fitted=y_hat[:, 0, :],
        net_left_out=y_hat[:, 1:, :][:, np.arange(n), np.arange(n)],
        live_start=exams.live_units(first, x_full),
        live=exams.live_units(full, x_full),
        history=history,
    )
