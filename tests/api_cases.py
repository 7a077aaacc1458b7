"""Every public function outside the model contract, behind one description of its arguments.

The model suite (model_cases.py) covers ``init_params``, ``forward`` and
``loss_and_grads``; this one covers the rest of the public API: functional,
gradcheck, train, autograd, plotting, data and the chapter modules' other
public names.  Each :class:`Entry` names a function, draws a valid call
(sizes from 1 to 4, seeded values) and says what *kind* each argument is.
The kinds carry the input contract (the package docstring): which other
classes stand for the same value (accepted) and which values must be
refused (each with a ``ValueError`` or ``TypeError`` naming the argument).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

from scratchnn import (
    autograd_nets,
    data,
    digits,
    exams,
    exams_cv,
    exams_model,
    gradcheck,
    linear_regression,
    plotting,
    timing,
    torch_compare,
    toy_mlp,
    train,
    two_layer,
    two_layer_lr,
    xor,
    xor_batched,
    xor_figures,
)
from scratchnn import functional as F
from scratchnn.autograd import Tensor


def _quarters(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Random multiples of 1/4 in (-2, 2), away from 0: exact in float32, off relu's kink."""
    values = rng.integers(1, 8, size=shape) / 4.0
    return values * rng.choice([-1.0, 1.0], size=shape)


# --- the kinds: what is refused, what is the same value --------------------


def _ragged(v):
    return [[0.0], [0.0, 1.0]]


ARRAY_BAD = {  # name -> (canonical array -> bad value)
    "complex": lambda v: np.asarray(v) + 1j,
    "numeric strings": lambda v: np.asarray(v).astype(str),
    "None": lambda v: None,
    "objects": lambda v: np.asarray(v).astype(object),
    "empty": lambda v: np.zeros((0, *np.shape(v)[1:])),
    "generator": lambda v: (float(e) for e in np.ravel(v)),
    "ragged": _ragged,
    "masked": lambda v: np.ma.masked_array(v),
}
NONFINITE_BAD = {
    "nan": lambda v: np.where(np.arange(np.size(v)).reshape(np.shape(v)) == 0, np.nan, v),
    "inf": lambda v: np.where(np.arange(np.size(v)).reshape(np.shape(v)) == 0, np.inf, v),
}
ARRAY_SAME = {
    "list": lambda v: np.asarray(v).tolist(),
    "float32": lambda v: np.asarray(v, dtype=np.float32),
    "read-only": lambda v: _frozen(v),
    "Fortran order": lambda v: np.asfortranarray(v),
}

NUMBER_BAD = {"complex": 1j, "string": "0.1", "None": None, "bool": True, "nan": math.nan,
              "inf": math.inf, "beyond float64": 10**400, "list": [0.1],
              "array (1,)": np.array([0.1])}  # fmt: skip
NUMBER_SAME = {
    "np.float64": np.float64,
    "0-d array": np.array,
    "np.float32": np.float32,  # canonical numbers are exact in float32
}
WHOLE_BAD = {"float": 2.5, "whole float": 2.0, "bool": True, "string": "3", "None": None,
             "beyond float64": 10**400, "array (1,)": np.array([3]), "complex": 3 + 0j}  # fmt: skip
WHOLE_SAME = {"np.int64": np.int64, "np.int32": np.int32, "0-d array": np.array}
FLAG_BAD = {"int": 1, "string": "yes", "None": None, "list": [True], "float": 0.0}
FLAG_SAME = {"np.bool_": np.bool_, "0-d array": np.array}
FUNCTION_BAD = {"int": 3, "string": "f", "list": [print]}
RNG_BAD = {"int seed": 0, "None": None, "RandomState": "legacy", "string": "0"}
LABELS_BAD = {
    "floats": lambda v: np.asarray(v, dtype=np.float64),
    "bools": lambda v: np.asarray(v) > 0,
    "None": lambda v: None,
    "empty": lambda v: np.zeros(0, dtype=np.int64),
    "too large": lambda v: np.full(np.shape(v), 99),
    "negative": lambda v: np.full(np.shape(v), -1),
    "strings": lambda v: np.asarray(v).astype(str),
    "one-hot rows": lambda v: np.eye(10, dtype=np.int64)[v],
}
LABELS_SAME = {"int32": lambda v: v.astype(np.int32), "uint8": lambda v: v.astype(np.uint8),
               "list": lambda v: v.tolist()}  # fmt: skip


def _frozen(v):
    out = np.array(v, copy=True)
    out.flags.writeable = False
    return out


@dataclass(frozen=True)
class Kind:
    """What an argument is: its refused values and the classes that are the same value.

    bad / same : name -> value, or name -> function of the canonical value.
    minimum : for numbers, whether 0 and negative values are refused too.
    """

    name: str
    bad: dict
    same: dict = field(default_factory=dict)

    def bad_value(self, key: str, canonical: object) -> object:
        value = self.bad[key]
        if isinstance(value, str) and value == "legacy":
            return np.random.RandomState(0)
        return value(canonical) if callable(value) else value

    def same_value(self, key: str, canonical: object) -> object:
        return self.same[key](canonical)


def _bounded(low: dict) -> dict:
    return {**NUMBER_BAD, **low}


ARRAY = Kind("array", {**ARRAY_BAD, **NONFINITE_BAD}, ARRAY_SAME)  # data: finite
VALUES = Kind("values", ARRAY_BAD, ARRAY_SAME)  # a function's argument: inf in, inf out
POSITIVE = Kind("positive", _bounded({"zero": 0.0, "negative": -1.0}), NUMBER_SAME)
NONNEGATIVE = Kind("nonnegative", _bounded({"negative": -0.5}), NUMBER_SAME)
REAL = Kind("real", NUMBER_BAD, NUMBER_SAME)
WHOLE = Kind("whole", {**WHOLE_BAD, "zero": 0, "negative": -1}, WHOLE_SAME)
# A seed of any size is a seed (NumPy's SeedSequence takes any int >= 0): 10**400 is accepted.
SEED = Kind("seed", {**{k: v for k, v in WHOLE_BAD.items() if k != "beyond float64"},
                     "negative": -1}, WHOLE_SAME)  # fmt: skip
FLAG = Kind("flag", FLAG_BAD, FLAG_SAME)
FUNCTION = Kind("function", {**FUNCTION_BAD, "None": None})
OPTIONAL_FUNCTION = Kind("optional function", FUNCTION_BAD)
RNG = Kind("rng", RNG_BAD)
LABELS = Kind("labels", LABELS_BAD, LABELS_SAME)


@dataclass(frozen=True)
class Entry:
    """One public function: how to call it, its arguments' kinds, and a valid call.

    call : (**arguments) -> result.
    kinds : argument -> Kind, for the arguments the suite spoils or rewrites.
    valid : (rng) -> arguments of a valid call, drawn from a seeded Generator.
    names : argument -> the name its message uses, when another (``"exponent"``).
    bad_skip : (argument, bad key) pairs that are valid for this function.
    """

    id: str
    call: Callable
    kinds: dict[str, Kind]
    valid: Callable[[np.random.Generator], dict]
    names: dict[str, str] = field(default_factory=dict)
    bad_skip: tuple[tuple[str, str], ...] = ()
    accepted: bool = True  # the accepted-classes test runs it (False: a whole experiment)


def _shape(rng: np.random.Generator, ndim: int = 2) -> tuple[int, ...]:
    return tuple(int(n) for n in rng.integers(1, 5, size=ndim))


def _z(rng):
    return {"z": _quarters(rng, _shape(rng, int(rng.integers(1, 3))))}


def _pair(rng):
    shape = _shape(rng)
    return {"y_hat": _quarters(rng, shape), "y": _quarters(rng, shape)}


def _logits(rng):
    n, c = _shape(rng)
    return {"logits": _quarters(rng, (n, c + 1)), "y": rng.integers(0, c + 1, n)}


def _mse(params, x, y):
    r = params["a"] * x - y
    return float(np.mean(r**2)), {"a": np.array(2.0 * np.mean(r * x))}


def _line(rng):
    n = int(rng.integers(2, 6))
    x, y = _quarters(rng, (n,)), _quarters(rng, (n,))
    return {"loss_and_grads": _mse, "params": {"a": np.array(0.25)}, "x": x, "y": y,
            "lr": 0.25, "epochs": 2}  # fmt: skip


def _labels(rng):
    return {"y": rng.integers(0, 10, int(rng.integers(1, 5))), "classes": 10}


def _tensor_mul(data, operand):
    return (Tensor(data) * operand).data


def _tensor_pow(data, p):
    return (Tensor(data) ** p).data


def _digits_case(rng):
    n = int(rng.integers(1, 5))
    params = digits.init_params(rng, int(rng.integers(1, 4)))
    return {"params": params, "x": rng.uniform(0, 1, (n, 64)), "y": rng.integers(0, 10, n)}


ELEMENTWISE = [
    f for pair in F.ACTIVATIONS.values() for f in pair
]  # identity, relu, sigmoid, tanh and their derivatives
SQUARED = [F.sum_squared_error, F.sum_squared_error_grad, F.mean_squared_error,
           F.mean_squared_error_grad, F.half_squared_error, F.half_squared_error_grad]  # fmt: skip

ENTRIES = [
    *(Entry(f"functional.{f.__name__}", f, {"z": VALUES}, _z) for f in ELEMENTWISE),
    Entry("functional.softmax", F.softmax, {"z": VALUES, "shift": FLAG},
          lambda rng: {**_z(rng), "shift": True}),
    Entry("functional.log_softmax", F.log_softmax, {"z": VALUES}, _z),
    Entry("functional.softmax_backward", F.softmax_backward, {"p": VALUES, "d_p": VALUES},
          lambda rng: {"p": F.softmax(z := _z(rng)["z"]), "d_p": _quarters(rng, z.shape)}),
    *(Entry(f"functional.{f.__name__}", f, {"y_hat": VALUES, "y": VALUES}, _pair) for f in SQUARED),
    *(Entry(f"functional.{f.__name__}", f, {"logits": VALUES, "y": LABELS}, _logits)
      for f in (F.cross_entropy, F.cross_entropy_grad)),
    Entry("functional.one_hot", F.one_hot, {"y": LABELS, "classes": WHOLE}, _labels,
          bad_skip=(("classes", "zero"),)),
    Entry("functional.check_labels", F.check_labels, {"y": LABELS, "classes": WHOLE}, _labels),
    Entry("gradcheck.numerical_gradient", gradcheck.numerical_gradient,
          {"f": FUNCTION, "x": VALUES, "eps": POSITIVE},
          lambda rng: {"f": lambda v: float(np.sum(v**2)), "x": _quarters(rng, _shape(rng)),
                       "eps": 2.0**-20},
          bad_skip=(("x", "empty"),)),
    Entry("gradcheck.relative_error", gradcheck.relative_error,
          {"a": ARRAY, "b": ARRAY, "floor": POSITIVE},
          lambda rng: {"a": _quarters(rng, (3,)), "b": _quarters(rng, (3,)), "floor": 2.0**-40},
          bad_skip=(("a", "empty"), ("b", "empty"))),
    Entry("gradcheck.check_gradients", gradcheck.check_gradients,
          {"loss_and_grads": FUNCTION, "x": ARRAY, "y": ARRAY, "eps": POSITIVE},
          lambda rng: {k: v for k, v in _line(rng).items() if k not in ("lr", "epochs")}
          | {"eps": 2.0**-20},
          bad_skip=(("x", "None"), ("y", "None"))),
    Entry("train.gradient_descent", train.gradient_descent,
          {"loss_and_grads": FUNCTION, "x": ARRAY, "y": ARRAY, "lr": POSITIVE, "epochs": WHOLE,
           "callback": OPTIONAL_FUNCTION},
          lambda rng: _line(rng) | {"callback": None},
          bad_skip=(("x", "None"), ("y", "None"))),  # a loss of one's own may hold its data
    Entry("train.sgd", train.sgd,
          {"loss_and_grads": FUNCTION, "x": ARRAY, "y": ARRAY, "lr": POSITIVE, "epochs": WHOLE,
           "rng": RNG, "batch_size": WHOLE, "momentum": NONNEGATIVE,
           "callback": OPTIONAL_FUNCTION, "accuracy": OPTIONAL_FUNCTION},
          lambda rng: _line(rng) | {"rng": np.random.default_rng(0), "batch_size": 1,
                                    "momentum": 0.5, "callback": None, "accuracy": None}),
    Entry("autograd.Tensor", lambda data: Tensor(data).data, {"data": ARRAY},
          lambda rng: {"data": _quarters(rng, _shape(rng))}),
    Entry("autograd.Tensor * constant", _tensor_mul, {"data": ARRAY, "operand": VALUES},
          lambda rng: {"data": _quarters(rng, (2, 3)), "operand": _quarters(rng, (2, 3))}),
    Entry("autograd.Tensor ** p", _tensor_pow, {"p": REAL},
          lambda rng: {"data": _quarters(rng, (2,)) ** 2, "p": 0.5}, names={"p": "exponent"},
          bad_skip=(("p", "nan"), ("p", "inf"), ("p", "beyond float64"))),
    Entry("plotting.new_figure", plotting.new_figure,
          {"ncols": WHOLE, "width": POSITIVE, "height": POSITIVE},
          lambda rng: {"ncols": int(rng.integers(1, 3)), "width": 2.0, "height": 1.5}),
    Entry("plotting.loss_curve", plotting.loss_curve, {"losses": ARRAY, "log": FLAG},
          lambda rng: {"losses": np.abs(_quarters(rng, (int(rng.integers(1, 5)),))),
                       "log": True}),
    Entry("data.linear_data", data.linear_data,
          {"rng": RNG, "n": WHOLE, "a": REAL, "b": REAL, "noise_std": NONNEGATIVE},
          lambda rng: {"rng": np.random.default_rng(1), "n": int(rng.integers(1, 5)), "a": 2.0,
                       "b": 1.0, "noise_std": 0.25}),
    Entry("data.two_layer_data", data.two_layer_data,
          {"rng": RNG, "n": WHOLE, "d_in": WHOLE, "d_out": WHOLE},
          lambda rng: {"rng": np.random.default_rng(1), "n": 2, "d_in": 3, "d_out": 1}),
    Entry("data.stratified_split", data.stratified_split, {"rng": RNG, "y": LABELS},
          lambda rng: {"rng": np.random.default_rng(1), "y": rng.integers(0, 10, 6),
                       "fractions": (0.5, 0.5)},
          bad_skip=(("y", "too large"), ("y", "negative"))),  # any integers name classes here
    Entry("linear_regression.closed_form", linear_regression.closed_form,
          {"x": ARRAY, "y": ARRAY},
          lambda rng: {"x": np.arange(3.0) + _quarters(rng, (3,)) / 8, "y": _quarters(rng, (3,))}),
    Entry("linear_regression.mse_hessian", linear_regression.mse_hessian, {"x": ARRAY},
          lambda rng: {"x": _quarters(rng, (int(rng.integers(1, 5)),))}),
    Entry("linear_regression.book_problem", linear_regression.book_problem,
          {"seed": SEED, "points": WHOLE}, lambda rng: {"seed": 0, "points": 3}),
    Entry("exams.he_std", exams.he_std, {"n_in": WHOLE}, lambda rng: {"n_in": 3}),
    Entry("exams.scale", exams.scale, {"scores": ARRAY, "standardise": FLAG},
          lambda rng: {"scores": _quarters(rng, (3, 4)) + 2, "standardise": True},
          bad_skip=(("scores", "empty"),)),
    Entry("exams_cv.errors_in_points", exams_cv.errors_in_points,
          {"predicted": ARRAY, "actual": ARRAY},
          lambda rng: {"predicted": _quarters(rng, (3,)), "actual": _quarters(rng, (3,))}),
    Entry("xor_batched.epochs_to_reach", xor_batched.epochs_to_reach,
          {"losses": VALUES, "level": POSITIVE},
          lambda rng: {"losses": np.abs(_quarters(rng, (3, 2))), "level": 0.5}),
    Entry("xor.truth_table", xor.truth_table, {"x": ARRAY, "y": ARRAY, "y_hat": ARRAY},
          lambda rng: dict(zip(("x", "y"), data.xor_data(), strict=True))
          | {"y_hat": np.abs(_quarters(rng, (4, 1))) / 2}),
    Entry("digits.predict", digits.predict, {"x": ARRAY},
          lambda rng: {k: v for k, v in _digits_case(rng).items() if k != "y"}),
    Entry("digits.accuracy", digits.accuracy, {"x": ARRAY, "y": LABELS}, _digits_case),
    Entry("digits.confusion", digits.confusion, {"x": ARRAY, "y": LABELS}, _digits_case),
    Entry("two_layer.book_problem", two_layer.book_problem,
          {"seed": SEED, "n": WHOLE, "d_in": WHOLE, "hidden": WHOLE, "d_out": WHOLE},
          lambda rng: {"seed": 0, "n": 2, "d_in": 3, "hidden": 2, "d_out": 1}),
    Entry("xor.is_dead", xor.is_dead, {"x": ARRAY},
          lambda rng: {"params": xor.init_params(rng, 2), "x": data.xor_data()[0]}),
    Entry("xor_batched.train", xor_batched.train, {"x": ARRAY, "y": ARRAY, "epochs": WHOLE},
          lambda rng: dict(zip(("x", "y"), data.xor_data(), strict=True))
          | {"params": xor_batched.init_params_seeds([0, 1], 2), "lr": 0.5, "epochs": 2}),
    Entry("xor_figures.output_surface", xor_figures.output_surface,
          {"predict": FUNCTION, "resolution": WHOLE},
          lambda rng: {"predict": lambda p: p[:, :1] * 0.5, "resolution": 3},
          accepted=False),  # a figure with a colour bar: refusals only
    Entry("exams.live_units", exams_model.live_units, {"x": ARRAY},
          lambda rng: {"params": exams_model.init_params(rng), "x": _quarters(rng, (2, 3))}),
    Entry("exams_cv.least_squares", exams_cv.least_squares, {"exams_": ARRAY, "final": ARRAY},
          lambda rng: {"exams_": _quarters(rng, (5, 2)), "final": _quarters(rng, (5,))},
          names={"exams_": "exams"}),
    Entry("two_layer_lr.train_many", two_layer_lr.train_many,
          {"x": ARRAY, "y": ARRAY, "lrs": ARRAY, "epochs": WHOLE, "until": POSITIVE},
          lambda rng: {"params": {"w1": _quarters(rng, (1, 2, 2)), "w2": _quarters(rng, (1, 2, 1))},
                       "x": _quarters(rng, (1, 3, 2)), "y": _quarters(rng, (1, 3, 1)),
                       "lrs": np.array([0.125]), "epochs": 2, "until": 0.5}),
    Entry("timing.interleaved", timing.interleaved,
          {"repeats": WHOLE, "warmup": Kind("count >= 0", {**WHOLE_BAD, "negative": -1})},
          lambda rng: {"contenders": {"a": lambda: None}, "repeats": 1, "warmup": 0},
          accepted=False),
    Entry("toy_mlp.starting_params", toy_mlp.starting_params, {"biases": FLAG},
          lambda rng: {"biases": True}),
    *(Entry(f"{m.__name__.rsplit('.', 1)[1]}.run", m.run,
            {"seed": SEED, "epochs": WHOLE, "lr": POSITIVE, "callback": OPTIONAL_FUNCTION},
            lambda rng: {"seed": 0, "epochs": 1, "lr": 0.125, "callback": None}, accepted=False)
      for m in (linear_regression, xor, two_layer, exams, autograd_nets, digits, torch_compare)),
]  # fmt: skip


def case(entry: Entry) -> st.SearchStrategy[dict]:
    """A valid call of ``entry``: its arguments drawn from a seeded Generator."""
    return st.integers(0, 2**32 - 1).map(lambda seed: entry.valid(np.random.default_rng(seed)))
