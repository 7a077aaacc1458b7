"""Figures of computational graphs built by :mod:`scratchnn.autograd`.

One box per tensor, one arrow per edge, from an operand to the operation that
uses it.  In a graph of single numbers each arrow carries the value sent
forward (above, blue) and, once ``backward()`` has run, the part of the
gradient that comes back along it (below, red).  In a graph of arrays each
arrow carries the shape of the value sent forward and the rule that makes the
gradient coming back, written for an operation ``A op B`` with the gradient
``g`` of its result.  Explained in the book's chapter "Backpropagation as a
graph"; nothing here prints or shows a window.
"""

import numpy as np
from matplotlib.figure import Figure

from scratchnn.autograd import Tensor
from scratchnn.plotting import new_figure

__all__ = ["backward_rule", "figure_graph", "layout"]

#: op -> the gradient each operand receives, for the operation A op B (or op(A)) = Y
_RULES = {
    "+": ("g", "g"),
    "-": ("g", "-g"),
    "*": ("g * B", "A * g"),
    "/": ("g / B", "-g * A / B**2"),
    "@": ("g @ B.T", "A.T @ g"),
    "neg": ("-g",),
    "relu": ("g * (A > 0)",),
    "sigmoid": ("g * Y * (1 - Y)",),
    "tanh": ("g * (1 - Y**2)",),
    "exp": ("g * Y",),
    "log": ("g / A",),
    ".T": ("g.T",),
}


def backward_rule(child: Tensor, index: int) -> str:
    """The rule giving the gradient of ``child.edges[index]``'s operand, as text."""
    op, (parent, vjp) = child.op, child.edges[index]
    if op.startswith("**"):
        p = float(op.split()[1])
        rule = f"{p:g} * A * g" if p == 2 else f"{p:g} * A**{p - 1:g} * g"
    elif op.startswith("sum") or op.startswith("mean"):
        rule = "g copied" if op.startswith("sum") else "g / n copied"
    else:
        rules = _RULES[op]
        rule = rules[_side(vjp)] if len(rules) == 2 else rules[0]
    if op in ("+", "-", "*", "/") and parent.shape != child.shape:
        rule += ", summed"  # broadcasting copied the operand: its copies' gradients add
    return rule


def _side(vjp: object) -> int:
    """0 for the left operand of a binary op, 1 for the right one.

    A constant operand has no edge, so the position in ``edges`` does not
    tell; the engine's vjp for the right operand is the one that uses ``dy``.
    """
    return 1 if "dy" in vjp.__code__.co_freevars else 0


def layout(root: Tensor) -> dict[int, tuple[int, int]]:
    """Grid positions (column, row) of every tensor of ``root``'s graph, by ``id``.

    Column: the longest path from a leaf (a leaf sits one column left of its
    first use).  Row: the result and the chain of operations behind it sit on
    row 0; every other tensor takes the nearest free row to its first use
    such that no arrow to or from it runs through another box.
    """
    order = root.nodes()
    column: dict[int, int] = {}
    for t in order:
        column[id(t)] = 1 + max((column[id(p)] for p, _ in t.edges), default=-1)
    users: dict[int, list[Tensor]] = {id(t): [] for t in order}
    for t in order:
        for p, _ in t.edges:
            users[id(p)].append(t)
    for t in order:
        if not t.edges and users[id(t)]:
            column[id(t)] = min(column[id(u)] for u in users[id(t)]) - 1
    place: dict[int, tuple[int, int]] = {}
    spine = root
    while True:  # the chain of operations from the result back, on row 0
        place[id(spine)] = (column[id(spine)], 0)
        ops = [p for p, _ in spine.edges if p.edges]
        if not ops:
            break
        spine = max(ops, key=lambda p: column[id(p)])
    for t in reversed(order):  # users first, so each tensor is placed after them
        if id(t) not in place:
            arrows = [
                (place[id(p)], place[id(u)]) for u in order for p, _ in u.edges
                if id(u) in place and id(p) in place
            ]  # fmt: skip
            ends = [place[id(u)] for u in users[id(t)]]
            place[id(t)] = _cell(column[id(t)], ends, place, arrows)
    return place


def _cell(c: int, ends: list, place: dict, arrows: list) -> tuple[int, int]:
    """A free cell in column c for a tensor whose arrows go to ``ends``.

    Of the four free rows nearest the first end's row, the one that keeps the
    new arrows' labels (at their midpoints) farthest from those already there.
    """
    near, reach = ends[0][1], len(place) + 1
    rows = (near + s * k for k in range(reach + 1) for s in (1, -1))
    free = [r for r in rows if _free((c, r), ends, place, arrows)][:4] or [near + reach + 1]
    labels = [((a[0] + b[0]) / 2, (a[1] + b[1]) / 2) for a, b in arrows]

    def room(r: int) -> float:
        mids = [((c + e[0]) / 2, (r + e[1]) / 2) for e in ends]
        gaps = [np.hypot(m[0] - o[0], m[1] - o[1]) for m in mids for o in labels]
        return min(min(gaps, default=1.0), 0.6) - 0.01 * abs(r)

    return c, max(free, key=room)


def _free(cell: tuple[int, int], ends: list, place: dict, arrows: list) -> bool:
    """Whether ``cell`` is empty, off every arrow, and its arrows to ``ends`` miss all boxes."""
    boxes = set(place.values())
    if cell in boxes:
        return False
    for end in ends:
        if any(_on_segment(box, cell, end) for box in boxes if box != end):
            return False
    return not any(_on_segment(cell, a, b) for a, b in arrows)


def _on_segment(p: tuple[int, int], a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether point p lies strictly between a and b in column and within 0.3 of the line ab."""
    (px, py), (ax, ay), (bx, by) = p, a, b
    if not min(ax, bx) < px < max(ax, bx):
        return False
    return abs(ay + (by - ay) * (px - ax) / (bx - ax) - py) < 0.3


def figure_graph(root: Tensor, *, width: float = 8.0, height: float = 3.2) -> Figure:
    """The computational graph of ``root``: one box per tensor, one arrow per edge.

    Boxes show a tensor's name, or its operation.  If every tensor holds one
    number, each arrow shows the operand's value (above, blue) and, after
    ``root.backward()``, ``vjp(child.grad)``, the part of the operand's
    gradient that flows back along it (below, red); otherwise each arrow
    shows the operand's shape (above) and its
    :func:`scratchnn.autograd_figures.backward_rule` (below).
    """
    order = root.nodes()
    place = layout(root)
    scalars = all(t.data.size == 1 for t in order)
    backward_done = scalars and root._grad is not None and np.any(root.grad)
    fig = new_figure(width=width, height=height)
    ax = fig.axes[0]
    for child in order:
        for index, (parent, vjp) in enumerate(child.edges):
            (x0, y0), (x1, y1) = place[id(parent)], place[id(child)]
            ax.annotate(
                "", xy=(x1, y1), xytext=(x0, y0),
                arrowprops={"arrowstyle": "-|>", "color": "#555555", "shrinkA": 18, "shrinkB": 18},
            )  # fmt: skip
            mx, my = (x0 + x1) / 2, (y0 + y1) / 2
            if scalars:
                above = f"{parent.data.item():.3g}"
                below = f"{float(np.sum(vjp(child.grad))):.3g}" if backward_done else ""
            else:
                above, below = str(parent.shape), backward_rule(child, index)
            plain = {"fc": "white", "ec": "none", "pad": 0.5}
            style = {"ha": "center", "fontsize": 8, "bbox": plain}
            ax.text(mx, my + 0.1, above, color="#0b3d91", va="bottom", **style)
            if below:
                ax.text(mx, my - 0.1, below, color="#8b0000", va="top", **style)
    for t in order:
        x, y = place[id(t)]
        box = {"boxstyle": "round,pad=0.4", "fc": "white", "ec": "#222222"}
        ax.text(x, y, t.name or t.op or "tensor", ha="center", va="center", bbox=box, fontsize=9)
    xs, ys = [p[0] for p in place.values()], [p[1] for p in place.values()]
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    ax.set_axis_off()
    return fig
