"""What :func:`scratchnn.lab.check` knows about the blanks of layers, losses and autograd.

The same :class:`~scratchnn.lab.targets.Target` as the models': seeded
inputs, how to run a student's layer, function or tensor class on them, the
central differences of a scalar loss built from the package's own version
(L = Σ out ⊙ g for an upstream gradient g), and the likely mistakes.
"""

import numpy as np

from scratchnn import autograd, layers
from scratchnn import functional as F
from scratchnn.gradcheck import numerical_gradient
from scratchnn.lab import mistakes as M
from scratchnn.lab.targets import Case, Target, WrongOutputError, _result, layer_run

__all__ = ["BLOCK_TARGETS"]


def _linear_cases():
    def case(label, n, d_in, d_out, seed, probe=False):
        rng = np.random.default_rng(seed)
        x, w, b, g = (
            rng.standard_normal(s) for s in [(n, d_in), (d_in, d_out), (d_out,), (n, d_out)]
        )
        return Case(label, {"x": x, "w": w, "b": b, "g": g}, probe)

    return [case("", 5, 4, 3, 5), case("every size 3", 3, 3, 3, 6, probe=True)]


def _linear_run(cls, case):
    layer = cls(case.inputs["w"], case.inputs["b"])
    return layer_run(layer, case, {"∂L/∂w": "w", "∂L/∂b": "b"})


def _linear_numeric(case):
    i = case.inputs

    return {
        "∂L/∂x": numerical_gradient(
            lambda v: float(np.sum(layers.Linear(i["w"], i["b"]).forward(v) * i["g"])), i["x"]
        ),
        "∂L/∂w": numerical_gradient(
            lambda v: float(np.sum(layers.Linear(v, i["b"]).forward(i["x"]) * i["g"])), i["w"]
        ),
        "∂L/∂b": numerical_gradient(
            lambda v: float(np.sum(layers.Linear(i["w"], v).forward(i["x"]) * i["g"])), i["b"]
        ),
    }


def _activation_cases():
    rng = np.random.default_rng(7)
    x, g = rng.standard_normal((2, 5, 4))
    return [Case(f'"{name}"', {"name": name, "x": x, "g": g}) for name in ("relu", "sigmoid")]


def _activation_run(cls, case):
    i = case.inputs
    layer = cls(i["name"])
    layer.forward(i["x"].copy())
    return {"∂L/∂x": _result(layer.backward(i["g"].copy()))}


def _activation_numeric(case):
    f, i = F.activation(case.inputs["name"])[0], case.inputs
    return {"∂L/∂x": numerical_gradient(lambda v: float(np.sum(f(v) * i["g"])), i["x"])}


def _mse_cases():
    rng = np.random.default_rng(8)
    y_hat, y = rng.standard_normal((2, 5, 1))
    wide_hat, wide = rng.standard_normal((2, 5, 3))  # the mean is over all N × D entries
    return [Case("", {"y_hat": y_hat, "y": y}), Case("3 outputs", {"y_hat": wide_hat, "y": wide})]


def _mse_run(cls, case):
    loss = cls()
    loss.forward(case.inputs["y_hat"].copy(), case.inputs["y"].copy())
    return {"∂L/∂ŷ": _result(loss.backward())}


def _softmax_cases():
    rng = np.random.default_rng(9)
    z, y = rng.standard_normal((4, 3)), np.array([0, 2, 1, 2])
    stacked = rng.standard_normal((2, 4, 3))  # two networks' logits side by side
    return [
        Case("", {"z": z, "y": y}),
        Case("logits of size 1000", {"z": 1000 * z, "y": y}),
        Case("a leading axis of 2 networks", {"z": stacked, "y": y}),
    ]


def _ce_numeric(case):
    i = case.inputs
    return {"∂L/∂z": numerical_gradient(lambda v: F.cross_entropy(v, i["y"]), i["z"])}


def _power_cases():
    rng = np.random.default_rng(10)
    x, g = rng.uniform(0.5, 2.0, (3, 2)), rng.standard_normal((3, 2))
    at_zero = x.copy()
    at_zero[0, 0] = 0.0  # a boundary the derivative p t^(p−1) has no trouble with
    return [
        *(Case(f"p = {p}", {"x": x, "g": g, "p": p}) for p in (2, 3)),
        Case("p = 3, t with an entry 0", {"x": at_zero, "g": g, "p": 3}),
    ]


def _plain_vjp(vjp):
    """The student's vjp, stopped with a plain message when it returns no array."""

    def checked(g):
        part = vjp(g)
        if isinstance(part, autograd.Tensor):
            raise WrongOutputError(
                "the vjp returns a Tensor, needed an ndarray: compute it from arrays "
                "(g and x = self.data), not from the tensor self"
            )
        if part is None:
            raise WrongOutputError(
                "the vjp returns None, needed an ndarray: the gradient for the parent"
            )
        return part

    return checked


def _power_run(cls, case):
    i = case.inputs
    t = cls(i["x"])
    out = _result(t ** i["p"])
    if not isinstance(out, autograd.Tensor):
        raise WrongOutputError(
            f"t ** p returns {type(out).__name__}, needed a Tensor: "
            "make the result with node(data, op, (self, vjp))"
        )
    out.edges = tuple((parent, _plain_vjp(vjp)) for parent, vjp in out.edges)
    (out * i["g"]).sum().backward()
    return {"t ** p": out.data, "∂L/∂t": t.grad}


def _power_numeric(case):
    i = case.inputs
    return {"∂L/∂t": numerical_gradient(lambda v: float(np.sum(v ** i["p"] * i["g"])), i["x"])}


def _ce_mistakes(case):
    return M.cross_entropy(case.inputs["z"], case.inputs["y"])


def _softmax_target(reference, item, args, numeric=lambda case: {}, mistakes=lambda case: {}):
    """A blank of the softmax worksheet: one result, ``item``, of reference(*inputs[args])."""

    def run(f, case):
        return {item: _result(f(*(case.inputs[a].copy() for a in args)))}

    return Target(
        reference,
        (item,),
        _softmax_cases,
        run,
        numeric,
        mistakes,
        squares=False,
        nonfinite={item: M.OVERFLOW},
    )


#: The blanks of layers, losses and the autograd engine, by the name a check cell gives.
BLOCK_TARGETS: dict[str, Target] = {
    "layers.Linear.backward": Target(
        layers.Linear,
        ("∂L/∂x", "∂L/∂w", "∂L/∂b"),
        _linear_cases,
        _linear_run,
        _linear_numeric,
        lambda c: M.linear_backward(c.inputs["x"], c.inputs["w"], c.inputs["g"]),
        "backward",
    ),
    "layers.Activation.backward": Target(
        layers.Activation,
        ("∂L/∂x",),
        _activation_cases,
        _activation_run,
        _activation_numeric,
        lambda c: M.activation_backward(c.inputs["name"], c.inputs["x"], c.inputs["g"]),
        "backward",
    ),
    "layers.MSELoss.backward": Target(
        layers.MSELoss,
        ("∂L/∂ŷ",),
        _mse_cases,
        _mse_run,
        lambda c: {
            "∂L/∂ŷ": numerical_gradient(
                lambda v: F.mean_squared_error(v, c.inputs["y"]), c.inputs["y_hat"]
            )
        },
        lambda c: M.mse_backward(c.inputs["y_hat"], c.inputs["y"]),
        "backward",
    ),
    "functional.log_softmax": _softmax_target(
        F.log_softmax, "log softmax", ("z",), mistakes=lambda case: M.log_softmax(case.inputs["z"])
    ),
    "functional.cross_entropy": _softmax_target(
        F.cross_entropy, "loss", ("z", "y"), mistakes=_ce_mistakes
    ),
    "functional.cross_entropy_grad": _softmax_target(
        F.cross_entropy_grad, "∂L/∂z", ("z", "y"), _ce_numeric, _ce_mistakes
    ),
    "autograd.Tensor.__pow__": Target(
        autograd.Tensor,
        ("t ** p", "∂L/∂t"),
        _power_cases,
        _power_run,
        _power_numeric,
        lambda c: M.power(c.inputs["x"], c.inputs["g"], c.inputs["p"]),
        "__pow__",
        squares=False,
    ),
}
