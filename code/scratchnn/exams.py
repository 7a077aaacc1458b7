"""Predicting final exam scores: a 3 -> 5 -> 1 ReLU network against least squares.

The data are 25 students' scores on three exams (out of 100) and on the final
(out of 200), from :func:`scratchnn.data.load_exams`.  The network is

    z = x w1 + b1,   h = relu(z),   y_hat = h w2 + b2,   L = mean((y_hat - y)^2)

with x the exams divided by 100 and y the final divided by 200.  Its baseline
is ordinary least squares on the raw scores, and both are compared by
leave-one-out cross-validation, in points of the final exam.  Explained in
the book's chapter "Predicting exam scores".

Run ``python -m scratchnn.exams --help`` for the command line.
"""

import sys
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from scratchnn import functional as F
from scratchnn.cli import parser, positive_int, save_figure
from scratchnn.data import EXAM_COLUMNS, load_exams
from scratchnn.plotting import new_figure
from scratchnn.train import gradient_descent

__all__ = [
    "EPOCHS",
    "EXAM_POINTS",
    "FINAL_POINTS",
    "HIDDEN",
    "LR",
    "SEED",
    "SHORT_EPOCHS",
    "SHORT_LR",
    "ExamsResult",
    "errors_in_points",
    "figure_predictions",
    "figure_scores",
    "forward",
    "he_std",
    "init_params",
    "init_params_divided",
    "least_squares",
    "least_squares_predict",
    "loo_least_squares",
    "loo_network",
    "loss_and_grads",
    "main",
    "run",
    "scale",
    "stacked_forward",
    "stacked_loss_and_grads",
]

#: The book's defaults: generator seed, hidden units, the long run's
#: learning rate and epochs (chosen in the chapter), and the short first run.
SEED = 0
HIDDEN = 5
LR = 0.1
EPOCHS = 10_000
SHORT_LR = 0.01
SHORT_EPOCHS = 30

#: Full marks of the three exams and of the final: the scales of ``scale``.
EXAM_POINTS = 100.0
FINAL_POINTS = 200.0


def scale(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Divide the exams by 100 and the final by 200, so all lie in [0, 1].

    Parameters
    ----------
    scores : (N, 4) the table of :func:`scratchnn.data.load_exams`.

    Returns
    -------
    x : (N, 3) the three exams as fractions of full marks.
    y : (N, 1) the final as a fraction of full marks.
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 2 or scores.shape[1] != len(EXAM_COLUMNS):
        raise ValueError(f"scores must have shape (N, 4), one row per student; got {scores.shape}")
    return scores[:, :3] / EXAM_POINTS, scores[:, 3:] / FINAL_POINTS


# --- the network -------------------------------------------------------------


def he_std(n_in: int) -> float:
    """He (Kaiming) standard deviation √(2 / n_in) for weights feeding a ReLU."""
    return float(np.sqrt(2.0 / n_in))


def init_params(
    rng: np.random.Generator, n_in: int = 3, hidden: int = HIDDEN, n_out: int = 1
) -> dict[str, np.ndarray]:
    """He initialisation: weights N(0, 2 / fan-in), biases zero.

    Returns
    -------
    w1 : (n_in, hidden)   b1 : (hidden,)   w2 : (hidden, n_out)   b2 : (n_out,)
    """
    return {
        "w1": rng.standard_normal((n_in, hidden)) * he_std(n_in),
        "b1": np.zeros(hidden),
        "w2": rng.standard_normal((hidden, n_out)) * he_std(hidden),
        "b2": np.zeros(n_out),
    }


def init_params_divided(
    rng: np.random.Generator, n_in: int = 3, hidden: int = HIDDEN, n_out: int = 1
) -> dict[str, np.ndarray]:
    """DELIBERATELY WRONG He initialisation: divides by √(2 / fan-in).

    A common version of this exercise writes ``randn(...) / sqrt(2 / n_in)``,
    so the weights have standard deviation √(n_in / 2) instead of √(2 / n_in):
    (n_in / 2) times too large.  Kept to measure the damage.  It draws the
    same random numbers as :func:`init_params` with the same generator state.
    Shapes as in :func:`init_params`.
    """
    return {
        "w1": rng.standard_normal((n_in, hidden)) / he_std(n_in),
        "b1": np.zeros(hidden),
        "w2": rng.standard_normal((hidden, n_out)) / he_std(hidden),
        "b2": np.zeros(n_out),
    }


def forward(params: Mapping[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Predictions y_hat = relu(x w1 + b1) w2 + b2.

    Shapes: x (N, D), w1 (D, H), b1 (H,), w2 (H, K), b2 (K,) -> y_hat (N, K).
    """
    h = F.relu(x @ params["w1"] + params["b1"])
    return h @ params["w2"] + params["b2"]


def loss_and_grads(
    params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """Mean squared error and its gradient with respect to every parameter.

    Parameters
    ----------
    params : w1 (D, H), b1 (H,), w2 (H, K), b2 (K,)
    x : (N, D) inputs.
    y : (N, K) targets; a ValueError names both shapes if y_hat's differs.

    Returns
    -------
    loss : float, the mean of (y_hat - y)^2 over all N K entries.
    grads : dict with the keys and shapes of ``params``.
    """
    z = x @ params["w1"] + params["b1"]  # (N, H)
    h = F.relu(z)  # (N, H)
    y_hat = h @ params["w2"] + params["b2"]  # (N, K)
    loss = F.mean_squared_error(y_hat, y)
    g = F.mean_squared_error_grad(y_hat, y)  # dL/dy_hat (N, K)
    dz = (g @ params["w2"].T) * F.relu_derivative(z)  # dL/dz (N, H)
    grads = {"w1": x.T @ dz, "b1": dz.sum(axis=0), "w2": h.T @ g, "b2": g.sum(axis=0)}
    return loss, grads


# --- many networks at once, for cross-validation ----------------------------


def stacked_forward(params: Mapping[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """:func:`forward` for M networks at once, all applied to the same x.

    Shapes: x (N, D), w1 (M, D, H), b1 (M, H), w2 (M, H, K), b2 (M, K)
    -> y_hat (M, N, K), network m's predictions in ``y_hat[m]``.
    """
    h = F.relu(x @ params["w1"] + params["b1"][:, None, :])
    return h @ params["w2"] + params["b2"][:, None, :]


def stacked_loss_and_grads(
    params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray, *, mask: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """The sum over M networks of each one's mean squared error on its own rows.

    Network m is trained on the rows n with ``mask[m, n] == 1``; since the
    total is a sum, its gradient with respect to network m's parameters is
    exactly :func:`loss_and_grads` on those rows.  One gradient-descent run
    on this loss therefore trains M independent networks.

    Parameters
    ----------
    params : w1 (M, D, H), b1 (M, H), w2 (M, H, K), b2 (M, K)
    x : (N, D)   y : (N, K)
    mask : (M, N) of 0 and 1, at least one 1 per row.

    Returns
    -------
    loss : float, the sum of the M losses.
    grads : dict with the keys and shapes of ``params``.
    """
    n_models = params["w1"].shape[0]
    if np.shape(mask) != (n_models, len(x)):
        raise ValueError(f"mask must have shape ({n_models}, {len(x)}); got {np.shape(mask)}")
    z = x @ params["w1"] + params["b1"][:, None, :]  # (M, N, H)
    h = F.relu(z)
    y_hat = h @ params["w2"] + params["b2"][:, None, :]  # (M, N, K)
    weight = mask / (mask.sum(axis=1, keepdims=True) * y.shape[1])  # (M, N)
    r = (y_hat - y) * weight[:, :, None]
    loss = float(np.sum(r * (y_hat - y)))
    g = 2.0 * r  # dL/dy_hat (M, N, K)
    dz = (g @ params["w2"].transpose(0, 2, 1)) * F.relu_derivative(z)
    grads = {
        "w1": x.T @ dz,
        "b1": dz.sum(axis=1),
        "w2": h.transpose(0, 2, 1) @ g,
        "b2": g.sum(axis=1),
    }
    return loss, grads


# --- least squares and cross-validation --------------------------------------


def least_squares(exams: np.ndarray, final: np.ndarray) -> np.ndarray:
    """Ordinary least squares with an intercept: final ≈ c0 + exams @ c[1:].

    Shapes: exams (N, D), final (N,) or (N, 1) -> c (D + 1,).
    """
    design = np.column_stack([np.ones(len(exams)), exams])
    coef, *_ = np.linalg.lstsq(design, np.reshape(final, len(exams)), rcond=None)
    return coef


def least_squares_predict(coef: np.ndarray, exams: np.ndarray) -> np.ndarray:
    """c0 + exams @ c[1:].  Shapes: coef (D + 1,), exams (N, D) -> (N,)."""
    return coef[0] + exams @ coef[1:]


def loo_least_squares(scores: np.ndarray) -> np.ndarray:
    """Leave-one-out predictions of least squares, in points of the final.

    Student n's prediction comes from a fit to the other N - 1 students.
    Shapes: scores (N, 4) -> (N,).
    """
    keep = ~np.eye(len(scores), dtype=bool)
    return np.array(
        [
            least_squares_predict(least_squares(scores[k, :3], scores[k, 3]), scores[n, :3])
            for n, k in enumerate(keep)
        ]
    )


def loo_network(
    scores: np.ndarray,
    *,
    seed: int = SEED,
    epochs: int = EPOCHS,
    lr: float = LR,
    hidden: int = HIDDEN,
) -> np.ndarray:
    """Leave-one-out predictions of the network, in points of the final.

    Every fold starts from the same He initialisation (``seed``) and trains
    with the same ``lr`` and ``epochs``; the N folds train together through
    :func:`stacked_loss_and_grads`.  Shapes: scores (N, 4) -> (N,).
    """
    x, y = scale(scores)
    n = len(x)
    start = init_params(np.random.default_rng(seed), x.shape[1], hidden, 1)
    stacked = {k: np.repeat(v[None], n, axis=0) for k, v in start.items()}
    mask = 1.0 - np.eye(n)
    history = gradient_descent(
        stacked_loss_and_grads, stacked, x, y, lr=lr, epochs=epochs, mask=mask
    )
    y_hat = stacked_forward(history.params, x)  # (N folds, N students, 1)
    return y_hat[np.arange(n), np.arange(n), 0] * FINAL_POINTS


def errors_in_points(predicted: np.ndarray, actual: np.ndarray) -> tuple[float, float]:
    """Root-mean-square and mean absolute error.  Shapes: (N,), (N,) -> (), ()."""
    F.check_same_shape(predicted, actual)
    diff = np.asarray(predicted) - np.asarray(actual)
    return float(np.sqrt(np.mean(diff**2))), float(np.mean(np.abs(diff)))


# --- the chapter's experiment --------------------------------------------------


@dataclass(frozen=True)
class ExamsResult:
    """The default experiment: one training run and both cross-validations.

    losses : (epochs,) the network's training loss (scaled units).
    params : the trained network.
    fitted : (25,) the trained network's predictions of the final, in points.
    coef : (4,) least squares on the raw scores: intercept, EXAM1..3.
    loo_net, loo_ols : (25,) leave-one-out predictions, in points.
    rmse_net, mae_net, rmse_ols, mae_ols : their errors, in points.
    """

    losses: np.ndarray
    params: dict[str, np.ndarray]
    fitted: np.ndarray
    coef: np.ndarray
    loo_net: np.ndarray
    loo_ols: np.ndarray
    rmse_net: float
    mae_net: float
    rmse_ols: float
    mae_ols: float


def run(
    seed: int = SEED, epochs: int = EPOCHS, lr: float = LR, hidden: int = HIDDEN
) -> ExamsResult:
    """Train the network on all 25 students, then cross-validate both models."""
    scores = load_exams()
    x, y = scale(scores)
    params = init_params(np.random.default_rng(seed), x.shape[1], hidden, 1)
    history = gradient_descent(loss_and_grads, params, x, y, lr=lr, epochs=epochs)
    loo_net = loo_network(scores, seed=seed, epochs=epochs, lr=lr, hidden=hidden)
    loo_ols = loo_least_squares(scores)
    rmse_net, mae_net = errors_in_points(loo_net, scores[:, 3])
    rmse_ols, mae_ols = errors_in_points(loo_ols, scores[:, 3])
    return ExamsResult(
        losses=history.losses,
        params=history.params,
        fitted=forward(history.params, x)[:, 0] * FINAL_POINTS,
        coef=least_squares(scores[:, :3], scores[:, 3]),
        loo_net=loo_net,
        loo_ols=loo_ols,
        rmse_net=rmse_net,
        mae_net=mae_net,
        rmse_ols=rmse_ols,
        mae_ols=mae_ols,
    )


# --- figures -----------------------------------------------------------------


def figure_scores(scores: np.ndarray) -> Figure:
    """The final against each of the three exams, one panel each."""
    fig = new_figure(3, width=9.0, height=3.2)
    for i, ax in enumerate(fig.axes):
        ax.scatter(scores[:, i], scores[:, 3], s=18)
        ax.set_xlabel(f"{EXAM_COLUMNS[i]} (out of 100)")
        ax.grid(True, alpha=0.3)
    fig.axes[0].set_ylabel("FINAL (out of 200)")
    return fig


def figure_predictions(actual: np.ndarray, predictions: Mapping[str, np.ndarray]) -> Figure:
    """Predicted against actual final, in points; the diagonal is a perfect guess.

    actual : (N,); predictions : label -> (N,), one marker style per entry.
    """
    fig = new_figure(width=5.0, height=4.6)
    ax = fig.axes[0]
    lo, hi = float(np.min(actual)) - 10, float(np.max(actual)) + 10
    ax.plot([lo, hi], [lo, hi], color="grey", lw=1, label="perfect prediction")
    for (label, values), marker in zip(predictions.items(), "osd^", strict=False):
        ax.scatter(actual, values, s=22, marker=marker, alpha=0.8, label=label)
    ax.set_xlabel("actual final (points out of 200)")
    ax.set_ylabel("predicted final (points)")
    ax.set_aspect("equal")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return fig


# --- command line ----------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Train on all students, print the loss, then both cross-validated errors."""
    p = parser(
        "python -m scratchnn.exams",
        "Predict final exam scores with a 3-H-1 ReLU network and compare it with "
        "least squares by leave-one-out cross-validation.",
        seed=SEED,
        epochs=EPOCHS,
        lr=LR,
    )
    p.add_argument("--hidden", type=positive_int, default=HIDDEN, help="hidden units H")
    args = p.parse_args(argv)
    result = run(seed=args.seed, epochs=args.epochs, lr=args.lr, hidden=args.hidden)
    print(f"3-{args.hidden}-1 ReLU network, lr={args.lr:g}, {args.epochs} epochs, seed {args.seed}")
    print(f"training loss: first {result.losses[0]:.6f}, last {result.losses[-1]:.6f}")
    print("leave-one-out error of the final exam, in points out of 200:")
    print(f"  network        RMSE {result.rmse_net:.3f}  MAE {result.mae_net:.3f}")
    print(f"  least squares  RMSE {result.rmse_ols:.3f}  MAE {result.mae_ols:.3f}")
    if args.plot:
        scores = load_exams()
        fig = figure_predictions(
            scores[:, 3], {"network (left out)": result.loo_net, "least squares": result.loo_ols}
        )
        save_figure(fig, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
