"""The book's networks rebuilt on the autograd engine, and the chapter's experiment.

The two-layer network (``scratchnn.two_layer``) and the exam-score network
(``scratchnn.exams``) are written here as expressions of
:class:`scratchnn.autograd.Tensor`; nobody writes their backward pass.  A
:class:`Model` adapts such an expression to the book's model contract
(``forward`` and ``loss_and_grads`` on dicts of arrays), so the same
``scratchnn.train.gradient_descent`` trains it and the same
``scratchnn.gradcheck.check_gradients`` checks it (figures of the graphs:
:mod:`scratchnn.autograd_figures`, whose ``figure_graph`` is also here).  Explained in the book's
chapter "Backpropagation as a graph"; ``python -m scratchnn.autograd_nets``
trains the two-layer network both ways and compares the runs.
"""

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from scratchnn import checks, cli, two_layer
from scratchnn.autograd import Tensor, node
from scratchnn.autograd_figures import figure_graph
from scratchnn.experiment import Callback, experiment
from scratchnn.plotting import loss_curve
from scratchnn.train import History, gradient_descent

# fmt: off
__all__ = [  # noqa: RUF022 (grouped by contract, not sorted)
    # the experiment contract (scratchnn.experiment)
    "BOOK", "Defaults", "Result", "run", "summary", "main",
    # figures
    "figure_graph", "figure_loss",
    # this module's own
    "EXAMS", "TWO_LAYER", "exams_net", "mean_squared_error", "Model", "sum_squared_error",
    "two_layer_net",
]
# fmt: on

Params = Mapping[str, Tensor]


def two_layer_net(p: Params, x: np.ndarray | Tensor) -> Tensor:
    """y_hat = relu(x w1) w2.  Shapes: x (N, D_in), w1 (D_in, H), w2 (H, D_out) -> (N, D_out)."""
    return (x @ p["w1"]).relu() @ p["w2"]


def exams_net(p: Params, x: np.ndarray | Tensor) -> Tensor:
    """y_hat = relu(x w1 + b1) w2 + b2.  Shapes: x (N, D), w1 (D, H), b1 (H,), w2 (H, K),
    b2 (K,) -> (N, K); each bias row is broadcast to all N rows."""
    return (x @ p["w1"] + p["b1"]).relu() @ p["w2"] + p["b2"]


def sum_squared_error(y_hat: Tensor, y: np.ndarray | Tensor) -> Tensor:
    """L = sum of (y_hat - y)², a tensor of shape ().  Shapes: (N, K), (N, K) -> ()."""
    return ((y_hat - y) ** 2).sum()


def mean_squared_error(y_hat: Tensor, y: np.ndarray | Tensor) -> Tensor:
    """L = mean of (y_hat - y)², a tensor of shape ().  Shapes: (N, K), (N, K) -> ()."""
    return ((y_hat - y) ** 2).mean()


@dataclass(frozen=True)
class Model:
    """A network written with tensors, seen through the book's model contract.

    net : net(params as tensors, x) -> y_hat tensor (N, K).
    loss : loss(y_hat, y) -> tensor of shape ().
    spec : name -> shape of each parameter, e.g. {"w1": ("D", "H"), ...}.
    x_shape, y_shape : the shapes of x and y, named as in ``spec``.
    """

    net: Callable[[Params, np.ndarray], Tensor]
    loss: Callable[[Tensor, np.ndarray], Tensor]
    spec: Mapping[str, tuple[str, ...]]
    x_shape: tuple[str, ...]
    y_shape: tuple[str, ...]

    def _checked(self, params: object, x: object, y: object = ...) -> tuple:
        """Checked params and x, and y unless it is left out (``...``: forward has none)."""
        dims: dict[str, int] = {}
        params = checks.params(params, self.spec, dims=dims)
        x = checks.array(x, "x", self.x_shape, dims=dims)
        y = None if y is ... else checks.array(y, "y", self.y_shape, dims=dims)
        return params, x, y

    def graph(
        self, params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray
    ) -> tuple[Tensor, dict[str, Tensor]]:
        """The loss as a tensor, before ``backward()``, and the parameters as tensors.

        Shapes: params as in ``spec``, x ``x_shape``, y ``y_shape`` -> loss ().
        """
        params, x, y = self._checked(params, x, y)
        # leaves that share the checked arrays (no copy): nothing here writes to them
        leaves = {k: node(v, "", name=k) for k, v in params.items()}
        return self.loss(self.net(leaves, x), y), leaves

    def forward(self, params: Mapping[str, np.ndarray], x: np.ndarray) -> np.ndarray:
        """Predictions y_hat, an array.  Shapes: params as in ``spec``, x -> (N, K)."""
        params, x, _ = self._checked(params, x)
        return self.net({k: node(v, "", name=k) for k, v in params.items()}, x).data

    def loss_and_grads(
        self, params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray
    ) -> tuple[float, dict[str, np.ndarray]]:
        """The loss and its gradients, by one ``backward()`` through the graph.

        Returns (float, name -> dL/d(param) with the shape of that param).  The
        tensors are made anew on every call, so no gradient is left over from
        a previous call.
        """
        loss, leaves = self.graph(params, x, y)
        loss.backward()
        return float(loss.data), {k: t.grad for k, t in leaves.items()}


#: The two-layer network of ``scratchnn.two_layer``, with its loss and shapes.
TWO_LAYER = Model(two_layer_net, sum_squared_error, two_layer.SPEC, ("N", "D_in"), ("N", "D_out"))
#: The exam-score network of ``scratchnn.exams``, with its loss and shapes.
EXAMS = Model(
    exams_net,
    mean_squared_error,
    {"w1": ("D", "H"), "b1": ("H",), "w2": ("H", "K"), "b2": ("K",)},
    ("N", "D"),
    ("N", "K"),
)


# --- the chapter's experiment ------------------------------------------------


@dataclass(frozen=True)
class Defaults:
    """The book's experiment (the two-layer chapter's); each field is a keyword of :func:`run`."""

    seed: int = cli.option(two_layer.BOOK.seed, "seed of the book problem", minimum=0)
    epochs: int = cli.option(two_layer.BOOK.epochs, "full-batch gradient-descent steps")
    lr: float = cli.option(two_layer.BOOK.lr, "learning rate")
    hidden: int = cli.option(two_layer.BOOK.hidden, "hidden units H", maximum=100_000)


#: The book's defaults, the one spelling used by the chapter and the program.
BOOK = Defaults()


@dataclass(frozen=True)
class Result:
    """The two-layer network trained through the engine and by hand, from one start.

    history : the engine's run (losses (epochs,), final params).
    hand : the hand-written ``two_layer.loss_and_grads`` run.
    start_gap : relative difference of the two gradients at the start.
    loss_gap : the largest relative difference of the two runs' losses.
    """

    history: History
    hand: History
    start_gap: float
    loss_gap: float


@experiment(BOOK)
def run(options: Defaults, *, callback: Callback = None) -> Result:
    """Train :data:`TWO_LAYER` and ``two_layer.loss_and_grads`` on the book problem.

    Called as ``run(**changes)``: ``options`` is ``BOOK`` with those fields, checked.
    """
    x, y, params = two_layer.book_problem(options.seed, hidden=options.hidden)
    lr, epochs = options.lr, options.epochs
    engine = gradient_descent(
        TWO_LAYER.loss_and_grads, params, x, y, lr=lr, epochs=epochs, callback=callback
    )
    hand = gradient_descent(two_layer.loss_and_grads, params, x, y, lr=lr, epochs=epochs)
    (_, g_engine), (_, g_hand) = (
        TWO_LAYER.loss_and_grads(params, x, y),
        two_layer.loss_and_grads(params, x, y),
    )
    start_gap = max(_relative(g_engine[k], g_hand[k]) for k in g_hand)
    loss_gap = float(np.max(np.abs(engine.losses - hand.losses) / np.abs(hand.losses)))
    return Result(engine, hand, start_gap, loss_gap)


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def summary(result: Result) -> list[str]:
    """The lines the program prints: both runs' losses and how far apart they are."""
    e, h = result.history.losses, result.hand.losses
    return [
        f"{e.size} steps of the two-layer network, through the engine and by hand",
        f"first loss {e[0]:.6e} (engine)  {h[0]:.6e} (by hand)",
        f"last loss  {e[-1]:.6e} (engine)  {h[-1]:.6e} (by hand)",
        f"gradients at the start differ by {result.start_gap:.1e} (relative, largest entry)",
        f"losses differ by at most {result.loss_gap:.1e} (relative)",
    ]


def figure_loss(result: Result) -> Figure:
    """Both runs' losses per step, on a logarithmic axis (the curves coincide)."""
    runs = {"engine": result.history.losses, "by hand": result.hand.losses}
    return loss_curve(runs, log=True, xlabel="step", ylabel="sum of squared errors")


main = cli.chapter_main("autograd_nets", __doc__, run, summary, figure_loss)

if __name__ == "__main__":
    sys.exit(main())
