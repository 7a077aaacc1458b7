"""Timing the two-layer network's training step against what it cannot avoid.

The contenders train the book's two-layer network (chapter "A two-layer ReLU
network in matrix form") from the same start, for the same steps:

* ``ours``: ``gradient_descent(two_layer.loss_and_grads, ...)``, the book's code;
* ``bare NumPy``: the same arithmetic as one loop, no dicts, checks or calls;
* the PyTorch chapter's training (:mod:`scratchnn.speed.torch_contenders`),
  when torch is installed;
* ``products alone``: only the five matrix products of a step, at the same
  sizes, on the step's own operands: the floor under any implementation
  that does this arithmetic on this machine.

All run interleaved (:func:`scratchnn.timing.interleaved`); every figure is a
median of per-round ratios.
"""

import importlib.util
from contextlib import ExitStack
from dataclasses import dataclass

import numpy as np

from scratchnn import checks, two_layer
from scratchnn.speed.blas import openblas_threads
from scratchnn.speed.report import Row
from scratchnn.timing import Timings, interleaved
from scratchnn.train import gradient_descent

__all__ = [
    "FULL",
    "QUICK",
    "Measured",
    "Settings",
    "bare_numpy_training",
    "matrix_products",
    "measure",
    "rows",
]


@dataclass(frozen=True)
class Settings:
    """How long to measure: ``steps`` per timed run, ``repeats`` interleaved rounds."""

    steps: int
    repeats: int


#: The full run of ``python -m benchmarks``.
FULL = Settings(steps=500, repeats=7)
#: The short run the performance appendix makes at build time.
QUICK = Settings(steps=20, repeats=11)


def bare_numpy_training(
    w1: np.ndarray, w2: np.ndarray, x: np.ndarray, y: np.ndarray, *, lr: float, steps: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two-layer network's training, inlined: no dicts, no checks, no calls.

    The same arithmetic as ``gradient_descent(two_layer.loss_and_grads, ...)``
    in the same order, so the results agree to the last bit.

    Parameters
    ----------
    w1 : (D_in, H), w2 : (H, D_out) starting weights (not modified).
    x : (N, D_in) inputs, y : (N, D_out) targets.

    Returns
    -------
    losses : (steps,), the loss before each step.
    w1, w2 : (D_in, H), (H, D_out), the trained weights (new arrays).
    """
    losses = np.empty(steps)
    for step in range(steps):
        z1 = x @ w1  # (N, H)
        h = np.maximum(z1, 0.0)  # (N, H)
        y_hat = h @ w2  # (N, D_out)
        losses[step] = np.sum((y_hat - y) ** 2)
        delta2 = 2.0 * (y_hat - y)  # (N, D_out)
        grad_w2 = h.T @ delta2  # (H, D_out)
        grad_w1 = x.T @ ((delta2 @ w2.T) * (z1 > 0))  # (D_in, H)
        w1 = w1 - lr * grad_w1
        w2 = w2 - lr * grad_w2
    return losses, w1, w2


def matrix_products(x, w1, w2, h, delta2, delta1, *, steps: int) -> None:
    """The five matrix products of a training step, ``steps`` times, and nothing else.

    x (N, D_in), w1 (D_in, H), w2 (H, D_out), h (N, H), delta2 (N, D_out),
    delta1 (N, H): the operands of one step, with the same shapes and memory
    layout (``.T`` is a view, as in the step).
    """
    for _ in range(steps):
        x @ w1  # z1, forward
        h @ w2  # y_hat, forward
        h.T @ delta2  # grad_w2
        delta2 @ w2.T  # dL/dh
        x.T @ delta1  # grad_w1


def _operands(x, y, w1, w2) -> tuple[np.ndarray, ...]:
    """h, delta2, delta1 of the first step, for :func:`matrix_products`."""
    z1 = x @ w1
    h = np.maximum(z1, 0.0)
    delta2 = 2.0 * (h @ w2 - y)
    return h, delta2, (delta2 @ w2.T) * (z1 > 0)


@dataclass(frozen=True)
class Measured:
    """Interleaved timings of every contender and how far each one's result is from ours.

    ``disagreement``: name -> largest |w − w_ours| / largest |w_ours| over both
    final weight matrices (0 for the bare loop, ~1e-7 for float32).
    """

    timings: Timings
    disagreement: dict[str, float]
    steps: int
    threads: int


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def measure(
    settings: Settings = QUICK, *, threads: int = 1, n: int = two_layer.N, torch: bool = True
) -> Measured:
    """Time every contender, ``settings.repeats`` interleaved rounds after one warm-up.

    The problem is the book's (:func:`scratchnn.two_layer.book_problem`), with
    a batch of ``n`` examples; ``torch=False`` leaves out the PyTorch
    contenders (they are left out anyway when torch is not installed).
    NumPy's OpenBLAS (and torch) use ``threads`` threads meanwhile.
    """
    steps = checks.whole_number(settings.steps, "steps")
    threads = checks.whole_number(threads, "threads")
    x, y, params = two_layer.book_problem(two_layer.BOOK.seed, n=n)
    lr = two_layer.BOOK.lr
    operands = _operands(x, y, params["w1"], params["w2"])
    finals = {}

    def ours():
        h = gradient_descent(two_layer.loss_and_grads, params, x, y, lr=lr, epochs=steps)
        finals["ours"] = h.params["w1"], h.params["w2"]

    def bare():
        _, w1, w2 = bare_numpy_training(params["w1"], params["w2"], x, y, lr=lr, steps=steps)
        finals["bare NumPy"] = w1, w2

    def products():
        matrix_products(x, params["w1"], params["w2"], *operands, steps=steps)

    contenders = {"ours": ours, "bare NumPy": bare}
    with ExitStack() as stack:
        stack.enter_context(openblas_threads(threads))
        if torch and importlib.util.find_spec("torch") is not None:
            from scratchnn.speed import torch_contenders

            stack.enter_context(torch_contenders.torch_threads(threads))
            for name, train in torch_contenders.contenders(
                params, x, y, lr=lr, steps=steps
            ).items():
                contenders[name] = lambda name=name, train=train: finals.__setitem__(name, train())
        contenders["products alone"] = products
        timings = interleaved(contenders, repeats=settings.repeats, warmup=1)
    reference = finals["ours"]
    disagreement = {
        name: max(_relative(w, r) for w, r in zip(ws, reference, strict=True))
        for name, ws in finals.items()
        if name != "ours"
    }
    return Measured(timings, disagreement, steps, threads)


def rows(measured: Measured) -> list[Row]:
    """Rows 1 (ours / bare NumPy), 2a-2d (ours / PyTorch), 3 (ours / products alone)."""
    t, agree = measured.timings, measured.disagreement
    torch_names = [name for name in t.seconds if name.startswith("torch")]
    out = [
        Row(
            "1",
            "ours / bare NumPy loop",
            t.ratio("ours", "bare NumPy"),
            "×",
            f"final weights differ from ours by {agree['bare NumPy']:.0e} (relative)",
        )
    ]
    for letter, name in zip("abcd", torch_names, strict=False):
        out.append(
            Row(
                f"2{letter}",
                f"ours / {name}",
                t.ratio("ours", name),
                "×",
                f"final weights differ from ours by {agree[name]:.0e} (relative)",
            )
        )
    if not torch_names:
        nan = float("nan")
        out.append(Row.once("2", "ours / torch", nan, "×", "torch is not installed"))
    out.append(
        Row(
            "3",
            "ours / its matrix products alone",
            t.ratio("ours", "products alone"),
            "×",
            "the same five products per step, same sizes, nothing else",
        )
    )
    return out


def milliseconds_per_step(measured: Measured) -> dict[str, float]:
    """name -> median milliseconds per step of each contender."""
    return {
        k: measured.timings.time(k).median / measured.steps * 1e3 for k in measured.timings.seconds
    }
