"""The one set of argument checks behind every public function of the package.

The input contract (stated in the package docstring) lives here:

* array arguments take anything array-like of real numbers (lists, ints,
  bools, float32, ...) and come back as float64 arrays; complex, object and
  string data are refused;
* NumPy scalars and 0-d arrays are accepted wherever a Python number is;
* sizes are whole numbers >= 1 (with an upper bound where a larger value
  would exhaust the machine); learning rates and steps are finite and > 0;
* a params dict has exactly the model's keys, each with the model's shape;
* data hold at least one example and only finite values;
* what is called (a callback, a loss, an accuracy) must be callable;
* randomness comes from a ``numpy.random.Generator``; an int seed is refused
  (the functions that train take ``seed`` and make the Generator themselves).

Every check raises ``ValueError`` (a wrong value) or ``TypeError`` (a wrong
kind of thing), and the message starts with the argument's name.

Shapes are written as tuples of ints and names: ``("N", "D")`` matches any
2-d array and binds N and D in ``dims``, so that a later check of the same
name compares against the bound size and the message says where it came from.
"""

import math
import numbers
from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np

__all__ = [
    "array",
    "choice",
    "data",
    "finite",
    "flag",
    "function",
    "generator",
    "loss_pair",
    "nonnegative_float",
    "params",
    "positive_float",
    "real_number",
    "same_shape",
    "whole_number",
]

Shape = Sequence[int | str]


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _plain(value: object) -> object:
    """A NumPy scalar or a 0-d array as the Python number it stands for.

    ``np.float64(0.1)``, ``np.array(0.1)`` and ``0.1`` are one number; an array
    with entries (``np.array([0.1])``) is not, and stays as it is.
    """
    if isinstance(value, np.generic) or (type(value) is np.ndarray and value.ndim == 0):
        return value.item()
    return value


def whole_number(value: object, name: str, *, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` as an int, checked to lie in ``[minimum, maximum]``.

    Accepts Python and NumPy integers (not bools, not floats such as 2.0).
    """
    value = _plain(value)
    limit = f" and <= {maximum:,}" if maximum is not None else ""
    wanted = f"{name} must be a whole number >= {minimum}{limit}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{wanted}, got {_describe(value)}")
    if value < minimum or (maximum is not None and value > maximum):
        shown = f"an integer of {len(str(value))} digits" if abs(value) >= 10**30 else value
        raise ValueError(f"{wanted}, got {shown}")
    return int(value)


def function(value: object, name: str, takes: str) -> Callable:
    """``value``, checked to be callable; ``takes`` says how it is called, for the message."""
    if not callable(value):
        raise TypeError(f"{name} must be a function {takes}, got {_describe(value)}")
    return value


def _real(value: object, name: str, wanted: str, low_ok: bool, maximum: float | None) -> float:
    """``value`` as a float: finite, > 0 (or >= 0 when ``low_ok``), at most ``maximum``."""
    value = _plain(value)
    wanted = f"{name} must be a finite number {wanted}" + (
        f" and <= {maximum:g}" if maximum is not None else ""
    )
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{wanted}, got {_describe(value)}")
    try:
        value = float(value)
    except OverflowError:  # an int such as 10**400: beyond float64
        raise ValueError(f"{wanted}, got an integer of {len(str(value))} digits") from None
    too_low = value < 0 or (value == 0 and not low_ok)
    if not math.isfinite(value) or too_low or (maximum is not None and value > maximum):
        raise ValueError(f"{wanted}, got {value:g}")
    return value


def real_number(value: object, name: str) -> float:
    """``value`` as a float, checked to be a finite real number (of any sign)."""
    value = _plain(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a finite number, got {_describe(value)}")
    try:
        out = float(value)
    except OverflowError:
        raise ValueError(f"{name} must be a finite number, got an integer beyond float64") from None
    if not math.isfinite(out):
        raise ValueError(f"{name} must be a finite number, got {out:g}")
    return out


def positive_float(value: object, name: str, *, maximum: float | None = None) -> float:
    """``value`` as a float, checked to be finite, > 0 and at most ``maximum``."""
    return _real(value, name, "> 0", False, maximum)


def nonnegative_float(value: object, name: str, *, maximum: float | None = None) -> float:
    """``value`` as a float, checked to be finite, >= 0 and at most ``maximum``."""
    return _real(value, name, ">= 0", True, maximum)


def flag(value: object, name: str) -> bool:
    """``value``, checked to be True or False (a NumPy bool too; not 0 or 1)."""
    value = _plain(value)
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}")
    return value


def loss_pair(result: object, name: str) -> tuple[float, Mapping]:
    """What a ``loss_and_grads`` returned, checked: ``(loss, grads)``.

    The loss is one real number (a float, a NumPy scalar, a 0-d array; not
    None, not a string, not an array of shape (1,)), possibly inf or NaN
    (the training loops name the learning rate then); grads is a mapping.
    """
    wanted = f"{name} must return (loss, grads), a number and a dict of arrays"
    if not isinstance(result, tuple) or len(result) != 2:
        raise TypeError(f"{wanted}; got {_describe(result)}")
    loss, grads = _plain(result[0]), result[1]
    if isinstance(loss, bool) or not isinstance(loss, numbers.Real):
        raise TypeError(f"{wanted}; got the loss {_describe(result[0])}")
    if not isinstance(grads, Mapping):
        raise TypeError(f"{wanted}; got the grads {_describe(grads)}")
    return float(loss), grads


def choice(value: object, name: str, options: Sequence[str]) -> str:
    """``value``, checked to be one of ``options``."""
    if not isinstance(value, str) or value not in options:
        known = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {known}, got {_describe(value)}")
    return value


def generator(rng: object, name: str = "rng") -> np.random.Generator:
    """``rng``, checked to be a ``numpy.random.Generator``."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator such as np.random.default_rng(0), "
            f"got {type(rng).__name__}"
        )
    return rng


def _shape_text(shape: Shape) -> str:
    inner = ", ".join(str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def _match(got: tuple[int, ...], shape: Shape, dims: dict[str, int]) -> bool:
    """Whether ``got`` fits ``shape``; binds unbound names in ``dims`` when it does."""
    if len(got) != len(shape):
        return False
    bound = dict(dims)
    for size, want in zip(got, shape, strict=True):
        if isinstance(want, str):
            if bound.setdefault(want, size) != size:
                return False
        elif size != want:
            return False
    dims.update(bound)
    return True


def _expected(shape: Shape, dims: Mapping[str, int]) -> str:
    known = [f"{d} = {dims[d]}" for d in dict.fromkeys(shape) if isinstance(d, str) and d in dims]
    return _shape_text(shape) + (f" with {', '.join(known)}" if known else "")


def _as_real(value: object, name: str) -> np.ndarray:
    if type(value) is np.ndarray and value.dtype == np.float64:
        return value
    if value is None:
        raise TypeError(f"{name} is None: it must be an array of real numbers")
    if isinstance(value, Iterator):  # np.asarray would make one object of a generator
        raise TypeError(
            f"{name} is an iterator ({type(value).__name__}): give a list or an array of numbers"
        )
    if isinstance(value, np.ma.MaskedArray):  # its mask would be dropped without a word
        raise TypeError(
            f"{name} is a masked array: fill or drop the masked entries first "
            "(np.ma.filled(a, value) or a.compressed())"
        )
    try:
        arr = np.asarray(value)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{name} must be an array of real numbers: {err}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold real numbers (ints, floats or bools), got dtype {arr.dtype}"
        )
    return arr.astype(np.float64)  # a plain ndarray: np.asarray drops subclasses (np.matrix)


def finite(arr: np.ndarray, name: str) -> np.ndarray:
    """``arr``, checked to hold only finite values; the message gives the first bad index."""
    with np.errstate(over="ignore", invalid="ignore"):
        quick = np.add.reduce(arr, axis=None) if arr.size else 0.0
    if not math.isfinite(quick):  # a sum overflows only for huge values: look closely
        bad = np.argwhere(~np.isfinite(arr))
        if len(bad):
            where = tuple(int(i) for i in bad[0])
            raise ValueError(
                f"{name} must hold only finite numbers, got {arr[where]} at index {where}"
            )
    return arr


def array(
    value: object,
    name: str,
    shape: Shape | None = None,
    *,
    dims: dict[str, int] | None = None,
    nonempty: bool = True,
    finite_only: bool = True,
) -> np.ndarray:
    """``value`` as a (finite) float64 array, checked against ``shape``.

    Parameters
    ----------
    value : anything array-like of real numbers.
    name : the argument's name, for the message.
    shape : ints and names, e.g. ``("N", 2)``; None accepts any shape.
    dims : names bound so far (updated in place with new ones).
    nonempty : refuse an array with no entries (no examples).
    finite_only : refuse NaN and infinities (data); False lets them through
        (the arguments of a mathematical function, where inf in is inf out).

    Returns
    -------
    The values as float64 (the same object when it already was a float64 array).
    """
    arr = _as_real(value, name)
    if shape is not None and not _match(arr.shape, shape, {} if dims is None else dims):
        raise ValueError(
            f"{name} must have shape {_expected(shape, dims or {})}, got {_shape_text(arr.shape)}"
        )
    if nonempty and arr.size == 0:
        raise ValueError(f"{name} is empty (shape {_shape_text(arr.shape)}): it needs data")
    return finite(arr, name) if finite_only else arr


def data(value: object, name: str, *, optional: bool = False) -> np.ndarray | None:
    """Data as an array: float64, or int64 for integers (class labels stay labels).

    Refused: None (unless ``optional``: then None is returned), anything that
    is not real numbers, NaN or inf, and data with no example (an empty batch).
    """
    if value is None and optional:
        return None
    arr = array(value, name, nonempty=False)
    if arr.ndim >= 1 and arr.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}): a batch needs at least one example")
    kind = np.asarray(value).dtype.kind
    return np.asarray(value, dtype=np.int64) if kind in "iu" else arr


def same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise ``ValueError`` naming both shapes unless they are equal.

    Broadcasting would silently turn an (N, 1) prediction and an (N,) target
    into an (N, N) difference; a loss must refuse that.
    """
    if np.shape(a) != np.shape(b):
        raise ValueError(
            f"{name_a} has shape {_shape_text(np.shape(a))} but {name_b} has shape "
            f"{_shape_text(np.shape(b))}; they must be equal"
        )


def params(
    given: object, spec: Mapping[str, Shape], *, dims: dict[str, int] | None = None
) -> dict[str, np.ndarray]:
    """A model's params dict, checked key by key and shape by shape.

    Parameters
    ----------
    given : name -> array-like, the parameters as the caller passed them.
    spec : name -> shape (ints and names), e.g. ``{"w1": ("D", "H"), "b1": ("H",)}``.
    dims : names bound so far (updated in place), so the caller can then
        check ``x`` against ``("N", "D")``.

    Returns
    -------
    name -> float64 array, in the order of ``spec`` (the caller's arrays are
    not modified; float64 arrays are passed through, not copied).
    """
    if not isinstance(given, Mapping):
        raise TypeError(f"params must be a dict of arrays, got {type(given).__name__}")

    def wanted() -> str:
        return ", ".join(f"{k} {_shape_text(s)}" for k, s in spec.items())

    missing = [k for k in spec if k not in given]
    extra = [k for k in given if k not in spec]
    if missing or extra:
        parts = [f"missing {', '.join(map(repr, missing))}"] if missing else []
        parts += [f"unexpected {', '.join(map(repr, extra))}"] if extra else []
        raise ValueError(f"params must have exactly {wanted()}; {'; '.join(parts)}")
    dims = {} if dims is None else dims
    out = {}
    for key, shape in spec.items():
        arr = _as_real(given[key], f"params[{key!r}]")
        if not _match(arr.shape, shape, dims):
            raise ValueError(
                f"params[{key!r}] must have shape {_expected(shape, dims)}, "
                f"got {_shape_text(arr.shape)} (the model wants {wanted()})"
            )
        if arr.size == 0:
            raise ValueError(f"params[{key!r}] is empty (shape {_shape_text(arr.shape)})")
        out[key] = finite(arr, f"params[{key!r}]")
    return out
