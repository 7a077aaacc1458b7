"""XOR: a network with one hidden layer learns what no line can separate.

The model maps the four points of the XOR truth table, x of shape (4, 2),
through H hidden units to one output:

    z1 = x w1 + b1     (N, H)        h  = act(z1)     (N, H)
    z2 = h w2 + b2     (N, 1)        y_hat = out(z2)  (N, 1)
    L  = sum over the N examples of (y_hat - y)^2

with ``act`` and ``out`` each one of "sigmoid", "relu", "identity".
Explained in the book's chapter "XOR", which derives every gradient below.

Run ``python -m scratchnn.xor --help`` for the command line.
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from scratchnn import cli
from scratchnn import functional as F
from scratchnn.data import xor_data
from scratchnn.plotting import new_figure
from scratchnn.train import DivergenceError, gradient_descent

__all__ = [
    "ACTIVATION",
    "EPOCHS",
    "HIDDEN",
    "LR",
    "OUTPUT",
    "SEED",
    "XorRun",
    "figure_decision_boundary",
    "forward",
    "forward_with_cache",
    "init_params",
    "is_dead",
    "loss_and_grads",
    "loss_and_grads_loop",
    "main",
    "run",
    "truth_table",
]

#: The book's defaults: the first experiment of the chapter.
ACTIVATION = "sigmoid"
OUTPUT = "sigmoid"
HIDDEN = 10
LR = 0.5
EPOCHS = 10_000
SEED = 0


def init_params(rng: np.random.Generator, hidden: int = HIDDEN) -> dict[str, np.ndarray]:
    """He (Kaiming) normal initialisation, zero biases.

    Each weight is drawn from N(0, 2 / fan_in), fan_in the number of inputs
    of its layer (He et al., 2015): w1 from N(0, 1), since fan_in = 2, and
    w2 from N(0, 2 / H).

    Parameters
    ----------
    rng : the random generator (the only source of randomness).
    hidden : H, the number of hidden units, >= 1.

    Returns
    -------
    params : w1 (2, H), b1 (H,), w2 (H, 1), b2 (1,), all float64.
    """
    if isinstance(hidden, bool) or not isinstance(hidden, int | np.integer) or hidden < 1:
        raise ValueError(f"hidden must be a whole number >= 1, got {hidden!r}")
    return {
        "w1": rng.normal(0.0, np.sqrt(2.0 / 2), size=(2, hidden)),
        "b1": np.zeros(hidden),
        "w2": rng.normal(0.0, np.sqrt(2.0 / hidden), size=(hidden, 1)),
        "b2": np.zeros(1),
    }


def _check_shapes(params: dict[str, np.ndarray], x: np.ndarray) -> None:
    """Raise ValueError naming the shapes unless they fit the model."""
    if set(params) != {"w1", "b1", "w2", "b2"}:
        raise ValueError(f"params must have keys w1, b1, w2, b2, got {sorted(params)}")
    hidden = np.shape(params["w1"])[-1] if np.ndim(params["w1"]) == 2 else None
    expected = {"w1": (2, hidden), "b1": (hidden,), "w2": (hidden, 1), "b2": (1,)}
    got = {k: np.shape(v) for k, v in params.items()}
    if hidden is None or any(got[k] != expected[k] for k in expected):
        raise ValueError(
            "params must have shapes w1 (2, H), b1 (H,), w2 (H, 1), b2 (1,), got "
            + ", ".join(f"{k} {got[k]}" for k in expected)
        )
    if np.ndim(x) != 2 or np.shape(x)[1] != 2:
        raise ValueError(f"x must have shape (N, 2), got {np.shape(x)}")


def forward_with_cache(
    params: dict[str, np.ndarray],
    x: np.ndarray,
    *,
    activation: str = ACTIVATION,
    output: str = OUTPUT,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The forward pass, keeping what the backward pass needs.

    Parameters
    ----------
    params : w1 (2, H), b1 (H,), w2 (H, 1), b2 (1,).
    x : (N, 2) inputs.
    activation, output : the hidden and output activations, each one of
        "sigmoid", "relu", "identity".

    Returns
    -------
    z1 : (N, H) hidden pre-activations.
    h : (N, H) hidden activations.
    z2 : (N, 1) output pre-activations.
    y_hat : (N, 1) predictions.
    """
    _check_shapes(params, x)
    act, _ = F.activation(activation)
    out, _ = F.activation(output)
    z1 = x @ params["w1"] + params["b1"]  # (N, H)
    h = act(z1)  # (N, H)
    z2 = h @ params["w2"] + params["b2"]  # (N, 1)
    return z1, h, z2, out(z2)


def forward(
    params: dict[str, np.ndarray],
    x: np.ndarray,
    *,
    activation: str = ACTIVATION,
    output: str = OUTPUT,
) -> np.ndarray:
    """Predictions of the network.

    Parameters
    ----------
    params : w1 (2, H), b1 (H,), w2 (H, 1), b2 (1,).
    x : (N, 2) inputs.
    activation, output : as in :func:`forward_with_cache`.

    Returns
    -------
    y_hat : (N, 1)
    """
    return forward_with_cache(params, x, activation=activation, output=output)[3]


def loss_and_grads(
    params: dict[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    activation: str = ACTIVATION,
    output: str = OUTPUT,
) -> tuple[float, dict[str, np.ndarray]]:
    """Summed squared error and its gradient, vectorised over the batch.

    Parameters
    ----------
    params : w1 (2, H), b1 (H,), w2 (H, 1), b2 (1,).
    x : (N, 2) inputs.
    y : (N, 1) targets.
    activation, output : as in :func:`forward`.

    Returns
    -------
    loss : float, sum over the N examples of (y_hat - y)^2.
    grads : dL/dw1 (2, H), dL/db1 (H,), dL/dw2 (H, 1), dL/db2 (1,).
    """
    z1, h, z2, y_hat = forward_with_cache(params, x, activation=activation, output=output)
    _, act_derivative = F.activation(activation)
    _, out_derivative = F.activation(output)
    loss = F.sum_squared_error(y_hat, y)
    d_y_hat = F.sum_squared_error_grad(y_hat, y)  # (N, 1)
    d_z2 = d_y_hat * out_derivative(z2)  # (N, 1)
    d_h = d_z2 @ params["w2"].T  # (N, H)
    d_z1 = d_h * act_derivative(z1)  # (N, H)
    grads = {
        "w1": x.T @ d_z1,  # (2, H)
        "b1": d_z1.sum(axis=0),  # (H,)
        "w2": h.T @ d_z2,  # (H, 1)
        "b2": d_z2.sum(axis=0),  # (1,)
    }
    return loss, grads


def loss_and_grads_loop(
    params: dict[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    activation: str = ACTIVATION,
    output: str = OUTPUT,
) -> tuple[float, dict[str, np.ndarray]]:
    """The same loss and gradients with a Python loop over every example and weight.

    A slow reference, written one scalar at a time so that each line is one
    term of the chapter's equations; :func:`loss_and_grads` is the same
    computation with the loops turned into matrix products.  Arguments and
    results as in :func:`loss_and_grads`.
    """
    _check_shapes(params, x)
    F.check_same_shape(np.zeros((len(x), 1)), y)
    act, act_derivative = F.activation(activation)
    out, out_derivative = F.activation(output)
    w1, b1, w2, b2 = params["w1"], params["b1"], params["w2"], params["b2"]
    n_inputs, n_hidden = w1.shape
    loss = 0.0
    grads = {name: np.zeros_like(value, dtype=float) for name, value in params.items()}
    for n in range(len(x)):
        # forward, one hidden unit at a time
        z1 = np.zeros(n_hidden)
        h = np.zeros(n_hidden)
        for j in range(n_hidden):
            z1[j] = b1[j]
            for i in range(n_inputs):
                z1[j] += x[n, i] * w1[i, j]
            h[j] = act(z1[j])
        z2 = b2[0]
        for j in range(n_hidden):
            z2 += h[j] * w2[j, 0]
        y_hat = out(z2)
        loss += (y_hat - y[n, 0]) ** 2
        # backward: this example's share of every partial derivative
        d_z2 = 2.0 * (y_hat - y[n, 0]) * out_derivative(z2)
        grads["b2"][0] += d_z2
        for j in range(n_hidden):
            grads["w2"][j, 0] += d_z2 * h[j]
            d_z1 = d_z2 * w2[j, 0] * act_derivative(z1[j])
            grads["b1"][j] += d_z1
            for i in range(n_inputs):
                grads["w1"][i, j] += d_z1 * x[n, i]
    return float(loss), grads


def is_dead(params: dict[str, np.ndarray], x: np.ndarray, *, activation: str = "relu") -> bool:
    """Whether a ReLU output unit is dead on every example of ``x``.

    True when the output's pre-activation z2 is <= 0 for all N rows: then
    relu'(z2) = 0 for every example, so with ``output="relu"`` every gradient
    of :func:`loss_and_grads` is exactly zero and training never moves.

    Parameters
    ----------
    params : w1 (2, H), b1 (H,), w2 (H, 1), b2 (1,).
    x : (N, 2) inputs.
    activation : the hidden activation.
    """
    z2 = forward_with_cache(params, x, activation=activation)[2]  # (N, 1)
    return bool(np.all(z2 <= 0))


@dataclass(frozen=True)
class XorRun:
    """What :func:`run` returns.

    Attributes
    ----------
    losses : (epochs,) loss before each update.
    params : the trained w1 (2, H), b1 (H,), w2 (H, 1), b2 (1,).
    predictions : (4, 1) outputs of the trained network on the truth table.
    activation, output : the activations it was trained with.
    """

    losses: np.ndarray
    params: dict[str, np.ndarray]
    predictions: np.ndarray
    activation: str
    output: str

    @property
    def final_loss(self) -> float:
        """The loss after the last update (on the returned ``params``)."""
        _, y = xor_data()
        return F.sum_squared_error(self.predictions, y)


def run(
    *,
    seed: int = SEED,
    hidden: int = HIDDEN,
    lr: float = LR,
    epochs: int = EPOCHS,
    activation: str = ACTIVATION,
    output: str = OUTPUT,
    callback: Callable[[int, float], None] | None = None,
) -> XorRun:
    """Train on the XOR truth table from ``init_params(default_rng(seed), hidden)``.

    ``callback(epoch, loss)`` is passed on to ``gradient_descent``.
    """
    F.activation(activation)  # an unknown name fails here, before any work
    F.activation(output)
    x, y = xor_data()
    params = init_params(np.random.default_rng(seed), hidden)
    history = gradient_descent(
        loss_and_grads,
        params,
        x,
        y,
        lr=lr,
        epochs=epochs,
        callback=callback,
        activation=activation,
        output=output,
    )
    predictions = forward(history.params, x, activation=activation, output=output)
    return XorRun(history.losses, history.params, predictions, activation, output)


def truth_table(x: np.ndarray, y: np.ndarray, y_hat: np.ndarray) -> str:
    """The truth table with the network's outputs, as lines of text.

    Shapes: x (N, 2), y (N, 1), y_hat (N, 1).
    """
    lines = ["x1  x2 | xor | output  rounded"]
    for (x1, x2), target, out in zip(x, y[:, 0], y_hat[:, 0], strict=True):
        lines.append(f"{x1:2.0f}  {x2:2.0f} | {target:3.0f} | {out:6.4f}  {round(out):7d}")
    return "\n".join(lines)


def figure_decision_boundary(
    params: dict[str, np.ndarray],
    *,
    activation: str = ACTIVATION,
    output: str = OUTPUT,
    title: str | None = None,
    resolution: int = 201,
) -> Figure:
    """The network's output over the unit square, with the 0.5 contour and the data.

    Parameters
    ----------
    params : w1 (2, H), b1 (H,), w2 (H, 1), b2 (1,).
    activation, output : as in :func:`forward`.
    resolution : grid points per side.

    Returns
    -------
    A Figure with one axes: the output as colours (clipped to [0, 1]), the
    curve where it equals 0.5 (the decision boundary; none for an output
    that is constant to within 1e-3 over the square), and
    the four XOR points, filled for class 1 and hollow for class 0.
    """
    grid = np.linspace(0.0, 1.0, resolution)
    g1, g2 = np.meshgrid(grid, grid)
    points = np.column_stack([g1.ravel(), g2.ravel()])  # (resolution², 2)
    out = forward(params, points, activation=activation, output=output)
    surface = np.clip(out.reshape(g1.shape), 0.0, 1.0)
    fig = new_figure(width=4.6, height=3.8)
    ax = fig.axes[0]
    image = ax.pcolormesh(g1, g2, surface, cmap="RdBu_r", vmin=0.0, vmax=1.0, shading="auto")
    fig.colorbar(image, ax=ax, label="network output")
    if np.ptp(surface) > 1e-3 and surface.min() < 0.5 < surface.max():  # skip a flat surface
        ax.contour(g1, g2, surface, levels=[0.5], colors="black", linewidths=1.5)
    x, y = xor_data()
    ones = y[:, 0] == 1
    ax.scatter(*x[ones].T, s=90, c="black", edgecolors="white", label="xor = 1", zorder=3)
    ax.scatter(*x[~ones].T, s=90, facecolors="white", edgecolors="black", label="xor = 0", zorder=3)
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-0.05, 1.05)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, fontsize="small")
    if title:
        ax.set_title(title)
    return fig


def main(argv: list[str] | None = None) -> int:
    """Train on XOR with the book's defaults; print progress and the truth table."""
    names = sorted(F.ACTIVATIONS)
    p = cli.parser(
        "python -m scratchnn.xor",
        "Train a 2-H-1 network on the XOR truth table (the book's chapter 'XOR').",
        seed=SEED,
        epochs=EPOCHS,
        lr=LR,
    )
    p.add_argument("--activation", choices=names, default=ACTIVATION, help="hidden activation")
    p.add_argument("--output", choices=names, default=OUTPUT, help="output activation")
    p.add_argument("--hidden", type=cli.positive_int, default=HIDDEN, help="hidden units H")
    args = p.parse_args(argv)
    every = max(1, args.epochs // 10)

    def progress(epoch: int, loss: float) -> None:
        if epoch % every == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch:6d}  loss {loss:.6g}")

    try:
        result = run(
            seed=args.seed,
            hidden=args.hidden,
            lr=args.lr,
            epochs=args.epochs,
            activation=args.activation,
            output=args.output,
            callback=progress,
        )
    except DivergenceError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    x, y = xor_data()
    print(f"final loss {result.final_loss:.6g}")
    print(truth_table(x, y, result.predictions))
    if args.plot:
        fig = figure_decision_boundary(
            result.params, activation=args.activation, output=args.output
        )
        cli.save_figure(fig, args.plot)
        print(f"figure saved to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
