"""When vectorising pays: XOR's gradient by loops against matrix products, over H.

For each hidden size H, the per-example, per-weight loop of
:mod:`scratchnn.xor_loops` and the vectorised :func:`scratchnn.xor.loss_and_grads`
compute the loss and gradients of the same network at the same weights,
interleaved, and must agree up to rounding.  The loop does a Python
operation per term, about N·H·D of them; the vectorised version makes the
same few dozen NumPy calls whatever H is, so its time stays nearly flat
until the arrays are large.  The speed-up is a curve, not a number.
"""

from dataclasses import dataclass

import numpy as np

from scratchnn import checks, xor, xor_loops
from scratchnn.data import xor_data
from scratchnn.speed.report import Row
from scratchnn.timing import Timings, interleaved

__all__ = ["FULL", "QUICK", "Curve", "Settings", "measure", "rows"]


@dataclass(frozen=True)
class Settings:
    """Hidden sizes to measure; gradient evaluations per timed call; interleaved rounds."""

    hidden: tuple[int, ...]
    loop_calls: int
    vectorised_calls: int
    repeats: int


#: The full run of ``python -m benchmarks``.
FULL = Settings((1, 3, 10, 30, 100, 300, 1000), loop_calls=3, vectorised_calls=200, repeats=5)
#: The short run the performance appendix makes at build time.
QUICK = Settings((1, 10, 100, 1000), loop_calls=1, vectorised_calls=50, repeats=3)


@dataclass(frozen=True)
class Curve:
    """Per hidden size: seconds per gradient evaluation of ``loop`` and ``vectorised``.

    ``timings[i]`` belongs to ``hidden[i]``; ``difference[i]`` is the largest
    absolute difference between the two gradients there (rounding only).
    """

    hidden: tuple[int, ...]
    timings: tuple[Timings, ...]
    difference: tuple[float, ...]

    def speedup(self) -> np.ndarray:
        """(len(hidden),) median loop / vectorised time per hidden size."""
        return np.array([t.ratio("loop", "vectorised").median for t in self.timings])


def _one_size(hidden: int, settings: Settings) -> tuple[Timings, float]:
    x, y = xor_data()
    params = xor.init_params(np.random.default_rng(0), hidden=hidden)
    results = {}

    def calls(name, loss_and_grads, k):
        def run():
            for _ in range(k):
                results[name] = loss_and_grads(params, x, y)

        return run

    raw = interleaved(
        {
            "loop": calls("loop", xor_loops.loss_and_grads_loop, settings.loop_calls),
            "vectorised": calls("vectorised", xor.loss_and_grads, settings.vectorised_calls),
        },
        repeats=settings.repeats,
        warmup=1,
    )
    per_call = Timings(
        {
            "loop": raw.seconds["loop"] / settings.loop_calls,
            "vectorised": raw.seconds["vectorised"] / settings.vectorised_calls,
        }
    )
    (loss_a, grads_a), (loss_b, grads_b) = results["loop"], results["vectorised"]
    difference = max(
        [abs(loss_a - loss_b)] + [float(np.max(np.abs(grads_a[k] - grads_b[k]))) for k in grads_a]
    )
    return per_call, difference


def measure(settings: Settings = QUICK) -> Curve:
    """Time both gradient functions at every hidden size of ``settings``."""
    for name in ("loop_calls", "vectorised_calls", "repeats"):
        checks.whole_number(getattr(settings, name), name)
    hidden = tuple(checks.whole_number(h, "hidden", maximum=10_000) for h in settings.hidden)
    measured = [_one_size(h, settings) for h in hidden]
    return Curve(hidden, tuple(t for t, _ in measured), tuple(d for _, d in measured))


def rows(curve: Curve) -> list[Row]:
    """Row 4 at every hidden size: loop / vectorised, with both times in the note."""
    out = []
    for h, t, diff in zip(curve.hidden, curve.timings, curve.difference, strict=True):
        loop, vec = t.time("loop").median * 1e6, t.time("vectorised").median * 1e6
        out.append(
            Row(
                f"4 H={h}",
                f"XOR gradient, loop / vectorised, H = {h}",
                t.ratio("loop", "vectorised"),
                "×",
                f"{loop:.0f} µs against {vec:.0f} µs; gradients differ by {diff:.0e}",
            )
        )
    return out
