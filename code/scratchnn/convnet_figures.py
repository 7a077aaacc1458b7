"""Figures of the convolution chapter: each takes data and returns a Figure, never shown."""

import numpy as np
from matplotlib.figure import Figure

from scratchnn.plotting import new_figure

__all__ = ["figure_filters", "figure_shift", "figure_speed"]

COLOURS = {"conv": "#1f4e9c", "mlp": "#b03a00"}


def figure_speed(curve) -> Figure:
    """Loop / vectorised time of a forward and backward pass against the image side, per kernel.

    curve : a :class:`scratchnn.convnet_speed.Curve` (ratio (sides, kernels) with its spread).
    """
    fig = new_figure(width=5.6, height=3.6)
    ax = fig.axes[0]
    sides = np.array(curve.sides)
    for j, k in enumerate(curve.kernels):
        ratio = curve.ratio[:, j]
        spread = np.stack([ratio - curve.low[:, j], curve.high[:, j] - ratio])
        ax.errorbar(sides, ratio, yerr=spread, marker="o", capsize=3, label=f"kernel {k} × {k}")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(sides, [str(s) for s in sides])
    ax.set_xlabel("image side P = Q (pixels)")
    ax.set_ylabel("loops time / vectorised time")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return fig


def figure_shift(evidence, pair: int = 0) -> Figure:
    """Test accuracy against the shift in pixels, conv and MLP, seed mean with 95 % intervals.

    evidence : a :class:`scratchnn.convnet_shift.ShiftEvidence`; pair : which (F, H) size.
    """
    fig = new_figure(width=5.6, height=3.6)
    ax = fig.axes[0]
    shifts = sorted({d for (_, p, d) in evidence.accuracy if p == pair})
    filters, hidden = evidence.pairs[pair]
    names = {"conv": f"conv, F = {filters}", "mlp": f"MLP, H = {hidden}"}
    for offset, kind in ((-0.04, "conv"), (0.04, "mlp")):
        mean = np.array([evidence.accuracy[kind, pair, d].mean() for d in shifts])
        low = np.array([evidence.interval[kind, pair, d][0] for d in shifts])
        high = np.array([evidence.interval[kind, pair, d][1] for d in shifts])
        ax.errorbar(
            np.array(shifts) + offset,
            mean,
            yerr=np.stack([mean - low, high - mean]),
            marker="o",
            capsize=3,
            color=COLOURS[kind],
            label=names[kind],
        )
    ax.set_xticks(shifts)
    ax.set_xlabel("shift of the test images (pixels)")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0.0, 1.0)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return fig


def figure_filters(w1: np.ndarray) -> Figure:
    """The trained 3 x 3 filters, one panel each; w1 (F, 1, 3, 3), blue negative, red positive."""
    w1 = np.asarray(w1)
    fig = Figure(figsize=(0.9 * len(w1), 1.2), facecolor="white", layout="constrained")
    axes = fig.subplots(1, len(w1), squeeze=False)[0]
    top = float(np.max(np.abs(w1)))
    for f, (ax, kernel) in enumerate(zip(axes, w1, strict=True)):
        ax.imshow(kernel[0], cmap="RdBu_r", vmin=-top, vmax=top)
        ax.set_title(f"filter {f + 1}", fontsize="small")
        ax.set_axis_off()
    return fig
