"""Activations, losses and their derivatives: pure functions on arrays.

Every function here takes arrays and returns new arrays; none keeps state or
modifies its arguments.  Activations act element by element, so their
output has the shape of their input.  Losses compare a prediction ``y_hat``
with a target ``y`` of exactly the same shape and return a Python float; the
matching ``*_grad`` function returns ``dloss/dy_hat``, an array of that shape.

Explained in the book's appendix "Checking gradients", which tests every
derivative below against finite differences.
"""

from collections.abc import Callable

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "activation",
    "check_same_shape",
    "half_squared_error",
    "half_squared_error_grad",
    "identity",
    "identity_derivative",
    "mean_squared_error",
    "mean_squared_error_grad",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "sum_squared_error",
    "sum_squared_error_grad",
    "tanh",
    "tanh_derivative",
]


# --- activations -----------------------------------------------------------


def identity(z: np.ndarray) -> np.ndarray:
    """Return a copy of ``z``.  Shape: any -> same."""
    return np.array(z, dtype=float, copy=True)


def identity_derivative(z: np.ndarray) -> np.ndarray:
    """d identity / dz = 1 everywhere.  Shape: any -> same."""
    return np.ones_like(z, dtype=float)


def relu(z: np.ndarray) -> np.ndarray:
    """relu(z) = max(0, z), element by element.  Shape: any -> same."""
    return np.maximum(z, 0.0)


def relu_derivative(z: np.ndarray) -> np.ndarray:
    """1 where z > 0, else 0.  Shape: any -> same.

    At z = 0 relu has no derivative; we use 0 there (the subgradient that
    PyTorch also uses), so a unit that is exactly at its kink does not learn.
    """
    return (np.asarray(z) > 0).astype(float)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """sigmoid(z) = 1 / (1 + exp(-z)), element by element.  Shape: any -> same.

    Computed from ``exp(-|z|)``, which lies in (0, 1], so it never overflows:
    for z >= 0 it is 1 / (1 + e), for z < 0 the equal e / (1 + e).
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    """sigmoid'(z) = sigmoid(z) (1 - sigmoid(z)).  Shape: any -> same."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z: np.ndarray) -> np.ndarray:
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z), element by element.  Shape: any -> same."""
    return np.tanh(np.asarray(z, dtype=float))


def tanh_derivative(z: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 - tanh(z)^2.  Shape: any -> same."""
    t = np.tanh(np.asarray(z, dtype=float))
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
    try:
        return ACTIVATIONS[name]
    except KeyError:
        known = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; choose one of {known}") from None


# --- losses ----------------------------------------------------------------


def check_same_shape(y_hat: np.ndarray, y: np.ndarray) -> None:
    """Raise ``ValueError`` naming both shapes unless they are equal.

    Broadcasting would silently turn a (N, 1) prediction and a (N,) target
    into an (N, N) difference; a loss must refuse that.
    """
    if np.shape(y_hat) != np.shape(y):
        raise ValueError(
            f"prediction y_hat has shape {np.shape(y_hat)} but target y has "
            f"shape {np.shape(y)}; they must be equal"
        )


def sum_squared_error(y_hat: np.ndarray, y: np.ndarray) -> float:
    """L = sum of (y_hat - y)^2 over every entry.  Shapes: (...), (...) -> ()."""
    check_same_shape(y_hat, y)
    return float(np.sum((y_hat - y) ** 2))


def sum_squared_error_grad(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dy_hat = 2 (y_hat - y).  Shapes: (...), (...) -> (...)."""
    check_same_shape(y_hat, y)
    return 2.0 * (y_hat - y)


def mean_squared_error(y_hat: np.ndarray, y: np.ndarray) -> float:
    """L = mean of (y_hat - y)^2 over every entry.  Shapes: (...), (...) -> ()."""
    check_same_shape(y_hat, y)
    return float(np.mean((y_hat - y) ** 2))


def mean_squared_error_grad(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dy_hat = 2 (y_hat - y) / n, n the number of entries.  Shapes: (...) -> (...)."""
    check_same_shape(y_hat, y)
    return 2.0 * (y_hat - y) / np.size(y)


def half_squared_error(y_hat: np.ndarray, y: np.ndarray) -> float:
    """L = 1/2 sum of (y_hat - y)^2.  Shapes: (...), (...) -> ()."""
    check_same_shape(y_hat, y)
    return float(0.5 * np.sum((y_hat - y) ** 2))


def half_squared_error_grad(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dy_hat = y_hat - y; the 1/2 cancels the 2.  Shapes: (...) -> (...)."""
    check_same_shape(y_hat, y)
    return np.asarray(y_hat - y, dtype=float)
