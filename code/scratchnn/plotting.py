"""Figures for the book: each helper takes data and returns a Figure.

Nothing here shows a window or draws on pyplot's current figure: the caller
decides whether to display, save (``fig.savefig(path)``) or discard it.
Figures are drawn on an opaque white background so they stay readable on
the site's light and dark themes alike.
"""

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from scratchnn import checks

__all__ = ["loss_curve", "new_figure"]

#: The largest figure side, in inches (a poster, not a page), and the most axes in a row.
MAX_INCHES, MAX_COLUMNS = 100.0, 50


def new_figure(ncols: int = 1, *, width: float = 6.0, height: float = 3.6) -> Figure:
    """An empty Figure with ``ncols`` side-by-side axes and a white background.

    ``ncols`` is a whole number from 1 to 50; ``width`` and ``height`` (inches)
    are finite, > 0 and at most 100.
    """
    ncols = checks.whole_number(ncols, "ncols", maximum=MAX_COLUMNS)
    width = checks.positive_float(width, "width", maximum=MAX_INCHES)
    height = checks.positive_float(height, "height", maximum=MAX_INCHES)
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
    losses : (epochs,) array-like of finite real numbers, epochs >= 1, or
        label (a string) -> such an array for several runs on the same axes
        (with a legend); a scalar, a generator or strings are refused.
    log : a logarithmic loss axis (for losses spanning orders of magnitude);
        the losses must then be > 0.
    title, xlabel, ylabel : strings (title None: no title).

    Returns
    -------
    A Figure with one axes.
    """
    runs = _runs(losses, checks.flag(log, "log"))
    for text, name in ((title, "title"), (xlabel, "xlabel"), (ylabel, "ylabel")):
        if not isinstance(text, str) and not (text is None and name == "title"):
            raise TypeError(f"{name} must be a string, got {checks._describe(text)}")
    fig = new_figure()
    ax = fig.axes[0]
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


def _runs(losses: object, log: bool) -> dict[str, np.ndarray]:
    """label -> (epochs,) float64 losses, each checked (label "" for a single run)."""
    if isinstance(losses, Mapping):
        if not losses:
            raise ValueError("losses is an empty dict: give at least one run")
        named = {}
        for label, values in losses.items():
            if not isinstance(label, str):
                raise TypeError(f"losses' labels must be strings, got {checks._describe(label)}")
            named[label] = checks.array(values, f"losses[{label!r}]", ("epochs",))
    else:
        named = {"": checks.array(losses, "losses", ("epochs",))}
    for label, values in named.items():
        if log and not (values > 0).all():
            where = f"losses[{label!r}]" if label else "losses"
            raise ValueError(f"{where} must be > 0 on a log axis (log=True), got {values.min():g}")
    return named
