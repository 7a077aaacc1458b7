"""Layers: the same equations as the model functions, packaged as objects.

Each layer keeps its parameters in a dict ``params`` and, after a backward
pass, their gradients in a dict ``grads`` with the same keys and shapes.

* ``forward(x)`` returns the layer's output and remembers what the backward
  pass needs;
* ``backward(grad_out)`` takes dL/d(output), fills ``grads`` and returns
  dL/d(input).

Nothing is attached to the arrays themselves, nothing is printed, and every
wrong shape is a ``ValueError`` that names the shapes.  :class:`Sequential`
chains layers and exposes all their parameters as one flat dict (``"0.w"``,
``"0.b"``, ``"2.w"``, ...), and :func:`loss_and_grads` adapts a model and a
loss to the book's contract, so ``scratchnn.train.gradient_descent`` and
``scratchnn.gradcheck.check_gradients`` work on layers unchanged.
Explained in the book's chapter "Predicting exam scores".
"""

from collections.abc import Mapping

import numpy as np

from scratchnn import checks, conv
from scratchnn import functional as F

__all__ = [
    "Activation",
    "BatchNorm",
    "Dropout",
    "Layer",
    "Linear",
    "MSELoss",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "loss_and_grads",
]


class Layer:
    """Base class: the ``params`` and ``grads`` dicts and the memory of the last forward."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._x: np.ndarray | None = None  # the last forward's input
        self._out_shape: tuple[int, ...] = ()

    def _remember(self, x: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Keep the input for backward and the output's shape; return the output."""
        self._x, self._out_shape = x, out.shape
        return out

    def _recall(self, grad_out: np.ndarray) -> np.ndarray:
        """The last forward's input, once grad_out is known to match its output."""
        if self._x is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        if np.shape(grad_out) != self._out_shape:
            raise ValueError(
                f"{type(self).__name__}.backward: grad_out has shape {np.shape(grad_out)} "
                f"but the forward output had shape {self._out_shape}"
            )
        return self._x


class Linear(Layer):
    """out = x @ w + b.

    Parameters: w (D_in, D_out), b (D_out,), copied to float64.
    forward: x (N, D_in) -> out (N, D_out)
    backward: grad_out (N, D_out) -> grad_in (N, D_in); grads w, b.
    """

    def __init__(self, w: np.ndarray, b: np.ndarray) -> None:
        super().__init__()
        dims: dict[str, int] = {}
        w = np.array(checks.array(w, "w", ("D_in", "D_out"), dims=dims), copy=True)
        b = np.array(checks.array(b, "b", ("D_out",), dims=dims), copy=True)
        self.params = {"w": w, "b": b}

    def forward(self, x: np.ndarray) -> np.ndarray:
        w = self.params["w"]
        x = checks.array(x, "x", ("N", w.shape[0]))
        return self._remember(x, x @ w + self.params["b"])

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        grad_out = checks.array(grad_out, "grad_out")
        x = self._recall(grad_out)
        self.grads = {"w": x.T @ grad_out, "b": grad_out.sum(axis=0)}
        return grad_out @ self.params["w"].T


class Activation(Layer):
    """out = f(x) element by element, for a named pair (f, f') of ``functional``.

    forward: x (any shape) -> out (same); backward: grad_out -> grad_out * f'(x).
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.f, self.df = F.activation(name)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = checks.array(x, "x")
        return self._remember(x, self.f(x))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        grad_out = checks.array(grad_out, "grad_out")
        return grad_out * self.df(self._recall(grad_out))


class ReLU(Activation):
    """out = max(0, x), element by element.  Shapes: any -> same."""

    def __init__(self) -> None:
        super().__init__("relu")


class Sigmoid(Activation):
    """out = 1 / (1 + exp(-x)), element by element.  Shapes: any -> same."""

    def __init__(self) -> None:
        super().__init__("sigmoid")


class MSELoss:
    """L = mean of (y_hat - y)^2; y_hat and y must have the same shape.

    forward: y_hat (...), y (...) -> float
    backward: () -> dL/dy_hat, of the shape of y_hat
    """

    def __init__(self) -> None:
        self._cache: tuple[np.ndarray, np.ndarray] | None = None

    def forward(self, y_hat: np.ndarray, y: np.ndarray) -> float:
        y_hat, y = checks.array(y_hat, "y_hat"), checks.array(y, "y")
        loss = F.mean_squared_error(y_hat, y)  # raises ValueError naming both shapes
        self._cache = (y_hat, y)
        return loss

    def backward(self) -> np.ndarray:
        if self._cache is None:
            raise RuntimeError("MSELoss.backward called before forward")
        return F.mean_squared_error_grad(*self._cache)


class Sequential:
    """Layers applied one after the other.

    ``params`` and ``grads`` are flat dicts named ``"<position>.<name>"``:
    ``Sequential(Linear(w1, b1), ReLU(), Linear(w2, b2))`` has the parameters
    ``"0.w"``, ``"0.b"``, ``"2.w"``, ``"2.b"``.
    """

    def __init__(self, *layers: Layer) -> None:
        self.layers = list(layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def train(self, mode: bool = True) -> "Sequential":
        """Put every layer that has modes (BatchNorm, Dropout) in training mode, or not."""
        for layer in self.layers:
            if hasattr(layer, "training"):
                layer.training = bool(mode)
        return self

    def eval(self) -> "Sequential":
        """Evaluation mode: BatchNorm uses its running statistics, Dropout passes x through."""
        return self.train(False)

    @property
    def params(self) -> dict[str, np.ndarray]:
        """Copies of every layer's parameters, as one flat dict."""
        return {
            f"{i}.{name}": value.copy()
            for i, layer in enumerate(self.layers)
            for name, value in layer.params.items()
        }

    @property
    def grads(self) -> dict[str, np.ndarray]:
        """Every layer's gradients from the last backward pass, as one flat dict."""
        return {
            f"{i}.{name}": value
            for i, layer in enumerate(self.layers)
            for name, value in layer.grads.items()
        }

    def set_params(self, params: Mapping[str, np.ndarray]) -> None:
        """Load a flat dict with exactly the names and shapes of ``params``."""
        spec = {key: value.shape for key, value in self.params.items()}
        for key, value in checks.params(params, spec).items():
            position, name = key.split(".")
            self.layers[int(position)].params[name] = np.array(value, copy=True)


def loss_and_grads(
    params: Mapping[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    model: Sequential,
    loss: MSELoss,
) -> tuple[float, dict[str, np.ndarray]]:
    """The book's model contract for a layered model.

    Loads ``params`` (a flat dict as in ``model.params``) into ``model``, runs
    forward, the loss and backward, and returns the loss and ``model.grads``.
    Pass ``model`` and ``loss`` as the keyword options of ``gradient_descent``
    or ``check_gradients``.  After training, load the final parameters with
    ``model.set_params(history.params)``.
    """
    model.set_params(params)
    value = loss.forward(model.forward(x), y)
    model.backward(loss.backward())
    return value, model.grads


# --- layers with a training and an evaluation mode (the chapter "Training deeper networks") ---


class BatchNorm(Layer):
    """Batch normalisation of each feature over the batch, as ``torch.nn.BatchNorm1d``.

    In training mode (``training = True``, the default) each feature is
    normalised with the batch's own mean z̄ and (biased) variance Var_B[z],
    then scaled and shifted: out = γ ⊙ (z − z̄) / √(Var_B[z] + ε) + β, and the
    running statistics move towards the batch's: r ← (1 − momentum) r +
    momentum · batch value (the variance unbiased, × N / (N − 1), as PyTorch).
    In evaluation mode the running statistics replace the batch's.

    Parameters: gamma (D,) starts at 1, beta (D,) at 0.
    forward: x (N, D) -> out (N, D), N >= 2 in training mode.
    backward: grad_out (N, D) -> grad_in (N, D); grads gamma, beta.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        d = checks.whole_number(num_features, "num_features")
        self.eps = checks.positive_float(eps, "eps")
        self.momentum = checks.nonnegative_float(momentum, "momentum", maximum=1.0)
        self.params = {"gamma": np.ones(d), "beta": np.zeros(d)}
        self.running_mean, self.running_var = np.zeros(d), np.ones(d)
        self.training = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = checks.array(x, "x", ("N", self.params["gamma"].shape[0]))
        if self.training:
            n = x.shape[0]
            if n < 2:
                raise ValueError(f"BatchNorm in training mode needs a batch of N >= 2, got {n}")
            mean = x.sum(axis=0) / n  # (D,): the batch's statistics
            centred = x - mean  # (N, D)
            var = (centred * centred).sum(axis=0) / n  # (D,), the biased variance
            m = self.momentum
            self.running_mean = (1 - m) * self.running_mean + m * mean
            self.running_var = (1 - m) * self.running_var + (m * n / (n - 1)) * var
        else:
            centred, var = x - self.running_mean, self.running_var
        self._inv_std = 1.0 / np.sqrt(var + self.eps)  # (D,)
        self._x_hat = centred * self._inv_std  # (N, D)
        self._batch_stats = self.training
        return self._remember(x, self.params["gamma"] * self._x_hat + self.params["beta"])

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        grad_out = checks.array(grad_out, "grad_out")
        self._recall(grad_out)
        x_hat, inv_std = self._x_hat, self._inv_std
        self.grads = {"gamma": (grad_out * x_hat).sum(axis=0), "beta": grad_out.sum(axis=0)}
        d_x_hat = grad_out * self.params["gamma"]  # (N, D)
        if not self._batch_stats:  # fixed statistics: an affine map of x
            return d_x_hat * inv_std
        # The mean and the variance depend on every row: the compact form of ∂L/∂x.
        n = x_hat.shape[0]
        return (inv_std / n) * (
            n * d_x_hat - d_x_hat.sum(axis=0) - x_hat * (d_x_hat * x_hat).sum(axis=0)
        )


class Dropout(Layer):
    """Inverted dropout: in training, each entry kept with probability 1 − p and × 1 / (1 − p).

    The scaling keeps the expected activation: E[M ⊙ x / (1 − p)] = x for a
    mask M of independent Bernoulli(1 − p) entries, so evaluation mode is
    the identity.  ``rng`` (a numpy Generator) draws the masks.

    forward: x (any shape) -> out (same); backward: grad_out -> grad_out ⊙ mask / (1 − p).
    """

    def __init__(self, p: float, rng: np.random.Generator) -> None:
        super().__init__()
        self.p = checks.nonnegative_float(p, "p")
        if self.p >= 1.0:
            raise ValueError(f"p must be a number in [0, 1), got {self.p!r}")
        self.rng = checks.generator(rng)
        self.training = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = checks.array(x, "x")
        if self.training and self.p:
            self._scale = (self.rng.random(x.shape) >= self.p) / (1.0 - self.p)
        else:
            self._scale = np.ones_like(x)
        return self._remember(x, x * self._scale)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        grad_out = checks.array(grad_out, "grad_out")
        self._recall(grad_out)
        return grad_out * self._scale


# --- convolution, pooling and flattening (chapter "Convolutional networks from scratch") ---

__all__ += ["Conv2d", "Flatten", "MaxPool2d"]  # this section's own names


class Conv2d(Layer):
    """out = conv2d(x, w, b) with ``stride`` and zero ``padding`` (:func:`scratchnn.conv.conv2d`).

    Parameters: w (C_out, C_in, k_h, k_w), b (C_out,), copied to float64.
    forward: x (N, C_in, P, Q) -> out (N, C_out, P', Q'),
        P' = (P + 2 padding - k_h) / stride + 1 (likewise Q').
    backward: grad_out (N, C_out, P', Q') -> grad_in (N, C_in, P, Q); grads w, b.
    """

    def __init__(self, w: np.ndarray, b: np.ndarray, *, stride=1, padding=0) -> None:
        super().__init__()
        dims: dict[str, int] = {}
        w = np.array(checks.array(w, "w", ("C_out", "C_in", "k_h", "k_w"), dims=dims), copy=True)
        b = np.array(checks.array(b, "b", ("C_out",), dims=dims), copy=True)
        self.params = {"w": w, "b": b}
        self.stride, self.padding = stride, padding

    def forward(self, x: np.ndarray) -> np.ndarray:
        out = conv.conv2d(x, self.params["w"], self.params["b"], self.stride, self.padding)
        return self._remember(checks.array(x, "x"), out)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        grad_out = checks.array(grad_out, "grad_out")
        x = self._recall(grad_out)
        dx, dw, db = conv.conv2d_backward(grad_out, x, self.params["w"], self.stride, self.padding)
        self.grads = {"w": dw, "b": db}
        return dx


class MaxPool2d(Layer):
    """out = max_pool2d(x, kernel_size, stride) (:func:`scratchnn.conv.max_pool2d`); no parameters.

    forward: x (N, C, P, Q) -> out (N, C, P', Q'), P' = (P - k_h) / stride + 1.
    backward: grad_out (N, C, P', Q') -> grad_in (N, C, P, Q), each window's
        gradient to its largest entry (on a tie the first in row-major order).
    """

    def __init__(self, kernel_size, stride=None) -> None:
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = checks.array(x, "x")
        return self._remember(x, conv.max_pool2d(x, self.kernel_size, self.stride))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        grad_out = checks.array(grad_out, "grad_out")
        return conv.max_pool2d_backward(
            grad_out, self._recall(grad_out), self.kernel_size, self.stride
        )


class Flatten(Layer):
    """Each example as one row; no parameters.

    forward: x (N, d_1, d_2, ...) -> out (N, d_1 d_2 ...), in C order (channel, row, column).
    backward: grad_out (N, d_1 d_2 ...) -> grad_in (N, d_1, d_2, ...).
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = checks.array(x, "x")
        if x.ndim < 2:
            raise ValueError(f"x must have shape (N, ...) with at least 2 axes, got {x.shape}")
        return self._remember(x, x.reshape(len(x), -1))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        grad_out = checks.array(grad_out, "grad_out")
        return grad_out.reshape(self._recall(grad_out).shape)
