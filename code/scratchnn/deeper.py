"""A deeper network on the digits: L hidden ReLU layers, and what their starting scale does.

The model of the book's chapter "Training deeper networks": the 8 × 8 digits
of :mod:`scratchnn.digits` through L hidden layers of H ReLU units each, to
ten logits and the mean cross-entropy (row convention, batch first):

    z_l = h_{l-1} w_l + b_l,   h_l = relu(z_l)   for l = 1 .. L   (h_0 = x, (N, 64))
    z_{L+1} = h_L w_{L+1} + b_{L+1}   (N, 10), the logits

The backward pass is the two-layer chapter's, once per layer:
δ_{L+1} = (softmax(z_{L+1}) − Y) / N, then for l = L .. 1
δ_l = (δ_{l+1} w_{l+1}ᵀ) ⊙ relu′(z_l), and ∂L/∂w_l = h_{l-1}ᵀ δ_l, ∂L/∂b_l = Σ_n δ_l.

:func:`layer_scales` measures, layer by layer, how large the activations and
the weight gradients are, which is how a start that is too small or too
large shows itself; the chapter's claims are in :mod:`scratchnn.deeper_claims`.

Run ``python -m scratchnn.deeper --help`` for the command line.
"""

import itertools
import sys
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from scratchnn import checks, cli, digits, optim
from scratchnn import functional as F
from scratchnn.data import digits_split
from scratchnn.experiment import Callback, experiment
from scratchnn.model import Model
from scratchnn.plotting import loss_curve, new_figure
from scratchnn.train import History, sgd

# fmt: off
__all__ = [  # noqa: RUF022 (grouped by contract, not sorted)
    # the experiment contract (scratchnn.experiment)
    "BOOK", "Defaults", "Result", "run", "summary", "main",
    # the model contract
    "MODEL", "init_params", "forward", "loss_and_grads",
    # figures
    "figure_layer_scales", "figure_loss",
    # this module's own
    "OPTIMISERS", "SCALES", "LayerScales", "accuracy", "layer_scales", "make_optimiser", "spec",
]
# fmt: on

PIXELS, CLASSES = digits.PIXELS, digits.CLASSES
#: The starting scales by name: the standard deviation of w_l for fan-in n and fan-out m.
SCALES = {
    "he": lambda n, m: np.sqrt(2.0 / n),
    "glorot": lambda n, m: np.sqrt(2.0 / (n + m)),
    "small": lambda n, m: 0.1 * np.sqrt(2.0 / n),
}
#: The optimisers the experiment offers, by name.
OPTIMISERS = ("sgd", "momentum", "adam")


def spec(depth: int) -> dict[str, tuple]:
    """The params' names and shapes for ``depth`` hidden layers of H units."""
    shapes: dict[str, tuple] = {}
    for layer in range(1, depth + 2):
        rows = PIXELS if layer == 1 else "H"
        cols = CLASSES if layer == depth + 1 else "H"
        shapes |= {f"w{layer}": (rows, cols), f"b{layer}": (cols,)}
    return shapes


def _spec(given: object, options: Mapping[str, object]) -> dict[str, tuple]:
    """The spec of as many layers as the params given number (w1, b1, ..., at least two)."""
    keys = [str(k) for k in given] if isinstance(given, Mapping) else []
    layers = [int(k[1:]) for k in keys if k[:1] in ("w", "b") and k[1:].isdigit()]
    return spec(max([2, *layers]) - 1)


#: The model contract (scratchnn.model): shapes and labels, checked once per call.
MODEL = Model(
    params=_spec,
    x=("N", PIXELS),
    y=lambda y, dims: F.check_labels(y, CLASSES, dims["N"]),
    sizes={"hidden": 10_000, "depth": 100},
    init_options={"scale": lambda value, name: checks.choice(value, name, tuple(SCALES))},
)


@MODEL.init_params
def init_params(
    rng: np.random.Generator, hidden: int = 64, depth: int = 4, *, scale: str = "he"
) -> dict[str, np.ndarray]:
    """Weights from N(0, s²) with s = SCALES[scale](fan-in, fan-out), zero biases.

    Returns w1 (64, H), b1 (H,), w2 .. w_L (H, H), b_l (H,), w_{L+1} (H, 10), b_{L+1} (10,).
    """
    widths = [PIXELS] + [hidden] * depth + [CLASSES]
    params = {}
    for layer, (n, m) in enumerate(itertools.pairwise(widths), start=1):
        params[f"w{layer}"] = rng.normal(0.0, SCALES[scale](n, m), size=(n, m))
        params[f"b{layer}"] = np.zeros(m)
    return params


def _layers(params: Mapping[str, np.ndarray], x: np.ndarray) -> list[tuple[np.ndarray, ...]]:
    """[(z_l, h_l) for each hidden layer], then the logits: the forward pass, kept for backward."""
    depth = len(params) // 2 - 1
    h, kept = x, []
    for layer in range(1, depth + 1):
        z = h @ params[f"w{layer}"] + params[f"b{layer}"]  # (N, H)
        h = F.relu(z)
        kept.append((z, h))
    kept.append((h @ params[f"w{depth + 1}"] + params[f"b{depth + 1}"],))  # (N, 10)
    return kept


@MODEL.forward
def forward(params: Mapping[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """The logits (N, 10) for images x (N, 64)."""
    return _layers(params, x)[-1][0]


@MODEL.loss_and_grads
def loss_and_grads(
    params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """The mean cross-entropy of the labels y (N,) and its gradient, layer by layer.

    Returns the loss (float) and grads with the names and shapes of ``params``.
    """
    kept = _layers(params, x)
    logits = kept[-1][0]
    delta = F.cross_entropy_grad(logits, y)  # (N, 10): (softmax − one-hot) / N
    depth = len(kept) - 1
    grads = {}
    for layer in range(depth + 1, 0, -1):
        below = x if layer == 1 else kept[layer - 2][1]  # h_{l-1}
        grads[f"w{layer}"] = below.T @ delta
        grads[f"b{layer}"] = delta.sum(axis=0)
        if layer > 1:
            z_below = kept[layer - 2][0]
            delta = (delta @ params[f"w{layer}"].T) * F.relu_derivative(z_below)
    return F.cross_entropy(logits, y), {name: grads[name] for name in params}


def accuracy(params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    """Share of the N images whose digit is the largest logit."""
    guess = np.argmax(forward(params, x), axis=1)
    return float(np.mean(guess == F.check_labels(y, CLASSES, len(guess))))


@dataclass(frozen=True)
class LayerScales:
    """What :func:`layer_scales` measures, one entry per hidden layer l = 1 .. L.

    activation : (L,) the standard deviation of h_l over the batch and the units.
    gradient : (L + 1,) the root mean square of ∂L/∂w_l, for l = 1 .. L + 1.
    """

    activation: np.ndarray
    gradient: np.ndarray


def layer_scales(params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> LayerScales:
    """How large the activations and the weight gradients are, layer by layer."""
    _, grads = loss_and_grads(params, x, y)
    p, x = MODEL.check_arrays(params, x, None, {})[:2]
    hidden = [kept[1] for kept in _layers(p, x)[:-1]]
    weights = sorted((k for k in grads if k.startswith("w")), key=lambda k: int(k[1:]))
    return LayerScales(
        np.array([float(np.std(h)) for h in hidden]),
        np.array([float(np.sqrt(np.mean(grads[k] ** 2))) for k in weights]),
    )


def make_optimiser(name: str, lr: float) -> optim.Optimizer:
    """ "sgd" (plain), "momentum" (SGD with μ = 0.9) or "adam", at the rate ``lr``."""
    name = checks.choice(name, "optimiser", OPTIMISERS)
    if name == "adam":
        return optim.Adam(lr)
    return optim.SGD(lr, momentum=0.9 if name == "momentum" else 0.0)


@dataclass(frozen=True)
class Defaults:
    """The book's run; the fields are the keyword arguments of :func:`run`."""

    seed: int = cli.option(0, "seed of the initial weights and the shuffling", minimum=0)
    epochs: int = cli.option(20, "passes over the training set")
    lr: float = cli.option(1e-3, "learning rate", maximum=100.0)
    optimiser: str = cli.option("adam", "the update rule", choices=OPTIMISERS)
    hidden: int = cli.option(64, "hidden units H per layer", maximum=10_000)
    depth: int = cli.option(4, "hidden layers L", maximum=100)
    scale: str = cli.option("he", "the starting scale", choices=tuple(SCALES))
    batch_size: int = cli.option(32, "examples per step")


#: The book's settings of this chapter's experiment.
BOOK = Defaults()


@dataclass(frozen=True)
class Result:
    """What :func:`run` returns.

    history : the training run (losses, val_losses, accuracies, val_accuracies per epoch).
    start : the starting params;  val_accuracy : the final validation accuracy.
    """

    history: History
    start: dict[str, np.ndarray]
    val_accuracy: float


@experiment(BOOK)
def run(options: Defaults, *, callback: Callback = None) -> Result:
    """Train the deeper network on the digits' training split; score it on the validation split."""
    split = digits_split()
    rng = np.random.default_rng(options.seed)
    start = init_params(rng, options.hidden, options.depth, scale=options.scale)
    history = sgd(
        loss_and_grads, start, split.x_train, split.y_train, rng=rng,
        batch_size=options.batch_size, epochs=options.epochs,
        optimizer=make_optimiser(options.optimiser, options.lr),
        validation=(split.x_val, split.y_val), accuracy=accuracy, callback=callback,
    )  # fmt: skip
    return Result(history, start, float(history.val_accuracies[-1]))


def summary(result: Result) -> list[str]:
    """The lines ``python -m scratchnn.deeper`` prints."""
    h = result.history
    return [
        f"loss: first epoch {h.losses[0]:.4f}, last {h.losses[-1]:.4f}",
        f"accuracy: training {h.accuracies[-1]:.4f}, validation {result.val_accuracy:.4f}",
    ]


def figure_layer_scales(scales: Mapping[str, LayerScales]) -> Figure:
    """Activation spread and weight-gradient size against the layer, one line per start.

    scales : label -> :class:`LayerScales` (from :func:`layer_scales`).
    """
    fig = new_figure(2, width=8.0, height=3.4)
    left, right = fig.axes
    for label, s in scales.items():
        left.semilogy(np.arange(1, len(s.activation) + 1), s.activation, "o-", label=label)
        right.semilogy(np.arange(1, len(s.gradient) + 1), s.gradient, "o-", label=label)
    left.set(xlabel="hidden layer l", ylabel="std of h_l", title="activations")
    right.set(xlabel="layer l", ylabel="rms of dL/dw_l", title="weight gradients")
    left.legend()
    return fig


def figure_loss(result: Result) -> Figure:
    """The training run's loss per epoch, on the training and the validation split."""
    h = result.history
    return loss_curve({"training": h.losses, "validation": h.val_losses}, log=True)


main = cli.chapter_main("deeper", __doc__, run, summary, figure_loss)

if __name__ == "__main__":
    sys.exit(main())
