"""Property-based tests: every input class the package accepts gives the float64 results.

The input contract (the package docstring, :mod:`scratchnn.checks`) takes
anything array-like of real numbers and converts it to float64.  Here each
example takes a valid case of a model (:mod:`model_cases`), rewrites some of
its arguments as another accepted class, and compares every result with the
same values given as float64 arrays: nested lists, integer arrays of every
width, bool arrays, float32 arrays, Python and NumPy scalars for the
parameters of shape (), read-only arrays and non-contiguous views; integer
labels of every width; NumPy strings and numbers as options.  The results
must be the same, bit for bit (to rounding for another memory layout), and
the arguments unchanged.  Subclasses of ndarray (np.matrix, masked arrays)
are not among them: see test_properties_found.py.
"""

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_cases import MODELS, Case, assert_same, cases

LAYOUT = ("strided view", "Fortran-ordered array")
INTS = [np.int64, np.int32, np.int16, np.int8]
UINTS = [np.uint64, np.uint32, np.uint16, np.uint8]


def _strided(arr: np.ndarray) -> np.ndarray:
    """The same values as a view that is not contiguous (every other entry of a bigger array)."""
    return np.repeat(arr, 2, axis=-1)[..., ::2]


@st.composite
def converted(draw, arr: np.ndarray, *, labels: bool = False) -> tuple[np.ndarray, object, str]:
    """(the float64 values, the same values as another accepted class, the class's name).

    Only the views ("strided", "fortran") change the memory layout.
    """
    kinds = ["list", "int", "readonly"]
    kinds += [] if labels else ["bool", "float32"]
    kinds += ["scalar"] if arr.ndim == 0 else ["strided", "fortran"]
    kind = draw(st.sampled_from(kinds))
    if kind == "list":
        return arr, arr.tolist(), "list"
    if kind == "readonly":
        frozen = arr.copy()
        frozen.flags.writeable = False
        return arr, frozen, "read-only array"
    if kind == "strided":
        return arr, _strided(arr), LAYOUT[0]
    if kind == "fortran":
        return arr, np.asfortranarray(arr), LAYOUT[1]
    if kind == "bool":
        return (arr > 0).astype(np.float64), arr > 0, "bool array"
    if kind == "float32":
        return arr.astype(np.float32).astype(np.float64), arr.astype(np.float32), "float32 array"
    if kind == "int":
        base = np.round(arr)
        dtype = draw(st.sampled_from(INTS + UINTS if labels else INTS))
        if draw(st.booleans()) and not labels:  # unsigned: non-negative values
            base, dtype = np.abs(base), draw(st.sampled_from(UINTS))
        base = base if labels else base.astype(np.float64)
        return base, base.astype(dtype), f"{np.dtype(dtype).name} array"
    value = float(arr)  # a parameter of shape (): Python and NumPy scalars
    kinds = [
        (value, value, "float"),
        (value, np.float64(value), "np.float64"),
        (float(np.float32(value)), np.float32(value), "np.float32"),
        (float(round(value)), round(value), "int"),
        (float(round(value)), np.int64(round(value)), "np.int64"),
        (float(round(value)), np.int32(round(value)), "np.int32"),
        (float(value > 0), value > 0, "bool"),
        (float(value > 0), np.bool_(value > 0), "np.bool_"),
    ]
    base, other, name = draw(st.sampled_from(kinds))
    return np.array(base), other, name


def _option_variants(case: Case) -> dict:
    """The same options with NumPy types: np.str_ for names, np.float64 for numbers."""
    out = {}
    for k, v in case.model_options.items():
        if isinstance(v, str):
            out[k] = np.str_(v)
        elif isinstance(v, float):
            out[k] = np.float64(v)
        else:
            out[k] = v
    return out


def results(case: Case, params, x, y, options) -> tuple:
    model = case.model
    forward_options = {k: v for k, v in options.items() if k not in model.loss_only}
    out = model.forward(params, x, **forward_options)
    loss, grads = model.loss_and_grads(params, x, y, **options)
    return out, loss, grads


def assert_same_results(got: tuple, want: tuple, *, exact: bool) -> None:
    """Bit for bit when only the dtype or container changed; to rounding when the memory
    layout did (BLAS may add up a product in another order for another layout)."""

    def same(a, b, what):
        a, b = np.asarray(a), np.asarray(b)
        assert a.dtype == np.float64 and a.shape == b.shape, what
        if exact:
            np.testing.assert_array_equal(a, b, err_msg=what)
        else:
            scale = float(np.max(np.abs(b), initial=0.0))
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-14 * scale, err_msg=what)

    (out, loss, grads), (out0, loss0, grads0) = got, want
    same(out, out0, "forward")
    assert isinstance(loss, float)
    same(loss, loss0, "loss")
    assert set(grads) == set(grads0)
    for k in grads0:
        same(grads[k], grads0[k], k)


@pytest.mark.parametrize("name", MODELS)
@settings(derandomize=True, max_examples=30, deadline=None)
@given(data=st.data())
def test_accepted_input_classes_give_the_float64_results(name, data):
    case = data.draw(cases(MODELS[name]), label="case")
    base = {"params": dict(case.params), "x": case.x, "y": case.y}
    other = {"params": dict(case.params), "x": case.x, "y": case.y}
    targets = ["x", "y", *(f"params.{k}" for k in case.params)]
    exact = True
    chosen = data.draw(st.lists(st.sampled_from(targets), min_size=1, unique=True), label="args")
    for target in chosen:
        group, _, key = target.partition(".")
        arr = base[group][key] if key else base[group]
        labels = target == "y" and case.model.labels
        values, same, kind = data.draw(converted(arr, labels=labels), label=f"{target} as")
        exact = exact and kind not in LAYOUT
        if key:
            base["params"][key], other["params"][key] = values, same
        else:
            base[group], other[group] = values, same
    options = case.model_options
    if data.draw(st.booleans(), label="NumPy options"):
        options = _option_variants(case)
    before = copy.deepcopy(other)
    want = results(case, base["params"], base["x"], base["y"], case.model_options)
    got = results(case, other["params"], other["x"], other["y"], options)
    assert_same_results(got, want, exact=exact)
    assert_same(before, other)
