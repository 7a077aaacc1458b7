"""Finite-difference gradient checking, shared by every chapter.

The analytic gradient of a loss is compared with central differences,

    dL/dθ_i ≈ (L(θ + ε e_i) − L(θ − ε e_i)) / (2ε),

whose error shrinks like ε².  Everything is done on float64 copies: in
float32 the rounding error of L (about 1e-7 relative) divided by 2ε swamps
the answer.  Explained in the book's appendix "Checking gradients".
"""

import numbers
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from scratchnn import checks
from scratchnn.model import prepared

__all__ = [
    "DEFAULT_EPS",
    "DEFAULT_FLOOR",
    "check_gradients",
    "numerical_gradient",
    "relative_error",
]

#: Step of the central differences: near the cube root of float64's epsilon,
#: where truncation error (∝ ε²) and rounding error (∝ 1/ε) balance.
DEFAULT_EPS = 1e-6

#: Smallest denominator of :func:`relative_error`, so two gradients that are
#: both zero (a dead unit, say) compare as equal instead of as 0 / 0.
DEFAULT_FLOOR = 1e-12


def numerical_gradient(
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    *,
    eps: float = DEFAULT_EPS,
    indices: list[tuple[int, ...]] | None = None,
) -> np.ndarray:
    """Central-difference gradient of a scalar function ``f`` at ``x``.

    Parameters
    ----------
    f : callable taking an array of the shape of ``x`` and returning a number
        (a float, a NumPy scalar or a 0-d array).
    x : array of any shape (), (n,), (n, m), ...; it is not modified (an
        empty x has an empty gradient).
    eps : the step ε, finite and > 0, and large enough to change every
        entry it perturbs (x + ε != x and x − ε != x in float64: ε = 1e-20
        moves no entry of size 1, and would give a gradient of zeros).
    indices : if given, only these entries are estimated (the others are left
        at 0); each a tuple with one int per axis of ``x`` (a plain int for a
        1-d ``x``); used to check a random sample of a large weight matrix.

    Returns
    -------
    grad : float64 array of the shape of ``x``.
    """
    f = checks.function(f, "f", "f(x) -> number")
    eps = checks.positive_float(eps, "eps")
    x = np.array(checks.array(x, "x", nonempty=False), copy=True)
    grad = np.zeros_like(x)
    todo = list(np.ndindex(x.shape)) if indices is None else _entries(indices, x.shape)
    _check_step(x, eps, todo)
    for i in todo:
        old = float(x[i])
        x[i] = old + eps
        f_plus = _number(f(x))
        x[i] = old - eps
        f_minus = _number(f(x))
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def _check_step(x: np.ndarray, eps: float, todo: list[tuple[int, ...]]) -> None:
    """Refuse an ``eps`` that leaves an entry of ``x`` unchanged (the gradient would be 0)."""
    for i in todo:
        if x[i] + eps == x[i] or x[i] - eps == x[i]:
            raise ValueError(
                f"eps={eps:g} is too small to change x{list(i)} = {x[i]:g} in float64 "
                f"(x + eps == x), so its difference would be 0; the default {DEFAULT_EPS:g} "
                "suits entries near 1, and a step near 1e-6 * |x| suits any"
            )


def _number(value: object) -> float:
    """What ``f`` returned, checked to be one real number."""
    plain = checks._plain(value)
    if isinstance(plain, bool) or not isinstance(plain, numbers.Real):
        raise TypeError(f"f must return a number, got {checks._describe(value)}")
    return float(plain)


def _entries(indices: Sequence[object], shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """``indices`` as full index tuples of an array of ``shape``, checked.

    An int is accepted for a 1-d array only: on a 2-d array ``x[0]`` is a
    whole row, not one entry, and perturbing a row would be a wrong answer.
    """
    out = []
    for index in indices:
        entry = (index,) if isinstance(index, int | np.integer) else tuple(index)
        if len(entry) != len(shape) or not all(isinstance(i, int | np.integer) for i in entry):
            raise ValueError(
                f"indices must name single entries of an array of shape {shape}: "
                f"tuples of {len(shape)} ints, got {index!r}"
            )
        if not all(-n <= i < n for i, n in zip(entry, shape, strict=True)):
            raise ValueError(f"index {entry} is out of bounds for an array of shape {shape}")
        out.append(tuple(int(i) for i in entry))
    return out


def relative_error(a: np.ndarray, b: np.ndarray, *, floor: float = DEFAULT_FLOOR) -> float:
    """‖a − b‖ / max(‖a‖ + ‖b‖, floor), with the Euclidean norm over all entries.

    0 for equal arrays, 1 for ``b = -a``; below about 1e-7 means "agrees to
    the accuracy finite differences can give" for float64 and ε = 1e-6.
    Right at any magnitude (entries of 1e-200 or 1e200 included); ``floor``
    must be > 0, and non-finite entries are an error, not a NaN result.
    Shapes: a and b must be equal (a ``ValueError`` names them otherwise).
    """
    floor = checks.positive_float(floor, "floor")
    a = checks.array(a, "a", nonempty=False)
    b = checks.array(b, "b", nonempty=False)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare gradients of shapes {a.shape} and {b.shape}")
    # Scale by the largest entry first, so that neither huge gradients (whose
    # squares overflow) nor tiny ones (whose squares underflow to 0) go wrong.
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    if scale == 0.0:
        return 0.0
    gap = float(np.linalg.norm(a / scale - b / scale))
    size = float(np.linalg.norm(a / scale) + np.linalg.norm(b / scale))
    return gap / size if size * scale >= floor else gap * scale / floor


def check_gradients(
    loss_and_grads: Callable[..., tuple[float, dict[str, np.ndarray]]],
    params: Mapping[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    eps: float = DEFAULT_EPS,
    samples: int | None = None,
    rng: np.random.Generator | None = None,
    **model_options: object,
) -> dict[str, float]:
    """Relative error between analytic and numerical gradients, per parameter.

    Parameters
    ----------
    loss_and_grads : the model's ``loss_and_grads(params, x, y, **options)``.
    params : name -> array; copied to float64, never modified.
    x, y : the inputs and targets the loss is evaluated on.
    eps : the step of the central differences, finite and > 0.
    samples : if given, a whole number >= 1: check only this many randomly
        chosen entries of each parameter (drawn with ``rng``, which is then
        required); for weights too large to perturb one by one.
    model_options : keyword options passed on (``activation="relu"``, ...).

    Returns
    -------
    errors : name -> :func:`relative_error` of that parameter's gradient.

    Raises
    ------
    ValueError, TypeError : a bad ``eps``, ``samples`` or ``rng``, params
        that are not finite arrays, or gradients whose names or shapes do
        not match the parameters.
    """
    loss_and_grads = checks.function(
        loss_and_grads, "loss_and_grads", "(params, x, y, **options) -> (loss, grads)"
    )
    eps = checks.positive_float(eps, "eps")
    if samples is not None:
        samples = checks.whole_number(samples, "samples")
        rng = checks.generator(rng, "rng (needed with samples=...)")
    if not isinstance(params, Mapping) or not params:
        raise ValueError("params must be a non-empty dict of arrays")
    base = {k: np.array(checks.array(v, f"params[{k!r}]"), copy=True) for k, v in params.items()}
    x, y = checks.data(x, "x", optional=True), checks.data(y, "y", optional=True)
    result = loss_and_grads(base, x, y, **model_options)  # checked, as a reader calls it
    _, analytic = checks.loss_pair(result, "loss_and_grads")
    # Then the unchecked kernel of a checked model (scratchnn.model), with the checked arguments.
    loss_and_grads, start = prepared(loss_and_grads, base, x, y, model_options)
    x, y, model_options = start.x, start.y, start.options
    if set(analytic) != set(base):
        raise ValueError(
            f"loss_and_grads returned gradients for {sorted(analytic)}, "
            f"but the parameters are {sorted(base)}"
        )
    errors = {}
    for name in base:

        def loss_at(value: np.ndarray, name: str = name) -> float:
            result = loss_and_grads({**base, name: value}, x, y, **model_options)
            return checks.loss_pair(result, "loss_and_grads")[0]

        indices = None
        if samples is not None:
            flat = rng.choice(base[name].size, size=min(samples, base[name].size), replace=False)
            indices = [np.unravel_index(i, base[name].shape) for i in flat]
        numeric = numerical_gradient(loss_at, base[name], eps=eps, indices=indices)
        exact = np.asarray(analytic[name], dtype=np.float64)
        if exact.shape != base[name].shape:
            raise ValueError(
                f"gradient {name!r} has shape {exact.shape} but parameter {name!r} "
                f"has shape {base[name].shape}"
            )
        if indices is not None:
            mask = np.zeros(base[name].shape, dtype=bool)
            for i in indices:
                mask[i] = True
            exact, numeric = exact[mask], numeric[mask]
        errors[name] = relative_error(exact, numeric)
    return errors
