"""Figures of the chapter "A toy network by hand", and the training path one of them shows.

Each figure takes data and returns a Figure; nothing is shown or saved here.
"""

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from scratchnn import checks, cli
from scratchnn.plotting import new_figure
from scratchnn.toy_mlp import BOOK, SPEC, loss_and_grads
from scratchnn.train import gradient_descent

__all__ = ["figure_network", "figure_preactivations", "preactivation_path"]


def preactivation_path(
    params: Mapping[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    lr: float,
    epochs: int,
    activation: str = BOOK.activation,
) -> np.ndarray:
    """The hidden pre-activations z1 = x w1 before each step and after the last.

    Trains one step at a time with :func:`scratchnn.train.gradient_descent`.

    Returns
    -------
    path : (epochs + 1, N, H) float64; path[t] is z1 after t steps
    """
    dims: dict[str, int] = {}
    params = checks.params(params, SPEC, dims=dims)
    x = checks.array(x, "x", ("N", "D"), dims=dims)
    epochs = checks.whole_number(epochs, "epochs", maximum=cli.MAX_EPOCHS)
    path = [x @ params["w1"]]
    for _ in range(epochs):
        params = gradient_descent(
            loss_and_grads, params, x, y, lr=lr, epochs=1, activation=activation
        ).params
        path.append(x @ params["w1"])
    return np.array(path)


def figure_network(params: Mapping[str, np.ndarray], x: np.ndarray) -> Figure:
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
    w1, w2 = np.asarray(params["w1"]), np.asarray(params["w2"])
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


def figure_preactivations(paths: Mapping[str, np.ndarray]) -> Figure:
    """Pre-activation z1 of each hidden unit against the step, for label -> path.

    Parameters
    ----------
    paths : label -> (steps, 1, H) array from :func:`scratchnn.toy_mlp_figures.preactivation_path`

    Returns
    -------
    A Figure with one axes per path; the grey band marks z1 <= 0 (ReLU off).
    """
    fig = new_figure(len(paths), width=4.0 * len(paths))
    for ax, (label, path) in zip(fig.axes, paths.items(), strict=True):
        for unit in range(path.shape[2]):
            ax.plot(path[:, 0, unit], label=f"unit {unit + 1}")
        ax.axhspan(min(path.min(), 0.0) - 0.1, 0.0, color="grey", alpha=0.2)
        ax.set_title(label)
        ax.set_xlabel("step")
        ax.set_ylabel("pre-activation $z_1$")
        ax.grid(True, alpha=0.3)
        ax.legend()
    return fig
