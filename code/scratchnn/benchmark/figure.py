"""The benchmarks' bar chart: time per step of every contender, with its spread."""

import numpy as np
from matplotlib.figure import Figure

from scratchnn.benchmark import Timings
from scratchnn.benchmark.training import Measured
from scratchnn.plotting import new_figure


def _bars(ax, timings: Timings, per: int, unit: float, colors: list[str]) -> None:
    names = list(timings.seconds)
    spreads = [timings.time(name) for name in names]
    median = np.array([s.median for s in spreads]) / per * unit
    low = np.array([s.low for s in spreads]) / per * unit
    high = np.array([s.high for s in spreads]) / per * unit
    y = np.arange(len(names))[::-1]
    ax.barh(y, median, height=0.6, xerr=[median - low, high - median], color=colors, capsize=3)
    ax.set_yticks(y, names)
    for yi, m, h in zip(y, median, high, strict=True):
        ax.text(
            h, yi, f"  {m:.0f}" if m >= 100 else f"  {m:.3g}", va="center", ha="left", fontsize=9
        )
    ax.set_xlim(0, 1.3 * float(np.max(high)))
    ax.grid(True, axis="x", alpha=0.3)


def figure_step_times(measured: Measured) -> Figure:
    """Left: milliseconds per training step of the two-layer network, per
    contender; right: microseconds per XOR epoch, loop against vectorised.
    Bars are medians over the interleaved rounds, whiskers the interquartile
    range."""
    fig = new_figure(2, width=9.0, height=3.8)
    left, right = fig.axes
    two_layer = Timings({k: v for k, v in measured.two_layer.seconds.items() if k != "a @ b"})
    colors = ["tab:blue", "tab:gray"] + ["tab:orange"] * (len(two_layer.seconds) - 2)
    _bars(left, two_layer, measured.steps, 1e3, colors)
    left.set_xlabel("milliseconds per training step")
    left.set_title("two-layer network, float64 unless marked")
    _bars(right, measured.xor, measured.xor_epochs, 1e6, ["tab:gray", "tab:blue"])
    right.set_xlabel("microseconds per epoch")
    right.set_title("XOR")
    return fig
