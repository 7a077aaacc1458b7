"""The benchmarks' targets: what each figure of the table should reach.

The package measures (:mod:`scratchnn.speed`); only this command judges.
A row whose key has no target here is reported, not judged.
"""

import operator

from scratchnn.speed.report import Row, fmt, table

#: Row key -> (comparison, bound) that the row's median should satisfy.
TARGETS: dict[str, tuple[str, float]] = {
    "1": ("<=", 1.05),  # ours / bare NumPy loop
    "2a": ("<=", 1.0),  # ours / torch float64, gradients by hand
    "2b": ("<=", 1.0),  # ours / torch float64, autograd
    "2c": ("<=", 1.0),  # ours / torch float64, torch.nn + torch.optim
    "3": ("<=", 1.25),  # ours / its own matrix products alone
    "7a": ("<=", 1.25),  # the autograd engine's step / the hand-written step
    "7b": ("<=", 1.0),  # the autograd engine's step / torch float64 autograd
    "8": ("<=", 1.0),  # digits training time, ours / scikit-learn MLPClassifier
    "9t": ("<=", 1.5),  # conv forward + backward, ours / torch float64 autograd, one thread
    "10a": ("<=", 1.0),  # an Adam step, ours / torch.optim.Adam float64, one thread
    "10b": ("<=", 1.0),  # batch norm forward + backward, ours / torch float64, one thread
    "5a": ("<=", 1.5),  # cold build / (chapters' own programs + a build without execution)
    "5b": ("<=", 0.15),  # no-change rebuild / cold build
    "5e": ("<=", 1.0),  # cold build / the first edition's cold build (334dcb8), side by side
    "6": ("<", 30.0),  # the unit tests, seconds
}

_COMPARE = {"<=": operator.le, ">=": operator.ge, "<": operator.lt}


def met(row: Row) -> bool | None:
    """Whether the row's median meets its target; None without a target."""
    if row.key not in TARGETS:
        return None
    sign, bound = TARGETS[row.key]
    return bool(_COMPARE[sign](row.spread.median, bound))


def _cells(row: Row) -> list[str]:
    if row.key not in TARGETS:
        return ["", ""]
    sign, bound = TARGETS[row.key]
    return [f"{sign} {fmt(bound)}", "met" if met(row) else "NOT MET"]


def judged(rows: list[Row]) -> str:
    """The table with two more columns: each row's target and whether it is met."""
    return table(rows, more=["target", "met?"], cells=_cells)
