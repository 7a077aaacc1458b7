"""Benchmarks 1-4: training the book's networks, timed side by side.

1. our abstractions: ``gradient_descent(two_layer.loss_and_grads, ...)``
   against the same arithmetic written as one bare NumPy loop;
2. PyTorch: the same training with the PyTorch chapter's functions
   (float64 by hand, autograd, torch.nn + torch.optim; float32 by hand),
   see :mod:`scratchnn.benchmark.torch_loops`;
3. the machine: flops of a training step per second, as a fraction of a
   large float64 matrix product's rate measured in the same rounds;
4. vectorisation: XOR trained with the per-example loop against the
   vectorised gradients, same epochs, same result.

Every comparison is the median of per-round ratios of interleaved runs.
"""

from dataclasses import dataclass

import numpy as np

from scratchnn import two_layer, xor
from scratchnn.benchmark import (
    Spread,
    Timings,
    interleaved,
    matmul_flops,
    openblas_threads,
    torch_loops,
    two_layer_step_flops,
)
from scratchnn.benchmark.report import Row
from scratchnn.data import two_layer_data, xor_data
from scratchnn.train import gradient_descent

#: The book's two-layer network: batch, input, hidden and output sizes.
N, D_IN, HIDDEN, D_OUT = 64, 1000, 100, 10
#: Side of the square float64 product that measures the machine's rate.
PEAK_SIZE = 1200


@dataclass(frozen=True)
class Settings:
    """How long to measure: the full benchmark, or the appendix's short one."""

    steps: int  # training steps of the two-layer network per timed run
    xor_epochs: int  # epochs of XOR per timed run
    repeats: int  # interleaved rounds (the medians are over these)
    xor_repeats: int


FULL = Settings(steps=500, xor_epochs=10_000, repeats=7, xor_repeats=3)
QUICK = Settings(steps=30, xor_epochs=300, repeats=5, xor_repeats=3)


def bare_numpy_training(
    w1: np.ndarray, w2: np.ndarray, x: np.ndarray, y: np.ndarray, *, lr: float, steps: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two-layer network's training, inlined: no dicts, no checks, no calls.

    The same arithmetic as ``gradient_descent(two_layer.loss_and_grads, ...)``
    in the same order, so the results agree to the last bit.

    Returns
    -------
    losses : (steps,), the loss before each step.
    w1, w2 : (D_in, H), (H, D_out), the trained weights (new arrays).
    """
    w1, w2 = w1.copy(), w2.copy()
    losses = np.empty(steps)
    for step in range(steps):
        h = x @ w1
        h_relu = np.maximum(h, 0.0)
        y_hat = h_relu @ w2
        losses[step] = np.sum((y_hat - y) ** 2)
        g = 2.0 * (y_hat - y)
        grad_w2 = h_relu.T @ g
        grad_w1 = x.T @ ((g @ w2.T) * (h > 0))
        w1 = w1 - lr * grad_w1
        w2 = w2 - lr * grad_w2
    return losses, w1, w2


def two_layer_problem(seed: int = two_layer.BOOK_SEED):
    """The chapter's data and starting weights: x (N, D_in), y (N, D_out), params."""
    rng = np.random.default_rng(seed)
    x, y = two_layer_data(rng, N, D_IN, D_OUT)
    return x, y, two_layer.init_params(rng, D_IN, HIDDEN, D_OUT)


def measure_two_layer(settings: Settings) -> tuple[Timings, dict[str, float]]:
    """Benchmarks 1-3 in one set of interleaved rounds.

    Returns the timings and the largest disagreement of each contender's
    final weights with ours (relative), which must be tiny for the
    comparison to mean anything.
    """
    x, y, params = two_layer_problem()
    lr, steps = two_layer.BOOK_LR, settings.steps
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, PEAK_SIZE, PEAK_SIZE))
    finals = {}

    def ours():
        h = gradient_descent(two_layer.loss_and_grads, params, x, y, lr=lr, epochs=steps)
        finals["ours"] = h.params["w1"], h.params["w2"]

    def bare():
        _, w1, w2 = bare_numpy_training(params["w1"], params["w2"], x, y, lr=lr, steps=steps)
        finals["bare NumPy"] = w1, w2

    contenders = {"ours": ours, "bare NumPy": bare}
    for name, train in torch_loops.contenders(params, x, y, lr=lr, steps=steps).items():
        contenders[name] = lambda name=name, train=train: finals.__setitem__(name, train())
    contenders["a @ b"] = lambda: a @ b
    timings = interleaved(contenders, repeats=settings.repeats, warmup=1)
    reference = finals["ours"]
    disagreement = {
        name: max(_relative(w, r) for w, r in zip(ws, reference, strict=True))
        for name, ws in finals.items()
    }
    return timings, disagreement


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def measure_xor(settings: Settings) -> tuple[Timings, float]:
    """Benchmark 4: both gradient functions, same start, same epochs.

    Returns the timings and the largest difference between the two runs'
    final parameters (they must agree up to rounding).
    """
    x, y = xor_data()
    params = xor.init_params(np.random.default_rng(xor.SEED))
    finals = {}

    def train(name, loss_and_grads):
        def run():
            finals[name] = gradient_descent(
                loss_and_grads, params, x, y, lr=xor.LR, epochs=settings.xor_epochs
            ).params

        return run

    timings = interleaved(
        {
            "per-example loop": train("loop", xor.loss_and_grads_loop),
            "vectorised": train("vectorised", xor.loss_and_grads),
        },
        repeats=settings.xor_repeats,
        warmup=0,
    )
    difference = max(
        float(np.max(np.abs(finals["loop"][k] - finals["vectorised"][k]))) for k in params
    )
    return timings, difference


@dataclass(frozen=True)
class Measured:
    """What benchmarks 1-4 found: the table rows and the raw timings behind them."""

    rows: list[Row]
    detail: list[str]
    two_layer: Timings
    xor: Timings
    steps: int
    xor_epochs: int
    threads: int


def run(settings: Settings = FULL, *, threads: int = 1) -> Measured:
    """Measure benchmarks 1-4 and judge each figure against its target.

    NumPy's OpenBLAS and torch both use ``threads`` threads meanwhile.
    """
    with openblas_threads(threads), torch_loops.torch_threads(threads):
        t, disagreement = measure_two_layer(settings)
        t_xor, xor_difference = measure_xor(settings)
    flops = two_layer_step_flops(N, D_IN, HIDDEN, D_OUT) * settings.steps
    # (flops / t_train) / (peak flops / t_peak), paired round by round
    peak_ratio = t.ratio("a @ b", "ours")
    scale = flops / matmul_flops(PEAK_SIZE, PEAK_SIZE, PEAK_SIZE)
    fraction = Spread(*(scale * v for v in (peak_ratio.median, peak_ratio.low, peak_ratio.high)))
    agree = ", ".join(f"{k} {v:.0e}" for k, v in disagreement.items() if k != "ours")
    torch_rows = [
        Row(
            "2",
            f"ours / {name}",
            t.ratio("ours", name),
            "×",
            ("<=", 1.0) if "f64" in name else None,
        )
        for name in torch_loops.NAMES
        if name in t.seconds
    ]
    if not torch_rows:
        torch_rows = [
            Row(
                "2",
                "ours / torch",
                Spread(np.nan, np.nan, np.nan),
                "×",
                ("<=", 1.0),
                "torch is not installed: not measured",
            )
        ]
    rows = [
        Row(
            "1",
            "ours / bare NumPy loop",
            t.ratio("ours", "bare NumPy"),
            "×",
            ("<=", 1.10),
            f"final weights differ from ours by (relative, largest entry) {agree}"
            + ("" if disagreement["bare NumPy"] == 0 else "; the bare loop should agree exactly!"),
        ),
        *torch_rows,
        Row(
            "3",
            "step flop rate / float64 matmul rate",
            fraction,
            "",
            (">=", 0.55),
            f"{flops // settings.steps / 1e6:.1f} Mflop per step, against a "
            f"{PEAK_SIZE}×{PEAK_SIZE} a @ b",
        ),
        Row(
            "4",
            "XOR per-example loop / vectorised",
            t_xor.ratio("per-example loop", "vectorised"),
            "×",
            (">=", 100.0),
            f"{settings.xor_epochs} epochs each; final parameters differ by "
            f"{xor_difference:.1e} at most: "
            + ("the same result" if xor_difference < 1e-9 else "NOT THE SAME RESULT"),
        ),
    ]
    per_step = {k: t.time(k).median / settings.steps * 1e3 for k in t.seconds if k != "a @ b"}
    rate = flops / t.time("ours").median / 1e9
    peak = matmul_flops(PEAK_SIZE, PEAK_SIZE, PEAK_SIZE) / t.time("a @ b").median / 1e9
    detail = [
        ", ".join(f"{k} {v:.3f} ms/step" for k, v in per_step.items()),
        f"training step {rate:.2f} Gflop/s; a @ b {peak:.1f} Gflop/s",
    ]
    return Measured(rows, detail, t, t_xor, settings.steps, settings.xor_epochs, threads)
