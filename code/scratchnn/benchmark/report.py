"""One row of the benchmark table: a figure, its spread, its target, met or not."""

import operator
from dataclasses import dataclass

from scratchnn.benchmark import Spread

_COMPARE = {"<=": operator.le, ">=": operator.ge, "<": operator.lt}


@dataclass(frozen=True)
class Row:
    """A measured figure against its target.

    ``spread`` is the median with its interquartile range over interleaved
    rounds; a figure measured once has low == median == high.  ``target`` is
    None for a figure that is reported, not judged (a peak memory, say).
    """

    number: str
    label: str
    spread: Spread
    unit: str
    target: tuple[str, float] | None = None
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        sign, bound = self.target
        return bool(_COMPARE[sign](self.spread.median, bound))

    def cells(self) -> list[str]:
        s = self.spread
        if s.low == s.high:
            figure, spread = _fmt(s.median), ""
        else:
            figure, spread = _fmt(s.median), f"{_fmt(s.low)}–{_fmt(s.high)}"
        target = "" if self.target is None else f"{self.target[0]} {_fmt(self.target[1])}"
        met = {None: "", True: "met", False: "NOT MET"}[self.met]
        return [self.number, self.label, f"{figure} {self.unit}".strip(), spread, target, met]


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 0.01:
        return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return f"{value:.2e}"


HEADER = ["#", "figure", "median", "IQR", "target", "met?"]


def table(rows: list[Row]) -> str:
    """The rows as an aligned plain-text table, notes below it."""
    lines = [HEADER, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    text = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    text.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  [{row.number}] {row.note}" for row in rows if row.note]
    return "\n".join(text + (["", *notes] if notes else []))
