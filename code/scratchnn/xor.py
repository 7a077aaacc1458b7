"""XOR: a network with one hidden layer learns what no line can separate.

The model maps the four points of the XOR truth table, x of shape (4, 2),
through H hidden units to one output (batch-first, row convention):

    z1 = x w1 + b1     (N, H)        h     = act(z1)   (N, H)
    z2 = h w2 + b2     (N, 1)        y_hat = out(z2)   (N, 1)
    L  = sum over the N examples of (y_hat - y)^2      (or the cross-entropy)

with ``act`` and ``out`` each one of :data:`scratchnn.functional.ACTIVATIONS`.
Explained in the book's chapter "XOR"; the same model with a leading seed
axis, for experiments over many starts, is :mod:`scratchnn.xor_batched`, and
the per-example loops are in :mod:`scratchnn.xor_loops`.

Run ``python -m scratchnn.xor --help`` for the command line.
"""

import sys
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from scratchnn import checks, cli, xor_figures
from scratchnn import functional as F
from scratchnn.data import xor_data
from scratchnn.experiment import Callback, experiment
from scratchnn.model import Model, choice_of
from scratchnn.train import History, gradient_descent

# fmt: off
__all__ = [  # noqa: RUF022 (grouped by contract, not sorted)
    # the experiment contract (scratchnn.experiment)
    "BOOK", "Defaults", "Result", "run", "summary", "main",
    # the model contract
    "MODEL", "SPEC", "init_params", "forward", "loss_and_grads",
    # figures
    "figure_decision_boundary", "figure_output_surface",
    # this module's own
    "LOSSES", "check_options", "forward_with_cache", "is_dead", "truth_table",
]
# fmt: on

#: The model's parameters and their shapes: H hidden units.
SPEC = {"w1": (2, "H"), "b1": ("H",), "w2": ("H", 1), "b2": (1,)}

#: The losses :func:`loss_and_grads` knows (the cross-entropy needs a sigmoid output).
LOSSES = ("squared", "cross_entropy")

_ACTIVATIONS = tuple(F.ACTIVATIONS)


@dataclass(frozen=True)
class Defaults:
    """The book's first experiment; the fields are the keyword arguments of :func:`run`."""

    seed: int = cli.option(0, "seed of the random generator", minimum=0)
    epochs: int = cli.option(10_000, "gradient-descent steps")
    lr: float = cli.option(0.5, "learning rate")
    hidden: int = cli.option(10, "hidden units H", maximum=100_000)
    activation: str = cli.option("sigmoid", "hidden activation", choices=_ACTIVATIONS)
    output: str = cli.option("sigmoid", "output activation", choices=_ACTIVATIONS)
    loss: str = cli.option("squared", "loss summed over the examples", choices=LOSSES)


#: The one spelling of the book's defaults.
BOOK = Defaults()


def check_options(activation: str, output: str, loss: str = "squared") -> None:
    """Raise ValueError unless the activations and the loss are known and fit together."""
    checks.choice(activation, "activation", _ACTIVATIONS)
    checks.choice(output, "output", _ACTIVATIONS)
    if checks.choice(loss, "loss", LOSSES) == "cross_entropy" and output != "sigmoid":
        raise ValueError(f"loss 'cross_entropy' needs output 'sigmoid', got output {output!r}")


#: The model contract (scratchnn.model): shapes and options, checked once per call.
MODEL = Model(
    params=SPEC,
    x=("N", 2),
    y=("N", 1),
    options={
        "activation": choice_of(_ACTIVATIONS),
        "output": choice_of(_ACTIVATIONS),
        "loss": choice_of(LOSSES),
    },
    validate=lambda o: check_options(o["activation"], o["output"], o["loss"]),
    sizes={"hidden": 10_000_000},
)


@MODEL.init_params
def init_params(rng: np.random.Generator, hidden: int = BOOK.hidden) -> dict[str, np.ndarray]:
    """He (Kaiming) normal initialisation, zero biases.

    Each weight is drawn from N(0, 2 / fan_in), fan_in the number of inputs
    of its layer (He et al., 2015): w1 from N(0, 1), since fan_in = 2, and
    w2 from N(0, 2 / H).  ``rng`` is the only source of randomness; H >= 1.

    Returns w1 (2, H), b1 (H,), w2 (H, 1), b2 (1,), all float64.
    """
    return {
        "w1": rng.normal(0.0, np.sqrt(2.0 / 2), size=(2, hidden)),
        "b1": np.zeros(hidden),
        "w2": rng.normal(0.0, np.sqrt(2.0 / hidden), size=(hidden, 1)),
        "b2": np.zeros(1),
    }


def forward_with_cache(
    params: dict[str, np.ndarray],
    x: np.ndarray,
    *,
    activation: str = BOOK.activation,
    output: str = BOOK.output,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The forward pass, keeping what the backward pass needs.

    params : w1 (2, H), b1 (H,), w2 (H, 1), b2 (1,);  x : (N, 2) inputs;
    activation, output : the hidden and the output activation, by name.
    Returns z1 (N, H), h (N, H), z2 (N, 1), y_hat (N, 1).
    """
    given = {"activation": activation, "output": output}
    options = MODEL.check_options(given, {**given, "loss": "squared"})
    params, x, _ = MODEL.check_arrays(params, x, None, options)
    return _forward(params, x, activation, output)


def _forward(params, x, activation, output):
    """Equation (xor-forward) on checked inputs: z1 (N, H), h (N, H), z2 (N, 1), y_hat (N, 1)."""
    z1 = x @ params["w1"] + params["b1"]  # (N, H)
    h = F.activation(activation)[0](z1)  # (N, H)
    z2 = h @ params["w2"] + params["b2"]  # (N, 1)
    y_hat = F.activation(output)[0](z2)  # (N, 1)
    return z1, h, z2, y_hat


@MODEL.forward
def forward(
    params: dict[str, np.ndarray],
    x: np.ndarray,
    *,
    activation: str = BOOK.activation,
    output: str = BOOK.output,
) -> np.ndarray:
    """Predictions y_hat (N, 1) for x (N, 2), as in :func:`forward_with_cache` (``loss``, the
    option of :func:`loss_and_grads`, is checked and changes nothing here)."""
    return _forward(params, x, activation, output)[3]


@MODEL.loss_and_grads
def loss_and_grads(
    params: dict[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    activation: str = BOOK.activation,
    output: str = BOOK.output,
    loss: str = BOOK.loss,
) -> tuple[float, dict[str, np.ndarray]]:
    """The loss summed over the batch, and its gradient.

    params : w1 (2, H), b1 (H,), w2 (H, 1), b2 (1,);  x : (N, 2);  y : (N, 1);
    activation, output : as in :func:`forward_with_cache`;  loss : "squared",
    the sum of (y_hat - y)^2, or "cross_entropy", -sum[y log y_hat + (1 - y)
    log(1 - y_hat)] (needs output "sigmoid").
    Returns L (float) and grads dL/dw1 (2, H), dL/db1 (H,), dL/dw2 (H, 1), dL/db2 (1,).
    """
    z1, h, z2, y_hat = _forward(params, x, activation, output)
    if loss == "squared":
        value = F.sum_squared_error(y_hat, y)
        d_y_hat = F.sum_squared_error_grad(y_hat, y)  # (N, 1)
        delta2 = d_y_hat * F.activation(output)[1](z2)  # (N, 1)
    else:  # log y_hat = -log(1 + e^-z2), computed without overflow
        value = float(np.sum(y * np.logaddexp(0.0, -z2) + (1 - y) * np.logaddexp(0.0, z2)))
        delta2 = y_hat - y  # (N, 1): sigmoid' cancels the cross-entropy's denominator
    d_h = delta2 @ params["w2"].T  # (N, H)
    delta1 = d_h * F.activation(activation)[1](z1)  # (N, H)
    grads = {
        "w1": x.T @ delta1,  # (2, H)
        "b1": delta1.sum(axis=0),  # (H,)
        "w2": h.T @ delta2,  # (H, 1)
        "b2": delta2.sum(axis=0),  # (1,)
    }
    return value, grads


def is_dead(params: dict[str, np.ndarray], x: np.ndarray, *, activation: str = "relu") -> bool:
    """Whether a ReLU output unit is dead on every example of x (N, 2).

    True when the output's pre-activation z2 (N, 1) is <= 0 on all N rows:
    then relu'(z2) = 0 everywhere, so with ``output="relu"`` every gradient
    of :func:`loss_and_grads` is exactly zero and training never moves.
    """
    z2 = forward_with_cache(params, x, activation=activation)[2]  # (N, 1)
    return bool(np.all(z2 <= 0))


@dataclass(frozen=True)
class Result:
    """What :func:`run` returns.

    history : losses (epochs,) and the trained params w1 (2, H), b1 (H,), w2 (H, 1), b2 (1,).
    start : the params before training (``init_params(default_rng(seed), hidden)``).
    predictions : (4, 1) outputs of the trained network on the truth table.
    activation, output, loss : the options it was trained with.
    final_loss : the loss of the trained params (after the last update).
    """

    history: History
    start: dict[str, np.ndarray]
    predictions: np.ndarray
    activation: str
    output: str
    loss: str
    final_loss: float


@experiment(BOOK)
def run(options: Defaults, *, callback: Callback = None) -> Result:
    """Train on the XOR truth table from ``init_params(default_rng(seed), hidden)``.

    Called as ``run(**changes)``: ``options`` is ``BOOK`` with those fields, checked.
    Full-batch gradient descent; ``callback(epoch, loss)`` is passed on to it.
    """
    x, y = xor_data()
    start = init_params(np.random.default_rng(options.seed), options.hidden)
    model = {"activation": options.activation, "output": options.output, "loss": options.loss}
    lr, epochs = options.lr, options.epochs
    history = gradient_descent(
        loss_and_grads, start, x, y, lr=lr, epochs=epochs, callback=callback, **model
    )
    final_loss, _ = loss_and_grads(history.params, x, y, **model)
    predictions = forward(history.params, x, activation=options.activation, output=options.output)
    return Result(history, start, predictions, **model, final_loss=final_loss)


def truth_table(x: np.ndarray, y: np.ndarray, y_hat: np.ndarray) -> list[str]:
    """The truth table with the network's outputs, one line per example.

    Shapes: x (N, 2), y (N, 1), y_hat (N, 1).
    """
    dims: dict[str, int] = {}
    x = checks.array(x, "x", ("N", 2), dims=dims)
    y = checks.array(y, "y", ("N", 1), dims=dims)
    y_hat = checks.array(y_hat, "y_hat", ("N", 1), dims=dims)
    lines = ["x1  x2 | xor | output  rounded"]
    for (x1, x2), target, out in zip(x, y[:, 0], y_hat[:, 0], strict=True):
        lines.append(f"{x1:2.0f}  {x2:2.0f} | {target:3.0f} | {out:6.4f}  {round(out):7d}")
    return lines


def summary(result: Result) -> list[str]:
    """What the program prints: the final loss and the truth table."""
    x, y = xor_data()
    return [f"final loss {result.final_loss:.6g}", *truth_table(x, y, result.predictions)]


def figure_output_surface(
    params: dict[str, np.ndarray],
    *,
    activation: str = BOOK.activation,
    output: str = BOOK.output,
    title: str | None = None,
) -> Figure:
    """A network's output over the unit square, with the 0.5 contour and the four points.

    params : w1 (2, H), b1 (H,), w2 (H, 1), b2 (1,); activation and output as
    in :func:`forward`.  Drawn by :func:`scratchnn.xor_figures.output_surface`.
    """
    params = checks.params(params, SPEC)
    check_options(activation, output)
    return xor_figures.output_surface(
        lambda points: forward(params, points, activation=activation, output=output), title=title
    )


def figure_decision_boundary(result: Result, *, title: str | None = None) -> Figure:
    """The trained network of ``result`` drawn by :func:`figure_output_surface`."""
    return figure_output_surface(
        result.history.params, activation=result.activation, output=result.output, title=title
    )


main = cli.chapter_main("xor", __doc__, run, summary, figure_decision_boundary)

if __name__ == "__main__":
    sys.exit(main())
