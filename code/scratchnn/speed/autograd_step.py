"""The book's autograd engine against the hand-written gradient and against PyTorch's.

Three trainings of the two-layer network from the book's start
(:func:`scratchnn.two_layer.book_problem`), for the same steps:

* ``engine``: ``gradient_descent(autograd_nets.TWO_LAYER.loss_and_grads, ...)``,
  gradients from the book's own reverse-mode engine (:mod:`scratchnn.autograd`);
* ``by hand``: ``gradient_descent(two_layer.loss_and_grads, ...)``;
* ``torch f64 autograd``: the PyTorch chapter's ``train_autograd`` in float64,
  when torch is installed.

The engine builds a graph of tensors and walks it back at every step; the
question is what that costs over writing the backward pass by hand.
"""

import importlib.util
from contextlib import ExitStack
from dataclasses import dataclass

from scratchnn import autograd_nets, checks, two_layer
from scratchnn.speed.blas import openblas_threads
from scratchnn.speed.report import Row
from scratchnn.speed.two_layer_step import Settings
from scratchnn.timing import Timings, interleaved
from scratchnn.train import gradient_descent

__all__ = ["FULL", "QUICK", "Measured", "measure", "rows"]


#: The full run of ``python -m benchmarks``.
FULL = Settings(steps=200, repeats=5)
#: The short run the performance appendix makes at build time.
QUICK = Settings(steps=10, repeats=5)


@dataclass(frozen=True)
class Measured:
    """Timings of each contender; ``gap``: largest relative difference of the
    engine's final weights from the hand-written run's."""

    timings: Timings
    gap: float
    steps: int


def measure(settings: Settings = QUICK, *, threads: int = 1) -> Measured:
    """Time the contenders interleaved, after one warm-up round, with ``threads`` threads."""
    steps = checks.whole_number(settings.steps, "steps")
    x, y, params = two_layer.book_problem(two_layer.BOOK.seed)
    lr = two_layer.BOOK.lr
    finals = {}

    def train(name, loss_and_grads):
        def run():
            finals[name] = gradient_descent(loss_and_grads, params, x, y, lr=lr, epochs=steps)

        return run

    contenders = {
        "engine": train("engine", autograd_nets.TWO_LAYER.loss_and_grads),
        "by hand": train("by hand", two_layer.loss_and_grads),
    }
    with ExitStack() as stack:
        stack.enter_context(openblas_threads(threads))
        if importlib.util.find_spec("torch") is not None:
            from scratchnn.speed import torch_contenders

            stack.enter_context(torch_contenders.torch_threads(threads))
            everything = torch_contenders.contenders(params, x, y, lr=lr, steps=steps)
            contenders["torch f64 autograd"] = everything["torch f64 autograd"]
        timings = interleaved(contenders, repeats=settings.repeats, warmup=1)
    engine, hand = finals["engine"].params, finals["by hand"].params
    gap = max(float(abs(engine[k] - hand[k]).max() / abs(hand[k]).max()) for k in hand)
    return Measured(timings, gap, steps)


def rows(measured: Measured) -> list[Row]:
    """Rows 7a (engine / by hand) and 7b (engine / torch f64 autograd)."""
    t = measured.timings
    out = [
        Row(
            "7a",
            "autograd engine / hand-written step",
            t.ratio("engine", "by hand"),
            "×",
            f"final weights differ by {measured.gap:.0e} (relative)",
        )
    ]
    if "torch f64 autograd" in t.seconds:
        ratio = t.ratio("engine", "torch f64 autograd")
        out.append(Row("7b", "autograd engine / torch f64 autograd", ratio, "×"))
    else:
        nan = float("nan")
        out.append(Row.once("7b", "autograd engine / torch", nan, "×", "torch is not installed"))
    return out
