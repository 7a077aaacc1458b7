"""Figures of the chapter "XOR": each takes data and returns a Figure.

Nothing here imports the model: :func:`output_surface` takes the network as
a function from points (M, 2) to outputs (M, 1), so it draws a trained, an
untrained or a hand-made network alike (:func:`scratchnn.xor.figure_output_surface`
passes it ``forward``).
"""

from collections.abc import Callable, Mapping

import numpy as np
from matplotlib.figure import Figure

from scratchnn import checks
from scratchnn.data import xor_data
from scratchnn.plotting import new_figure

__all__ = ["learning_rate_sweep", "output_surface"]


def output_surface(
    predict: Callable[[np.ndarray], np.ndarray],
    *,
    title: str | None = None,
    resolution: int = 201,
) -> Figure:
    """The output of ``predict`` over the unit square, with the 0.5 contour and the data.

    Parameters
    ----------
    predict : maps points (M, 2) to outputs (M, 1).
    title : the axes' title, if any.
    resolution : grid points per side, 2 to 2001.

    Returns
    -------
    A Figure with one axes: the output as colours (clipped to [0, 1]), the
    curve where it equals 0.5 (the decision boundary; none when the output
    does not cross 0.5), and the four XOR points, filled for xor = 1 and
    hollow for xor = 0.
    """
    predict = checks.function(predict, "predict", "mapping points (M, 2) to outputs (M, 1)")
    resolution = checks.whole_number(resolution, "resolution", minimum=2, maximum=2001)
    grid = np.linspace(0.0, 1.0, resolution)
    g1, g2 = np.meshgrid(grid, grid)
    points = np.column_stack([g1.ravel(), g2.ravel()])  # (M, 2), M = resolution²
    out = checks.array(predict(points), "predict(points)", (len(points), 1))
    surface = np.clip(out.reshape(g1.shape), 0.0, 1.0)
    fig = new_figure(width=4.6, height=3.8)
    ax = fig.axes[0]
    image = ax.pcolormesh(g1, g2, surface, cmap="RdBu_r", vmin=0.0, vmax=1.0, shading="auto")
    fig.colorbar(image, ax=ax, label=r"network output $\hat y$")
    if np.ptp(surface) > 1e-3 and surface.min() < 0.5 < surface.max():
        ax.contour(g1, g2, surface, levels=[0.5], colors="black", linewidths=1.5)
    x, y = xor_data()
    ones = y[:, 0] == 1
    ax.scatter(*x[ones].T, s=90, c="black", edgecolors="white", label="xor = 1", zorder=3)
    ax.scatter(*x[~ones].T, s=90, facecolors="white", edgecolors="black", label="xor = 0", zorder=3)
    ax.set(xlim=(-0.05, 1.05), ylim=(-0.05, 1.05), aspect="equal", xlabel="$x_1$", ylabel="$x_2$")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, fontsize="small")
    if title:
        ax.set_title(title)
    return fig


def learning_rate_sweep(
    rates: np.ndarray,
    epochs_needed: Mapping[str, np.ndarray],
    *,
    budget: int,
) -> Figure:
    """Epochs to reach the target loss against the learning rate, one line per contender.

    Parameters
    ----------
    rates : (R,) the learning rates swept.
    epochs_needed : label -> (R, S) epochs each of S seeds needed at each
        rate, ``inf`` for a seed that never got there within ``budget``.
    budget : the epochs every run was given.

    Returns
    -------
    A Figure with two axes: left, the median over seeds with the 25–75 %
    band (log–log); right, the share of seeds that reached the target.
    """
    rates = checks.array(rates, "rates", ("R",))
    fig = new_figure(2, width=8.0, height=3.4)
    left, right = fig.axes
    for (label, needed), marker in zip(epochs_needed.items(), "os^v", strict=False):
        needed = np.asarray(needed, dtype=np.float64)
        if needed.shape[0] != len(rates):
            raise ValueError(
                f"epochs_needed[{label!r}] must have {len(rates)} rows, got {needed.shape}"
            )
        capped = np.minimum(needed, budget)  # a failed seed counts as the whole budget
        low, median, high = np.percentile(capped, [25, 50, 75], axis=1)
        (line,) = left.plot(rates, median, marker=marker, label=label)
        left.fill_between(rates, low, high, color=line.get_color(), alpha=0.2)
        right.plot(rates, np.mean(np.isfinite(needed), axis=1), marker=marker, label=label)
    left.axhline(budget, color="grey", linestyle=":", linewidth=1)
    left.set(xscale="log", yscale="log", xlabel="learning rate η", ylabel="epochs to loss < target")
    right.set(
        xscale="log", ylim=(-0.05, 1.05), xlabel="learning rate η", ylabel="share of seeds solved"
    )
    for ax in (left, right):
        ax.grid(True, alpha=0.3)
    left.legend(fontsize="small")
    return fig
