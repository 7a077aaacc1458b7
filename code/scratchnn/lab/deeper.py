"""What :func:`scratchnn.lab.check` knows about the blanks of the last two chapters.

The :class:`~scratchnn.lab.targets.Target` of one Adam step
(``optim.Adam._update``, three steps of Adam and of AdamW, compared with
the package's), of batch norm's backward pass (``layers.BatchNorm.backward``,
in training and evaluation, against central differences) and of the
convolution's backward loops (``conv._conv2d_backward_loops``, with strides,
padding and a kernel that is not square); their likely mistakes are those of
:mod:`scratchnn.lab.deeper_mistakes`.
"""

import numpy as np

from scratchnn import conv, layers, optim
from scratchnn.gradcheck import numerical_gradient
from scratchnn.lab import deeper_mistakes as D
from scratchnn.lab.targets import MISSING, Case, Target, WrongOutputError, _result, layer_run

__all__ = ["DEEPER_TARGETS"]


def _batch_norm_cases():
    def case(label, n, d, seed, training=True, probe=False):
        rng = np.random.default_rng(seed)
        x, g = rng.normal(2.0, 3.0, (n, d)), rng.standard_normal((n, d))
        gamma, beta = rng.uniform(0.5, 2.0, d), rng.standard_normal(d)
        stats = {"mean": rng.standard_normal(d), "var": rng.uniform(0.5, 4.0, d)}
        inputs = {"x": x, "g": g, "gamma": gamma, "beta": beta, "training": training}
        return Case(label, {**inputs, "running": stats}, probe)

    return [
        case("training", 5, 3, 14),
        case("evaluation", 5, 3, 15, training=False),
        case("every size 3", 3, 3, 16, probe=True),
    ]


def _batch_norm(cls, i, **params):
    """A BatchNorm layer of ``cls`` set up as case inputs ``i`` say (params overridden)."""
    layer = cls(i["x"].shape[1])
    layer.params = {"gamma": i["gamma"].copy(), "beta": i["beta"].copy(), **params}
    layer.training = i["training"]
    layer.running_mean, layer.running_var = i["running"]["mean"].copy(), i["running"]["var"].copy()
    return layer


def _batch_norm_run(cls, case):
    layer = _batch_norm(cls, case.inputs)
    return layer_run(layer, case, {"∂L/∂γ": "gamma", "∂L/∂β": "beta"})


def _batch_norm_numeric(case):
    i = case.inputs

    def loss(x=i["x"], **params):
        return float(np.sum(_batch_norm(layers.BatchNorm, i, **params).forward(x) * i["g"]))

    return {
        "∂L/∂x": numerical_gradient(lambda v: loss(v), i["x"]),
        "∂L/∂γ": numerical_gradient(lambda v: loss(gamma=v), i["gamma"]),
        "∂L/∂β": numerical_gradient(lambda v: loss(beta=v), i["beta"]),
    }


def _batch_norm_mistakes(case):
    i = case.inputs
    x = i["x"]
    stats = {"mean": x.mean(axis=0), "var": x.var(axis=0)} if i["training"] else i["running"]
    return D.batch_norm_backward(
        x, i["gamma"], i["g"], **stats, eps=layers.BatchNorm(1).eps, training=i["training"]
    )


def _conv_cases():
    def case(label, x_shape, kernel, stride, padding, seed):
        rng = np.random.default_rng(seed)
        x = rng.standard_normal(x_shape)
        w = rng.standard_normal((3, x_shape[1], *kernel))
        b = rng.standard_normal(3)
        out = conv.conv2d(x, w, b, stride, padding)
        g = rng.standard_normal(out.shape)
        return Case(label, {"x": x, "w": w, "b": b, "g": g, "stride": stride, "padding": padding})

    return [
        case("stride (1, 1), padding (1, 1)", (2, 2, 4, 4), (3, 3), (1, 1), (1, 1), 17),
        case("stride (2, 2), padding (0, 0)", (2, 2, 5, 5), (3, 3), (2, 2), (0, 0), 18),
        case(
            "stride (1, 2), padding (0, 1), a 2 × 3 kernel",
            (2, 2, 4, 5),
            (2, 3),
            (1, 2),
            (0, 1),
            19,
        ),
    ]


def _conv_run(f, case):
    i = case.inputs
    args = (i["g"].copy(), i["x"].copy(), i["w"].copy(), i["stride"], i["padding"])
    result = _result(f(*args))
    if not (isinstance(result, tuple) and len(result) == 3):
        what = f"a tuple of {len(result)}" if isinstance(result, tuple) else type(result).__name__
        raise WrongOutputError(f"it returns {what}, needed (dx, dw, db): three arrays")
    return dict(zip(("∂L/∂x", "∂L/∂w", "∂L/∂b"), result, strict=True))


def _conv_numeric(case):
    i = case.inputs

    def loss(x=i["x"], w=i["w"], b=i["b"]):
        return float(np.sum(conv.conv2d(x, w, b, i["stride"], i["padding"]) * i["g"]))

    return {
        "∂L/∂x": numerical_gradient(lambda v: loss(x=v), i["x"]),
        "∂L/∂w": numerical_gradient(lambda v: loss(w=v), i["w"]),
        "∂L/∂b": numerical_gradient(lambda v: loss(b=v), i["b"]),
    }


def _conv_mistakes(case):
    i = case.inputs
    return D.conv_backward_loops(i["g"], i["x"], i["w"], i["stride"], i["padding"])


def _adam_cases():
    rng = np.random.default_rng(13)
    theta = rng.standard_normal((4, 3))
    grads = [scale * rng.standard_normal((4, 3)) for scale in (1.0, 0.5, 2.0)]

    def case(label, lr, betas, eps, weight_decay=0.0, decoupled=False):
        options = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay}
        return Case(label, {"theta": theta, "grads": grads, **options, "decoupled": decoupled})

    return [
        case("Adam(lr=0.1, eps=0.01)", 0.1, (0.9, 0.999), 0.01),
        case(
            "Adam(lr=0.05, betas=(0.5, 0.8), eps=0.1, weight_decay=0.1)", 0.05, (0.5, 0.8), 0.1, 0.1
        ),
        case("AdamW(lr=0.05, betas=(0.8, 0.9), eps=0.1)", 0.05, (0.8, 0.9), 0.1, 0.1, True),
    ]


def _adam_run(cls, case):
    """Three steps of the student's Adam (AdamW: ``decoupled`` set), one parameter θ.

    The items are the steps' changes of θ, or the new θ itself when it is not a
    float64 array or is the argument θ (for the judge to name), and the state.
    """
    i = case.inputs
    opt = cls(lr=i["lr"], betas=i["betas"], eps=i["eps"], weight_decay=i["weight_decay"])
    opt.decoupled = i["decoupled"]
    theta, found = i["theta"].copy(), {}
    for item, grad in zip(D.ADAM_STEPS, i["grads"], strict=True):
        new = _result(opt.update({"θ": theta}, {"θ": grad.copy()})["θ"])  # NaN goes on
        if np.shape(new) != theta.shape:
            raise WrongOutputError(
                f"it returns {type(new).__name__} of shape {np.shape(new)}, needed the new θ, "
                f"an array of θ's shape {theta.shape}"
            )
        aliased = isinstance(new, np.ndarray) and np.shares_memory(new, theta)
        float64 = isinstance(new, np.ndarray) and new.dtype == np.float64
        found[item] = new if aliased or not float64 else new - theta
        theta = np.array(new, dtype=np.float64)
    state = opt.state["θ"]
    for key in ("exp_avg", "exp_avg_sq"):
        found[f'state["{key}"]'] = state.get(key, MISSING)
    return found


def _adam_mistakes(case):
    i = case.inputs
    return D.adam(i["theta"], i["grads"], i)


#: The blanks of the last two chapters, by the name a check cell gives.
DEEPER_TARGETS: dict[str, Target] = {
    "layers.BatchNorm.backward": Target(
        layers.BatchNorm,
        ("∂L/∂x", "∂L/∂γ", "∂L/∂β"),
        _batch_norm_cases,
        _batch_norm_run,
        _batch_norm_numeric,
        _batch_norm_mistakes,
        "backward",
    ),
    "conv._conv2d_backward_loops": Target(
        conv._conv2d_backward_loops,
        ("∂L/∂x", "∂L/∂w", "∂L/∂b"),
        _conv_cases,
        _conv_run,
        _conv_numeric,
        _conv_mistakes,
    ),
    "optim.Adam._update": Target(
        optim.Adam,
        (*D.ADAM_STEPS, 'state["exp_avg"]', 'state["exp_avg_sq"]'),
        _adam_cases,
        _adam_run,
        mistakes=_adam_mistakes,
        method="_update",
        squares=False,
        modifies=("state", "self.state"),
    ),
}
