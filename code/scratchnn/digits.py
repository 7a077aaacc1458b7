"""Handwritten digits: a network that classifies, trained by mini-batch SGD.

The model maps 8 x 8 images, x of shape (N, 64), through H hidden units to
ten scores, one per digit (the logits):

    z1 = x w1 + b1     (N, H)        h  = act(z1)   (N, H)
    z2 = h w2 + b2     (N, 10)       softmax(z2)    (N, 10), the probabilities
    L  = mean over the N examples of -log softmax(z2)[n, y_n]

with integer labels y (N,).  Every function also takes S networks side by
side: each parameter with a leading axis S (w1 (S, 64, H), ...), logits
(S, N, 10), and a loss that is the sum of the S networks' losses, so each
network's gradient is its own and a sweep over seeds is one computation.

Explained in the chapter "Classifying handwritten digits"; figures in
:mod:`scratchnn.digits_figures`, the scikit-learn baseline in :mod:`scratchnn.digits_baseline`.
"""

import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from scratchnn import checks, cli, digits_figures
from scratchnn import functional as F
from scratchnn.data import digits_split as split
from scratchnn.experiment import Callback, experiment
from scratchnn.model import Model, choice_of
from scratchnn.train import History, sgd

# fmt: off
__all__ = [  # noqa: RUF022 (grouped by contract, not sorted)
    # the experiment contract (scratchnn.experiment)
    "BOOK", "Defaults", "Result", "run", "summary", "main",
    # the model contract
    "MODEL", "SPEC", "init_params", "forward", "loss_and_grads",
    # figures
    "figure_learning_curves",
    # this module's own
    "CLASSES", "accuracy", "confusion", "final_test_accuracy", "predict", "split",
]
# fmt: on

#: Ten digits, 8 x 8 = 64 pixels each.
CLASSES = 10
#: Pixels per image, the network's input width.
PIXELS = 64
#: The parameters' shapes, H the hidden width.
SPEC = {"w1": (PIXELS, "H"), "b1": ("H",), "w2": ("H", CLASSES), "b2": (CLASSES,)}
STACKED = {name: ("S", *shape) for name, shape in SPEC.items()}  # S networks side by side
LOSSES = ("cross_entropy", "squared_error")
MAX_HIDDEN = 10_000


@dataclass(frozen=True)
class Defaults:
    """The book's defaults: the keyword arguments of :func:`run`."""

    seed: int = cli.option(0, "seed of the initial weights and the shuffling", minimum=0)
    epochs: int = cli.option(60, "passes over the training set")
    lr: float = cli.option(0.2, "learning rate", maximum=100.0)
    hidden: int = cli.option(64, "hidden units H", maximum=MAX_HIDDEN)
    batch_size: int = cli.option(32, "examples per step (at most the training set's size)")
    activation: str = cli.option("relu", "hidden activation", choices=tuple(F.ACTIVATIONS))
    loss: str = cli.option("cross_entropy", "loss on the ten outputs", choices=LOSSES)
    momentum: float = cli.option(0.0, "momentum μ in [0, 1)", minimum=0, flag=False)
    weight_decay: float = cli.option(0.0, "weight decay λ >= 0", minimum=0, flag=False)
    networks: int = cli.option(1, "networks trained side by side", flag=False)


#: The book's settings of this chapter's experiment.
BOOK = Defaults()


def _spec(given: object, options: Mapping[str, object]) -> Mapping[str, tuple]:
    """SPEC, or STACKED when the w1 given has a leading axis of S networks."""
    stacked = isinstance(given, Mapping) and np.ndim(given.get("w1", 0)) == 3
    return STACKED if stacked else SPEC


def _activation(value: object, name: str) -> str:
    F.activation(value)  # the functional module's own message for an unknown name
    return value


#: The model contract (scratchnn.model): shapes, labels and options, checked once per call.
MODEL = Model(
    params=_spec,
    x=("N", PIXELS),
    y=lambda y, dims: F.check_labels(y, CLASSES, dims["N"]),
    options={
        "activation": _activation,
        "loss": choice_of(LOSSES),
        "weight_decay": checks.nonnegative_float,
    },
)


def init_params(
    rng: np.random.Generator, hidden: int = BOOK.hidden, *, networks: int | None = None
) -> dict[str, np.ndarray]:
    """He initialisation for the ReLU layer, N(0, 1/H) for the output, zero biases.

    Returns w1 (64, H) from N(0, 2/64), b1 (H,), w2 (H, 10) from N(0, 1/H),
    b2 (10,); with ``networks = S``, S such networks stacked on a leading axis.
    """
    rng = checks.generator(rng)
    hidden = checks.whole_number(hidden, "hidden", maximum=MAX_HIDDEN)
    lead = () if networks is None else (checks.whole_number(networks, "networks", maximum=1000),)
    return {
        "w1": rng.normal(0.0, np.sqrt(2.0 / PIXELS), size=(*lead, PIXELS, hidden)),
        "b1": np.zeros((*lead, hidden)),
        "w2": rng.normal(0.0, np.sqrt(1.0 / hidden), size=(*lead, hidden, CLASSES)),
        "b2": np.zeros((*lead, CLASSES)),
    }


def _layers(params: Mapping, x: np.ndarray, activation: str) -> tuple[np.ndarray, ...]:
    act, _ = F.activation(activation)
    z1 = x @ params["w1"] + params["b1"][..., None, :]  # (..., N, H)
    h = act(z1)  # (..., N, H)
    z2 = h @ params["w2"] + params["b2"][..., None, :]  # (..., N, 10), the logits
    return z1, h, z2


@MODEL.forward
def forward(
    params: Mapping[str, np.ndarray], x: np.ndarray, *, activation: str = BOOK.activation
) -> np.ndarray:
    """The logits z2: (N, 10) for x (N, 64), or (S, N, 10) for S stacked networks.

    Takes the options of :func:`loss_and_grads`; ``loss`` and ``weight_decay``
    change the training, not the logits.
    """
    return _layers(params, x, activation)[2]


@MODEL.loss_and_grads
def loss_and_grads(
    params: Mapping[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    activation: str = BOOK.activation,
    loss: str = BOOK.loss,
    weight_decay: float = BOOK.weight_decay,
) -> tuple[float, dict[str, np.ndarray]]:
    """The mean cross-entropy of the labels and its gradient.

    Parameters
    ----------
    params : w1 (64, H), b1 (H,), w2 (H, 10), b2 (10,) (or each with a leading S).
    x : (N, 64) images; y : (N,) integer labels 0..9.
    activation : the hidden activation, a name in ``functional.ACTIVATIONS``.
    loss : "cross_entropy", or "squared_error": the sum over the ten outputs
        of (softmax(z2) - one_hot(y))^2, averaged over the N examples.
    weight_decay : λ >= 0 adds λ/2 (|w1|² + |w2|²) to the loss (biases are
        not decayed).

    Returns
    -------
    loss : float (summed over S for stacked networks).
    grads : dL/dw1, dL/db1, dL/dw2, dL/db2, of the parameters' shapes.
    """
    n = x.shape[0]
    z1, h, z2 = _layers(params, x, activation)
    if loss == "cross_entropy":
        value = F.cross_entropy(z2, y)
        delta2 = F.cross_entropy_grad(z2, y)  # (..., N, 10): (softmax - one-hot) / N
    else:
        p, target = F.softmax(z2), np.broadcast_to(F.one_hot(y, CLASSES), z2.shape)
        value = F.sum_squared_error(p, target) / n
        delta2 = F.softmax_backward(p, F.sum_squared_error_grad(p, target) / n)
    d_h = delta2 @ np.swapaxes(params["w2"], -1, -2)  # (..., N, H)
    delta1 = d_h * F.activation(activation)[1](z1)  # (..., N, H)
    grads = {
        "w1": x.T @ delta1,  # (..., 64, H)
        "b1": delta1.sum(axis=-2),  # (..., H)
        "w2": np.swapaxes(h, -1, -2) @ delta2,  # (..., H, 10)
        "b2": delta2.sum(axis=-2),  # (..., 10)
    }
    if weight_decay:
        value += 0.5 * weight_decay * float(np.sum(params["w1"] ** 2) + np.sum(params["w2"] ** 2))
        grads["w1"] = grads["w1"] + weight_decay * params["w1"]
        grads["w2"] = grads["w2"] + weight_decay * params["w2"]
    return value, grads


def predict(params: Mapping[str, np.ndarray], x: np.ndarray, **options: object) -> np.ndarray:
    """The most probable digit: (N,) int64, or (S, N) for stacked networks."""
    return forward(params, x, **options).argmax(axis=-1)


def accuracy(
    params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray, **options: object
) -> float | np.ndarray:
    """Share of the N examples whose digit is predicted right: a float, or (S,) when stacked."""
    guess = predict(params, x, **options)
    right = (guess == F.check_labels(y, CLASSES, guess.shape[-1])).mean(axis=-1)
    return float(right) if np.ndim(right) == 0 else right


def confusion(params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """counts[i, j]: how many examples of digit i were predicted as j.  Shape (10, 10) int."""
    guess = predict(params, x)
    y = F.check_labels(y, CLASSES, len(guess))
    return np.bincount(y * CLASSES + guess, minlength=CLASSES**2).reshape(CLASSES, CLASSES)


@dataclass(frozen=True)
class Result:
    """What :func:`run` returns.

    history : losses (epochs,), params, accuracies and val_accuracies
        (epochs,) (or (epochs, S)), val_losses (epochs,).
    options : the model options it trained with (activation, loss, weight_decay).
    seconds : wall-clock time of the training.
    """

    history: History
    options: dict
    seconds: float


@experiment(BOOK)
def run(options: Defaults, *, callback: Callback = None) -> Result:
    """Train on the training split, watching the validation split after every epoch.

    Called as ``run(**changes)``: ``options`` is ``BOOK`` with those fields,
    checked. ``default_rng(seed)`` draws the initial weights, then shuffles.
    With ``networks = S > 1``, S networks from successive draws train side by
    side on the same batches. The test split is not touched (see
    :func:`final_test_accuracy`).
    """
    data = split()
    rng = np.random.default_rng(options.seed)
    stacked = None if options.networks == 1 else options.networks
    params = init_params(rng, options.hidden, networks=stacked)
    model = {k: getattr(options, k) for k in ("activation", "loss", "weight_decay")}
    start = time.perf_counter()
    history = sgd(
        loss_and_grads,
        params,
        data.x_train,
        data.y_train,
        lr=options.lr,
        epochs=options.epochs,
        batch_size=options.batch_size,
        rng=rng,
        momentum=options.momentum,
        validation=(data.x_val, data.y_val),
        accuracy=accuracy,
        callback=callback,
        **model,
    )
    return Result(history, model, time.perf_counter() - start)


def final_test_accuracy(result: Result) -> float | np.ndarray:
    """Accuracy of the trained network(s) on the test split: a float, or (S,)."""
    data = split()
    return accuracy(result.history.params, data.x_test, data.y_test, **result.options)


def summary(result: Result) -> list[str]:
    """The lines ``python -m scratchnn.digits`` prints (means over stacked networks).

    Not the test accuracy: a program run with other settings, again and again,
    would choose them on the test split.
    """
    h = result.history
    return [
        f"trained {len(h.losses)} epochs in {result.seconds:.2f} s",
        f"final training loss {h.losses[-1]:.4f}",
        f"training accuracy   {np.mean(h.accuracies[-1]):.4f}",
        f"validation accuracy {np.mean(h.val_accuracies[-1]):.4f}",
        "test split untouched: the chapter scores it once, with the chosen settings",
    ]


def figure_learning_curves(result: Result) -> Figure:
    """Loss and accuracy per epoch, training and validation (the program's ``--plot``)."""
    return digits_figures.figure_learning_curves(result.history)


main = cli.chapter_main("digits", __doc__, run, summary, figure_learning_curves)

if __name__ == "__main__":
    sys.exit(main())
