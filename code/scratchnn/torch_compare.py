"""The two-layer network of :mod:`scratchnn.two_layer`, in PyTorch, three ways.

1. torch tensors with the gradients written by hand (``*_manual``);
2. the same forward pass with ``loss.backward()`` (``*_autograd``);
3. ``torch.nn`` layers and ``torch.optim.SGD`` (``*_nn``).

Every function takes the same NumPy starting arrays, x (N, D_in),
y (N, D_out), w1 (D_in, H), w2 (H, D_out), and returns NumPy float64 arrays,
so the three can be compared with each other and with the NumPy model.
This is the only module of the package that imports torch.  Explained in
the book's chapter "The same network in PyTorch"; ``python -m
scratchnn.torch_compare`` runs the chapter's comparison.
"""

import functools
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from scratchnn import two_layer
from scratchnn.benchmark import interleaved
from scratchnn.cli import parser, save_figure
from scratchnn.data import two_layer_data
from scratchnn.gradcheck import relative_error
from scratchnn.plotting import loss_curve
from scratchnn.train import DivergenceError, gradient_descent

__all__ = [
    "BOOK_EPOCHS",
    "BOOK_LR",
    "BOOK_SEED",
    "DTYPES",
    "Result",
    "grads_autograd",
    "grads_manual",
    "grads_nn",
    "grads_numpy",
    "main",
    "network",
    "pick_device",
    "run",
    "start",
    "time_steps",
    "train_autograd",
    "train_manual",
    "train_nn",
    "train_numpy",
]

BOOK_SEED = two_layer.BOOK_SEED
BOOK_EPOCHS = two_layer.BOOK_EPOCHS
BOOK_LR = two_layer.BOOK_LR
#: ``--dtype`` name -> torch dtype.
DTYPES = {"float32": torch.float32, "float64": torch.float64}

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]


def pick_device() -> torch.device:
    """The first CUDA GPU when one is available, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _to_torch(arrays, dtype: torch.dtype, device: torch.device | None) -> list[torch.Tensor]:
    """Copies of NumPy arrays as tensors (the caller's arrays are never shared)."""
    device = pick_device() if device is None else device
    return [torch.tensor(np.asarray(a), dtype=dtype, device=device) for a in arrays]


def _to_numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().to("cpu", torch.float64).numpy()


def _check(x, y, w1, w2) -> None:
    """The shapes of :func:`scratchnn.two_layer.loss_and_grads`, with the same errors."""
    two_layer.check_shapes({"w1": w1, "w2": w2}, x)
    expected = (np.shape(x)[0], np.shape(w2)[1])
    if np.shape(y) != expected:
        raise ValueError(f"y has shape {np.shape(y)} but the prediction has shape {expected}")


def _check_steps(lr: float, steps: int) -> None:
    if isinstance(lr, bool) or not (isinstance(lr, int | float) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"learning rate lr must be a finite number > 0, got {lr!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a whole number >= 1, got {steps!r}")


def _finished(losses: list[torch.Tensor], lr: float, w1, w2) -> tuple[np.ndarray, ...]:
    """Losses to NumPy (one transfer at the end), with the divergence check."""
    values = _to_numpy(torch.stack(losses))
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise DivergenceError(
            f"loss became {values[bad[0]]} at epoch {bad[0]} with learning rate lr={lr:g}; "
            "the steps overshoot: try a smaller learning rate"
        )
    return values, _to_numpy(w1), _to_numpy(w2)


# --- 1. hand-written gradients ---------------------------------------------


def _manual_step(x, y, w1, w2):
    """Loss and gradients of relu(x w1) w2, every tensor's shape in comments."""
    h = x @ w1  # (N, H)
    h_relu = torch.relu(h)  # (N, H)
    y_hat = h_relu @ w2  # (N, D_out)
    loss = ((y_hat - y) ** 2).sum()  # ()
    g = 2.0 * (y_hat - y)  # (N, D_out)
    grad_w2 = h_relu.T @ g  # (H, D_out)
    grad_h = (g @ w2.T) * (h > 0)  # (N, H), the ReLU mask
    grad_w1 = x.T @ grad_h  # (D_in, H)
    return loss, grad_w1, grad_w2


def grads_manual(
    x, y, w1, w2, *, dtype=torch.float64, device=None
) -> tuple[float, np.ndarray, np.ndarray]:
    """Loss and gradients at one point, with torch, by hand.

    Parameters
    ----------
    x : (N, D_in), y : (N, D_out), w1 : (D_in, H), w2 : (H, D_out) NumPy
        arrays; copied, never modified.
    dtype : torch.float64 or torch.float32.  device : None picks one with
        :func:`pick_device`.

    Returns
    -------
    loss : float.
    grad_w1 : (D_in, H), grad_w2 : (H, D_out) float64 arrays.
    """
    _check(x, y, w1, w2)
    loss, g1, g2 = _manual_step(*_to_torch((x, y, w1, w2), dtype, device))
    return float(loss), _to_numpy(g1), _to_numpy(g2)


def train_manual(x, y, w1, w2, *, lr, steps, dtype=torch.float64, device=None) -> Arrays:
    """``steps`` full-batch gradient steps with hand-written torch gradients.

    Parameters
    ----------
    x : (N, D_in), y : (N, D_out), w1 : (D_in, H), w2 : (H, D_out) NumPy
        arrays; copied, never modified.
    lr : learning rate > 0.  steps : number of updates >= 1.
    dtype : torch.float64 or torch.float32.  device : None picks one with
        :func:`pick_device`.

    Returns
    -------
    losses : (steps,) float64, the loss before each update.
    w1 : (D_in, H), w2 : (H, D_out) float64, the weights after the last one.
    """
    _check(x, y, w1, w2)
    _check_steps(lr, steps)
    x, y, w1, w2 = _to_torch((x, y, w1, w2), dtype, device)
    losses = []
    for _ in range(steps):
        loss, grad_w1, grad_w2 = _manual_step(x, y, w1, w2)
        losses.append(loss)
        w1 -= lr * grad_w1
        w2 -= lr * grad_w2
    return _finished(losses, lr, w1, w2)


# --- 2. autograd -------------------------------------------------------------


def _loss(x, y, w1, w2):
    """The same forward pass; autograd records it."""
    return ((torch.relu(x @ w1) @ w2 - y) ** 2).sum()


def grads_autograd(
    x, y, w1, w2, *, dtype=torch.float64, device=None
) -> tuple[float, np.ndarray, np.ndarray]:
    """As :func:`grads_manual`, with the gradients from ``loss.backward()``."""
    _check(x, y, w1, w2)
    x, y, w1, w2 = _to_torch((x, y, w1, w2), dtype, device)
    w1.requires_grad_()
    w2.requires_grad_()
    loss = _loss(x, y, w1, w2)
    loss.backward()
    return float(loss.detach()), _to_numpy(w1.grad), _to_numpy(w2.grad)


def train_autograd(x, y, w1, w2, *, lr, steps, dtype=torch.float64, device=None) -> Arrays:
    """As :func:`train_manual`, with the gradients from ``loss.backward()``."""
    _check(x, y, w1, w2)
    _check_steps(lr, steps)
    x, y, w1, w2 = _to_torch((x, y, w1, w2), dtype, device)
    w1.requires_grad_()
    w2.requires_grad_()
    losses = []
    for _ in range(steps):
        loss = _loss(x, y, w1, w2)
        losses.append(loss.detach())
        loss.backward()
        with torch.no_grad():  # the update itself is not part of the graph
            w1 -= lr * w1.grad
            w2 -= lr * w2.grad
        w1.grad = None
        w2.grad = None
    return _finished(losses, lr, w1, w2)


# --- 3. torch.nn and torch.optim -----------------------------------------------


def network(w1: torch.Tensor, w2: torch.Tensor) -> torch.nn.Sequential:
    """Linear-ReLU-Linear without biases, starting from the given weights.

    nn.Linear keeps its weight as (out, in) and computes x @ weight.T, so
    our (in, out) matrices go in transposed.
    """
    (d_in, hidden), d_out = w1.shape, w2.shape[1]
    net = torch.nn.Sequential(
        torch.nn.Linear(d_in, hidden, bias=False),
        torch.nn.ReLU(),
        torch.nn.Linear(hidden, d_out, bias=False),
    ).to(device=w1.device, dtype=w1.dtype)
    with torch.no_grad():
        net[0].weight.copy_(w1.T)
        net[2].weight.copy_(w2.T)
    return net


def grads_nn(
    x, y, w1, w2, *, dtype=torch.float64, device=None
) -> tuple[float, np.ndarray, np.ndarray]:
    """As :func:`grads_manual`, for the torch.nn model; gradients in our (in, out) layout."""
    _check(x, y, w1, w2)
    x, y, w1, w2 = _to_torch((x, y, w1, w2), dtype, device)
    net = network(w1, w2)
    loss = torch.nn.functional.mse_loss(net(x), y, reduction="sum")
    loss.backward()
    return float(loss.detach()), _to_numpy(net[0].weight.grad.T), _to_numpy(net[2].weight.grad.T)


def train_nn(x, y, w1, w2, *, lr, steps, dtype=torch.float64, device=None) -> Arrays:
    """As :func:`train_manual`, with torch.nn layers and torch.optim.SGD."""
    _check(x, y, w1, w2)
    _check_steps(lr, steps)
    x, y, w1, w2 = _to_torch((x, y, w1, w2), dtype, device)
    net = network(w1, w2)
    loss_fn = torch.nn.MSELoss(reduction="sum")  # sum, not the default mean
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(net(x), y)
        losses.append(loss.detach())
        loss.backward()
        optimizer.step()
    return _finished(losses, lr, net[0].weight.T, net[2].weight.T)


# --- the NumPy model, with the same signatures -------------------------------------


def grads_numpy(x, y, w1, w2) -> tuple[float, np.ndarray, np.ndarray]:
    """:func:`scratchnn.two_layer.loss_and_grads`, as (loss, dloss/dw1, dloss/dw2)."""
    loss, grads = two_layer.loss_and_grads({"w1": w1, "w2": w2}, x, y)
    return loss, grads["w1"], grads["w2"]


def train_numpy(x, y, w1, w2, *, lr, steps) -> Arrays:
    """:func:`scratchnn.train.gradient_descent` on the NumPy model, float64."""
    history = gradient_descent(
        two_layer.loss_and_grads, {"w1": w1, "w2": w2}, x, y, lr=lr, epochs=steps
    )
    return history.losses, history.params["w1"], history.params["w2"]


# --- timing ----------------------------------------------------------------------


def time_steps(
    runners: dict[str, Callable[[int], object]], *, steps: int = 20, repeats: int = 9
) -> dict[str, float]:
    """Median seconds per training step of each runner, measured interleaved.

    Parameters
    ----------
    runners : name -> a function ``f(steps)`` that trains for ``steps`` steps.
    steps : steps per timed call.  repeats : timed calls per runner; in each
        round every runner is timed once, in turn, so a slow spell of the
        machine touches all of them alike (:func:`scratchnn.benchmark.interleaved`,
        after one untimed warm-up round).

    Returns
    -------
    name -> median over the repeats of (wall time / steps), in seconds.
    """
    timings = interleaved(
        {name: functools.partial(f, steps) for name, f in runners.items()}, repeats=repeats
    )
    return {name: float(np.median(timings.seconds[name])) / steps for name in runners}


# --- the chapter's experiment ------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """NumPy and torch trained from the same start.

    Attributes
    ----------
    device : where torch ran ("cpu", "cuda").  dtype : torch's dtype name.
    losses_numpy, losses_torch : (epochs,) losses per step of each.
    max_loss_gap : max over steps of |torch − numpy| / numpy loss.
    grad_errors : "manual", "autograd", "nn" -> relative error of that
        float64 torch gradient against the NumPy one at the start.
    """

    device: str
    dtype: str
    losses_numpy: np.ndarray
    losses_torch: np.ndarray
    max_loss_gap: float
    grad_errors: dict[str, float]


def start(seed: int = BOOK_SEED) -> tuple[np.ndarray, ...]:
    """x, y, w1, w2 exactly as in :func:`scratchnn.two_layer.run` (N(0, 1) weights)."""
    rng = np.random.default_rng(seed)
    x, y = two_layer_data(rng)
    params = two_layer.init_params(rng, x.shape[1], 100, y.shape[1])
    return x, y, params["w1"], params["w2"]


def run(
    seed: int = BOOK_SEED, epochs: int = BOOK_EPOCHS, lr: float = BOOK_LR, dtype: str = "float64"
) -> Result:
    """Compare gradients at the start (float64), then train NumPy and torch (``dtype``)."""
    x, y, w1, w2 = start(seed)
    _, *reference = grads_numpy(x, y, w1, w2)
    grad_errors = {}
    for name, grads in [("manual", grads_manual), ("autograd", grads_autograd), ("nn", grads_nn)]:
        _, *other = grads(x, y, w1, w2)
        grad_errors[name] = max(relative_error(a, b) for a, b in zip(reference, other, strict=True))
    losses_numpy, _, _ = train_numpy(x, y, w1, w2, lr=lr, steps=epochs)
    losses_torch, _, _ = train_manual(x, y, w1, w2, lr=lr, steps=epochs, dtype=DTYPES[dtype])
    gap = float(np.max(np.abs(losses_torch - losses_numpy) / losses_numpy))
    return Result(str(pick_device()), dtype, losses_numpy, losses_torch, gap, grad_errors)


def main(argv: list[str] | None = None) -> int:
    """Command line: the chapter's comparison, with its numbers printed."""
    p = parser(
        "python -m scratchnn.torch_compare",
        "Train the two-layer network with NumPy and with torch from the same start.",
        seed=BOOK_SEED,
        epochs=BOOK_EPOCHS,
        lr=BOOK_LR,
    )
    p.add_argument("--dtype", choices=list(DTYPES), default="float64", help="torch's precision")
    args = p.parse_args(argv)
    try:
        result = run(args.seed, args.epochs, args.lr, args.dtype)
    except DivergenceError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"torch device: {result.device}, dtype {result.dtype}")
    for name, err in result.grad_errors.items():
        print(f"gradient at the start, torch {name} vs NumPy (float64): relative error {err:.3e}")
    print(f"first loss: NumPy {result.losses_numpy[0]:.6e}, torch {result.losses_torch[0]:.6e}")
    print(f"last loss:  NumPy {result.losses_numpy[-1]:.6e}, torch {result.losses_torch[-1]:.6e}")
    print(f"largest relative gap between the loss curves: {result.max_loss_gap:.3e}")
    if args.plot:
        curves = {"NumPy float64": result.losses_numpy, f"torch {args.dtype}": result.losses_torch}
        fig = loss_curve(curves, log=True, xlabel="step", ylabel="sum of squared errors")
        save_figure(fig, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
