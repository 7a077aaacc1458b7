"""Every model of the book behind one description, and hypothesis strategies for its inputs.

The property tests (tests/test_properties_*.py) run the same checks on every
module in ``scratchnn.CHAPTERS`` that follows the model contract
(``forward(params, x, **options)``, ``loss_and_grads(params, x, y, **options)``)
and on the two autograd adapters.  ``torch_compare`` has no model contract
(its functions take x, y, w1, w2 and train), so it has no entry here.

A :class:`Model` says which shapes its arguments have, with names for the
sizes (as ``SPEC`` does in each module); :func:`cases` draws the sizes from
1 to 4, the options, and a seed from which the values come.  The values are
continuous random numbers rather than hypothesis's own floats: those like
round numbers, whose exact cancellations put ReLU pre-activations exactly on
the kink, where no finite difference can agree with the gradient.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from scratchnn import (
    CHAPTERS,
    conv,
    convnet,
    deeper,
    digits,
    exams,
    linear_regression,
    toy_mlp,
    two_layer,
    xor,
)
from scratchnn import autograd_nets as an
from scratchnn import functional as F

Shape = tuple[int | str, ...]
_NO_OPTIONS = st.just({})

#: Distance from a ReLU kink below which a drawn case is skipped (finite
#: differences with eps = 1e-6 move a pre-activation by about 1e-5 at most).
KINK = 1e-3


@dataclass(frozen=True, repr=False)
class Model:
    """One model seen through the contract.

    spec : options -> {param name: shape}, the module's SPEC for these options.
    x, y, out : shapes of x, y and of ``forward``'s result (names as in spec).
    sizes : the free size names and their ranges (inclusive).
    options : strategy of the keyword options (the same for forward and loss).
    init : (rng, sizes, options) -> params, through the module's init_params;
        None for an adapter that has none of its own.
    relu : (params, x, options) -> the pre-activations that pass through a ReLU.
    labels : y holds class labels 0..9 (digits) instead of real targets.
    loss_only : options that ``loss_and_grads`` takes and ``forward`` does not.
    samples : entries per parameter the gradient check perturbs (None: all of them).
    init_names : (size name, name of init_params's argument for it) pairs.
    """

    name: str
    forward: Callable
    loss_and_grads: Callable
    spec: Callable[[Mapping], dict[str, Shape]]
    x: Shape
    y: Shape
    out: Shape
    sizes: dict[str, tuple[int, int]]
    options: st.SearchStrategy = _NO_OPTIONS
    init: Callable | None = None
    relu: Callable = lambda params, x, options: []
    labels: bool = False
    loss_only: tuple[str, ...] = ()
    samples: int | None = None
    init_names: tuple[tuple[str, str], ...] = ()

    @property
    def options_named(self) -> bool:
        """Whether the model takes keyword options that can be given a wrong value."""
        return self.options is not _NO_OPTIONS

    def __repr__(self) -> str:
        return f"<model {self.name}>"


def resolve(shape: Shape, sizes: Mapping[str, int]) -> tuple[int, ...]:
    """A shape with its names replaced by the drawn sizes."""
    return tuple(sizes[d] if isinstance(d, str) else d for d in shape)


def _relu_z1(params, x, options, *, bias=True):
    if options.get("activation", "relu") != "relu":
        return []
    z1 = x @ params["w1"]
    return [z1 + params["b1"][..., None, :] if bias and "b1" in params else z1]


def _xor_relu(params, x, options):
    z1 = x @ params["w1"] + params["b1"]  # (N, H)
    z2 = F.activation(options["activation"])[0](z1) @ params["w2"] + params["b2"]  # (N, 1)
    return [z for z, act in ((z1, options["activation"]), (z2, options["output"])) if act == "relu"]


def _xor_options():
    names = st.sampled_from(tuple(F.ACTIVATIONS))
    squared = st.fixed_dictionaries(
        {"activation": names, "output": names, "loss": st.just("squared")}
    )
    cross = st.fixed_dictionaries(
        {"activation": names, "output": st.just("sigmoid"), "loss": st.just("cross_entropy")}
    )
    return squared | cross


def _convnet_relu(params, x, options):
    return [conv.conv2d(x, params["w1"], params["b1"], padding=1)]


def _deeper_relu(params, x, options):
    return [kept[0] for kept in deeper._layers(params, np.asarray(x, dtype=float))[:-1]]


def _digits_spec(options):
    return digits.STACKED if options.get("stacked") else digits.SPEC


MODELS = {
    "linear_regression": Model(
        "linear_regression", linear_regression.forward, linear_regression.loss_and_grads,
        lambda o: linear_regression.SPEC, ("N",), ("N",), ("N",), {"N": (1, 4)},
        st.fixed_dictionaries({"reduction": st.sampled_from(linear_regression.REDUCTIONS)}),
        init=lambda rng, s, o: linear_regression.init_params(rng),
    ),
    "toy_mlp": Model(
        "toy_mlp", toy_mlp.forward, toy_mlp.loss_and_grads,
        lambda o: toy_mlp.SPEC_BIASES if o["biases"] else toy_mlp.SPEC,
        ("N", "D"), ("N",), ("N",), {"N": (1, 4), "D": (1, 3), "H": (1, 3)},
        st.fixed_dictionaries({
            "activation": st.sampled_from(tuple(toy_mlp.ACTIVATIONS)),
            "biases": st.booleans(),
            "loss": st.sampled_from(tuple(toy_mlp.LOSSES)),
        }),
        init=lambda rng, s, o: toy_mlp.init_params(rng, s["D"], s["H"], biases=o["biases"]),
        init_names=(("D", "d"), ("H", "hidden")),
        relu=_relu_z1,
    ),
    "xor": Model(
        "xor", xor.forward, xor.loss_and_grads, lambda o: xor.SPEC,
        ("N", 2), ("N", 1), ("N", 1), {"N": (1, 4), "H": (1, 3)}, _xor_options(),
        init=lambda rng, s, o: xor.init_params(rng, s["H"]),
        init_names=(("H", "hidden"),),
        relu=_xor_relu,
    ),
    "two_layer": Model(
        "two_layer", two_layer.forward, two_layer.loss_and_grads, lambda o: two_layer.SPEC,
        ("N", "D_in"), ("N", "D_out"), ("N", "D_out"),
        {"N": (1, 4), "D_in": (1, 3), "H": (1, 3), "D_out": (1, 3)},
        init=lambda rng, s, o: two_layer.init_params(rng, s["D_in"], s["H"], s["D_out"]),
        init_names=(("D_in", "d_in"), ("H", "hidden"), ("D_out", "d_out")),
        relu=lambda p, x, o: _relu_z1(p, x, o, bias=False),
    ),
    "exams": Model(
        "exams", exams.forward, exams.loss_and_grads, lambda o: exams.SPEC,
        ("N", "D"), ("N", "K"), ("N", "K"), {"N": (1, 4), "D": (1, 3), "H": (1, 3), "K": (1, 3)},
        init=lambda rng, s, o: exams.init_params(rng, s["D"], s["H"], s["K"]),
        init_names=(("D", "n_in"), ("H", "hidden"), ("K", "n_out")),
        relu=_relu_z1,
    ),
    "autograd_nets.TWO_LAYER": Model(
        "autograd_nets.TWO_LAYER", an.TWO_LAYER.forward, an.TWO_LAYER.loss_and_grads,
        lambda o: dict(an.TWO_LAYER.spec), an.TWO_LAYER.x_shape, an.TWO_LAYER.y_shape,
        ("N", "D_out"), {"N": (1, 4), "D_in": (1, 3), "H": (1, 3), "D_out": (1, 3)},
        relu=lambda p, x, o: _relu_z1(p, x, o, bias=False),
    ),
    "autograd_nets.EXAMS": Model(
        "autograd_nets.EXAMS", an.EXAMS.forward, an.EXAMS.loss_and_grads,
        lambda o: dict(an.EXAMS.spec), an.EXAMS.x_shape, an.EXAMS.y_shape, ("N", "K"),
        {"N": (1, 4), "D": (1, 3), "H": (1, 3), "K": (1, 3)},
        relu=_relu_z1,
    ),
    "digits": Model(
        "digits", digits.forward, digits.loss_and_grads, _digits_spec,
        ("N", digits.PIXELS), ("N",), ("N", digits.CLASSES),
        {"N": (1, 4), "H": (1, 3), "S": (1, 2)},
        st.fixed_dictionaries({
            "activation": st.sampled_from(tuple(F.ACTIVATIONS)),
            "loss": st.sampled_from(digits.LOSSES),
            "weight_decay": st.sampled_from([0.0, 0.1]),
        }, optional={"stacked": st.just(True)}),
        init=lambda rng, s, o: digits.init_params(
            rng, s["H"], networks=s["S"] if o.get("stacked") else None
        ),
        init_names=(("H", "hidden"), ("S", "networks")),
        relu=_relu_z1,
        labels=True,
        samples=24,
    ),
    # two hidden layers (the shapes of any depth are deeper.spec(depth))
    "deeper": Model(
        "deeper", deeper.forward, deeper.loss_and_grads, lambda o: deeper.spec(2),
        ("N", deeper.PIXELS), ("N",), ("N", deeper.CLASSES), {"N": (1, 4), "H": (1, 3)},
        init=lambda rng, s, o: deeper.init_params(rng, s["H"], 2),
        init_names=(("H", "hidden"),),
        relu=_deeper_relu,
        labels=True,
        samples=24,
    ),
    # F is fixed at 2 (w2 has 16 F rows, a size the cases cannot tie to F)
    "convnet": Model(
        "convnet", convnet.forward, convnet.loss_and_grads,
        lambda o: {"w1": ("F", 1, 3, 3), "b1": ("F",), "w2": (32, 10), "b2": (10,)},
        ("N", 1, 8, 8), ("N",), ("N", 10), {"N": (1, 4), "F": (2, 2)},
        init=lambda rng, s, o: convnet.init_params(rng, s["F"]),
        init_names=(("F", "filters"),),
        relu=_convnet_relu,
        labels=True,
        samples=24,
    ),
}  # fmt: skip

#: The chapter modules with a model contract, and the adapters; torch_compare has none.
CONTRACT_CHAPTERS = {name.split(".")[0] for name in MODELS}
assert set(CHAPTERS) - {"torch_compare"} == CONTRACT_CHAPTERS, CONTRACT_CHAPTERS


class Case(NamedTuple):
    """One valid call: the model, its sizes and options, and the arguments."""

    model: Model
    sizes: dict[str, int]
    options: dict
    params: dict[str, np.ndarray]
    x: np.ndarray
    y: np.ndarray

    @property
    def model_options(self) -> dict:
        """The keyword options the model takes (without the test's own "stacked" switch)."""
        return {k: v for k, v in self.options.items() if k != "stacked"}

    @property
    def forward_options(self) -> dict:
        """The keyword options ``forward`` takes."""
        return {k: v for k, v in self.model_options.items() if k not in self.model.loss_only}

    @property
    def out_shape(self) -> tuple[int, ...]:
        shape = resolve(self.model.out, self.sizes)
        return (self.sizes["S"], *shape) if self.options.get("stacked") else shape


def values(model: Model, sizes: dict, options: dict, seed: int, scale: float) -> Case:
    """A case of ``model`` with values drawn from ``default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    spec = model.spec(options)
    params = {}
    for k, shape in spec.items():
        shape = resolve(shape, sizes)
        fan_in = shape[-2] if len(shape) >= 2 else 1  # weights (..., in, out): z of size ~ scale
        params[k] = np.array(scale / np.sqrt(fan_in) * rng.standard_normal(shape))
    x = rng.standard_normal(resolve(model.x, sizes))
    if model.labels:
        y = rng.integers(0, digits.CLASSES, size=resolve(model.y, sizes))
    elif options.get("loss") == "cross_entropy":
        y = rng.uniform(0.0, 1.0, size=resolve(model.y, sizes))
    else:
        y = rng.standard_normal(resolve(model.y, sizes))
    return Case(model, sizes, options, params, x, y)


@st.composite
def cases(draw, model: Model, *, smooth: bool = False) -> Case:
    """A valid case of ``model``; with ``smooth``, none of its ReLU inputs near the kink."""
    sizes = {name: draw(st.integers(lo, hi), label=name) for name, (lo, hi) in model.sizes.items()}
    options = dict(draw(model.options, label="options"))
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    scale = draw(st.sampled_from([1.0, 0.5, 2.0]), label="scale")
    case = values(model, sizes, options, seed, scale)
    if smooth:
        for z in model.relu(case.params, case.x, case.model_options):
            assume(np.min(np.abs(z)) > KINK)
    return case


def copies(case: Case) -> tuple:
    """Deep copies of a case's arguments, to compare after a call."""
    return {k: np.copy(v) for k, v in case.params.items()}, np.copy(case.x), np.copy(case.y)


def assert_unchanged(before: tuple, params: Mapping, x: object, y: object) -> None:
    """The arguments of a call hold what they held before it (keys, shapes, dtypes, values)."""
    p0, x0, y0 = before
    assert list(params) == list(p0)
    for k in p0:
        assert np.asarray(params[k]).dtype == p0[k].dtype, k
        np.testing.assert_array_equal(params[k], p0[k], err_msg=k, strict=True)
    np.testing.assert_array_equal(x, x0, strict=True)
    np.testing.assert_array_equal(y, y0, strict=True)


def assert_same(before: object, after: object) -> None:
    """``after`` holds what ``before`` (a deep copy) holds: arrays, dicts, lists, ..."""
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
    else:
        assert after == before or (after is None and before is None)
