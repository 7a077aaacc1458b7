"""Linear regression ŷ = a x + b, by gradient descent and in closed form.

The model of the book's chapter "Linear regression by gradient descent": two
scalar parameters, the squared error (its mean, or its sum), its gradient,
the least-squares solution of the normal equations, the (constant) Hessian
that explains how fast gradient descent approaches that solution.
:mod:`scratchnn.linear_regression_sweep` trains many data sets at many
learning rates at once.

Run ``python -m scratchnn.linear_regression --help`` for the command line.
"""

import sys
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from scratchnn import checks, cli
from scratchnn import functional as F
from scratchnn.data import linear_data
from scratchnn.experiment import Callback, experiment
from scratchnn.model import Model, choice_of
from scratchnn.plotting import new_figure
from scratchnn.train import History, gradient_descent

# fmt: off
__all__ = [  # noqa: RUF022 (grouped by contract, not sorted)
    # the experiment contract (scratchnn.experiment)
    "BOOK", "Defaults", "Result", "run", "summary", "main",
    # the model contract
    "init_params", "forward", "loss_and_grads",
    # figures
    "figure_data", "figure_fit",
    # this module's own
    "book_problem", "closed_form", "mse_hessian",
]
# fmt: on

#: Parameter names and shapes: two scalars.
SPEC = {"a": (), "b": ()}
REDUCTIONS = ("mean", "sum")

#: The model contract (:mod:`scratchnn.model`): what the checked functions check.
MODEL = Model(params=SPEC, x=("N",), y=("N",), options={"reduction": choice_of(REDUCTIONS)})


@dataclass(frozen=True)
class Defaults:
    """The book's experiment; the fields are the keyword arguments of :func:`run`."""

    seed: int = cli.option(0, "seed of the random generator (data, then start)", minimum=0)
    epochs: int = cli.option(1000, "gradient-descent steps")
    lr: float = cli.option(0.1, "learning rate")
    points: int = cli.option(100, "number of data points N", maximum=10_000_000)


#: The book's settings of this chapter's experiment.
BOOK = Defaults()


def init_params(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A random first guess: a and b drawn from N(0, 1), a first.

    Returns
    -------
    params : {"a": () float64, "b": () float64}
    """
    rng = checks.generator(rng)
    return {"a": np.array(rng.standard_normal()), "b": np.array(rng.standard_normal())}


@MODEL.forward
def forward(params: Mapping[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Predictions ŷ = a x + b.

    Parameters
    ----------
    params : {"a": (), "b": ()}
    x : (N,) inputs
    reduction : the option of :func:`loss_and_grads`, checked; no effect on ŷ

    Returns
    -------
    y_hat : (N,) float64
    """
    return params["a"] * x + params["b"]


@MODEL.loss_and_grads
def loss_and_grads(
    params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray, *, reduction: str = "mean"
) -> tuple[float, dict[str, np.ndarray]]:
    """The squared error and its gradient with respect to a and b.

    With r = ŷ − y the residuals: L = (1/N) Σ r² for ``reduction="mean"``,
    L = Σ r² for ``"sum"``; the chapter derives ∂L/∂a and ∂L/∂b.

    Parameters
    ----------
    params : {"a": (), "b": ()}
    x : (N,) inputs
    y : (N,) targets
    reduction : "mean" (the book's loss) or "sum"

    Returns
    -------
    loss : float
    grads : {"a": () float64, "b": () float64}
    """
    y_hat = params["a"] * x + params["b"]  # (N,)
    if reduction == "mean":
        loss = F.mean_squared_error(y_hat, y)
        d_y_hat = F.mean_squared_error_grad(y_hat, y)  # (N,) ∂L/∂ŷ
    else:
        loss = F.sum_squared_error(y_hat, y)
        d_y_hat = F.sum_squared_error_grad(y_hat, y)  # (N,) ∂L/∂ŷ
    return loss, {"a": np.array(np.sum(d_y_hat * x)), "b": np.array(np.sum(d_y_hat))}


def closed_form(x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """Least-squares a and b from the normal equations (Xᵀ X) θ = Xᵀ y.

    X = [x, 1] is the (N, 2) design matrix and θ = (a, b).  The system is
    solved for x / s and y / t, with s and t the largest |x| and |y|, and the
    answer scaled back (a = a' t / s, b = b' t): the same θ, but Xᵀ X never
    overflows, so x of size 1e300 gets its line too.

    Parameters
    ----------
    x : (N,) inputs, at least two distinct values
    y : (N,) targets

    Returns
    -------
    params : {"a": () float64, "b": () float64}, the minimiser of the squared error

    Raises
    ------
    ValueError : x with fewer than two distinct values, or a slope or an
        intercept beyond float64 (the message gives the largest |x| and |y|).
    """
    dims: dict[str, int] = {}
    x = checks.array(x, "x", ("N",), dims=dims)
    y = checks.array(y, "y", ("N",), dims=dims)
    if np.ptp(x) == 0:
        raise ValueError("x must hold at least two distinct values for a least-squares line")
    s, t = float(np.max(np.abs(x))), float(np.max(np.abs(y))) or 1.0
    design = np.column_stack([x / s, np.ones_like(x)])  # (N, 2), entries at most 1
    a, b = np.linalg.solve(design.T @ design, design.T @ (y / t))
    with np.errstate(over="ignore"):
        a, b = a * t / s, b * t
    if not (np.isfinite(a) and np.isfinite(b)):
        raise ValueError(
            f"closed_form: the slope or the intercept overflows float64 (a = {a}, b = {b}): "
            f"largest entries |x| {s:.3g}, |y| {t:.3g}; rescale the data"
        )
    return {"a": np.array(a), "b": np.array(b)}


def mse_hessian(x: np.ndarray) -> np.ndarray:
    """Hessian of the mean squared error in (a, b): (2/N) Xᵀ X, whatever a, b and y.

    Parameters
    ----------
    x : (N,) inputs

    Returns
    -------
    hessian : (2, 2) float64, [[2 mean(x²), 2 mean(x)], [2 mean(x), 2]]

    Raises
    ------
    ValueError : mean(x²) beyond float64 (|x| near 1e154 or more).
    """
    x = checks.array(x, "x", ("N",))
    design = np.column_stack([x, np.ones_like(x)])
    with np.errstate(over="ignore", invalid="ignore"):
        hessian = 2.0 * (design.T / x.size) @ design
    if not np.isfinite(hessian).all():
        raise ValueError(
            f"mse_hessian: 2 mean(x²) overflows float64: largest entry |x| "
            f"{float(np.max(np.abs(x))):.3g}; rescale the data"
        )
    return hessian


def book_problem(
    seed: int = BOOK.seed, points: int = BOOK.points
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """The book's data and start for ``seed``: x (N,), y (N,), then {"a": (), "b": ()}.

    One generator seeded with ``seed`` draws the ``points`` data points first
    (:func:`scratchnn.data.linear_data`), then the start (:func:`init_params`).
    """
    seed = checks.whole_number(seed, "seed", minimum=0)
    points = checks.whole_number(points, "points", maximum=10_000_000)
    rng = np.random.default_rng(seed)
    x, y = linear_data(rng, points)
    return x, y, init_params(rng)


@dataclass(frozen=True)
class Result:
    """The chapter's experiment.

    Attributes
    ----------
    x, y : (N,) the data
    start : {"a": (), "b": ()} the random first guess
    history : the training run (losses (epochs,), final params)
    exact : {"a": (), "b": ()} the least-squares fit
    """

    x: np.ndarray
    y: np.ndarray
    start: dict[str, np.ndarray]
    history: History
    exact: dict[str, np.ndarray]

    @property
    def distance(self) -> float:
        """Euclidean distance between the trained (a, b) and the least-squares (a, b)."""
        p, q = self.history.params, self.exact
        return float(np.hypot(p["a"] - q["a"], p["b"] - q["b"]))


@experiment(BOOK)
def run(options: Defaults, *, callback: Callback = None) -> Result:
    """Draw the data (:func:`book_problem`), train from the random start, solve least squares.

    Called as ``run(**changes)``: ``options`` is ``BOOK`` with those fields, checked;
    ``callback(epoch, loss)`` is passed on to :func:`scratchnn.train.gradient_descent`.
    """
    x, y, start = book_problem(options.seed, options.points)
    lr, epochs = options.lr, options.epochs
    history = gradient_descent(loss_and_grads, start, x, y, lr=lr, epochs=epochs, callback=callback)
    return Result(x, y, start, history, closed_form(x, y))


def summary(result: Result) -> list[str]:
    """The lines ``python -m scratchnn.linear_regression`` prints."""
    (a, b), (a_ls, b_ls) = (
        (float(p["a"]), float(p["b"])) for p in (result.history.params, result.exact)
    )
    return [
        f"gradient descent: a = {a:.6f}, b = {b:.6f}",
        f"least squares:    a = {a_ls:.6f}, b = {b_ls:.6f}",
        f"distance between the two: {result.distance:.3e}",
    ]


def figure_data(
    x: np.ndarray, y: np.ndarray, lines: Mapping[str, Mapping[str, np.ndarray]] | None = None
) -> Figure:
    """The data as dots and, for each label -> {"a": (), "b": ()} in ``lines``, its line.

    Parameters
    ----------
    x, y : (N,) the data
    lines : label -> params; None draws the data alone

    Returns
    -------
    A Figure with one axes.
    """
    fig = new_figure()
    ax = fig.axes[0]
    ax.scatter(x, y, s=12, alpha=0.6, label="data")
    grid = np.array([0.0, 1.0])
    for (label, params), style in zip((lines or {}).items(), ["-", "--", ":"] * 3, strict=False):
        ax.plot(grid, forward(params, grid), style, lw=2, label=label)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return fig


def figure_fit(result: Result) -> Figure:
    """The data with the gradient-descent line and the least-squares line."""
    lines = {"gradient descent": result.history.params, "least squares": result.exact}
    return figure_data(result.x, result.y, lines)


main = cli.chapter_main("linear_regression", __doc__, run, summary, figure_fit)

if __name__ == "__main__":
    sys.exit(main())
