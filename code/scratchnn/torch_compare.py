"""The two-layer network of :mod:`scratchnn.two_layer` in PyTorch, three ways, against NumPy.

1. torch tensors with the gradients written by hand (``manual``);
2. the same forward pass with ``loss.backward()`` (``autograd``);
3. ``torch.nn`` layers and ``torch.optim.SGD`` (``nn``).

Every function takes NumPy arrays x (N, D_in), y (N, D_out), w1 (D_in, H),
w2 (H, D_out) and returns float64 NumPy arrays.  The only module that imports
torch; explained in the chapter "The same network in PyTorch".
"""

import sys
from dataclasses import dataclass

import numpy as np
import torch
from matplotlib.figure import Figure

from scratchnn import checks, cli, two_layer
from scratchnn.experiment import Callback, experiment
from scratchnn.gradcheck import relative_error
from scratchnn.plotting import loss_curve, new_figure
from scratchnn.train import DivergenceError, History, gradient_descent

# fmt: off
__all__ = [  # noqa: RUF022 (grouped by contract, not sorted)
    # the experiment contract (scratchnn.experiment)
    "BOOK", "Defaults", "Result", "run", "summary", "main",
    # figures
    "figure_losses",
    "figure_tracking",
    # this module's own
    "DTYPES", "VERSIONS", "gradients", "network", "pick_device", "train_autograd", "train_manual",
    "train_nn",
]
# fmt: on

#: ``dtype`` name -> torch dtype.
DTYPES = {"float64": torch.float64, "float32": torch.float32}
#: The three torch versions: gradients by hand, by autograd, by torch.nn layers.
VERSIONS = ("manual", "autograd", "nn")

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]


def pick_device() -> torch.device:
    """The first CUDA GPU when one is available, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _to_torch(x, y, w1, w2, dtype: torch.dtype, device) -> list[torch.Tensor]:
    """Copies as tensors, checked as :func:`scratchnn.two_layer.loss_and_grads` checks them."""
    if dtype not in DTYPES.values():
        raise ValueError(f"dtype must be torch.float64 or torch.float32, got {dtype!r}")
    dims: dict[str, int] = {}
    w1 = checks.array(w1, "w1", ("D_in", "H"), dims=dims)
    w2 = checks.array(w2, "w2", ("H", "D_out"), dims=dims)
    x = checks.array(x, "x", ("N", "D_in"), dims=dims)
    y = checks.array(y, "y", ("N", "D_out"), dims=dims)
    device = pick_device() if device is None else device
    return [torch.tensor(a, dtype=dtype, device=device) for a in (x, y, w1, w2)]


def _to_numpy(t: torch.Tensor) -> np.ndarray:  # float64, on the CPU
    return t.detach().to("cpu", torch.float64).numpy()


def _steps(lr: float, steps: int) -> tuple[float, int]:
    return checks.positive_float(lr, "lr"), checks.whole_number(steps, "steps", maximum=10**7)


def _finished(losses: list[torch.Tensor], lr: float, w1, w2) -> Arrays:
    """Losses to NumPy (one transfer at the end), with the divergence check."""
    values = _to_numpy(torch.stack(losses))
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise DivergenceError(
            f"loss became {values[bad[0]]} at epoch {bad[0]} with learning rate lr={lr:g}; "
            "the steps overshoot: try a smaller learning rate"
        )
    return values, _to_numpy(w1), _to_numpy(w2)


def _manual_step(x, y, w1, w2):
    """Loss and gradients of relu(x w1) w2, every tensor's shape in comments."""
    z1 = x @ w1  # pre-activation, (N, H)
    h = torch.relu(z1)  # activation, (N, H)
    y_hat = h @ w2  # (N, D_out)
    loss = ((y_hat - y) ** 2).sum()  # ()
    delta2 = 2.0 * (y_hat - y)  # dL/dy_hat, (N, D_out)
    grad_w2 = h.T @ delta2  # (H, D_out)
    delta1 = (delta2 @ w2.T) * (z1 > 0)  # dL/dz1, the ReLU mask, (N, H)
    grad_w1 = x.T @ delta1  # (D_in, H)
    return loss, grad_w1, grad_w2


def train_manual(x, y, w1, w2, *, lr, steps, dtype=torch.float64, device=None) -> Arrays:
    """``steps`` full-batch gradient steps with hand-written torch gradients.

    x (N, D_in), y (N, D_out), w1 (D_in, H), w2 (H, D_out): NumPy arrays, copied,
    never modified.  lr > 0; steps >= 1; dtype torch.float64 or torch.float32;
    device None picks one with :func:`pick_device`.  Returns losses (steps,),
    the loss before each update, and the final w1 (D_in, H), w2 (H, D_out), float64.
    """
    lr, steps = _steps(lr, steps)
    x, y, w1, w2 = _to_torch(x, y, w1, w2, dtype, device)
    losses = []
    for _ in range(steps):
        loss, grad_w1, grad_w2 = _manual_step(x, y, w1, w2)
        losses.append(loss)
        w1 -= lr * grad_w1
        w2 -= lr * grad_w2
    return _finished(losses, lr, w1, w2)


def _loss(x, y, w1, w2):
    """The same forward pass; autograd records it."""
    return ((torch.relu(x @ w1) @ w2 - y) ** 2).sum()


def train_autograd(x, y, w1, w2, *, lr, steps, dtype=torch.float64, device=None, reset=True):
    """As :func:`train_manual`, with the gradients from ``loss.backward()``.

    ``reset=False`` is a deliberate mistake, kept for the chapter: ``.grad`` is
    never reset, so each step uses the sum of all the gradients so far.
    """
    lr, steps = _steps(lr, steps)
    x, y, w1, w2 = _to_torch(x, y, w1, w2, dtype, device)
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
        if reset:
            w1.grad = w2.grad = None
    return _finished(losses, lr, w1, w2)


def network(w1: torch.Tensor, w2: torch.Tensor) -> torch.nn.Sequential:
    """Linear-ReLU-Linear without biases, from w1 (D_in, H) and w2 (H, D_out).

    nn.Linear keeps its weight as (out, in), computing x @ weight.T: ours go in transposed."""
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


def train_nn(x, y, w1, w2, *, lr, steps, dtype=torch.float64, device=None, reduction="sum"):
    """As :func:`train_manual`, with torch.nn layers and torch.optim.SGD.

    reduction : the loss, "sum" as the book's or "mean" (MSELoss's default).
    """
    lr, steps = _steps(lr, steps)
    reduction = checks.choice(reduction, "reduction", ("sum", "mean"))
    x, y, w1, w2 = _to_torch(x, y, w1, w2, dtype, device)
    net = network(w1, w2)
    loss_fn = torch.nn.MSELoss(reduction=reduction)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(net(x), y)
        losses.append(loss.detach())
        loss.backward()
        optimizer.step()
    return _finished(losses, lr, net[0].weight.T, net[2].weight.T)


def gradients(x, y, w1, w2, *, version="manual", dtype=torch.float64, device=None) -> Arrays:
    """Loss and gradients at one point, by one of the :data:`VERSIONS`.

    Arguments as in :func:`train_manual`.  Returns the loss (float), dL/dw1
    (D_in, H) and dL/dw2 (H, D_out), float64, in our (in, out) layout.
    """
    version = checks.choice(version, "version", VERSIONS)
    x, y, w1, w2 = _to_torch(x, y, w1, w2, dtype, device)
    if version == "manual":
        loss, grad_w1, grad_w2 = _manual_step(x, y, w1, w2)
    elif version == "autograd":
        w1.requires_grad_()
        w2.requires_grad_()
        loss = _loss(x, y, w1, w2)
        loss.backward()
        grad_w1, grad_w2 = w1.grad, w2.grad
    else:
        net = network(w1, w2)
        loss = torch.nn.functional.mse_loss(net(x), y, reduction="sum")
        loss.backward()
        grad_w1, grad_w2 = net[0].weight.grad.T, net[2].weight.grad.T
    return float(loss.detach()), _to_numpy(grad_w1), _to_numpy(grad_w2)


@dataclass(frozen=True)
class Defaults:
    """The chapter's comparison; each field is a keyword of :func:`run`."""

    seed: int = cli.option(two_layer.BOOK.seed, "seed of the book's problem", minimum=0)
    epochs: int = cli.option(two_layer.BOOK.epochs, "gradient-descent steps")
    lr: float = cli.option(two_layer.BOOK.lr, "learning rate")
    dtype: str = cli.option("float64", "torch's precision", choices=tuple(DTYPES))


#: The book's defaults: those of :mod:`scratchnn.two_layer`, torch in float64.
BOOK = Defaults()


@dataclass(frozen=True)
class Result:
    """NumPy and torch trained from the same start:

    history : NumPy's run.  losses_torch : (epochs,) torch's, hand-written gradients.
    device : where torch ran ("cpu", "cuda").  dtype : torch's dtype name.
    loss_gap : (epochs,) |torch − NumPy| / NumPy loss at each step.
    grad_errors : version -> relative error of its float64 gradient at the start.
    """

    history: History
    losses_torch: np.ndarray
    device: str
    dtype: str
    loss_gap: np.ndarray
    grad_errors: dict[str, float]


@experiment(BOOK)
def run(options: Defaults, *, callback: Callback = None) -> Result:
    """Compare gradients at the start (float64), then train NumPy and torch (``dtype``).

    Called as ``run(**changes)``: ``options`` is ``BOOK`` with those fields, checked.
    """
    x, y, params = two_layer.book_problem(options.seed)
    lr, epochs, dtype = options.lr, options.epochs, options.dtype
    w1, w2 = params["w1"], params["w2"]
    _, reference = two_layer.loss_and_grads(params, x, y)
    grad_errors = {}
    for version in VERSIONS:
        _, grad_w1, grad_w2 = gradients(x, y, w1, w2, version=version)
        grad_errors[version] = max(
            relative_error(reference["w1"], grad_w1), relative_error(reference["w2"], grad_w2)
        )
    history = gradient_descent(
        two_layer.loss_and_grads, params, x, y, lr=lr, epochs=epochs, callback=callback
    )
    losses_torch, _, _ = train_manual(x, y, w1, w2, lr=lr, steps=epochs, dtype=DTYPES[dtype])
    gap = np.abs(losses_torch - history.losses) / history.losses
    return Result(history, losses_torch, str(pick_device()), dtype, gap, grad_errors)


def summary(result: Result) -> list[str]:
    """The lines the program prints: the gradient check and both runs' losses."""
    numpy_losses, torch_losses = result.history.losses, result.losses_torch
    return [
        f"torch device: {result.device}, dtype {result.dtype}",
        *(
            f"gradient at the start, torch {name} vs NumPy (float64): relative error {err:.3e}"
            for name, err in result.grad_errors.items()
        ),
        f"first loss: NumPy {numpy_losses[0]:.6e}, torch {torch_losses[0]:.6e}",
        f"last loss:  NumPy {numpy_losses[-1]:.6e}, torch {torch_losses[-1]:.6e}",
        f"largest relative gap between the loss curves: {result.loss_gap.max():.3e}",
    ]


def figure_losses(result: Result) -> Figure:
    """NumPy's and torch's loss per step, on a logarithmic axis."""
    curves = {"NumPy float64": result.history.losses, f"torch {result.dtype}": result.losses_torch}
    return loss_curve(curves, log=True, xlabel="step", ylabel="sum of squared errors")


main = cli.chapter_main("torch_compare", __doc__, run, summary, figure_losses)

if __name__ == "__main__":
    sys.exit(main())


def figure_tracking(numpy_losses, torch64, torch32) -> Figure:
    """Left: the three loss curves (steps,) on a log axis.  Right: each torch curve's gap to NumPy.

    numpy_losses, torch64, torch32 : (steps,) losses of NumPy and of torch in float64 and float32.
    """
    fig = new_figure(2, width=9.0)
    left, right = fig.axes
    left.semilogy(numpy_losses, label="NumPy float64", lw=3, alpha=0.5)
    left.semilogy(torch64, label="torch float64", ls="--")
    left.semilogy(torch32, label="torch float32", ls=":")
    left.set_ylabel("sum of squared errors")
    for label, losses in (("torch float64", torch64), ("torch float32", torch32)):
        gap = np.abs(np.asarray(losses) - numpy_losses) / numpy_losses
        right.semilogy(np.maximum(gap, 1e-18), label=label)
    right.set_ylabel("relative difference from NumPy")
    for ax in fig.axes:
        ax.set_xlabel("step")
        ax.grid(True, alpha=0.3)
        ax.legend()
    return fig
