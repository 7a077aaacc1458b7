"""A row of measurements: a figure with its spread, and a plain-text table of rows."""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scratchnn.timing import Spread

__all__ = ["Row", "fmt", "table"]


@dataclass(frozen=True)
class Row:
    """One measured figure.

    ``key`` names the row for whoever reads the table by program (e.g. ``"1"``,
    ``"2a"``, ``"4 H=100"``); ``spread`` is the median with its interquartile
    range over interleaved rounds (a figure measured once has low == median ==
    high, one not measured is NaN and says why in ``note``).
    """

    key: str
    label: str
    spread: Spread
    unit: str
    note: str = ""

    @classmethod
    def once(cls, key: str, label: str, value: float, unit: str, note: str = "") -> "Row":
        """A figure measured once (a build, a test run)."""
        return cls(key, label, Spread(value, value, value), unit, note)

    def cells(self) -> list[str]:
        """``[key, label, "median unit", "low–high"]`` as text."""
        s = self.spread
        spread = "" if s.low == s.high or math.isnan(s.median) else f"{fmt(s.low)}–{fmt(s.high)}"
        return [self.key, self.label, f"{fmt(s.median)} {self.unit}".strip(), spread]


def fmt(value: float) -> str:
    """A figure with about three significant digits."""
    if math.isnan(value):
        return "not measured"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 0.01:
        return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return f"{value:.2e}"


def table(
    rows: Sequence[Row],
    *,
    more: Sequence[str] = (),
    cells: Callable[[Row], list[str]] | None = None,
) -> str:
    """The rows as an aligned plain-text table, their notes below it.

    ``more`` names extra columns and ``cells(row)`` gives a row's entries in them.
    """
    header = ["#", "figure", "median", "IQR", *more]
    lines = [header] + [row.cells() + (cells(row) if cells else []) for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    text.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  [{row.key}] {row.note}" for row in rows if row.note]
    return "\n".join(text + (["", *notes] if notes else []))
