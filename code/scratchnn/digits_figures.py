"""Figures of the digits chapter: each takes data and returns a Figure, never shown.

Images are drawn dark on white (``gray_r``: grey level 16 is black), so
they read the same on the site's light and dark themes.
"""

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from scratchnn.plotting import new_figure
from scratchnn.train import History

__all__ = [
    "figure_batch_sizes",
    "figure_confusion",
    "figure_digits",
    "figure_learning_curves",
    "figure_losses",
    "figure_race",
]


def figure_digits(
    images: np.ndarray, titles: list[str], *, ncols: int = 10, title: str | None = None
) -> Figure:
    """A grid of 8 x 8 images, each with its title.

    Parameters
    ----------
    images : (K, 64) grey levels in [0, 1], row by row.
    titles : K strings, one above each image.
    """
    images = np.asarray(images).reshape(-1, 8, 8)
    if len(titles) != len(images):
        raise ValueError(f"got {len(images)} images but {len(titles)} titles: one title per image")
    nrows = -(-len(images) // ncols)
    fig = Figure(figsize=(0.9 * ncols, 1.05 * nrows + 0.3), facecolor="white", layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, image, text in zip(axes.ravel()[: len(images)], images, titles, strict=True):
        ax.imshow(image, cmap="gray_r", vmin=0.0, vmax=1.0)
        ax.set_title(text, fontsize="small")
    if title:
        fig.suptitle(title)
    return fig


def figure_learning_curves(history: History, *, title: str | None = None) -> Figure:
    """Training and validation loss (left) and accuracy (right), per epoch.

    ``history`` needs ``val_losses``, ``accuracies`` and ``val_accuracies``
    (from :func:`scratchnn.train.sgd` given validation data and an accuracy).
    """
    fig = new_figure(2, width=8.0, height=3.4)
    epochs = np.arange(1, len(history.losses) + 1)
    loss_ax, acc_ax = fig.axes
    loss_ax.plot(epochs, history.losses, color="#1f4e9c", label="training (mean over the epoch)")
    loss_ax.plot(
        epochs, history.val_losses, "--", color="#b03a00", label="validation (end of epoch)"
    )
    loss_ax.set_yscale("log")
    loss_ax.set_ylabel("cross-entropy")
    acc_ax.plot(epochs, history.accuracies, color="#1f4e9c", label="training")
    acc_ax.plot(epochs, history.val_accuracies, "--", color="#b03a00", label="validation")
    acc_ax.set_ylabel("accuracy")
    for ax in fig.axes:
        ax.set_xlabel("epoch")
    return _gridded(fig, title)


def figure_confusion(counts: np.ndarray, *, title: str | None = None) -> Figure:
    """The confusion matrix: counts[i, j] examples of digit i predicted as j, written in.

    counts : (10, 10) ints; zeros are left blank so the mistakes stand out.
    """
    counts = np.asarray(counts)
    fig = new_figure(width=5.2, height=4.6)
    ax = fig.axes[0]
    image = ax.imshow(counts, cmap="Blues", vmin=0)
    fig.colorbar(image, ax=ax, label="examples")
    for (i, j), c in np.ndenumerate(counts):
        if c:
            dark = c > counts.max() / 2
            ax.text(j, i, str(c), ha="center", va="center", fontsize="small",
                    color="white" if dark else "black")  # fmt: skip
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    if title:
        ax.set_title(title)
    return fig


def figure_batch_sizes(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]], *, title: str | None = None
) -> Figure:
    """Validation accuracy against epochs (left) and against wall-clock seconds (right).

    curves : label -> (seconds (epochs,), accuracy (epochs,)), one run each.
    """
    fig = new_figure(2, width=8.0, height=3.4)
    styles = ["-", "--", ":", "-."]
    colors = ["#1f4e9c", "#b03a00", "#2d6a2d", "#6a1f8c"]
    for k, (label, (seconds, acc)) in enumerate(curves.items()):
        style = {"linestyle": styles[k % 4], "color": colors[k % 4], "marker": "o", "markersize": 3}
        fig.axes[0].plot(np.arange(1, len(acc) + 1), acc, label=label, **style)
        fig.axes[1].plot(seconds, acc, label=label, **style)
    fig.axes[0].set_xlabel("epoch (examples seen / N)")
    fig.axes[1].set_xlabel("wall-clock seconds")
    fig.axes[1].set_xscale("log")
    for ax in fig.axes:
        ax.set_ylabel("validation accuracy")
    return _gridded(fig, title)


def figure_race(race: object, *, title: str | None = None) -> Figure:
    """:func:`figure_batch_sizes` of a :class:`scratchnn.digits_claims.BatchEvidence`.

    Each batch size's curve at its best rate; its seconds spread evenly over
    the epochs of its measured training time.
    """
    epochs = np.arange(1, race.budget + 1)
    curves = {
        f"batch {b}, lr {race.best_lr[b]:g}": (
            epochs * race.seconds[b] / race.budget,
            race.curves[b],
        )
        for b in race.batches
    }
    return figure_batch_sizes(curves, title=title)


def figure_losses(curves: Mapping[str, np.ndarray], *, title: str | None = None) -> Figure:
    """Validation accuracy against epoch, one line per label: curves label -> (epochs,)."""
    fig = new_figure(width=5.5, height=3.4)
    for (label, acc), style in zip(curves.items(), ["o-", "s--", "^:", "d-."], strict=False):
        fig.axes[0].plot(np.arange(1, len(acc) + 1), acc, style, label=label)
    fig.axes[0].set_xlabel("epoch")
    fig.axes[0].set_ylabel("validation accuracy")
    return _gridded(fig, title)


def _gridded(fig: Figure, title: str | None) -> Figure:
    """Every axes of ``fig`` with a light grid and a small legend; the title above them all."""
    for ax in fig.axes:
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    if title:
        fig.suptitle(title)
    return fig
