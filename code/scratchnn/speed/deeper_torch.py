"""Benchmark 10: the chapter "Training deeper networks" against PyTorch, float64, one thread.

* ``10a``: one Adam step over the deeper network's parameters
  (:class:`scratchnn.optim.Adam`'s ``update``, what the training loops call
  after their first, checked step) against ``torch.optim.Adam.step``;
* ``10b``: batch normalisation's forward and backward in training mode
  (:class:`scratchnn.layers.BatchNorm`) against ``torch.nn.BatchNorm1d``;
* ``10c``: one epoch of the chapter's network with Adam
  (:func:`scratchnn.train.sgd` on :mod:`scratchnn.deeper`) against the same
  network as ``torch.nn.Sequential`` with ``torch.optim.Adam``.

Each pair computes the same numbers (the largest difference is in the row's
note) and is timed interleaved (:func:`scratchnn.timing.interleaved`).
"""

from dataclasses import dataclass

import numpy as np

from scratchnn import deeper, layers, optim
from scratchnn.data import digits_split
from scratchnn.speed.report import Row
from scratchnn.timing import Timings, interleaved
from scratchnn.train import sgd

__all__ = [
    "FULL",
    "QUICK",
    "Settings",
    "measure_adam",
    "measure_batch_norm",
    "measure_epoch",
    "rows",
]


@dataclass(frozen=True)
class Settings:
    """Sizes and rounds: the network's width and depth, the batch, calls per round, rounds."""

    hidden: int = deeper.BOOK.hidden
    depth: int = deeper.BOOK.depth
    batch: int = deeper.BOOK.batch_size
    calls: int = 50
    epochs: int = 1
    repeats: int = 7


#: The full run of ``python -m benchmarks``.
FULL = Settings()
#: The short run the performance appendix makes at build time.
QUICK = Settings(calls=10, repeats=3)


def _torch_params(params: dict) -> list:
    import torch

    return [torch.tensor(params[k], requires_grad=True) for k in sorted(params)]


def measure_adam(settings: Settings = FULL) -> tuple[Timings, float]:
    """Seconds per Adam step of ours and torch's; the largest parameter difference after them."""
    import torch

    from scratchnn.speed.torch_contenders import torch_threads

    rng = np.random.default_rng(0)
    params = deeper.init_params(rng, settings.hidden, settings.depth)
    grads = {k: rng.standard_normal(v.shape) for k, v in params.items()}
    ours_opt = optim.Adam(lr=1e-3)
    state = {"params": params}

    def ours():
        for _ in range(settings.calls):
            state["params"] = ours_opt.update(state["params"], grads)

    tensors = _torch_params(params)
    for t, k in zip(tensors, sorted(params), strict=True):
        t.grad = torch.tensor(grads[k])
    theirs_opt = torch.optim.Adam(tensors, lr=1e-3)

    def theirs():
        with torch.no_grad():
            for _ in range(settings.calls):
                theirs_opt.step()

    with torch_threads(1):
        raw = interleaved({"ours": ours, "torch": theirs}, repeats=settings.repeats)
    gap = max(
        float(np.max(np.abs(state["params"][k] - t.detach().numpy())))
        for t, k in zip(tensors, sorted(params), strict=True)
    )
    return Timings({k: v / settings.calls for k, v in raw.seconds.items()}), gap


def measure_batch_norm(settings: Settings = FULL) -> tuple[Timings, float]:
    """Seconds per forward + backward of our BatchNorm and torch's; the largest difference."""
    import torch

    from scratchnn.speed.torch_contenders import torch_threads

    rng = np.random.default_rng(0)
    x = rng.standard_normal((settings.batch, settings.hidden))
    g = rng.standard_normal(x.shape)
    ours_bn = layers.BatchNorm(settings.hidden)
    results = {}

    def ours():
        for _ in range(settings.calls):
            ours_bn.forward(x)
            results["ours"] = ours_bn.backward(g)

    theirs_bn = torch.nn.BatchNorm1d(settings.hidden, dtype=torch.float64)
    xt, gt = torch.tensor(x, requires_grad=True), torch.tensor(g)

    def theirs():
        for _ in range(settings.calls):
            xt.grad = None
            theirs_bn(xt).backward(gt)
        results["torch"] = xt.grad.numpy()

    with torch_threads(1):
        raw = interleaved({"ours": ours, "torch": theirs}, repeats=settings.repeats)
    gap = float(np.max(np.abs(results["ours"] - results["torch"])))
    return Timings({k: v / settings.calls for k, v in raw.seconds.items()}), gap


def measure_epoch(settings: Settings = FULL) -> tuple[Timings, float]:
    """Seconds per training epoch with Adam, ours and torch's; the largest start-gradient gap."""
    import torch

    from scratchnn.speed.torch_contenders import torch_threads

    split = digits_split()
    x, y = split.x_train, split.y_train
    params = deeper.init_params(np.random.default_rng(0), settings.hidden, settings.depth)

    def ours():
        sgd(
            deeper.loss_and_grads,
            params,
            x,
            y,
            optimizer=optim.Adam(lr=deeper.BOOK.lr),
            epochs=settings.epochs,
            batch_size=settings.batch,
            rng=np.random.default_rng(1),
        )

    depth = settings.depth + 1
    net = torch.nn.Sequential(
        *[
            module
            for layer in range(1, depth + 1)
            for module in (
                torch.nn.Linear(*params[f"w{layer}"].shape, dtype=torch.float64),
                torch.nn.ReLU(),
            )
        ][:-1]
    )
    with torch.no_grad():
        for layer, linear in enumerate(net[::2], start=1):
            linear.weight.copy_(torch.tensor(params[f"w{layer}"].T))
            linear.bias.copy_(torch.tensor(params[f"b{layer}"]))
    start = {k: p.detach().clone() for k, p in net.state_dict().items()}
    xt, yt = torch.tensor(x), torch.tensor(y, dtype=torch.long)
    loss_fn = torch.nn.CrossEntropyLoss()

    def theirs():
        net.load_state_dict(start)
        opt = torch.optim.Adam(net.parameters(), lr=deeper.BOOK.lr)
        order = torch.Generator().manual_seed(1)
        for _ in range(settings.epochs):
            for batch in torch.randperm(len(yt), generator=order).split(settings.batch):
                opt.zero_grad()
                loss_fn(net(xt[batch]), yt[batch]).backward()
                opt.step()

    # The same gradient at the start: the two networks compute the same function.
    net.zero_grad()
    loss_fn(net(xt), yt).backward()
    _, grads = deeper.loss_and_grads(params, x, y)
    gap = max(
        float(np.max(np.abs(grads[f"w{layer}"] - linear.weight.grad.numpy().T)))
        for layer, linear in enumerate(net[::2], start=1)
    )
    with torch_threads(1):
        raw = interleaved({"ours": ours, "torch": theirs}, repeats=max(3, settings.repeats // 2))
    return Timings({k: v / settings.epochs for k, v in raw.seconds.items()}), gap


def rows(quick: bool) -> list[Row]:
    """Rows 10a, 10b and 10c."""
    settings = QUICK if quick else FULL
    shape = f"L {settings.depth}, H {settings.hidden}"
    out = []
    for key, what, measure in (
        ("10a", f"Adam step, ours / torch.optim.Adam f64, 1 thread ({shape})", measure_adam),
        (
            "10b",
            f"batch norm fwd+bwd, ours / torch BatchNorm1d f64, 1 thread "
            f"(N {settings.batch}, D {settings.hidden})",
            measure_batch_norm,
        ),
        ("10c", f"deeper net epoch with Adam, ours / torch f64, 1 thread ({shape})", measure_epoch),
    ):
        timings, gap = measure(settings)
        ours, theirs = timings.time("ours").median * 1e3, timings.time("torch").median * 1e3
        note = f"{ours:.3f} ms against {theirs:.3f} ms; results differ by {gap:.0e}"
        out.append(Row(key, what, timings.ratio("ours", "torch"), "×", note))
    return out
