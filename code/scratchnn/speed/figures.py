"""The speed measurements as figures: each takes measurements and returns a Figure."""

import numpy as np
from matplotlib.figure import Figure

from scratchnn.plotting import new_figure
from scratchnn.speed.two_layer_step import Measured
from scratchnn.speed.xor_curve import Curve

__all__ = ["figure_speedup", "figure_step_times"]

#: Dark enough for a 4.5:1 contrast on the figures' white background.
BLUE, GREY, ORANGE, GREEN = "#1f4e99", "#595959", "#b35900", "#2e6b30"


def figure_step_times(measured: Measured) -> Figure:
    """Milliseconds per training step of every two-layer contender.

    Bars are medians over the interleaved rounds, whiskers the interquartile
    range; "products alone" is the floor: the step's five matrix products.
    """
    t = measured.timings
    names = list(t.seconds)
    spreads = [t.time(name) for name in names]
    scale = 1e3 / measured.steps
    median = np.array([s.median for s in spreads]) * scale
    low = np.array([s.low for s in spreads]) * scale
    high = np.array([s.high for s in spreads]) * scale
    special = {"ours": BLUE, "products alone": GREEN}
    colors = [special.get(n, ORANGE if n.startswith("torch") else GREY) for n in names]
    fig = new_figure(width=7.0, height=0.45 * len(names) + 1.2)
    ax = fig.axes[0]
    y = np.arange(len(names))[::-1]
    ax.barh(y, median, height=0.6, xerr=[median - low, high - median], color=colors, capsize=3)
    ax.set_yticks(y, names)
    for yi, m, h in zip(y, median, high, strict=True):
        ax.text(h, yi, f"  {m:.3g}", va="center", ha="left", fontsize=9)
    ax.set_xlim(0, 1.25 * float(np.max(high)))
    ax.set_xlabel("milliseconds per training step (float64 unless marked f32)")
    ax.grid(True, axis="x", alpha=0.3)
    return fig


def figure_speedup(curve: Curve) -> Figure:
    """Left: microseconds per XOR gradient, loop and vectorised, against H;
    right: their ratio, the speed-up of vectorising.  Both axes logarithmic."""
    fig = new_figure(2, width=9.0, height=3.6)
    left, right = fig.axes
    h = np.array(curve.hidden)
    for name, color, marker in (("loop", GREY, "o"), ("vectorised", BLUE, "s")):
        us = np.array([t.time(name).median for t in curve.timings]) * 1e6
        left.plot(h, us, color=color, marker=marker, label=name)
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("hidden units H")
    left.set_ylabel("microseconds per gradient")
    left.legend()
    left.grid(True, which="both", alpha=0.3)
    ratios = [t.ratio("loop", "vectorised") for t in curve.timings]
    median = np.array([r.median for r in ratios])
    right.errorbar(
        h,
        median,
        yerr=[median - [r.low for r in ratios], [r.high for r in ratios] - median],
        color=BLUE,
        marker="s",
        capsize=3,
    )
    right.axhline(1.0, color=GREY, linewidth=1)
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("hidden units H")
    right.set_ylabel("loop / vectorised")
    right.grid(True, which="both", alpha=0.3)
    return fig
