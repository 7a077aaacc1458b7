"""Benchmark 9: the convolution, loops against vectorised (a curve), and ours against PyTorch.

Rows ``9 P=.. k=..`` are :mod:`scratchnn.convnet_speed`'s curve: loops /
vectorised time of a forward and a backward pass (no target: a curve).
Row ``9t`` is our vectorised forward + backward (:func:`scratchnn.conv.conv2d`,
:func:`scratchnn.conv.conv2d_backward`) against ``torch.nn.functional.conv2d``
with autograd, float64, one thread, on a layer of a realistic size; both
compute the same gradients (checked), interleaved.
"""

from dataclasses import dataclass

import numpy as np

from scratchnn import conv, convnet_speed
from scratchnn.speed.report import Row
from scratchnn.timing import Timings, interleaved

__all__ = ["FULL", "QUICK", "Layer", "measure_torch", "rows"]


@dataclass(frozen=True)
class Layer:
    """The layer timed against torch: batch, channels in and out, side, kernel, padding; rounds."""

    batch: int = 32
    c_in: int = 8
    c_out: int = 16
    side: int = 16
    kernel: int = 3
    padding: int = 1
    calls: int = 5
    repeats: int = 7


#: The full run of ``python -m benchmarks``.
FULL = Layer()
#: The short run the performance appendix makes at build time.
QUICK = Layer(calls=2, repeats=3)


def measure_torch(layer: Layer = FULL) -> tuple[Timings, float]:
    """Seconds per forward + backward of ours and torch's; the largest gradient difference."""
    import torch
    import torch.nn.functional as TF

    from scratchnn.speed.torch_contenders import torch_threads

    rng = np.random.default_rng(0)
    x = rng.standard_normal((layer.batch, layer.c_in, layer.side, layer.side))
    w = rng.standard_normal((layer.c_out, layer.c_in, layer.kernel, layer.kernel))
    b = rng.standard_normal(layer.c_out)
    g = rng.standard_normal((layer.batch, layer.c_out, layer.side, layer.side))
    results = {}

    def ours():
        for _ in range(layer.calls):
            conv.conv2d(x, w, b, padding=layer.padding)
            results["ours"] = conv.conv2d_backward(g, x, w, padding=layer.padding)

    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    gt = torch.tensor(g)

    def theirs():
        for _ in range(layer.calls):
            for t in (xt, wt, bt):
                t.grad = None
            TF.conv2d(xt, wt, bt, padding=layer.padding).backward(gt)
        results["torch"] = (xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy())

    with torch_threads(1):
        raw = interleaved({"ours": ours, "torch": theirs}, repeats=layer.repeats)
    gap = max(
        float(np.max(np.abs(a - t))) for a, t in zip(results["ours"], results["torch"], strict=True)
    )
    per_call = Timings({k: v / layer.calls for k, v in raw.seconds.items()})
    return per_call, gap


def rows(quick: bool) -> list[Row]:
    """The curve's rows and row 9t."""
    curve = convnet_speed.measure(convnet_speed.BOOK if quick else convnet_speed.FULL)
    out = []
    for i, side in enumerate(curve.sides):
        for j, k in enumerate(curve.kernels):
            t = curve.timings[i * len(curve.kernels) + j]
            out.append(
                Row(
                    f"9 P={side} k={k}",
                    f"conv fwd+bwd, loops / vectorised, side {side}, kernel {k}",
                    t.ratio("loops", "vectorised"),
                    "×",
                    f"outputs differ by {curve.difference[i, j]:.0e}",
                )
            )
    layer = QUICK if quick else FULL
    timings, gap = measure_torch(layer)
    ours, theirs = timings.time("ours").median * 1e3, timings.time("torch").median * 1e3
    shape = f"N {layer.batch}, C {layer.c_in}->{layer.c_out}, {layer.side}², k {layer.kernel}"
    out.append(
        Row(
            "9t",
            f"conv fwd+bwd, ours / torch f64 autograd, 1 thread ({shape})",
            timings.ratio("ours", "torch"),
            "×",
            f"{ours:.2f} ms against {theirs:.2f} ms; gradients differ by {gap:.0e}",
        )
    )
    return out
