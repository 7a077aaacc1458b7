"""A two-layer ReLU network without biases: ŷ = relu(x w1) w2.

The loss is the sum of squared errors over every entry of the (N, D_out)
prediction.  Explained in the book's chapter "A two-layer ReLU network in
matrix form"; ``python -m scratchnn.two_layer`` trains it with the book's
defaults (N = 64, D_in = 1000, H = 100, D_out = 10, 500 steps, lr 1e-6).
"""

import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from scratchnn import functional as F
from scratchnn.cli import parser, save_figure
from scratchnn.data import two_layer_data
from scratchnn.plotting import loss_curve
from scratchnn.train import DivergenceError, gradient_descent

__all__ = [
    "BOOK_EPOCHS",
    "BOOK_LR",
    "BOOK_SEED",
    "SCALED_LR",
    "Result",
    "check_shapes",
    "forward",
    "init_params",
    "largest_curvature",
    "loss_and_grads",
    "main",
    "run",
]

#: The book's experiment: seed, full-batch steps, learning rate for N(0, 1) weights.
BOOK_SEED = 0
BOOK_EPOCHS = 500
BOOK_LR = 1e-6
#: Learning rate for the ``scale="fan_in"`` start: 1 / (largest curvature at
#: that start), about 2.5e-4 for the book's data, rounded down.
SCALED_LR = 2e-4


def init_params(
    rng: np.random.Generator,
    d_in: int = 1000,
    hidden: int = 100,
    d_out: int = 10,
    *,
    scale: float | str = 1.0,
) -> dict[str, np.ndarray]:
    """Random weights, standard normal times ``scale``.

    Parameters
    ----------
    rng : the generator the weights are drawn from (w1 first, then w2).
    d_in, hidden, d_out : the sizes D_in, H, D_out.
    scale : a number > 0 multiplying both matrices (1.0: plain N(0, 1)), or
        ``"fan_in"``: each layer scaled by 1 / sqrt(its number of inputs),
        w1 by 1/sqrt(d_in) and w2 by 1/sqrt(hidden), so that every entry of
        x w1 and of relu(x w1) w2 is of size about 1 for inputs of size 1.

    Returns
    -------
    params : {"w1": (d_in, hidden), "w2": (hidden, d_out)} float64.
    """
    if scale == "fan_in":
        s1, s2 = 1.0 / math.sqrt(d_in), 1.0 / math.sqrt(hidden)
    elif isinstance(scale, int | float) and not isinstance(scale, bool) and scale > 0:
        if not math.isfinite(scale):
            raise ValueError(f"scale must be a finite number > 0 or 'fan_in', got {scale!r}")
        s1 = s2 = float(scale)
    else:
        raise ValueError(f"scale must be a finite number > 0 or 'fan_in', got {scale!r}")
    w1 = s1 * rng.standard_normal((d_in, hidden))
    w2 = s2 * rng.standard_normal((hidden, d_out))
    return {"w1": w1, "w2": w2}


def check_shapes(params: Mapping[str, np.ndarray], x: np.ndarray) -> None:
    """Raise ValueError naming the shapes unless x (N, D_in), w1 (D_in, H), w2 (H, D_out) fit."""
    w1, w2 = np.shape(params["w1"]), np.shape(params["w2"])
    if len(w1) != 2 or len(w2) != 2 or w1[1] != w2[0]:
        raise ValueError(f"w1 {w1} and w2 {w2} must be (D_in, H) and (H, D_out)")
    if np.ndim(x) != 2 or np.shape(x)[1] != w1[0]:
        raise ValueError(f"x has shape {np.shape(x)} but w1 {w1} needs x of shape (N, {w1[0]})")


def forward(params: Mapping[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Predictions ŷ = relu(x w1) w2.

    Parameters
    ----------
    params : {"w1": (D_in, H), "w2": (H, D_out)}.
    x : (N, D_in) inputs, one example per row.

    Returns
    -------
    y_hat : (N, D_out).
    """
    check_shapes(params, x)
    return F.relu(x @ params["w1"]) @ params["w2"]


def loss_and_grads(
    params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """Sum-of-squares loss and its gradients, by backpropagation.

    Parameters
    ----------
    params : {"w1": (D_in, H), "w2": (H, D_out)}.
    x : (N, D_in) inputs.
    y : (N, D_out) targets.

    Returns
    -------
    loss : float, the sum over all N * D_out entries of (ŷ - y)².
    grads : {"w1": (D_in, H), "w2": (H, D_out)}, dloss/dw1 and dloss/dw2.
    """
    check_shapes(params, x)
    w1, w2 = params["w1"], params["w2"]
    h = x @ w1  # (N, H)
    h_relu = F.relu(h)  # (N, H)
    y_hat = h_relu @ w2  # (N, D_out)
    loss = F.sum_squared_error(y_hat, y)

    g = F.sum_squared_error_grad(y_hat, y)  # dloss/dŷ, (N, D_out)
    grad_w2 = h_relu.T @ g  # (H, N) @ (N, D_out) -> (H, D_out)
    grad_h_relu = g @ w2.T  # (N, D_out) @ (D_out, H) -> (N, H)
    grad_h = grad_h_relu * F.relu_derivative(h)  # the ReLU mask, (N, H)
    grad_w1 = x.T @ grad_h  # (D_in, N) @ (N, H) -> (D_in, H)
    return loss, {"w1": grad_w1, "w2": grad_w2}


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
    v = {k: rng.standard_normal(np.shape(p)) for k, p in params.items()}
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


@dataclass(frozen=True)
class Result:
    """One training run of the book's experiment.

    Attributes
    ----------
    losses : (epochs,) loss before each step.
    params : the weights after the last step.
    first_loss, last_loss : losses[0] and losses[-1].
    """

    losses: np.ndarray
    params: dict[str, np.ndarray]
    first_loss: float
    last_loss: float


def run(
    seed: int = BOOK_SEED,
    epochs: int = BOOK_EPOCHS,
    lr: float = BOOK_LR,
    *,
    scale: float | str = 1.0,
    callback: Callable[[int, float], None] | None = None,
) -> Result:
    """The chapter's experiment: draw data (x, y) then weights, train.

    ``callback(step, loss)`` is passed on to the training loop.
    """
    rng = np.random.default_rng(seed)
    x, y = two_layer_data(rng)
    params = init_params(rng, x.shape[1], 100, y.shape[1], scale=scale)
    history = gradient_descent(
        loss_and_grads, params, x, y, lr=lr, epochs=epochs, callback=callback
    )
    losses = history.losses
    return Result(losses, history.params, float(losses[0]), float(losses[-1]))


def main(argv: list[str] | None = None) -> int:
    """Command line: train with the book's defaults, print progress and losses."""
    p = parser(
        "python -m scratchnn.two_layer",
        "Train the two-layer ReLU network relu(x w1) w2 on random data.",
        seed=BOOK_SEED,
        epochs=BOOK_EPOCHS,
        lr=None,
        lr_help=f"learning rate (default: {BOOK_LR:g}, or {SCALED_LR:g} with --init fan_in)",
    )
    p.add_argument(
        "--init",
        choices=["normal", "fan_in"],
        default="normal",
        help="N(0, 1) weights, or each layer scaled by 1/sqrt(its inputs)",
    )
    args = p.parse_args(argv)
    scale = 1.0 if args.init == "normal" else "fan_in"
    # Without --lr, the book's learning rate for the chosen start.
    lr = args.lr if args.lr is not None else (BOOK_LR if args.init == "normal" else SCALED_LR)

    every = max(1, args.epochs // 5)

    def progress(step: int, loss: float) -> None:
        if step % every == 0:
            print(f"step {step:4d}  loss {loss:.6e}")

    try:
        result = run(args.seed, args.epochs, lr, scale=scale, callback=progress)
    except DivergenceError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"init {args.init}, lr {lr:g}, {args.epochs} steps")
    print(f"first loss {result.first_loss:.6e}")
    print(f"last loss  {result.last_loss:.6e}")
    if args.plot:
        fig = loss_curve(result.losses, log=True, xlabel="step", ylabel="sum of squared errors")
        save_figure(fig, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
