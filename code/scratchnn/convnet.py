"""A small convolutional network on the digits: conv 3 x 3, ReLU, max pool 2, dense.

The images are the digits chapter's, as 8 x 8 single-channel images x of
shape (N, 1, 8, 8) (NCHW); the network has F filters:

    z1 = conv2d(x, w1, b1, padding 1)   (N, F, 8, 8)     h1 = relu(z1)
    p  = max_pool2d(h1, 2)              (N, F, 4, 4)     f  = p as rows (N, 16 F)
    z2 = f w2 + b2                      (N, 10), the logits
    L  = mean over the N examples of -log softmax(z2)[n, y_n]

with w1 (F, 1, 3, 3), b1 (F,), w2 (16 F, 10), b2 (10,): 170 F + 10
parameters.  Explained in the chapter "Convolutional networks from scratch";
``python -m scratchnn.convnet`` trains it with the book's defaults
(:data:`BOOK`); the shift experiment is :mod:`scratchnn.convnet_shift`.
"""

import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from scratchnn import checks, cli, digits_figures
from scratchnn import functional as F
from scratchnn.conv import conv2d, conv2d_backward, max_pool2d, max_pool2d_backward
from scratchnn.data import digits_split
from scratchnn.experiment import Callback, experiment
from scratchnn.model import Model
from scratchnn.train import History, sgd

# fmt: off
__all__ = [  # noqa: RUF022 (grouped by contract, not sorted)
    # the experiment contract (scratchnn.experiment)
    "BOOK", "Defaults", "Result", "run", "summary", "main",
    # the model contract
    "MODEL", "init_params", "forward", "loss_and_grads",
    # figures
    "figure_learning_curves",
    # this module's own
    "accuracy", "images", "parameter_count", "predict", "shift",
]
# fmt: on

CLASSES, SIDE, KERNEL, POOL = 10, 8, 3, 2
POOLED = (SIDE // POOL) ** 2  # 16 pooled positions per filter
STRIDE1, PAD1, POOL2 = (1, 1), (1, 1), (POOL, POOL)  # the layers' settings as (rows, columns)
MAX_FILTERS = 1000


def _spec(given: object, options: dict) -> dict:
    """The params' shapes: w2 has 16 rows per filter of w1."""
    w1 = given.get("w1") if isinstance(given, Mapping) else None
    filters = np.shape(w1)[0] if np.ndim(w1) == 4 else "F"
    rows = POOLED * filters if isinstance(filters, int) else "16 F"
    return {"w1": ("F", 1, KERNEL, KERNEL), "b1": ("F",), "w2": (rows, CLASSES), "b2": (CLASSES,)}


def _labels(y: object, dims: dict[str, int]) -> np.ndarray:
    return F.check_labels(y, CLASSES, dims["N"])


#: The model's arguments: params as in the module docstring, x (N, 1, 8, 8), y (N,) labels.
MODEL = Model(params=_spec, x=("N", 1, SIDE, SIDE), y=_labels, sizes={"filters": MAX_FILTERS})


def parameter_count(filters: int) -> int:
    """170 F + 10: the weights and biases of the network with F filters."""
    return filters * KERNEL * KERNEL + filters + POOLED * filters * CLASSES + CLASSES


def images(x: np.ndarray) -> np.ndarray:
    """The digits' rows as images: (N, 64) -> (N, 1, 8, 8), row by row."""
    x = checks.array(x, "x", ("N", SIDE * SIDE))
    return x.reshape(len(x), 1, SIDE, SIDE)


def shift(x: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Images moved down by ``rows`` and right by ``cols`` pixels (negative: up, left).

    What leaves the 8 x 8 frame is lost; what enters it is 0 (the blank
    background).  Shapes: (N, 64) -> (N, 64), or (N, 1, 8, 8) -> the same.
    """
    x = checks.array(x, "x")
    grid = x.reshape(len(x), SIDE, SIDE)
    out = np.zeros_like(grid)
    r, c = int(rows), int(cols)
    src_r, dst_r = slice(max(0, -r), SIDE - max(0, r)), slice(max(0, r), SIDE - max(0, -r))
    src_c, dst_c = slice(max(0, -c), SIDE - max(0, c)), slice(max(0, c), SIDE - max(0, -c))
    out[:, dst_r, dst_c] = grid[:, src_r, src_c]
    return out.reshape(x.shape)


@MODEL.init_params
def init_params(rng: np.random.Generator, filters: int = 8) -> dict[str, np.ndarray]:
    """He initialisation for the ReLU convolution, N(0, 1/(16 F)) for the dense layer.

    Returns w1 (F, 1, 3, 3) from N(0, 2/9), b1 (F,) zeros, w2 (16 F, 10), b2 (10,) zeros.
    """
    fan_in = KERNEL * KERNEL
    return {
        "w1": rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(filters, 1, KERNEL, KERNEL)),
        "b1": np.zeros(filters),
        "w2": rng.normal(0.0, np.sqrt(1.0 / (POOLED * filters)), size=(POOLED * filters, CLASSES)),
        "b2": np.zeros(CLASSES),
    }


def _layers(params: Mapping, x: np.ndarray) -> tuple[np.ndarray, ...]:
    z1 = conv2d.kernel(x, params["w1"], params["b1"], STRIDE1, PAD1)  # (N, F, 8, 8)
    h1 = F.relu(z1)
    p = max_pool2d.kernel(h1, POOL2, POOL2)  # (N, F, 4, 4)
    f = p.reshape(len(x), -1)  # (N, 16 F)
    z2 = f @ params["w2"] + params["b2"]  # (N, 10)
    return z1, h1, f, z2


@MODEL.forward
def forward(params: Mapping[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """The logits z2 (N, 10) of images x (N, 1, 8, 8)."""
    return _layers(params, x)[3]


@MODEL.loss_and_grads
def loss_and_grads(
    params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """The mean cross-entropy and its gradient, layer by layer backwards.

    Parameters
    ----------
    params : w1 (F, 1, 3, 3), b1 (F,), w2 (16 F, 10), b2 (10,).
    x : (N, 1, 8, 8) images; y : (N,) integer labels 0..9.

    Returns
    -------
    loss : float.  grads : dL/dw1, dL/db1, dL/dw2, dL/db2, of the parameters' shapes.
    """
    z1, h1, f, z2 = _layers(params, x)
    delta2 = F.cross_entropy_grad(z2, y)  # (N, 10)
    d_f = delta2 @ params["w2"].T  # (N, 16 F)
    d_p = d_f.reshape(len(x), -1, SIDE // POOL, SIDE // POOL)  # (N, F, 4, 4)
    d_h1 = max_pool2d_backward.kernel(d_p, h1, POOL2, POOL2)  # to each window's winner
    delta1 = d_h1 * F.relu_derivative(z1)  # (N, F, 8, 8)
    _, d_w1, d_b1 = conv2d_backward.kernel(delta1, x, params["w1"], STRIDE1, PAD1, False)
    grads = {"w1": d_w1, "b1": d_b1, "w2": f.T @ delta2, "b2": delta2.sum(axis=0)}
    return F.cross_entropy(z2, y), grads


def predict(params: Mapping[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """The most probable digit of each image: (N, 1, 8, 8) -> (N,) int64."""
    return forward(params, x).argmax(axis=-1)


def accuracy(params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    """Share of the N images x (N, 1, 8, 8) whose label y (N,) is predicted right."""
    guess = predict(params, x)
    return float(np.mean(guess == F.check_labels(y, CLASSES, len(guess))))


@dataclass(frozen=True)
class Defaults:
    """The book's defaults: the keyword arguments of :func:`run`."""

    seed: int = cli.option(0, "seed of the initial weights and the shuffling", minimum=0)
    epochs: int = cli.option(30, "passes over the training set")
    lr: float = cli.option(0.1, "learning rate", maximum=100.0)
    filters: int = cli.option(8, "filters F of the convolution", maximum=MAX_FILTERS)
    batch_size: int = cli.option(32, "examples per step (at most the training set's size)")


#: The book's settings of this chapter's experiment.
BOOK = Defaults()


@dataclass(frozen=True)
class Result:
    """What :func:`run` returns.

    history : losses, accuracies, val_losses, val_accuracies (epochs,), final params.
    seconds : wall-clock time of the training.
    """

    history: History
    seconds: float


@experiment(BOOK)
def run(options: Defaults, *, callback: Callback = None) -> Result:
    """Train on the digits' training split by mini-batch SGD, watching the validation split.

    ``default_rng(seed)`` draws the initial weights, then shuffles.  The test
    split is left alone (the chapter scores it once, in the shift experiment).
    """
    data = digits_split()
    rng = np.random.default_rng(options.seed)
    params = init_params(rng, options.filters)
    start = time.perf_counter()
    history = sgd(
        loss_and_grads,
        params,
        images(data.x_train),
        data.y_train,
        lr=options.lr,
        epochs=options.epochs,
        batch_size=options.batch_size,
        rng=rng,
        validation=(images(data.x_val), data.y_val),
        accuracy=accuracy,
        callback=callback,
    )
    return Result(history, time.perf_counter() - start)


def summary(result: Result) -> list[str]:
    """The lines ``python -m scratchnn.convnet`` prints (the test split untouched)."""
    h = result.history
    filters = h.params["w1"].shape[0]
    return [
        f"{filters} filters, {parameter_count(filters)} parameters",
        f"trained {len(h.losses)} epochs in {result.seconds:.2f} s",
        f"final training loss {h.losses[-1]:.4f}",
        f"training accuracy   {h.accuracies[-1]:.4f}",
        f"validation accuracy {h.val_accuracies[-1]:.4f}",
    ]


def figure_learning_curves(result: Result) -> Figure:
    """Loss and accuracy per epoch, training and validation (the program's ``--plot``)."""
    return digits_figures.figure_learning_curves(result.history)


main = cli.chapter_main("convnet", __doc__, run, summary, figure_learning_curves)

if __name__ == "__main__":
    sys.exit(main())
