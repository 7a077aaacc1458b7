"""What :func:`scratchnn.lab.check` knows about each worksheet blank: the models.

A :class:`Target` says how to call a student's version of a package
function on seeded inputs (its :class:`Case` list), what comes out of it
(the items: outputs and gradients, by name), the central-difference
gradients to compare with, and the likely mistakes of
:mod:`scratchnn.lab.mistakes`.  A case with ``probe=True`` has every size
equal, so that a product in the wrong order, which fails with a shape error
on the other cases, runs there and can be recognised by its value.  The
blanks of layers, losses and the autograd engine are in :mod:`scratchnn.lab.blocks`,
those of the last two chapters in :mod:`scratchnn.lab.deeper`.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from scratchnn import linear_regression, toy_mlp, two_layer, xor
from scratchnn.data import xor_data
from scratchnn.gradcheck import numerical_gradient
from scratchnn.lab import mistakes as M

__all__ = [
    "MISSING",
    "MODEL_TARGETS",
    "Case",
    "NotDoneError",
    "Target",
    "WrongOutputError",
    "layer_run",
]

#: Stands for an item the student's result does not contain.
MISSING = object()


class NotDoneError(Exception):
    """The student's function returns None or Ellipsis: a blank is still in place."""


class WrongOutputError(Exception):
    """The student's function returns something of the wrong kind (not loss and grads...)."""


@dataclass(frozen=True)
class Case:
    """Seeded inputs; ``label`` names the options when a target has several cases."""

    label: str
    inputs: dict
    probe: bool = False


@dataclass(frozen=True)
class Target:
    """A blank the check knows: reference, items and how to run, differentiate, mistake it."""

    reference: object
    items: tuple[str, ...]
    cases: Callable[[], list[Case]]
    run: Callable[[object, Case], dict[str, object]]
    numeric: Callable[[Case], dict[str, np.ndarray]] = lambda case: {}
    mistakes: Callable[[Case], M.Mistakes] = lambda case: {}
    method: str | None = None
    squares: bool = True
    nonfinite: dict = field(default_factory=dict)
    #: what the blank is meant to modify in place (the guards leave it alone)
    modifies: tuple[str, ...] = ()


def _result(value: object) -> object:
    if value is None or value is Ellipsis:
        raise NotDoneError("it returns None" if value is None else "it returns ...")
    return value


def layer_run(layer, case, grads: Mapping[str, str]) -> dict[str, object]:
    """A layer's backward blank: forward on ``x``, backward of ``g``, then the input's
    gradient and the parameter gradients ``grads`` names (item -> key of ``layer.grads``)."""
    layer.forward(case.inputs["x"].copy())
    grad_in = _result(layer.backward(case.inputs["g"].copy()))
    return {
        "∂L/∂x": grad_in,
        **{item: layer.grads.get(key, MISSING) for item, key in grads.items()},
    }


def _model_run(keys):
    def run(f, case):
        i = case.inputs
        params = {k: v.copy() for k, v in i["params"].items()}
        result = _result(f(params, i["x"].copy(), i["y"].copy(), **i["options"]))
        if isinstance(result, tuple) and len(result) == 2 and result[1] is None:
            raise WrongOutputError(
                "it returns (loss, None): the second element is None, needed a dict of gradients"
            )
        if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], Mapping)):
            raise WrongOutputError(
                f"it returns {type(result).__name__}, needed (loss, grads): "
                "a number and a dict of gradients"
            )
        return {"loss": result[0], **{f"∂L/∂{k}": result[1].get(k, MISSING) for k in keys}}

    return run


def _model_numeric(reference, keys):
    """Central differences of the loss in the parameters the target checks (``keys``)."""

    def numeric(case):
        i = case.inputs
        p = i["params"]

        def loss(name):
            return lambda v: reference({**p, name: v}, i["x"], i["y"], **i["options"])[0]

        return {f"∂L/∂{k}": numerical_gradient(loss(k), p[k]) for k in keys}

    return numeric


def _model_mistakes(function, reference, keys):
    """The model's own mistakes, then each item as a mean where the loss sums."""

    def mistakes(case):
        i = case.inputs
        found = function(i["params"], i["x"], i["y"], **i["options"])
        right = _model_run(keys)(reference, case)
        means = M.mean_for_sum(right, rows=len(i["x"]), entries=np.size(i["y"]))
        return {item: [*found.get(item, []), *means[item]] for item in right}

    return mistakes


def _toy_cases():
    x, y = np.random.default_rng(0).standard_normal((2, 3, 2))
    start, random = toy_mlp.starting_params(), toy_mlp.init_params(np.random.default_rng(1))
    biased = {**random, "b1": np.array([0.3, -0.2]), "b2": np.array(0.1)}
    return [
        Case(
            'activation="linear"',
            {"params": start, "x": toy_mlp.X, "y": toy_mlp.Y, "options": {"activation": "linear"}},
        ),
        Case(
            'activation="relu"',
            {"params": start, "x": toy_mlp.X, "y": toy_mlp.Y, "options": {"activation": "relu"}},
        ),
        Case(
            'activation="relu", N = 3',
            {"params": random, "x": x, "y": y[:, 0], "options": {"activation": "relu"}},
        ),
        # the options the docstring promises: biases, and the loss without its ½
        Case(
            'activation="relu", biases=True, N = 3',
            {
                "params": biased,
                "x": x,
                "y": y[:, 0],
                "options": {"activation": "relu", "biases": True},
            },
        ),
        Case(
            'loss="sum_squared_error", N = 3',
            {
                "params": random,
                "x": x,
                "y": y[:, 0],
                "options": {"activation": "relu", "loss": "sum_squared_error"},
            },
        ),
    ]


def _toy_forward_cases():
    """The forward pass takes no ``loss``: the cases that set one are the loss's."""
    return [c for c in _toy_cases() if "loss" not in c.inputs["options"]]


def _toy_forward_mistakes(case):
    i = case.inputs
    return M.toy_mlp_forward(i["params"], i["x"], **i["options"])


def _toy_forward(f, case):
    i = case.inputs
    return {
        "ŷ": _result(
            f({k: v.copy() for k, v in i["params"].items()}, i["x"].copy(), **i["options"])
        )
    }


def _xor_cases():
    rng = np.random.default_rng(2)
    x, y = xor_data()
    params = {"w1": rng.standard_normal((2, 3)), "b1": 0.5 * rng.standard_normal(3),
              "w2": rng.standard_normal((3, 1)), "b2": 0.5 * rng.standard_normal(1)}  # fmt: skip
    return [
        Case(
            f'activation="{a}"',
            {"params": params, "x": x, "y": y, "options": {"activation": a, "output": "sigmoid"}},
        )
        for a in ("sigmoid", "relu")
    ]


def _two_layer_cases():
    main = two_layer.book_problem(3, n=5, d_in=4, hidden=3, d_out=2)
    probe = two_layer.book_problem(4, n=3, d_in=3, hidden=3, d_out=3)
    return [
        Case("", {"params": main.params, "x": main.x, "y": main.y, "options": {}}),
        Case(
            "every size 3",
            {"params": probe.params, "x": probe.x, "y": probe.y, "options": {}},
            probe=True,
        ),
    ]


def _linear_regression_cases():
    rng = np.random.default_rng(12)
    x, y = rng.uniform(-1.0, 2.0, 6), rng.standard_normal(6)
    params = {"a": np.array(rng.standard_normal()), "b": np.array(rng.standard_normal())}
    return [
        Case(f'reduction="{r}"', {"params": params, "x": x, "y": y, "options": {"reduction": r}})
        for r in linear_regression.REDUCTIONS
    ]


def _linear_regression_mistakes(case):
    i = case.inputs
    return M.linear_regression(i["params"], i["x"], i["y"], **i["options"])


def _model_target(reference, keys, cases, wrong) -> Target:
    """A ``loss_and_grads`` blank: its loss and the gradients named by ``keys``."""
    items = ("loss", *(f"∂L/∂{k}" for k in keys))
    return Target(
        reference,
        items,
        cases,
        _model_run(keys),
        _model_numeric(reference, keys),
        _model_mistakes(wrong, reference, keys),
    )


#: The blanks of the model modules, by the name a check cell gives.
MODEL_TARGETS: dict[str, Target] = {
    "linear_regression.loss_and_grads": Target(
        linear_regression.loss_and_grads,
        ("loss", "∂L/∂a", "∂L/∂b"),
        _linear_regression_cases,
        _model_run(("a", "b")),
        _model_numeric(linear_regression.loss_and_grads, ("a", "b")),
        _linear_regression_mistakes,
    ),
    "toy_mlp.forward": Target(
        toy_mlp.forward, ("ŷ",), _toy_forward_cases, _toy_forward, mistakes=_toy_forward_mistakes
    ),
    "toy_mlp.loss_and_grads": _model_target(
        toy_mlp.loss_and_grads, ("w1", "w2"), _toy_cases, M.toy_mlp_loss_and_grads
    ),
    "xor.loss_and_grads": _model_target(
        xor.loss_and_grads, ("w1", "b1", "w2", "b2"), _xor_cases, M.xor_loss_and_grads
    ),
    "two_layer.loss_and_grads": _model_target(
        two_layer.loss_and_grads, ("w1", "w2"), _two_layer_cases, M.two_layer_loss_and_grads
    ),
}
