"""A reverse-mode automatic differentiation engine on NumPy arrays.

A :class:`Tensor` holds a float64 array ``data``, a ``grad`` of the same shape
(zeros until :meth:`Tensor.backward`) and the edges to the tensors it was
computed from.  Each edge carries a vector-Jacobian product: given the
gradient of the loss with respect to the result, it returns the part of the
gradient that flows to that parent.  ``loss.backward()`` visits the graph
once, from the loss to the leaves, in reverse topological order, without
recursion.  Numbers and arrays mixed with tensors are constants: they get no
edge and no gradient.  Nothing is attached to NumPy arrays, nothing global is
kept, nothing is printed.  Explained in the book's chapter "Backpropagation as
a graph".
"""

import numbers
from collections.abc import Callable
from functools import partialmethod

import numpy as np

from scratchnn import checks
from scratchnn import functional as F

__all__ = ["Tensor", "node"]

Edge = tuple["Tensor", Callable[[np.ndarray], np.ndarray]]


def node(data: np.ndarray, op: str, *edges: Edge, name: str = "") -> "Tensor":
    """The result of an operation: ``data`` and one edge per tensor operand.

    Each edge is ``(parent, vjp)``, where ``vjp(g)`` maps the gradient g of the
    loss with respect to the result (shape of ``data``) to the gradient that
    flows to ``parent`` (shape of ``parent.data``).  Every op below is built
    with this function, and a new op needs nothing else.  ``data`` is kept as
    given when it is a float64 array, not copied: with no edges, the result is
    a leaf that shares it.  Anything else is converted as every array is
    (:mod:`scratchnn.checks`: real numbers only, not empty; inf and NaN pass),
    and each vjp's result is checked against its parent's shape in
    :meth:`Tensor.backward`.
    """
    for edge in edges:
        if not (isinstance(edge, tuple) and len(edge) == 2 and isinstance(edge[0], Tensor)):
            raise TypeError(f"each edge must be a pair (parent Tensor, vjp), got {edge!r}")
        checks.function(edge[1], "vjp", "vjp(g) -> the gradient for the parent")
    out = Tensor.__new__(Tensor)
    out.data = checks.array(data, "data", finite_only=False)
    out.op, out.name, out.edges, out._grad = op, name, edges, None
    return out


def _value(x: object) -> np.ndarray:
    """The array behind an operand: a tensor's data, or a number/array as a constant.

    A constant is converted as every array is (an ``np.matrix`` becomes an
    ndarray, so ``*`` stays element by element); infinities pass, as they
    do in a tensor's data.
    """
    if isinstance(x, Tensor):
        return x.data
    return checks.array(x, "operand", finite_only=False)


def _sum_to(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum g over the axes broadcasting added or stretched, back to ``shape``."""
    if g.shape == shape:
        return g
    g = g.sum(axis=tuple(range(g.ndim - len(shape))))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=stretched, keepdims=True) if stretched else g


#: op -> (forward, vjp to the left operand, vjp to the right), each vjp(g, x, y)
#: for g = dL/d(result) and the operands' values x, y.
_BINARY = {
    "+": (np.add, lambda g, x, y: g, lambda g, x, y: g),
    "-": (np.subtract, lambda g, x, y: g, lambda g, x, y: -g),
    "*": (np.multiply, lambda g, x, y: g * y, lambda g, x, y: g * x),
    "/": (np.divide, lambda g, x, y: g / y, lambda g, x, y: -g * x / (y * y)),
    # (N, M) @ (M, K) -> (N, K) for dL/dx, and (K, N) @ (N, M) -> (K, M) for dL/dy
    "@": (np.matmul, lambda g, x, y: g @ y.T, lambda g, x, y: x.T @ g),
}


def _binary(a: object, op: str, b: object, *, swap: bool = False) -> "Tensor":
    """``a op b`` (``b op a`` when ``swap``); a constant operand gets no edge."""
    a, b = (b, a) if swap else (a, b)
    (x, y), (f, dx, dy) = (_value(a), _value(b)), _BINARY[op]
    if op == "@":
        if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[0]:
            raise ValueError(f"cannot compute {x.shape} @ {y.shape}: @ needs (N, K) @ (K, M)")
    elif not _broadcasts(x.shape, y.shape):
        raise ValueError(f"cannot compute {x.shape} {op} {y.shape}: the shapes do not broadcast")
    edges = [(a, lambda g: _sum_to(dx(g, x, y), x.shape))] if isinstance(a, Tensor) else []
    if isinstance(b, Tensor):
        edges.append((b, lambda g: _sum_to(dy(g, x, y), y.shape)))
    return node(f(x, y), op, *edges)


def _broadcasts(s: tuple[int, ...], t: tuple[int, ...]) -> bool:
    """Whether NumPy broadcasting can combine shapes s and t."""
    return all(m == n or 1 in (m, n) for m, n in zip(s[::-1], t[::-1], strict=False))


#: op -> (forward, vjp(g, x, y)) for the input's value x and the output's value y.
_UNARY = {
    "neg": (np.negative, lambda g, x, y: -g),
    "relu": (F.relu, lambda g, x, y: g * (x > 0)),
    "sigmoid": (F.sigmoid, lambda g, x, y: g * y * (1.0 - y)),
    "tanh": (F.tanh, lambda g, x, y: g * (1.0 - y * y)),
    "exp": (np.exp, lambda g, x, y: g * y),
    "log": (np.log, lambda g, x, y: g / x),
}


def _unary(t: "Tensor", op: str) -> "Tensor":
    """``op(t)``, element by element: the result has the shape of t."""
    f, d = _UNARY[op]
    x = t.data
    y = f(x)
    return node(y, op, (t, lambda g: d(g, x, y)))


def _checked_part(part: object, parent: "Tensor", child: "Tensor") -> np.ndarray:
    """A vjp's result, checked to be a real array of its parent's shape."""
    if not (type(part) is np.ndarray and part.dtype == np.float64):
        part = checks.array(part, f"the vjp of {child.op!r}", nonempty=False, finite_only=False)
    if part.shape != parent.data.shape:
        raise ValueError(
            f"the vjp of {child.op!r} returned shape {part.shape} for an operand of shape "
            f"{parent.data.shape}; a vjp returns the gradient of its parent, of the parent's shape"
        )
    return part


class Tensor:
    """A float64 array that remembers how it was computed.

    Parameters
    ----------
    data : array-like of real numbers, any shape, finite, at least one entry;
        copied to float64.
    name : a label for figures of the graph (optional).

    Attributes
    ----------
    data : the value, float64 of any shape S.
    grad : (S) the gradient of the loss of ``backward()`` (summed over calls;
        ``t.grad = None`` resets it to zeros).
    op : the operation that made it ("" for a tensor made by the caller).
    edges : ((parent, vjp), ...) one per tensor operand of that operation.
    """

    __array_ufunc__ = None  # ndarray (+ - * / @) Tensor: NumPy defers to the methods below

    def __init__(self, data: object, *, name: str = "") -> None:
        self.data = np.array(checks.array(data, "data"), copy=True)
        self.op, self.name, self.edges, self._grad = "", str(name), (), None

    @property
    def grad(self) -> np.ndarray:
        """dL/d(self), summed over the calls of ``backward()``; zeros before the first."""
        if self._grad is None:
            self._grad = np.zeros_like(self.data)
        return self._grad

    @grad.setter
    def grad(self, value: object) -> None:
        if value is not None:
            value = checks.array(value, "grad", finite_only=False)
            if value.shape != self.data.shape:
                raise ValueError(f"grad must have shape {self.data.shape}, got {value.shape}")
        self._grad = value

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    def __repr__(self) -> str:
        label = f", name={self.name!r}" if self.name else ""
        return f"Tensor({np.array2string(self.data, precision=4)}{label})"

    __add__, __radd__ = partialmethod(_binary, "+"), partialmethod(_binary, "+", swap=True)
    __sub__, __rsub__ = partialmethod(_binary, "-"), partialmethod(_binary, "-", swap=True)
    __mul__, __rmul__ = partialmethod(_binary, "*"), partialmethod(_binary, "*", swap=True)
    __truediv__, __rtruediv__ = partialmethod(_binary, "/"), partialmethod(_binary, "/", swap=True)
    __matmul__, __rmatmul__ = partialmethod(_binary, "@"), partialmethod(_binary, "@", swap=True)

    def __pow__(self, p: float) -> "Tensor":
        """Element-wise power by a number p (not a tensor)."""
        p = checks._plain(p)
        if isinstance(p, bool) or not isinstance(p, numbers.Real):
            raise TypeError(f"** needs a number as the exponent, got {type(p).__name__}")
        x = self.data
        return node(x**p, f"** {p:g}", (self, lambda g: g * p * x ** (p - 1)))

    __neg__, relu, sigmoid = (partialmethod(_unary, op) for op in ("neg", "relu", "sigmoid"))
    tanh, exp, log = (partialmethod(_unary, op) for op in ("tanh", "exp", "log"))

    def sum(self, axis: int | None = None) -> "Tensor":
        """Sum over ``axis`` (None: every entry).  Shape: S -> S without that axis."""
        return self._reduce(axis, mean=False)

    def mean(self, axis: int | None = None) -> "Tensor":
        """Mean over ``axis`` (None: every entry).  Shape: S -> S without that axis."""
        return self._reduce(axis, mean=True)

    def _reduce(self, axis: int | None, *, mean: bool) -> "Tensor":
        shape, op = self.data.shape, "mean" if mean else "sum"
        if axis is not None:
            axis = checks.whole_number(axis, "axis", minimum=-len(shape), maximum=len(shape) - 1)
            op += f" axis {axis}"
        count = (self.data.size if axis is None else shape[axis]) if mean else 1
        total = self.data.sum(axis=axis) / count

        def vjp(g: np.ndarray) -> np.ndarray:  # every entry of the group gets g / count
            g = g if axis is None else np.expand_dims(g, axis)
            return np.broadcast_to(g / count, shape)

        return node(total, op, (self, vjp))

    @property
    def T(self) -> "Tensor":  # noqa: N802 (the NumPy spelling)
        """The transpose (axes reversed).  Shape: (N, M) -> (M, N)."""
        return node(self.data.T, ".T", (self, lambda g: g.T))

    def nodes(self) -> list["Tensor"]:
        """Every tensor this one depends on, each once, parents before children, self last."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:  # depth first, with an explicit stack instead of recursion
            t, children_done = stack.pop()
            if children_done:
                order.append(t)
            elif id(t) not in seen:
                seen.add(id(t))
                stack.append((t, True))
                stack.extend((parent, False) for parent, _ in t.edges if id(parent) not in seen)
        return order

    def backward(self) -> None:
        """Add d(self)/d(t) to ``t.grad`` for every tensor t that self depends on.

        ``self`` must hold one number (a loss).  Gradients of one call flow
        through a dict of their own, so calling twice adds the gradient twice
        to every ``grad``, as PyTorch does: reset them between training steps.
        """
        if self.data.size != 1:
            raise ValueError(
                f"backward() needs a tensor with one entry (a loss), got shape {self.data.shape}; "
                "reduce it first, e.g. with .sum() or .mean()"
            )
        flowing, own = {id(self): np.ones_like(self.data)}, {id(self)}
        for t in reversed(self.nodes()):
            g = flowing.pop(id(t))  # every use of t has added its part by now
            if t._grad is not None:
                t._grad = t._grad + g
            else:  # keep g itself if no other tensor holds it (saves a copy)
                t._grad = np.asarray(g) if id(t) in own else np.array(g)
            for parent, vjp in t.edges:
                part, key = _checked_part(vjp(g), parent, t), id(parent)
                if key in flowing:
                    flowing[key] = flowing[key] + part
                    own.add(key)
                else:  # a new array, not g itself nor a view of it: nobody else holds it
                    flowing[key] = part
                    if part is not g and part.base is None:
                        own.add(key)
