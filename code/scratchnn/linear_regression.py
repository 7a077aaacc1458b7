"""Linear regression y ≈ a x + b, by gradient descent and in closed form.

The model of the book's chapter "Linear regression by gradient descent":
two scalar parameters, the mean squared error, its gradient, the
least-squares solution of the normal equations, and the (constant) Hessian
of the loss that explains how fast gradient descent approaches that solution.

Run ``python -m scratchnn.linear_regression --help`` for the command line.
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from scratchnn import functional as F
from scratchnn.cli import parser, save_figure
from scratchnn.data import linear_data
from scratchnn.plotting import new_figure
from scratchnn.train import History, gradient_descent

__all__ = [
    "DEFAULT_EPOCHS",
    "DEFAULT_LR",
    "DEFAULT_SEED",
    "N_POINTS",
    "RegressionResult",
    "closed_form",
    "figure_fit",
    "forward",
    "init_params",
    "loss_and_grads",
    "main",
    "mse_hessian",
    "run",
]

#: The book's experiment: 100 points, seed 0, 1000 epochs of learning rate 0.1.
N_POINTS = 100
DEFAULT_SEED = 0
DEFAULT_EPOCHS = 1000
DEFAULT_LR = 0.1


def init_params(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A random first guess: a and b drawn from N(0, 1).

    Returns
    -------
    params : {"a": () float64, "b": () float64}
    """
    return {"a": np.array(rng.standard_normal()), "b": np.array(rng.standard_normal())}


def _check_x(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x must have shape (N,), got shape {x.shape}")
    return x


def forward(params: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Predictions y_hat = a x + b.

    Parameters
    ----------
    params : {"a": (), "b": ()}
    x : (N,) inputs

    Returns
    -------
    y_hat : (N,) float64
    """
    return params["a"] * _check_x(x) + params["b"]


def loss_and_grads(
    params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """Mean squared error and its gradient with respect to a and b.

    With r = y_hat - y, L = (1/N) Σ r², dL/da = (2/N) Σ r x, dL/db = (2/N) Σ r.

    Parameters
    ----------
    params : {"a": (), "b": ()}
    x : (N,) inputs
    y : (N,) targets

    Returns
    -------
    loss : float
    grads : {"a": () float64, "b": () float64}
    """
    x = _check_x(x)
    y_hat = forward(params, x)
    loss = F.mean_squared_error(y_hat, y)
    dy_hat = F.mean_squared_error_grad(y_hat, y)  # (N,) = 2 r / N
    return loss, {"a": np.array(np.sum(dy_hat * x)), "b": np.array(np.sum(dy_hat))}


def closed_form(x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """Least-squares a and b from the normal equations (Xᵀ X) θ = Xᵀ y.

    X = [x, 1] is the (N, 2) design matrix and θ = (a, b).

    Parameters
    ----------
    x : (N,) inputs, at least two distinct values
    y : (N,) targets

    Returns
    -------
    params : {"a": () float64, "b": () float64}, the minimiser of the MSE
    """
    x = _check_x(x)
    F.check_same_shape(x, y)
    if x.size < 2 or np.ptp(x) == 0:
        raise ValueError("the least-squares line needs at least two distinct x values")
    design = np.column_stack([x, np.ones_like(x)])  # (N, 2)
    a, b = np.linalg.solve(design.T @ design, design.T @ np.asarray(y, dtype=float))
    return {"a": np.array(a), "b": np.array(b)}


def mse_hessian(x: np.ndarray) -> np.ndarray:
    """Hessian of the MSE with respect to (a, b): (2/N) Xᵀ X, whatever a, b and y.

    Parameters
    ----------
    x : (N,) inputs

    Returns
    -------
    hessian : (2, 2) float64, [[2 mean(x²), 2 mean(x)], [2 mean(x), 2]]
    """
    x = _check_x(x)
    design = np.column_stack([x, np.ones_like(x)])
    return 2.0 * design.T @ design / x.size


@dataclass(frozen=True)
class RegressionResult:
    """The chapter's experiment.

    Attributes
    ----------
    x, y : (N,) the data
    start : {"a": (), "b": ()} the random first guess
    history : the training run (losses (epochs,), final params)
    exact : {"a": (), "b": ()} the closed-form least-squares fit
    """

    x: np.ndarray
    y: np.ndarray
    start: dict[str, np.ndarray]
    history: History
    exact: dict[str, np.ndarray]

    @property
    def distance(self) -> float:
        """Euclidean distance between the trained (a, b) and the closed form."""
        p, q = self.history.params, self.exact
        return float(np.hypot(p["a"] - q["a"], p["b"] - q["b"]))


def run(
    seed: int = DEFAULT_SEED,
    epochs: int = DEFAULT_EPOCHS,
    lr: float = DEFAULT_LR,
    *,
    callback: Callable[[int, float], None] | None = None,
) -> RegressionResult:
    """Draw the data, train from a random start, and solve the normal equations.

    The generator seeded with ``seed`` draws the N_POINTS data points first,
    then the starting a and b.  ``callback(epoch, loss)`` is passed on to
    :func:`scratchnn.train.gradient_descent`.
    """
    rng = np.random.default_rng(seed)
    x, y = linear_data(rng, N_POINTS)
    start = init_params(rng)
    history = gradient_descent(loss_and_grads, start, x, y, lr=lr, epochs=epochs, callback=callback)
    return RegressionResult(x, y, start, history, closed_form(x, y))


def figure_fit(
    x: np.ndarray, y: np.ndarray, lines: dict[str, dict[str, np.ndarray]] | None = None
) -> Figure:
    """The data as dots and, for each label -> {"a", "b"} in ``lines``, its line.

    Parameters
    ----------
    x, y : (N,) the data
    lines : label -> params; no lines draws the data alone

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


def main(argv: list[str] | None = None) -> int:
    """Train with the book's defaults (or the options given) and print a summary."""
    p = parser(
        "python -m scratchnn.linear_regression",
        "Fit y = a x + b to noisy data by gradient descent and compare with least squares.",
        seed=DEFAULT_SEED,
        epochs=DEFAULT_EPOCHS,
        lr=DEFAULT_LR,
    )
    args = p.parse_args(argv)
    every = max(1, args.epochs // 10)

    def progress(epoch: int, loss: float) -> None:
        if epoch % every == 0:
            print(f"epoch {epoch:6d}  loss {loss:.6f}")

    try:
        result = run(args.seed, args.epochs, args.lr, callback=progress)
    except FloatingPointError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    final, exact = result.history.params, result.exact
    print(f"gradient descent: a = {float(final['a']):.6f}, b = {float(final['b']):.6f}")
    print(f"least squares:    a = {float(exact['a']):.6f}, b = {float(exact['b']):.6f}")
    print(f"distance between the two: {result.distance:.3e}")
    if args.plot:
        lines = {"gradient descent": final, "least squares": exact}
        save_figure(figure_fit(result.x, result.y, lines), args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
