"""A toy 2-2-1 network without biases, trained by hand-derived gradients.

The model of the book's chapter "A toy network by hand":
ŷ = act(x w1) w2 with the loss ½ Σ (ŷ − y)², for the single example
x = [2, 3], y = 1 from fixed starting weights.  The module also keeps, under
a name that says so, the *wrong* w1 update of a common version of this
exercise, so the chapter can show a gradient check rejecting it.

Run ``python -m scratchnn.toy_mlp --help`` for the command line.
"""

import sys
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from scratchnn import functional as F
from scratchnn.cli import parser, save_figure
from scratchnn.gradcheck import check_gradients
from scratchnn.plotting import loss_curve, new_figure
from scratchnn.train import History, gradient_descent

__all__ = [
    "ACTIVATION_NAMES",
    "DEFAULT_ACTIVATION",
    "DEFAULT_EPOCHS",
    "DEFAULT_LR",
    "ToyResult",
    "X",
    "Y",
    "figure_network",
    "figure_preactivations",
    "forward",
    "init_params",
    "loss_and_grads",
    "loss_and_grads_flawed",
    "main",
    "preactivation_path",
    "run",
    "starting_params",
]

#: The single training example, batch-first: x of shape (1, 2), y of shape (1,).
X = np.array([[2.0, 3.0]])
Y = np.array([1.0])

#: The book's experiment: 200 steps of learning rate 0.01, linear activation.
DEFAULT_EPOCHS = 200
DEFAULT_LR = 0.01
DEFAULT_ACTIVATION = "linear"

#: The chapter's activation names -> names in scratchnn.functional.
ACTIVATION_NAMES = {"linear": "identity", "relu": "relu"}


def starting_params() -> dict[str, np.ndarray]:
    """The fixed starting weights of the chapter (fresh copies every call).

    Returns
    -------
    params : {"w1": (2, 2) float64, "w2": (2,) float64}
    """
    return {"w1": np.array([[-0.78, 0.13], [0.85, 0.23]]), "w2": np.array([1.8, 0.40])}


def init_params(rng: np.random.Generator, d: int = 2, h: int = 2) -> dict[str, np.ndarray]:
    """Random weights from N(0, 1), for experiments away from the fixed start.

    Returns
    -------
    params : {"w1": (d, h) float64, "w2": (h,) float64}
    """
    return {"w1": rng.standard_normal((d, h)), "w2": rng.standard_normal(h)}


def _activation(name: str) -> F.ActivationPair:
    if name not in ACTIVATION_NAMES:
        known = ", ".join(repr(k) for k in ACTIVATION_NAMES)
        raise ValueError(f"unknown activation {name!r}; choose one of {known}")
    return F.activation(ACTIVATION_NAMES[name])


def _check_x(params: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    w1_shape = np.shape(params["w1"])
    if x.ndim != 2 or x.shape[1] != w1_shape[0]:
        raise ValueError(
            f"x must have shape (N, {w1_shape[0]}) to match w1 of shape {w1_shape}, "
            f"got shape {x.shape}"
        )
    return x


def forward(
    params: dict[str, np.ndarray], x: np.ndarray, *, activation: str = DEFAULT_ACTIVATION
) -> np.ndarray:
    """Predictions y_hat = act(x w1) w2.

    Parameters
    ----------
    params : {"w1": (D, H), "w2": (H,)}
    x : (N, D) inputs, one example per row
    activation : "linear" or "relu"

    Returns
    -------
    y_hat : (N,) float64
    """
    act, _ = _activation(activation)
    return act(_check_x(params, x) @ params["w1"]) @ params["w2"]


def loss_and_grads(
    params: dict[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    activation: str = DEFAULT_ACTIVATION,
) -> tuple[float, dict[str, np.ndarray]]:
    """Loss ½ Σ (y_hat − y)² and its gradient by backpropagation.

    Parameters
    ----------
    params : {"w1": (D, H), "w2": (H,)}
    x : (N, D) inputs
    y : (N,) targets
    activation : "linear" or "relu"

    Returns
    -------
    loss : float
    grads : {"w1": (D, H), "w2": (H,)}, float64
    """
    act, act_derivative = _activation(activation)
    x = _check_x(params, x)
    z = x @ params["w1"]  # (N, H) pre-activations
    h = act(z)  # (N, H) hidden activations
    y_hat = h @ params["w2"]  # (N,)
    loss = F.half_squared_error(y_hat, y)
    e = F.half_squared_error_grad(y_hat, y)  # (N,) dL/dy_hat = y_hat - y
    dw2 = h.T @ e  # (H,)
    dz = np.outer(e, params["w2"]) * act_derivative(z)  # (N, H) dL/dz
    dw1 = x.T @ dz  # (D, H)
    return loss, {"w1": dw1, "w2": dw2}


def loss_and_grads_flawed(
    params: dict[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    activation: str = DEFAULT_ACTIVATION,
) -> tuple[float, dict[str, np.ndarray]]:
    """WRONG ON PURPOSE: the w1 update of a common version of this exercise.

    The w2 gradient is right, but the w1 "gradient" is built from the w2
    gradient, e h (that is, from the hidden activations), as the outer
    product (e h)ᵀ x, where the chain rule asks for xᵀ (e w2 ⊙ act'(z)).  With
    ReLU it applies act' to e h instead of to z.  It is neither the gradient
    nor its transpose; the book shows that it still drives y_hat to y and that
    a gradient check rejects it.  Never use it to train.

    Shapes as :func:`loss_and_grads`; the wrong rule builds an (H, D) array,
    so it only fits the shape of w1, (D, H), when D == H (as in the book).
    """
    loss, grads = loss_and_grads(params, x, y, activation=activation)  # w2 part is right
    d, hidden = np.shape(params["w1"])
    if d != hidden:
        raise ValueError(
            f"the flawed rule builds an ({hidden}, {d}) array; w1 has shape {(d, hidden)}"
        )
    act, act_derivative = _activation(activation)
    x = np.asarray(x, dtype=float)
    h = act(x @ params["w1"])  # (N, H)
    e = F.half_squared_error_grad(h @ params["w2"], y)  # (N,)
    per_example_dw2 = e[:, None] * h  # (N, H): the w2 gradient, example by example
    if activation == "relu":
        per_example_dw2 = act_derivative(per_example_dw2)  # act' of the wrong quantity
    dw1 = per_example_dw2.T @ x  # (H, D): WRONG, should be x.T @ (e w2 * act'(z))
    return loss, {"w1": dw1, "w2": grads["w2"]}


@dataclass(frozen=True)
class ToyResult:
    """The chapter's training run.

    Attributes
    ----------
    history : losses (epochs,) and the final params
    prediction : y_hat of the final params on X
    """

    history: History
    prediction: float


def run(
    epochs: int = DEFAULT_EPOCHS,
    lr: float = DEFAULT_LR,
    *,
    activation: str = DEFAULT_ACTIVATION,
    flawed: bool = False,
) -> ToyResult:
    """Train from :func:`starting_params` on (X, Y); ``flawed`` uses the wrong w1 rule."""
    rule = loss_and_grads_flawed if flawed else loss_and_grads
    history = gradient_descent(
        rule, starting_params(), X, Y, lr=lr, epochs=epochs, activation=activation
    )
    prediction = float(forward(history.params, X, activation=activation)[0])
    return ToyResult(history, prediction)


def preactivation_path(
    params: dict[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    lr: float,
    epochs: int,
    activation: str = DEFAULT_ACTIVATION,
) -> np.ndarray:
    """The hidden pre-activations z = x w1 before each step and after the last.

    Trains one step at a time with :func:`scratchnn.train.gradient_descent`.

    Returns
    -------
    path : (epochs + 1, N, H) float64; path[t] is z after t steps
    """
    path = [_check_x(params, x) @ params["w1"]]
    for _ in range(epochs):
        params = gradient_descent(
            loss_and_grads, params, x, y, lr=lr, epochs=1, activation=activation
        ).params
        path.append(x @ params["w1"])
    return np.array(path)


def figure_network(params: dict[str, np.ndarray], x: np.ndarray) -> Figure:
    """The 2-2-1 network as a diagram: units as circles, weights on the edges.

    Parameters
    ----------
    params : {"w1": (2, 2), "w2": (2,)}
    x : (2,) the input written into the input units

    Returns
    -------
    A Figure with one axes (no axis lines).
    """
    fig = new_figure(width=6.4, height=3.2)
    ax = fig.axes[0]
    inputs, hidden, output = [(0.0, 1.0), (0.0, 0.0)], [(1.6, 1.0), (1.6, 0.0)], (3.0, 0.5)
    w1, w2 = params["w1"], params["w2"]
    edges = []  # (start, end, label, fraction of the way along the edge for the label)
    for j, start in enumerate(inputs):
        for k, end in enumerate(hidden):
            label = f"$w_{{1,{j + 1}{k + 1}}} = {w1[j, k]:.2f}$"
            edges.append((start, end, label, 0.45 if j == k else 0.75))
    for k, start in enumerate(hidden):
        edges.append((start, output, f"$w_{{2,{k + 1}}} = {w2[k]:.2f}$", 0.5))
    for (x0, y0), (x1, y1), label, t in edges:
        ax.plot([x0, x1], [y0, y1], color="0.55", zorder=1)
        ax.text(
            x0 + t * (x1 - x0),
            y0 + t * (y1 - y0),
            label,
            fontsize=9,
            ha="center",
            va="center",
            zorder=3,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
        )
    units = [*inputs, *hidden, output]
    labels = [f"$x_1 = {x[0]:g}$", f"$x_2 = {x[1]:g}$", "$h_1$", "$h_2$", r"$\hat y$"]
    for (u, v), label in zip(units, labels, strict=True):
        ax.add_patch(Circle((u, v), 0.1, facecolor="#cfe2f3", edgecolor="#1f4e79", zorder=2))
        ax.text(u, v - 0.15, label, ha="center", va="top", fontsize=10)
    ax.set_xlim(-0.4, 3.3)
    ax.set_ylim(-0.35, 1.15)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def figure_preactivations(paths: dict[str, np.ndarray]) -> Figure:
    """Pre-activation of each hidden unit against the step, for label -> path.

    Parameters
    ----------
    paths : label -> (steps, 1, H) array from :func:`preactivation_path`

    Returns
    -------
    A Figure with one axes per path; the grey band marks z <= 0 (ReLU off).
    """
    fig = new_figure(len(paths), width=4.0 * len(paths))
    for ax, (label, path) in zip(fig.axes, paths.items(), strict=True):
        for unit in range(path.shape[2]):
            ax.plot(path[:, 0, unit], label=f"unit {unit + 1}")
        ax.axhspan(min(path.min(), 0.0) - 0.1, 0.0, color="grey", alpha=0.2)
        ax.set_title(label)
        ax.set_xlabel("step")
        ax.set_ylabel("pre-activation z")
        ax.grid(True, alpha=0.3)
        ax.legend()
    return fig


def main(argv: list[str] | None = None) -> int:
    """Train the toy network with the book's defaults and print a summary."""
    p = parser(
        "python -m scratchnn.toy_mlp",
        "Train the 2-2-1 toy network on x = [2, 3], y = 1 from fixed weights.",
        seed=None,
        epochs=DEFAULT_EPOCHS,
        lr=DEFAULT_LR,
    )
    p.add_argument("--activation", choices=sorted(ACTIVATION_NAMES), default=DEFAULT_ACTIVATION)
    p.add_argument(
        "--flawed", action="store_true", help="train with the deliberately wrong w1 update"
    )
    args = p.parse_args(argv)
    rule = loss_and_grads_flawed if args.flawed else loss_and_grads
    errors = check_gradients(rule, starting_params(), X, Y, activation=args.activation)
    checks = ", ".join(f"{k} {v:.1e}" for k, v in errors.items())
    print(f"gradient check at the start (relative error): {checks}")
    try:
        result = run(args.epochs, args.lr, activation=args.activation, flawed=args.flawed)
    except FloatingPointError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    losses = result.history.losses
    print(f"loss: first {losses[0]:.6f}, last {losses[-1]:.3e}")
    print(f"final prediction: {result.prediction:.6f} (target {Y[0]:g})")
    if args.plot:
        save_figure(loss_curve(losses, log=True), args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
