"""A two-layer ReLU network without biases: z1 = x w1, h = relu(z1), y_hat = h w2.

The loss is the sum of squared errors over every entry of the (N, D_out)
prediction.  Explained in the book's chapter "A two-layer ReLU network in
matrix form"; ``python -m scratchnn.two_layer`` trains it with the book's
defaults (:data:`BOOK`) on the book's problem (:func:`book_problem`).
"""

import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from matplotlib.figure import Figure

from scratchnn import checks, cli
from scratchnn import functional as F
from scratchnn.data import two_layer_data
from scratchnn.experiment import Callback, experiment
from scratchnn.model import Model
from scratchnn.plotting import loss_curve
from scratchnn.train import History, gradient_descent

# fmt: off
__all__ = [  # noqa: RUF022 (grouped by contract, not sorted)
    # the experiment contract (scratchnn.experiment)
    "BOOK", "Defaults", "Result", "run", "summary", "main",
    # the model contract
    "MODEL", "SPEC", "init_params", "forward", "loss_and_grads",
    # figures
    "figure_loss",
    # this module's own
    "D_IN", "D_OUT", "HIDDEN", "N", "SCALED_LR", "book_problem", "book_problems", "Problem",
]
# fmt: on

#: The book's sizes: batch N, inputs D_in, hidden units H, outputs D_out.
N, D_IN, HIDDEN, D_OUT = 64, 1000, 100, 10
#: Learning rate for the ``scale="fan_in"`` start: 1 / (largest curvature at
#: that start), about 2.5e-4 for the book's data, rounded down.
SCALED_LR = 2e-4
#: The starts :func:`run` knows: the source material's N(0, 1), and fan-in scaled.
SCALES = {"normal": 1.0, "fan_in": "fan_in"}


def _scale(value: object, name: str) -> float | str:
    """A start's scale: a number > 0, or "fan_in"."""
    if isinstance(value, str):
        return checks.choice(value, name, ("fan_in",))
    return checks.positive_float(value, name)


#: The model's arguments: its parameters' shapes, x (N, D_in), y (N, D_out).
MODEL = Model(
    params={"w1": ("D_in", "H"), "w2": ("H", "D_out")},
    x=("N", "D_in"),
    y=("N", "D_out"),
    sizes={"d_in": 10**6, "hidden": 10**6, "d_out": 10**6},
    init_options={"scale": _scale},
)
#: The parameters' shapes: w1 (D_in, H), w2 (H, D_out).
SPEC = MODEL.spec


@MODEL.init_params
def init_params(
    rng: np.random.Generator,
    d_in: int = D_IN,
    hidden: int = HIDDEN,
    d_out: int = D_OUT,
    *,
    scale: float | str = 1.0,
) -> dict[str, np.ndarray]:
    """Random weights, standard normal times ``scale``.

    Parameters
    ----------
    rng : the generator the weights are drawn from (w1 first, then w2).
    d_in, hidden, d_out : the sizes D_in, H, D_out, whole numbers >= 1.
    scale : a number > 0 multiplying both matrices (1.0: plain N(0, 1)), or
        ``"fan_in"``: each layer scaled by 1 / sqrt(its number of inputs),
        w1 by 1/sqrt(d_in) and w2 by 1/sqrt(hidden), so that every entry of
        z1 = x w1 and of y_hat = h w2 is of size about 1 for inputs of size 1.

    Returns
    -------
    params : {"w1": (d_in, hidden), "w2": (hidden, d_out)} float64.
    """
    if scale == "fan_in":
        s1, s2 = 1.0 / math.sqrt(d_in), 1.0 / math.sqrt(hidden)
    else:
        s1 = s2 = scale
    w1 = s1 * rng.standard_normal((d_in, hidden))
    w2 = s2 * rng.standard_normal((hidden, d_out))
    return {"w1": w1, "w2": w2}


class Problem(NamedTuple):
    """The book's data and starting weights (unpack as ``x, y, params = ...``).

    x : (N, D_in) inputs.  y : (N, D_out) targets.
    params : {"w1": (D_in, H), "w2": (H, D_out)} the starting weights.
    (With :func:`book_problems`, every array has a leading seed axis S.)
    """

    x: np.ndarray
    y: np.ndarray
    params: dict[str, np.ndarray]


def book_problem(
    seed: int = 0,
    *,
    scale: float | str = 1.0,
    n: int = N,
    d_in: int = D_IN,
    hidden: int = HIDDEN,
    d_out: int = D_OUT,
) -> Problem:
    """The chapter's problem: standard-normal x and y, then the weights, from one seed.

    One generator, ``np.random.default_rng(seed)``, draws x (n, d_in), then
    y (n, d_out), then w1 (d_in, hidden), then w2 (hidden, d_out), all
    N(0, 1), the weights times ``scale`` (see :func:`init_params`).  The
    N(0, 1) and the ``"fan_in"`` starts of one seed are the same draws,
    divided per layer.  Used by the chapter, the PyTorch chapter and the
    benchmarks, so that all of them train the same network from the same start.
    """
    seed = checks.whole_number(seed, "seed", minimum=0)
    n = checks.whole_number(n, "n", maximum=10**6)
    d_in = checks.whole_number(d_in, "d_in", maximum=10**6)
    d_out = checks.whole_number(d_out, "d_out", maximum=10**6)
    rng = np.random.default_rng(seed)
    x, y = two_layer_data(rng, n, d_in, d_out)
    return Problem(x, y, init_params(rng, d_in, hidden, d_out, scale=scale))


def book_problems(seeds: Sequence[int], *, scale: float | str = 1.0, **sizes: int) -> Problem:
    """:func:`book_problem` for each seed, stacked on a leading axis S = len(seeds).

    Returns x (S, N, D_in), y (S, N, D_out), params w1 (S, D_in, H), w2 (S, H, D_out).
    """
    if len(seeds) == 0:
        raise ValueError("seeds is empty: give at least one seed")
    each = [book_problem(s, scale=scale, **sizes) for s in seeds]
    params = {k: np.stack([p.params[k] for p in each]) for k in SPEC}
    return Problem(np.stack([p.x for p in each]), np.stack([p.y for p in each]), params)


@MODEL.forward
def forward(params: Mapping[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Predictions y_hat = relu(x w1) w2.

    Parameters
    ----------
    params : {"w1": (D_in, H), "w2": (H, D_out)}.
    x : (N, D_in) inputs, one example per row.

    Returns
    -------
    y_hat : (N, D_out).
    """
    return F.relu(x @ params["w1"]) @ params["w2"]


@MODEL.loss_and_grads
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
    loss : float, L = the sum over all N * D_out entries of (y_hat - y)².
    grads : {"w1": (D_in, H), "w2": (H, D_out)}, dL/dw1 and dL/dw2.
    """
    w1, w2 = params["w1"], params["w2"]
    z1 = x @ w1  # pre-activation, (N, H)
    h = F.relu(z1)  # activation, (N, H)
    y_hat = h @ w2  # (N, D_out); the output layer is linear, z2 = y_hat
    loss = F.sum_squared_error(y_hat, y)

    delta2 = F.sum_squared_error_grad(y_hat, y)  # dL/dz2 = dL/dy_hat, (N, D_out)
    grad_w2 = h.T @ delta2  # (H, N) @ (N, D_out) -> (H, D_out)
    d_h = delta2 @ w2.T  # dL/dh: (N, D_out) @ (D_out, H) -> (N, H)
    delta1 = d_h * F.relu_derivative(z1)  # dL/dz1, the ReLU mask, (N, H)
    grad_w1 = x.T @ delta1  # (D_in, N) @ (N, H) -> (D_in, H)
    return loss, {"w1": grad_w1, "w2": grad_w2}


@dataclass(frozen=True)
class Defaults:
    """The book's experiment; each field is a keyword of :func:`run`."""

    seed: int = cli.option(0, "seed of the random generator (data, then weights)", minimum=0)
    epochs: int = cli.option(500, "full-batch gradient-descent steps")
    lr: float = cli.option(1e-6, f"learning rate (the book uses {SCALED_LR:g} with fan_in)")
    hidden: int = cli.option(HIDDEN, "hidden units H", maximum=100_000)
    scale: str = cli.option("normal", "the start: N(0, 1) or fan-in scaled", choices=tuple(SCALES))


#: The book's defaults, the one spelling used by the chapter and the program.
BOOK = Defaults()


@dataclass(frozen=True)
class Result:
    """One training run of the book's experiment.

    history : the run's History (losses (epochs,), final params).
    scale, lr : the start and the learning rate it was trained with.
    """

    history: History
    scale: str
    lr: float


@experiment(BOOK)
def run(options: Defaults, *, callback: Callback = None) -> Result:
    """The chapter's experiment: :func:`book_problem`, then full-batch gradient descent.

    Called as ``run(**changes)``: ``options`` is ``BOOK`` with those fields, checked.
    """
    x, y, params = book_problem(options.seed, scale=SCALES[options.scale], hidden=options.hidden)
    history = gradient_descent(
        loss_and_grads, params, x, y, lr=options.lr, epochs=options.epochs, callback=callback
    )
    return Result(history, options.scale, options.lr)


def summary(result: Result) -> list[str]:
    """The lines the program prints: the start, the learning rate, first and last loss."""
    losses = result.history.losses
    return [
        f"start {result.scale}, lr {result.lr:g}, {losses.size} steps",
        f"first loss {losses[0]:.6e}",
        f"last loss  {losses[-1]:.6e}",
    ]


def figure_loss(result: Result) -> Figure:
    """The loss per step, on a logarithmic axis."""
    return loss_curve(
        result.history.losses, log=True, xlabel="step", ylabel="sum of squared errors"
    )


main = cli.chapter_main("two_layer", __doc__, run, summary, figure_loss)

if __name__ == "__main__":
    sys.exit(main())
