"""Activations, losses and their derivatives: pure functions on arrays.

Every function here takes arrays and returns new arrays; none keeps state or
modifies its arguments.  Activations act element by element, so their
output has the shape of their input.  Losses compare a prediction ``y_hat``
with a target ``y`` of exactly the same shape and return a Python float; the
matching ``*_grad`` function returns ``dloss/dy_hat``, an array of that shape.

Every argument goes through :mod:`scratchnn.checks`: anything array-like of
real numbers is taken as float64 (complex, strings, None and objects are
refused), an empty array is refused, and NaN or infinite entries pass as
IEEE arithmetic has them (inf in, inf out), so that a diverging run's kernel
returns the ``inf`` its training loop reports.  The check of an array that
already is float64 is one test of its type and size: the kernels call these
functions on every step.

Explained in the book's appendix "Checking gradients", which tests every
derivative below against finite differences.
"""

from collections.abc import Callable

import numpy as np

from scratchnn import checks

__all__ = [
    "ACTIVATIONS",
    "activation",
    "check_labels",
    "check_same_shape",
    "cross_entropy",
    "cross_entropy_grad",
    "half_squared_error",
    "half_squared_error_grad",
    "identity",
    "identity_derivative",
    "log_softmax",
    "mean_squared_error",
    "mean_squared_error_grad",
    "one_hot",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "softmax_backward",
    "sum_squared_error",
    "sum_squared_error_grad",
    "tanh",
    "tanh_derivative",
]


# --- activations -----------------------------------------------------------


def _z(z: object, name: str = "z") -> np.ndarray:
    """``z`` as a non-empty float64 array; infinities and NaN pass (inf in, inf out)."""
    return checks.array(z, name, finite_only=False)


def identity(z: np.ndarray) -> np.ndarray:
    """Return a copy of ``z``.  Shape: any -> same."""
    return np.array(_z(z), copy=True)


def identity_derivative(z: np.ndarray) -> np.ndarray:
    """d identity / dz = 1 everywhere.  Shape: any -> same."""
    return np.ones_like(_z(z))


def relu(z: np.ndarray) -> np.ndarray:
    """relu(z) = max(0, z), element by element.  Shape: any -> same."""
    return np.maximum(_z(z), 0.0)


def relu_derivative(z: np.ndarray) -> np.ndarray:
    """1 where z > 0, else 0.  Shape: any -> same.

    At z = 0 relu has no derivative; we use 0 there (the subgradient that
    PyTorch also uses), so a unit that is exactly at its kink does not learn.
    """
    return (_z(z) > 0).astype(np.float64)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """sigmoid(z) = 1 / (1 + exp(-z)), element by element.  Shape: any -> same.

    Computed from ``exp(-|z|)``, which lies in (0, 1], so it never overflows:
    for z >= 0 it is 1 / (1 + e), for z < 0 the equal e / (1 + e).
    """
    z = _z(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    """sigmoid'(z) = sigmoid(z) (1 - sigmoid(z)).  Shape: any -> same."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z: np.ndarray) -> np.ndarray:
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z), element by element.  Shape: any -> same."""
    return np.tanh(_z(z))


def tanh_derivative(z: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 - tanh(z)^2.  Shape: any -> same."""
    t = np.tanh(_z(z))
    return 1.0 - t * t


ActivationPair = tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]

#: Name -> (function, derivative), for models that take ``activation="..."``.
ACTIVATIONS: dict[str, ActivationPair] = {
    "identity": (identity, identity_derivative),
    "relu": (relu, relu_derivative),
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
}


def activation(name: str) -> ActivationPair:
    """Look up ``(function, derivative)`` by name, with a clear error."""
    known = ", ".join(repr(k) for k in ACTIVATIONS)
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name, one of {known}; got {name!r}")
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose one of {known}") from None


# --- losses ----------------------------------------------------------------


def check_same_shape(y_hat: np.ndarray, y: np.ndarray) -> None:
    """Raise ``ValueError`` naming both shapes unless they are equal.

    Broadcasting would silently turn a (N, 1) prediction and a (N,) target
    into an (N, N) difference; a loss must refuse that.
    """
    checks.same_shape(y_hat, y, "prediction y_hat", "target y")


def _pair(y_hat: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both as float64 arrays of one shape (an int target would wrap around).

    Infinite or NaN entries pass (IEEE arithmetic: an infinite prediction has
    an infinite loss), so that a model's kernel in a diverging run returns
    the ``inf`` a training loop turns into a clear error.
    """
    y_hat = checks.array(y_hat, "y_hat", finite_only=False)
    y = checks.array(y, "y", finite_only=False)
    check_same_shape(y_hat, y)
    return y_hat, y


def sum_squared_error(y_hat: np.ndarray, y: np.ndarray) -> float:
    """L = sum of (y_hat - y)^2 over every entry.  Shapes: (...), (...) -> ()."""
    y_hat, y = _pair(y_hat, y)
    return float(np.sum((y_hat - y) ** 2))


def sum_squared_error_grad(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dy_hat = 2 (y_hat - y).  Shapes: (...), (...) -> (...)."""
    y_hat, y = _pair(y_hat, y)
    return 2.0 * (y_hat - y)


def mean_squared_error(y_hat: np.ndarray, y: np.ndarray) -> float:
    """L = mean of (y_hat - y)^2 over every entry.  Shapes: (...), (...) -> ()."""
    y_hat, y = _pair(y_hat, y)
    return float(np.mean((y_hat - y) ** 2))


def mean_squared_error_grad(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dy_hat = 2 (y_hat - y) / n, n the number of entries.  Shapes: (...) -> (...)."""
    y_hat, y = _pair(y_hat, y)
    return 2.0 * (y_hat - y) / np.size(y)


def half_squared_error(y_hat: np.ndarray, y: np.ndarray) -> float:
    """L = 1/2 sum of (y_hat - y)^2.  Shapes: (...), (...) -> ()."""
    y_hat, y = _pair(y_hat, y)
    return float(0.5 * np.sum((y_hat - y) ** 2))


def half_squared_error_grad(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dy_hat = y_hat - y; the 1/2 cancels the 2.  Shapes: (...) -> (...)."""
    y_hat, y = _pair(y_hat, y)
    return y_hat - y


# --- classification: softmax and cross-entropy -------------------------------
# Logits z have shape (..., N, C): N examples, C classes, and optional leading
# axes for S networks trained side by side.  Labels y are integers (N,).


def _classes(z: object, name: str = "z") -> np.ndarray:
    """``z`` as a float64 array of shape (..., C), not empty."""
    z = _z(z, name)
    if z.ndim == 0:
        raise ValueError(f"{name} must have shape (..., C), one entry per class; got ()")
    return z


def check_labels(y: object, classes: int, n: int | None = None, name: str = "y") -> np.ndarray:
    """``y`` as an int64 array of class labels, checked.  Shape: (N,) -> (N,).

    Labels must be integers (not floats, not bools) in ``0 .. classes - 1``,
    of shape (N,) (with N = ``n`` when given), N >= 1: one label per example,
    not one-hot rows.  ``classes`` is a whole number >= 1 (not 2.5, not True).
    """
    classes = checks.whole_number(classes, "classes", maximum=10**6)
    if y is None or isinstance(y, np.ma.MaskedArray):
        kind = "None" if y is None else "a masked array"
        raise TypeError(f"{name} is {kind}: it must be integer class labels")
    try:
        arr = np.asarray(y)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{name} must be integer class labels: {err}") from None
    wanted = f"{name} must be integer class labels 0..{classes - 1} of shape (N,)"
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}): it needs at least one label")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{wanted}, got dtype {arr.dtype}")
    if arr.ndim != 1 or (n is not None and arr.shape[0] != n):
        one_hot_rows = arr.ndim == 2 and arr.shape[1] == classes
        hint = " (labels, not one-hot rows: use y.argmax(axis=1))" if one_hot_rows else ""
        size = f" with N = {n}" if n is not None else ""
        raise ValueError(f"{wanted}{size}, got shape {arr.shape}{hint}")
    if arr.min() < 0 or arr.max() >= classes:
        bad = int(np.flatnonzero((arr < 0) | (arr >= classes))[0])
        raise ValueError(f"{wanted}, got {arr[bad]} at index {bad}")
    return arr.astype(np.int64)


def one_hot(y: np.ndarray, classes: int) -> np.ndarray:
    """Row n is all zeros but a 1 in column ``y[n]``.  Shapes: (N,) -> (N, classes)."""
    y = check_labels(y, classes)
    return (y[:, None] == np.arange(classes)).astype(np.float64)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax(z) along the last axis, without overflow.  Shape: (..., C) -> same.

    log softmax(z)_k = (z_k - m) - log sum_j exp(z_j - m) for any m; with
    m = max_j z_j every exponent is <= 0, so no exp overflows and the sum is
    at least 1, so no log sees 0.
    """
    z = _classes(z)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(z: np.ndarray, *, shift: bool = True) -> np.ndarray:
    """softmax(z)_k = exp(z_k) / sum_j exp(z_j) along the last axis.  Shape: (..., C) -> same.

    ``shift=False`` evaluates the formula as written, deliberately: exp(1000)
    overflows to inf and inf / inf is nan.  The default subtracts the row's
    maximum first, which changes nothing mathematically and prevents that.
    """
    z = _classes(z)
    if checks.flag(shift, "shift"):
        z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_backward(p: np.ndarray, d_p: np.ndarray) -> np.ndarray:
    """dL/dz from p = softmax(z) and d_p = dL/dp.  Shapes: (..., C), (..., C) -> (..., C).

    dp_k / dz_j = p_k (1[k = j] - p_j), so dL/dz_j = p_j (d_p_j - sum_k p_k d_p_k).
    """
    p, d_p = _classes(p, "p"), _classes(d_p, "d_p")
    checks.same_shape(p, d_p, "p", "d_p")
    return p * (d_p - (p * d_p).sum(axis=-1, keepdims=True))


def _logits_and_labels(logits: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = _z(logits, "logits")
    if z.ndim < 2:
        raise ValueError(f"logits must have shape (..., N, C), got {z.shape}")
    return z, check_labels(y, z.shape[-1], z.shape[-2])


def cross_entropy(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean over the N examples of -log softmax(logits)[n, y_n].  Shapes: (..., N, C), (N,) -> ().

    The negative log-likelihood of the labels under the model's
    probabilities.  With leading axes (S networks side by side) it is the
    sum of each network's mean, so each network's gradient is its own.
    """
    z, y = _logits_and_labels(logits, y)
    picked = log_softmax(z)[..., np.arange(len(y)), y]  # (..., N): log p of each true label
    return float(-picked.sum() / len(y))


def cross_entropy_grad(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dlogits = (softmax(logits) - one_hot(y)) / N.  Shapes: (..., N, C), (N,) -> same as z."""
    z, y = _logits_and_labels(logits, y)
    return (softmax(z) - one_hot(y, z.shape[-1])) / z.shape[-2]
