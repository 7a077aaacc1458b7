"""Timing on a busy machine: interleaved contenders, medians and their spread.

A shared, noisy machine makes a single timing worthless, and two timings taken
a minute apart hard to compare.  So contenders are *interleaved*: each round
runs every contender once, in a rotated order, and the same round is repeated
several times.  A comparison is then the median of the per-round ratios
(paired, so a slow minute slows both sides), with the interquartile range of
those ratios as its spread.

Used by the chapters that time something (the PyTorch chapter, the autograd
chapter, the appendix "How fast is from scratch?") and by the benchmark
suite.  Nothing here prints.
"""

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from scratchnn import checks
from scratchnn.claims import Verdict

__all__ = ["MAX_ROUNDS", "RatioCheck", "Spread", "Timings", "check_ratio", "interleaved"]

#: The most rounds (recorded or warm-up) one timing may take.
MAX_ROUNDS = 1_000_000


@dataclass(frozen=True)
class Spread:
    """A median with its interquartile range: ``low <= median <= high``."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: np.ndarray) -> "Spread":
        """The median and the 25th and 75th percentiles of ``values`` (k,), k >= 1."""
        values = np.asarray(values, dtype=np.float64)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"expected a non-empty 1-d array of values, got shape {values.shape}")
        low, median, high = np.percentile(values, [25, 50, 75])
        return cls(float(median), float(low), float(high))


@dataclass(frozen=True)
class Timings:
    """Wall-clock seconds of interleaved contenders.

    Attributes
    ----------
    seconds : name -> (repeats,) float64, the time of each round, in round order.
    """

    seconds: dict[str, np.ndarray]

    def time(self, name: str) -> Spread:
        """Median seconds of one contender, with its interquartile range."""
        return Spread.of(self._get(name))

    def ratio(self, numerator: str, denominator: str) -> Spread:
        """Median over rounds of ``time(numerator) / time(denominator)``.

        Both ran in the same round, so the ratio is paired: load that slows
        the machine for a moment slows both sides of a round.
        """
        return Spread.of(self._get(numerator) / self._get(denominator))

    def _get(self, name: str) -> np.ndarray:
        if name not in self.seconds:
            raise KeyError(f"no contender named {name!r}; have {sorted(self.seconds)}")
        return self.seconds[name]


def interleaved(
    contenders: Mapping[str, Callable[[], object]], *, repeats: int, warmup: int = 1
) -> Timings:
    """Time each contender ``repeats`` times, round by round.

    Round ``r`` runs every contender once, starting at contender ``r mod k``
    (a rotated order, so no contender always runs first after a pause).  The
    ``warmup`` rounds before them run everything once more and are not
    recorded (first calls pay for imports, caches and thread start-up).

    Parameters
    ----------
    contenders : name -> a callable taking no arguments; its result is ignored.
    repeats : recorded rounds, >= 1.
    warmup : unrecorded rounds first, >= 0.

    Returns
    -------
    Timings with ``seconds[name]`` of shape (repeats,).
    """
    if not isinstance(contenders, Mapping) or not contenders:
        raise ValueError("contenders must be a non-empty dict of name -> function")
    for name, f in contenders.items():
        checks.function(f, f"contenders[{name!r}]", "taking no arguments")
    repeats = checks.whole_number(repeats, "repeats", maximum=MAX_ROUNDS)
    warmup = checks.whole_number(warmup, "warmup", minimum=0, maximum=MAX_ROUNDS)
    names = list(contenders)
    seconds = {name: np.empty(repeats) for name in names}
    for round_ in range(-warmup, repeats):
        start = round_ % len(names)
        for name in names[start:] + names[:start]:
            began = time.perf_counter()
            contenders[name]()
            elapsed = time.perf_counter() - began
            if round_ >= 0:
                seconds[name][round_] = elapsed
    return Timings(seconds)


@dataclass(frozen=True)
class RatioCheck:
    """A time ratio that a lesson rests on, and its timing verdict (``claims.require`` it)."""

    ratio: Spread
    verdict: Verdict


def check_ratio(
    ratio: Spread | float, what: str, *, above: float | None = None, below: float | None = None
) -> RatioCheck:
    """Check that the median of an interleaved ratio lies above ``above`` and below ``below``.

    ``ratio`` is a :class:`Spread` of per-round ratios, or one number (a
    ratio of medians), taken as a spread of width zero.
    The bounds are the lesson's margin, chosen far from the measured value so
    that a busy machine does not cross them; the verdict is marked as timing,
    so a failure says "timing failure in ...".  ``what`` names the ratio.
    """
    if above is None and below is None:
        raise ValueError("check_ratio needs a bound: give above, below or both")
    if not isinstance(ratio, Spread):
        ratio = Spread(float(ratio), float(ratio), float(ratio))
    ok = (above is None or ratio.median > above) and (below is None or ratio.median < below)
    bounds = " and ".join(
        f"{word} {bound:g}"
        for word, bound in (("above", above), ("below", below))
        if bound is not None
    )
    outcome = f"{what} {'within' if ok else 'outside'} its margin"
    detail = f"median {ratio.median:.3g} (IQR {ratio.low:.3g}-{ratio.high:.3g}), needs {bounds}"
    return RatioCheck(ratio, Verdict(bool(ok), outcome, detail, timing=True))
