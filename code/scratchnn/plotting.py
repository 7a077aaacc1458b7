"""Figures for the book: each helper takes data and returns a Figure.

Nothing here shows a window or draws on pyplot's current figure: the caller
decides whether to display, save (``fig.savefig(path)``) or discard it.
Figures are drawn on an opaque white background so they stay readable on
the site's light and dark themes alike.
"""

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

__all__ = ["loss_curve", "new_figure"]


def new_figure(ncols: int = 1, *, width: float = 6.0, height: float = 3.6) -> Figure:
    """An empty Figure with ``ncols`` side-by-side axes and a white background."""
    fig = Figure(figsize=(width, height), facecolor="white", layout="constrained")
    fig.subplots(1, ncols, squeeze=False)
    return fig


def loss_curve(
    losses: np.ndarray | Mapping[str, np.ndarray],
    *,
    log: bool = False,
    title: str | None = None,
    xlabel: str = "epoch",
    ylabel: str = "loss",
) -> Figure:
    """Plot loss per epoch.

    Parameters
    ----------
    losses : (epochs,) array, or label -> (epochs,) array for several runs
        on the same axes (with a legend).
    log : a logarithmic loss axis (for losses spanning orders of magnitude).

    Returns
    -------
    A Figure with one axes.
    """
    fig = new_figure()
    ax = fig.axes[0]
    runs: Mapping[str, Sequence[float]] = (
        losses if isinstance(losses, Mapping) else {"": np.asarray(losses)}
    )
    for label, values in runs.items():
        ax.plot(np.arange(len(values)), values, label=label or None)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    if title:
        ax.set_title(title)
    if len(runs) > 1:
        ax.legend()
    return fig
