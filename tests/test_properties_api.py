"""Property-based tests of the public API outside the models: one contract for every function.

For each function of :mod:`api_cases` (functional, gradcheck, train,
autograd, plotting, data and the chapter modules' other public names), a
valid call is drawn (seeded sizes and values), then

* **refused**: one argument is replaced by a value its kind refuses
  (complex, numeric strings, None, objects, empty, a generator, ragged
  lists, NaN or inf in data; for numbers bools, strings, 10**400, arrays of
  shape (1,); for sizes floats such as 2.0; for functions what cannot be
  called; for labels floats, bools, out of range); the call must raise
  exactly ``ValueError`` or ``TypeError``, its message must name the
  argument, and no argument may change;
* **accepted**: arguments are rewritten as other classes of the same value
  (lists, float32, read-only or Fortran-ordered arrays, NumPy scalars and
  0-d arrays for numbers, labels of other integer widths); the result must
  be the one of the float64 call.
"""

import copy
import dataclasses
import re

import numpy as np
import pytest
from api_cases import ENTRIES, case
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

IDS = [e.id for e in ENTRIES]


def names(message: str, name: str) -> bool:
    """The message mentions ``name`` as a word of its own (``x``, not the x of "exactly")."""
    return re.search(rf"(?<![\w\[]){re.escape(name)}(?![\w\]])", message) is not None


def snapshot(args: dict) -> dict:
    """A deep copy of the arguments (a generator or a Generator kept as itself)."""
    out = {}
    for k, v in args.items():
        try:
            out[k] = v if isinstance(v, np.random.Generator) else copy.deepcopy(v)
        except TypeError:  # a generator
            out[k] = v
    return out


def assert_same(before: object, after: object) -> None:
    """``after`` holds what ``before`` (a snapshot) holds; NaN equals NaN, objects themselves."""
    if isinstance(before, np.ndarray):
        np.testing.assert_array_equal(after, before, strict=True)
    elif isinstance(before, dict):
        assert list(after) == list(before)
        for k in before:
            assert_same(before[k], after[k])
    elif isinstance(before, list | tuple):
        assert type(after) is type(before) and len(after) == len(before)
        for a, b in zip(before, after, strict=True):
            assert_same(a, b)
    elif isinstance(before, float) and before != before:
        assert after != after
    elif isinstance(before, int | float | complex | str | bytes | bool | type(None)):
        assert after == before


def bad_choices(entry):
    return [
        (arg, key)
        for arg, kind in entry.kinds.items()
        for key in kind.bad
        if (arg, key) not in entry.bad_skip
    ]


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
@settings(derandomize=True, max_examples=20, deadline=None)
@given(data=st.data())
def test_refused_inputs_raise_value_or_type_errors_naming_the_argument(entry, data):
    args = data.draw(case(entry), label="valid call")
    arg, key = data.draw(st.sampled_from(bad_choices(entry)), label="spoilt")
    args[arg] = entry.kinds[arg].bad_value(key, args[arg])
    before = snapshot(args)
    with pytest.raises((ValueError, TypeError)) as info:
        entry.call(**args)
    message = str(info.value)
    assert type(info.value) in (ValueError, TypeError), (arg, key, repr(info.value))
    assert names(message, entry.names.get(arg, arg)), (arg, key, message)
    assert_same(before, args)


def same_result(got: object, want: object) -> None:
    """Equal results: arrays bit for bit with the same dtype; figures of as many axes."""
    if isinstance(want, Figure):
        assert isinstance(got, Figure) and len(got.axes) == len(want.axes)
    elif dataclasses.is_dataclass(want):  # History and the like: field by field
        assert type(got) is type(want)
        for f in dataclasses.fields(want):
            same_result(getattr(got, f.name), getattr(want, f.name))
    elif isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray) and got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    elif isinstance(want, dict):
        assert list(got) == list(want)
        for k in want:
            same_result(got[k], want[k])
    elif isinstance(want, list | tuple):
        assert type(got) is type(want) and len(got) == len(want)
        for a, b in zip(got, want, strict=True):
            same_result(a, b)
    else:
        assert type(got) is type(want) and (got == want or (got != got and want != want))


def _fresh(args: dict) -> dict:
    """The arguments with a new Generator of the same seed (a used one would differ)."""
    return {k: np.random.default_rng(1) if k == "rng" else v for k, v in args.items()}


ACCEPTING = [e for e in ENTRIES if e.accepted and any(k.same for k in e.kinds.values())]


@pytest.mark.parametrize("entry", ACCEPTING, ids=lambda e: e.id)
@settings(derandomize=True, max_examples=10, deadline=None)
@given(data=st.data())
def test_accepted_input_classes_give_the_result_of_the_canonical_call(entry, data):
    args = data.draw(case(entry), label="valid call")
    want = entry.call(**_fresh(args))
    rewritable = [(a, key) for a, kind in entry.kinds.items() for key in kind.same
                  if args.get(a) is not None]  # fmt: skip
    chosen = data.draw(st.lists(st.sampled_from(rewritable), min_size=1, max_size=3,
                                unique_by=lambda p: p[0]), label="rewritten")  # fmt: skip
    other = dict(args)
    for arg, key in chosen:
        other[arg] = entry.kinds[arg].same_value(key, args[arg])
    before = snapshot(other)
    got = entry.call(**_fresh(other))
    same_result(got, want)
    assert_same(before, other)
