"""A toy 2-2-1 network, trained by hand-derived gradients.

The model of the book's chapter "A toy network by hand": ŷ = φ(x w1) w2
(optionally with biases b1, b2) and the loss ½ Σ (ŷ − y)², for the single
example x = [2, 3], y = 1 from fixed starting weights.  The module also keeps,
under names that say so, two rules that are *not* the gradient on purpose: the
wrong w1 update of a common version of this exercise, and an update that
leaves w1 frozen, so the chapter can show a gradient check rejecting both.
The chapter's other figures, and the pre-activations they show, are in
:mod:`scratchnn.toy_mlp_figures`.

Run ``python -m scratchnn.toy_mlp --help`` for the command line.
"""

import sys
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from scratchnn import checks, cli
from scratchnn import functional as F
from scratchnn.experiment import Callback, experiment
from scratchnn.gradcheck import check_gradients
from scratchnn.model import Model, choice_of, flag
from scratchnn.plotting import loss_curve
from scratchnn.train import History, gradient_descent

# fmt: off
__all__ = [  # noqa: RUF022 (grouped by contract, not sorted)
    # the experiment contract (scratchnn.experiment)
    "BOOK", "Defaults", "Result", "run", "summary", "main",
    # the model contract
    "init_params", "forward", "loss_and_grads",
    # figures
    "figure_loss",
    # this module's own
    "MODEL", "FLAWED", "ACTIVATIONS", "LOSSES", "X", "Y",
    "loss_and_grads_flawed", "loss_and_grads_frozen_w1",
    "starting_params",
]
# fmt: on

#: The single training example, batch-first: x of shape (1, 2), y of shape (1,).
X = np.array([[2.0, 3.0]])
#: Its target, shape (1,).
Y = np.array([1.0])

#: The chapter's activation names -> names in scratchnn.functional.
ACTIVATIONS = {"linear": "identity", "relu": "relu"}
#: The losses ``loss_and_grads`` offers: name -> (loss, ∂loss/∂ŷ) from scratchnn.functional.
LOSSES = {
    "half_squared_error": (F.half_squared_error, F.half_squared_error_grad),
    "sum_squared_error": (F.sum_squared_error, F.sum_squared_error_grad),
}
#: Parameter names and shapes, without and with biases.
SPEC = {"w1": ("D", "H"), "w2": ("H",)}
SPEC_BIASES = {"w1": ("D", "H"), "b1": ("H",), "w2": ("H",), "b2": ()}


@dataclass(frozen=True)
class Defaults:
    """The book's run (no randomness: a fixed start); fields are :func:`run`'s arguments."""

    epochs: int = cli.option(200, "gradient-descent steps")
    lr: float = cli.option(0.01, "learning rate")
    activation: str = cli.option("linear", "hidden activation", choices=tuple(ACTIVATIONS))
    flawed: bool = cli.option(False, "train with the deliberately wrong w1 update")


#: The book's settings of this chapter's experiment.
BOOK = Defaults()


def starting_params(*, biases: bool = False) -> dict[str, np.ndarray]:
    """The fixed starting weights of the chapter (fresh copies every call); biases start at 0.

    Returns
    -------
    params : {"w1": (2, 2), "w2": (2,)} float64, and with ``biases`` also
        {"b1": (2,), "b2": ()}
    """
    params = {"w1": np.array([[-0.78, 0.13], [0.85, 0.23]]), "w2": np.array([1.8, 0.40])}
    if checks.flag(biases, "biases"):
        params = {"w1": params["w1"], "b1": np.zeros(2), "w2": params["w2"], "b2": np.array(0.0)}
    return params


def _spec(given: object, options: Mapping[str, object]) -> Mapping[str, tuple]:
    return SPEC_BIASES if options["biases"] else SPEC


#: The model contract (scratchnn.model): shapes and options, checked once per call.
MODEL = Model(
    params=_spec,
    x=("N", "D"),
    y=("N",),
    options={"activation": choice_of(ACTIVATIONS), "biases": flag, "loss": choice_of(LOSSES)},
    sizes={"d": 100_000, "hidden": 100_000},
    init_options={"biases": flag},
)


@MODEL.init_params
def init_params(
    rng: np.random.Generator, d: int = 2, hidden: int = 2, *, biases: bool = False
) -> dict[str, np.ndarray]:
    """Random weights from N(0, 1) (w1, then w2), for experiments away from the fixed start.

    Returns
    -------
    params : {"w1": (d, hidden), "w2": (hidden,)} float64; with ``biases``
        also {"b1": (hidden,), "b2": ()}, drawn after the weights
    """
    params = {"w1": rng.standard_normal((d, hidden)), "w2": rng.standard_normal(hidden)}
    if biases:
        params |= {"b1": rng.standard_normal(hidden), "b2": np.array(rng.standard_normal())}
    return params


@MODEL.forward
def forward(
    params: Mapping[str, np.ndarray],
    x: np.ndarray,
    *,
    activation: str = BOOK.activation,
    biases: bool = False,
) -> np.ndarray:
    """Predictions ŷ = φ(x w1 + b1) w2 + b2 (the biases only with ``biases=True``).

    Parameters
    ----------
    params : {"w1": (D, H), "w2": (H,)}, with biases also {"b1": (H,), "b2": ()}
    x : (N, D) inputs, one example per row
    activation : "linear" or "relu", the hidden activation φ
    loss : the option of :func:`loss_and_grads`, checked; no effect on ŷ

    Returns
    -------
    y_hat : (N,) float64
    """
    act, _ = F.activation(ACTIVATIONS[activation])
    h = act(x @ params["w1"] + params.get("b1", 0.0))  # (N, H)
    return h @ params["w2"] + params.get("b2", 0.0)


@MODEL.loss_and_grads
def loss_and_grads(
    params: Mapping[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    activation: str = BOOK.activation,
    biases: bool = False,
    loss: str = "half_squared_error",
) -> tuple[float, dict[str, np.ndarray]]:
    """The loss (½ Σ (ŷ − y)², or Σ (ŷ − y)²) and its gradient by backpropagation.

    Parameters
    ----------
    params : {"w1": (D, H), "w2": (H,)}, with biases also {"b1": (H,), "b2": ()}
    x : (N, D) inputs
    y : (N,) targets
    activation : "linear" or "relu", the hidden activation φ
    loss : "half_squared_error" (the book's) or "sum_squared_error" (no ½)

    Returns
    -------
    loss : float
    grads : the keys and shapes of ``params``, float64
    """
    loss_fn, loss_grad = LOSSES[loss]
    act, act_derivative = F.activation(ACTIVATIONS[activation])
    z1 = x @ params["w1"] + params.get("b1", 0.0)  # (N, H) pre-activations
    h = act(z1)  # (N, H) activations
    y_hat = h @ params["w2"] + params.get("b2", 0.0)  # (N,) z2 = ŷ: the output is linear
    delta2 = loss_grad(y_hat, y)  # (N,) ∂L/∂z2 = ∂L/∂ŷ, ŷ − y for the book's loss
    d_h = np.outer(delta2, params["w2"])  # (N, H) ∂L/∂h
    delta1 = d_h * act_derivative(z1)  # (N, H) ∂L/∂z1
    grads = {"w1": x.T @ delta1, "w2": h.T @ delta2}  # (D, H), (H,)
    if biases:
        grads |= {"b1": delta1.sum(axis=0), "b2": np.array(delta2.sum())}
    return loss_fn(y_hat, y), grads


#: The flawed rule's contract: no biases, the book's loss.
FLAWED = Model(params=SPEC, x=("N", "D"), y=("N",), options={"activation": choice_of(ACTIVATIONS)})


@FLAWED.loss_and_grads
def loss_and_grads_flawed(
    params: Mapping[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    activation: str = BOOK.activation,
) -> tuple[float, dict[str, np.ndarray]]:
    """WRONG ON PURPOSE: the w1 update of a common version of this exercise.

    The w2 gradient is right, but the w1 "gradient" is built from the w2
    gradient, δ2 h (that is, from the hidden activations), as the outer
    product (δ2 h)ᵀ x, where the chain rule asks for xᵀ (δ2 w2 ⊙ φ'(z1)).
    With ReLU it applies φ' to δ2 h instead of to z1.  It is neither the
    gradient nor its transpose; the book shows that it still drives ŷ to y
    and that a gradient check rejects it.  Never use it to train.

    Shapes as :func:`loss_and_grads` (no biases); the wrong rule builds an
    (H, D) array, so it only fits the shape of w1, (D, H), when D == H.
    """
    loss, grads = loss_and_grads.kernel(params, x, y, activation=activation)  # w2 part is right
    act, act_derivative = F.activation(ACTIVATIONS[activation])
    d, hidden = params["w1"].shape
    if d != hidden:
        raise ValueError(
            f"params['w1'] must be square for the flawed rule, which builds a ({hidden}, {d}) "
            f"array; got shape ({d}, {hidden})"
        )
    h = act(x @ params["w1"])  # (N, H)
    delta2 = F.half_squared_error_grad(h @ params["w2"], y)  # (N,)
    per_example_dw2 = delta2[:, None] * h  # (N, H): the w2 gradient, example by example
    if activation == "relu":
        per_example_dw2 = act_derivative(per_example_dw2)  # φ' of the wrong quantity
    dw1 = per_example_dw2.T @ x  # (H, D): WRONG, should be x.T @ (δ2 w2 ⊙ φ'(z1))
    return loss, {"w1": dw1, "w2": grads["w2"]}


def loss_and_grads_frozen_w1(
    params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray, **options: object
) -> tuple[float, dict[str, np.ndarray]]:
    """NOT THE GRADIENT ON PURPOSE: every gradient of :func:`loss_and_grads` but w1's, set to 0.

    Training with it fits ŷ with the output weights alone (w1 stays frozen); a
    gradient check rejects its w1 part.  Arguments, options and shapes as
    :func:`loss_and_grads`.
    """
    loss, grads = loss_and_grads(params, x, y, **options)
    return loss, grads | {"w1": np.zeros_like(grads["w1"])}


@dataclass(frozen=True)
class Result:
    """The chapter's training run.

    Attributes
    ----------
    history : losses (epochs,) and the final params
    prediction : ŷ of the final params on X
    check : name -> relative error of the rule's gradient at the start (finite differences)
    """

    history: History
    prediction: float
    check: dict[str, float]


@experiment(BOOK)
def run(options: Defaults, *, callback: Callback = None) -> Result:
    """Check the rule at :func:`starting_params`, then train on (X, Y).

    Called as ``run(**changes)``: ``options`` is ``BOOK`` with those fields, checked.
    ``flawed`` trains with :func:`loss_and_grads_flawed` instead of the gradient.
    """
    rule = loss_and_grads_flawed if options.flawed else loss_and_grads
    start, activation = starting_params(), options.activation
    check = check_gradients(rule, start, X, Y, activation=activation)
    lr, epochs = options.lr, options.epochs
    history = gradient_descent(
        rule, start, X, Y, lr=lr, epochs=epochs, callback=callback, activation=activation
    )
    prediction = float(forward(history.params, X, activation=activation)[0])
    return Result(history, prediction, check)


def summary(result: Result) -> list[str]:
    """The lines ``python -m scratchnn.toy_mlp`` prints."""
    checked = ", ".join(f"{k} {v:.1e}" for k, v in result.check.items())
    losses = result.history.losses
    return [
        f"gradient check at the start (relative error): {checked}",
        f"loss: first {losses[0]:.6f}, last {losses[-1]:.3e}",
        f"final prediction: {result.prediction:.6f} (target {Y[0]:g})",
    ]


def figure_loss(result: Result) -> Figure:
    """The loss of the run against the step, on a logarithmic axis.

    result : what :func:`run` returned; its ``history.losses`` is (epochs,).
    """
    return loss_curve(result.history.losses, log=True, xlabel="step")


main = cli.chapter_main("toy_mlp", __doc__, run, summary, figure_loss)

if __name__ == "__main__":
    sys.exit(main())
