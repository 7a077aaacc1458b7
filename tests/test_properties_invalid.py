"""Property-based tests: invalid inputs of every model fail cleanly and change nothing.

Each example takes a valid case of a model (:mod:`model_cases`) and spoils
one thing: a shape, a params key, a value, a dtype, a label or an option.
``forward`` (when the spoiled argument is one it takes) and
``loss_and_grads`` must then raise exactly ``ValueError`` or ``TypeError``
(no ``KeyError``, ``IndexError``, NumPy ``AxisError`` or broadcast result),
with a message that names the argument, and leave every argument as it was.
"""

import copy
import math
import re
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_cases import MODELS, Case, assert_same, cases


class Bad(NamedTuple):
    """A spoiled call: what was done, the arguments, and how the message must name it."""

    what: str
    params: object
    x: object
    y: object
    options: dict
    names: Callable[[str], bool]  # message -> whether it names the spoiled argument
    forward_too: bool = True  # forward takes the spoiled argument as well


def word(name: str) -> Callable[[str], bool]:
    """The message mentions ``name`` as a word of its own ("x", not the x of "exactly")."""
    return lambda message: re.search(rf"(?<![\w'\[]){re.escape(name)}(?![\w'\]])", message)


def text(*parts: str) -> Callable[[str], bool]:
    return lambda message: all(p in message for p in parts)


def param(key: str) -> Callable[[str], bool]:
    return text(f"params[{key!r}]")


KEEP = object()


def spoil(case: Case, what: str, *, params=KEEP, x=KEEP, y=KEEP, options=KEEP, **kw) -> Bad:
    """``case`` with some arguments replaced (None included)."""
    return Bad(
        what,
        case.params if params is KEEP else params,
        case.x if x is KEEP else x,
        case.y if y is KEEP else y,
        case.options if options is KEEP else options,
        **kw,
    )


def grow(arr: np.ndarray, axis: int) -> np.ndarray:
    """``arr`` with one more entry along ``axis``."""
    return np.concatenate([arr, np.take(arr, [0], axis=axis)], axis=axis)


@st.composite
def shapes(draw, case: Case) -> Bad:
    """x or y of a wrong shape, ragged, or without examples."""
    x, y = case.x, case.y
    kinds = ["x_ndim", "y_rows", "y_ndim", "ragged", "empty"]
    kinds += ["x_width"] if x.ndim == 2 else []
    kinds += ["y_width"] if y.ndim == 2 else []
    kind = draw(st.sampled_from(kinds))
    if kind == "x_ndim":
        bad = draw(st.sampled_from([x[..., None], x[None], x.ravel() if x.ndim == 2 else x[0]]))
        return spoil(case, kind, x=bad, names=word("x"))
    if kind == "x_width":
        return spoil(case, kind, x=grow(x, 1), names=word("x"))
    if kind == "ragged":
        rows = x.tolist()
        bad = [[*rows[0], 0.0], *rows[1:]] if x.ndim == 2 else [[rows[0]], *rows[1:]]
        return spoil(case, kind, x=bad, names=word("x"))
    if kind == "empty":
        return spoil(case, kind, x=x[:0], y=y[:0], names=word("x"))
    if kind == "y_rows":
        return spoil(case, kind, y=grow(y, 0), names=word("y"), forward_too=False)
    if kind == "y_ndim":
        bad = y[:, 0] if y.ndim == 2 else draw(st.sampled_from([y[:, None], y[None], y[0]]))
        return spoil(case, kind, y=bad, names=word("y"), forward_too=False)
    return spoil(case, kind, y=grow(y, 1), names=word("y"), forward_too=False)  # y_width


@st.composite
def params_dicts(draw, case: Case) -> Bad:
    """A params dict with a key missing or extra, a wrong shape, no entries, or no dict at all."""
    spec = case.model.spec(case.options)
    keys = list(case.params)
    shared = [  # (key, axis) whose size is fixed or shared with another parameter
        (k, axis)
        for k, shape in spec.items()
        for axis, d in enumerate(shape)
        if isinstance(d, int) or any(d in s for other, s in spec.items() if other != k)
    ]
    kind = draw(st.sampled_from(["missing", "extra", "ndim", "size", "empty", "not_a_dict"]))
    kind = "ndim" if kind == "size" and not shared else kind
    kind = "ndim" if kind == "empty" and "H" not in case.sizes else kind
    if kind == "missing":
        key = draw(st.sampled_from(keys))
        rest = {k: v for k, v in case.params.items() if k != key}
        return spoil(case, kind, params=rest, names=text("params", repr(key)))
    if kind == "extra":
        key = draw(st.sampled_from(["w3", "b3", "bias", "W1"]))
        more = {**case.params, key: np.zeros(2)}
        return spoil(case, kind, params=more, names=text("params", repr(key)))
    if kind == "ndim":
        key = draw(st.sampled_from(keys))
        v = case.params[key]
        reshaped = [v[None], v[..., None], np.stack([v, v], axis=-1)]
        reshaped += [v[..., 0]] if v.ndim else []
        bad = draw(st.sampled_from(reshaped))
        # digits reads the number of networks S from the rank of w1: the
        # others are then the ones of the wrong rank
        names = text("params[") if case.model.labels and key == "w1" else param(key)
        return spoil(case, kind, params={**case.params, key: bad}, names=names)
    if kind == "size":
        key, axis = draw(st.sampled_from(shared))
        return spoil(case, kind, params={**case.params, key: grow(case.params[key], axis)},
                     names=text("params["))  # fmt: skip
    if kind == "empty":  # H = 0 hidden units
        empty = {
            k: case.params[k][tuple(slice(0) if d == "H" else slice(None) for d in shape)]
            for k, shape in spec.items()
        }
        return spoil(case, kind, params=empty, names=text("params["))
    bad = draw(st.sampled_from([list(case.params.values()), tuple(case.params.items()), None]))
    return spoil(case, kind, params=bad, names=word("params"))


def _targets(case: Case) -> list[str]:
    return ["x", "y", *(f"params.{k}" for k in case.params)]


def _put(case: Case, target: str, value: object, what: str) -> Bad:
    if target.startswith("params."):
        key = target.split(".", 1)[1]
        return spoil(case, what, params={**case.params, key: value}, names=param(key))
    if target == "x":
        return spoil(case, what, x=value, names=word("x"))
    return spoil(case, what, y=value, names=word("y"), forward_too=False)


def _value(case: Case, target: str) -> np.ndarray:
    if target.startswith("params."):
        return case.params[target.split(".", 1)[1]]
    return case.x if target == "x" else case.y


@st.composite
def values(draw, case: Case) -> Bad:
    """A NaN or an infinity somewhere in x, y or a parameter; or None in their place."""
    targets = _targets(case)
    if case.model.labels:
        targets.remove("y")  # integer labels hold no NaN (see labels)
    target = draw(st.sampled_from(targets))
    if draw(st.booleans()):
        return _put(case, target, None, "None")
    arr = np.array(_value(case, target), dtype=np.float64)
    where = draw(st.integers(0, arr.size - 1))
    arr.flat[where] = draw(st.sampled_from([math.nan, math.inf, -math.inf]))
    return _put(case, target, arr, "non-finite")


@st.composite
def dtypes(draw, case: Case) -> Bad:
    """x, y or a parameter as complex numbers, strings, bytes or Python objects."""
    target = draw(st.sampled_from(_targets(case)))
    kind = draw(st.sampled_from([np.complex128, np.str_, np.bytes_, object]))
    return _put(case, target, _value(case, target).astype(kind), f"dtype {kind.__name__}")


@st.composite
def labels(draw, case: Case) -> Bad:
    """digits: a label outside 0..9, or labels that are not integers."""
    y = case.y.copy()
    if draw(st.booleans()):
        y[draw(st.integers(0, y.size - 1))] = draw(st.sampled_from([10, 11, 255, -1, -10]))
        return spoil(case, "label out of range", y=y, names=word("y"), forward_too=False)
    bad = draw(st.sampled_from([y.astype(np.float64), y > 4, y.astype(np.float32)]))
    return spoil(case, f"labels of dtype {bad.dtype}", y=bad, names=word("y"), forward_too=False)


#: Bad values for each option; those not listed take the general ones.
BAD_OPTIONS = {
    "weight_decay": [-0.1, math.nan, math.inf, True, "0.1", None, [0.1], 1j],
}
GENERAL_BAD = ["softplus", "", "RELU", None, 3, 1.5, ["relu"]]


@st.composite
def options(draw, case: Case) -> Bad:
    """An option of the wrong value or kind (an unknown name, a number, a list, ...)."""
    names = [k for k in case.model_options if k != "biases"]  # biases: any truth value
    key = draw(st.sampled_from(names))
    bad = BAD_OPTIONS.get(f"{case.model.name}.{key}", BAD_OPTIONS.get(key, GENERAL_BAD))
    bad = draw(st.sampled_from(bad))
    forward_too = key not in case.model.loss_only
    spoilt = {**case.options, key: bad}
    return spoil(case, f"{key}={bad!r}", options=spoilt, names=word(key), forward_too=forward_too)


def check(case: Case, bad: Bad) -> None:
    """Both calls raise ValueError or TypeError naming the argument, and change nothing."""
    model = case.model
    options = {k: v for k, v in bad.options.items() if k != "stacked"}
    forward_options = {k: v for k, v in options.items() if k not in model.loss_only}
    calls = [lambda: model.loss_and_grads(bad.params, bad.x, bad.y, **options)]
    if bad.forward_too:
        calls.append(lambda: model.forward(bad.params, bad.x, **forward_options))
    for call in calls:
        before = copy.deepcopy((bad.params, bad.x, bad.y))
        with pytest.raises((ValueError, TypeError)) as info:
            call()
        message = str(info.value)
        assert type(info.value) in (ValueError, TypeError), (bad.what, repr(info.value))
        assert bad.names(message), (bad.what, message)
        assert_same(before, (bad.params, bad.x, bad.y))


FAMILIES = {
    "shapes": shapes,
    "params": params_dicts,
    "values": values,
    "dtypes": dtypes,
    "labels": labels,
    "options": options,
}
CALLS = [
    pytest.param(name, family, id=f"{name}-{family}")
    for name, model in MODELS.items()
    for family in FAMILIES
    if (family != "labels" or model.labels) and (family != "options" or model.options_named)
]


@pytest.mark.parametrize(("name", "family"), CALLS)
@settings(derandomize=True, max_examples=25, deadline=None)
@given(data=st.data())
def test_invalid_inputs_raise_value_or_type_errors_that_name_the_argument(name, family, data):
    case = data.draw(cases(MODELS[name]), label="case")
    bad = data.draw(FAMILIES[family](case), label="spoilt")
    check(case, bad)
