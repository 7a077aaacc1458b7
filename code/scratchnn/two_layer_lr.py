"""Learning rates for the two-layer network: the curvature that limits them, and a sweep.

Gradient descent on a loss whose largest curvature (Hessian eigenvalue) is
λ is stable near a minimum only for lr < 2 / λ.  :func:`largest_curvature`
estimates λ at a point; :func:`train_many` trains many copies of
:mod:`scratchnn.two_layer`'s network at once, one per (problem, learning
rate), to measure which learning rates work.  Explained in the book's
chapter "A two-layer ReLU network in matrix form".
"""

import math
from collections.abc import Mapping

import numpy as np

from scratchnn import checks, cli
from scratchnn.two_layer import SPEC, loss_and_grads

__all__ = ["largest_curvature", "train_many"]


def largest_curvature(
    params: Mapping[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    rng: np.random.Generator,
    iterations: int = 30,
    eps: float = 1e-4,
) -> float:
    """Estimate the largest eigenvalue λ of the loss's Hessian at ``params``.

    Power iteration on Hessian-vector products, each one a central difference
    of two gradients: H v ≈ (∇L(θ + εv) − ∇L(θ − εv)) / (2ε) for a unit
    vector v.  Gradient descent on a quadratic with this curvature is stable
    only for lr < 2 / λ.

    Parameters
    ----------
    params : {"w1": (D_in, H), "w2": (H, D_out)}; not modified.
    x, y : (N, D_in) inputs and (N, D_out) targets.
    rng : draws the starting direction.
    iterations : power-iteration steps (two gradient evaluations each).

    Returns
    -------
    lam : float, the Rayleigh quotient vᵀ H v of the last direction.
    """
    dims: dict[str, int] = {}
    params = checks.params(params, SPEC, dims=dims)
    x = checks.array(x, "x", ("N", "D_in"), dims=dims)
    y = checks.array(y, "y", ("N", "D_out"), dims=dims)
    rng = checks.generator(rng)
    iterations = checks.whole_number(iterations, "iterations", maximum=10**5)
    eps = checks.positive_float(eps, "eps")
    v = {k: rng.standard_normal(p.shape) for k, p in params.items()}
    lam = 0.0
    for _ in range(iterations):
        norm = math.sqrt(sum(float(np.sum(a * a)) for a in v.values()))
        v = {k: a / norm for k, a in v.items()}
        _, g_plus = loss_and_grads({k: params[k] + eps * v[k] for k in params}, x, y)
        _, g_minus = loss_and_grads({k: params[k] - eps * v[k] for k in params}, x, y)
        hv = {k: (g_plus[k] - g_minus[k]) / (2.0 * eps) for k in params}
        lam = sum(float(np.sum(hv[k] * v[k])) for k in params)
        v = hv
    return lam


def train_many(
    params: Mapping[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    lrs,
    epochs: int,
    until: float | None = None,
) -> np.ndarray:
    """Gradient descent for S problems times K learning rates at once: a sweep.

    The same steps as :func:`scratchnn.train.gradient_descent` on
    :func:`scratchnn.two_layer.loss_and_grads`, computed as one stack of
    S * K networks.  A network whose loss stops being finite, or falls below
    ``until``, leaves the stack: it has no further steps to take.

    Parameters
    ----------
    params : {"w1": (S, D_in, H), "w2": (S, H, D_out)}, a start per problem.
    x : (S, N, D_in), y : (S, N, D_out), e.g. from
        :func:`scratchnn.two_layer.book_problems`.
    lrs : (K,) learning rates > 0.  epochs : steps, >= 1.
    until : stop a run once its loss is below this (None: never).

    Returns
    -------
    losses : (S, K, epochs), the loss before each step; inf from the step a
        run diverged on, NaN after the step a run reached ``until``.
    """
    dims: dict[str, int] = {}
    spec = {"w1": ("S", "D_in", "H"), "w2": ("S", "H", "D_out")}
    params = checks.params(params, spec, dims=dims)
    x = checks.array(x, "x", ("S", "N", "D_in"), dims=dims)
    y = checks.array(y, "y", ("S", "N", "D_out"), dims=dims)
    lrs = checks.array(lrs, "lrs", ("K",))
    if np.any(lrs <= 0):
        raise ValueError(f"lrs must all be > 0, got {lrs.min():g}")
    epochs = checks.whole_number(epochs, "epochs", maximum=cli.MAX_EPOCHS)
    until = -math.inf if until is None else checks.positive_float(until, "until")
    k = lrs.size
    member = np.arange(dims["S"] * k)  # network b trains problem b // K with lrs[b % K]
    w1, w2 = np.repeat(params["w1"], k, axis=0), np.repeat(params["w2"], k, axis=0)
    xs, ys, lr = x[member // k], y[member // k], lrs[member % k, None, None]
    losses = np.full((member.size, epochs), np.inf)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(epochs):
            z1 = xs @ w1  # (B, N, H)
            h = np.maximum(z1, 0.0)
            residual = h @ w2 - ys  # (B, N, D_out)
            loss = np.sum(residual * residual, axis=(1, 2))
            alive = np.isfinite(loss)
            losses[member[alive], t] = loss[alive]
            losses[member[loss < until], t + 1 :] = np.nan
            alive &= loss >= until
            if not alive.all():  # drop the diverged and the finished runs
                member, xs, ys, lr, w1, w2, z1, h, residual = (
                    a[alive] for a in (member, xs, ys, lr, w1, w2, z1, h, residual)
                )
                if member.size == 0:
                    break
            delta2 = 2.0 * residual
            delta1 = (delta2 @ w2.transpose(0, 2, 1)) * (z1 > 0)
            w2 = w2 - lr * (h.transpose(0, 2, 1) @ delta2)
            w1 = w1 - lr * (xs.transpose(0, 2, 1) @ delta1)
    return losses.reshape(dims["S"], k, epochs)
