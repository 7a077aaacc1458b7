"""The book's networks rebuilt on the autograd engine, and the chapter's experiment.

The two-layer network (``scratchnn.two_layer``) and the exam-score network
(``scratchnn.exams``) are written here as expressions of
:class:`scratchnn.autograd.Tensor`; nobody writes their backward pass.  A
:class:`Model` adapts such an expression to the book's model contract
(``forward`` and ``loss_and_grads`` on dicts of arrays), so the same
``scratchnn.train.gradient_descent`` trains it and the same
``scratchnn.gradcheck.check_gradients`` checks it.  Explained in the book's
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
from scratchnn.plotting import loss_curve, new_figure
from scratchnn.train import History, gradient_descent

__all__ = [
    "BOOK",
    "EXAMS",
    "TWO_LAYER",
    "Defaults",
    "Model",
    "Result",
    "exams_net",
    "figure_graph",
    "figure_loss",
    "main",
    "mean_squared_error",
    "run",
    "sum_squared_error",
    "summary",
    "two_layer_net",
]

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

    def _checked(self, params: object, x: object, y: object = None) -> tuple:
        dims: dict[str, int] = {}
        params = checks.params(params, self.spec, dims=dims)
        x = checks.array(x, "x", self.x_shape, dims=dims)
        y = None if y is None else checks.array(y, "y", self.y_shape, dims=dims)
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


# --- figures of graphs ---------------------------------------------------------


def _layout(order: list[Tensor]) -> dict[int, tuple[float, float]]:
    """Column = longest path from a leaf (leaves one left of their first use), row = order."""
    column = {}
    for t in order:
        column[id(t)] = 1 + max((column[id(p)] for p, _ in t.edges), default=-1)
    for t in order:  # pull each leaf next to the first operation that uses it
        uses = [column[id(c)] for c in order if any(p is t for p, _ in c.edges)]
        if not t.edges and uses:
            column[id(t)] = min(uses) - 1
    rows: dict[int, int] = {}
    place = {}
    for t in order:
        c = column[id(t)]
        rows[c] = rows.get(c, 0) + 1
        place[id(t)] = (float(c), -float(rows[c] - 1))
    return place


def _label(t: Tensor) -> str:
    text = t.name or t.op or "tensor"
    return text if t.data.size == 1 else f"{text}\n{t.data.shape}"


def figure_graph(root: Tensor, *, width: float = 8.0, height: float = 3.6) -> Figure:
    """The computational graph of ``root``: one box per tensor, one arrow per edge.

    Boxes show a tensor's name (or operation) and, for arrays, its shape.
    When ``root.backward()`` has run and the values are single numbers, each
    arrow carries the forward value (above, blue) and the part of the
    gradient that flows back along it (below, red): ``vjp(child.grad)``.
    """
    order = root.nodes()
    place = _layout(order)
    fig = new_figure(width=width, height=height)
    ax = fig.axes[0]
    for child in order:
        for parent, vjp in child.edges:
            (x0, y0), (x1, y1) = place[id(parent)], place[id(child)]
            ax.annotate(
                "", xy=(x1, y1), xytext=(x0, y0),
                arrowprops={"arrowstyle": "-|>", "color": "#333333", "shrinkA": 24, "shrinkB": 24},
            )  # fmt: skip
            if parent.data.size == 1 and root.grad.size == 1 and root.grad.item() != 0.0:
                mx, my = (x0 + x1) / 2, (y0 + y1) / 2
                part = float(np.sum(vjp(child.grad)))
                ax.text(mx, my + 0.08, f"{parent.data.item():.3g}", color="#0b3d91", ha="center")
                ax.text(mx, my - 0.08, f"{part:.3g}", color="#8b0000", ha="center", va="top")
    for t in order:
        x, y = place[id(t)]
        box = {"boxstyle": "round,pad=0.4", "fc": "white", "ec": "#222222"}
        ax.text(x, y, _label(t), ha="center", va="center", bbox=box, fontsize=9)
    xs = [p[0] for p in place.values()]
    ys = [p[1] for p in place.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    ax.set_axis_off()
    return fig


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


def run(
    *,
    seed: int = BOOK.seed,
    epochs: int = BOOK.epochs,
    lr: float = BOOK.lr,
    hidden: int = BOOK.hidden,
    callback: Callable[[int, float], None] | None = None,
) -> Result:
    """Train :data:`TWO_LAYER` and ``two_layer.loss_and_grads`` on the book problem."""
    hidden = checks.whole_number(hidden, "hidden", maximum=100_000)
    x, y, params = two_layer.book_problem(seed, hidden=hidden)
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


main = cli.chapter_main(
    "autograd_nets",
    "Train the two-layer network through the autograd engine and by hand, and compare.",
    BOOK,
    run,
    summary,
    figure_loss,
)

if __name__ == "__main__":
    sys.exit(main())
