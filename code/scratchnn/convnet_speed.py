"""Loops against the vectorised convolution: the same numbers, and the time ratio as sizes grow.

For each image side and kernel size, :func:`scratchnn.conv.conv2d_loops`
with :func:`scratchnn.conv.conv2d_backward_loops` and the vectorised
:func:`scratchnn.conv.conv2d` with :func:`scratchnn.conv.conv2d_backward`
compute a forward and a backward pass of the same layer at the same
numbers, interleaved (:func:`scratchnn.timing.interleaved`).  What load
cannot change is checked: the two give the same outputs and gradients up to
rounding.  The time ratio is reported, never asserted.  Used by the chapter
"Convolutional networks from scratch" and by benchmark 9.
"""

from dataclasses import dataclass

import numpy as np

from scratchnn import checks, conv
from scratchnn.timing import Timings, interleaved

__all__ = ["BOOK", "FULL", "Curve", "Settings", "measure"]


@dataclass(frozen=True)
class Settings:
    """Image sides P = Q, kernel sides k (padding k // 2, stride 1), batch and channels, rounds."""

    sides: tuple[int, ...]
    kernels: tuple[int, ...]
    batch: int = 2
    channels: int = 2
    repeats: int = 3


#: The sizes the book times: the curve of the chapter's figure.
BOOK = Settings(sides=(4, 8, 16), kernels=(1, 3, 5), repeats=3)
#: The full-size sweep (``make claims``): larger images and kernels.
FULL = Settings(sides=(4, 8, 16, 32), kernels=(1, 3, 5, 7), repeats=5)


@dataclass(frozen=True)
class Curve:
    """ratio[i, j]: median loop / vectorised time at sides[i], kernels[j]; difference likewise.

    difference : the largest absolute difference of the output and the three
    gradients between the two versions there (rounding only).
    """

    sides: tuple[int, ...]
    kernels: tuple[int, ...]
    ratio: np.ndarray
    low: np.ndarray
    high: np.ndarray
    difference: np.ndarray
    timings: tuple[Timings, ...]


def _one(side: int, kernel: int, settings: Settings) -> tuple[Timings, float]:
    rng = np.random.default_rng(side * 100 + kernel)
    c = settings.channels
    x = rng.standard_normal((settings.batch, c, side, side))
    w, b = rng.standard_normal((c, c, kernel, kernel)), rng.standard_normal(c)
    opts = {"stride": 1, "padding": kernel // 2}
    out = np.zeros((settings.batch, c, side, side))
    g = rng.standard_normal(out.shape)
    results = {}

    def both(name, forward, backward):
        def run():
            results[name] = (forward(x, w, b, **opts), *backward(g, x, w, **opts))

        return run

    timings = interleaved(
        {
            "loops": both("loops", conv.conv2d_loops, conv.conv2d_backward_loops),
            "vectorised": both("vectorised", conv.conv2d, conv.conv2d_backward),
        },
        repeats=settings.repeats,
    )
    gap = max(
        float(np.max(np.abs(a - v)))
        for a, v in zip(results["loops"], results["vectorised"], strict=True)
    )
    return timings, gap


def measure(settings: Settings = BOOK) -> Curve:
    """Time both versions at every (side, kernel) of ``settings`` (odd kernels)."""
    checks.whole_number(settings.repeats, "repeats")
    for k in settings.kernels:
        if checks.whole_number(k, "kernel") % 2 == 0:  # padding k // 2 keeps the side
            raise ValueError(f"kernels must be odd, got {k}")
    shape = (len(settings.sides), len(settings.kernels))
    ratio, low, high, diff = (np.empty(shape) for _ in range(4))
    timings = []
    for i, side in enumerate(settings.sides):
        for j, kernel in enumerate(settings.kernels):
            t, diff[i, j] = _one(side, kernel, settings)
            s = t.ratio("loops", "vectorised")
            ratio[i, j], low[i, j], high[i, j] = s.median, s.low, s.high
            timings.append(t)
    return Curve(settings.sides, settings.kernels, ratio, low, high, diff, tuple(timings))
