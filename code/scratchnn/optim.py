"""Optimisers from scratch: SGD with momentum, RMSProp, Adam and AdamW, as PyTorch defines them.

Each optimiser takes PyTorch's arguments under PyTorch's names and applies
PyTorch's update, so a reader can run one beside ``torch.optim`` and compare
the parameters step by step (the tests do, in float64, to 1e-12).  Unlike
``torch.optim`` it holds no parameters: ``step(params, grads)`` returns new
parameters and never modifies its arguments.  What it remembers between
steps is in ``state``, per parameter name, under PyTorch's names:
``momentum_buffer`` (SGD), ``square_avg`` (RMSProp), ``exp_avg`` and
``exp_avg_sq`` (Adam, AdamW), and ``step``, the number of steps taken.

For a parameter θ with gradient g at step t (the book's notation: η the
rate, λ the weight decay, μ the momentum, ρ₁, ρ₂ Adam's betas, α RMSProp's
smoothing, ε the stabiliser):

- SGD:     g ← g + λθ;  u ← μu + (1 − dampening) g (u = g at t = 1);
  the step is u, or g + μu with Nesterov;  θ ← θ − η · step.
- RMSProp: g ← g + λθ;  v ← αv + (1 − α) g²;  θ ← θ − η g / (√v + ε).
- Adam:    g ← g + λθ;  m ← ρ₁m + (1 − ρ₁) g;  v ← ρ₂v + (1 − ρ₂) g²;
  θ ← θ − η m̂ / (√v̂ + ε) with m̂ = m / (1 − ρ₁ᵗ), v̂ = v / (1 − ρ₂ᵗ).
- AdamW:   θ ← θ (1 − ηλ) first (decoupled weight decay), then Adam with λ = 0.

:func:`cosine_with_warmup` is a learning-rate schedule to go with them.
"""

import math
from collections.abc import Mapping

import numpy as np

from scratchnn import checks
from scratchnn.model import flag

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "RMSProp", "cosine_with_warmup"]


def _unit_interval(value: object, name: str) -> float:
    """``value`` as a float in [0, 1), named in the error otherwise."""
    number = checks.nonnegative_float(value, name)
    if number >= 1.0:
        raise ValueError(f"{name} must be a number in [0, 1), got {number!r}")
    return number


class Optimizer:
    """What every optimiser shares: the rate, the weight decay, the state and the checks.

    Parameters
    ----------
    lr : η > 0.
    weight_decay : λ >= 0 (added to the gradient as λθ, except in AdamW).
    """

    def __init__(self, lr: float, weight_decay: float = 0.0):
        self.lr = checks.positive_float(lr, "lr")
        self.weight_decay = checks.nonnegative_float(weight_decay, "weight_decay")
        #: name -> {"step": int, and the optimiser's buffers (arrays of the parameter's shape)}
        self.state: dict[str, dict[str, object]] = {}

    def step(
        self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        """One update: new parameters {name: array}, of the shapes of ``params``.

        ``params`` and ``grads`` must have the same names and shapes, and after
        the first step the names the state was made for.  Neither argument is
        modified.
        """
        return self.update(*self._checked(params, grads))

    def update(
        self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        """:meth:`step` without its checks, for float64 arrays already checked.

        The training loops of :mod:`scratchnn.train` check the first step and
        then call this, as they call a model's kernel.
        """
        new = {}
        for name, theta in params.items():
            state = self.state.setdefault(name, {"step": 0})
            state["step"] += 1
            new[name] = self._update(theta, grads[name], state)
        return new

    def _checked(self, params: object, grads: object) -> tuple[dict, dict]:
        if not isinstance(params, Mapping):
            raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
        if not isinstance(grads, Mapping):
            raise TypeError(f"grads must be a dict of arrays, got {type(grads).__name__}")
        if set(grads) != set(params):
            raise ValueError(
                f"grads must have the names of params ({', '.join(map(repr, params))}), "
                f"got {', '.join(map(repr, grads))}"
            )
        if self.state and set(self.state) != set(params):
            raise ValueError(
                f"params has the names {', '.join(map(repr, params))} but this optimiser's "
                f"state was made for {', '.join(map(repr, self.state))}: use a new optimiser"
            )
        checked_params, checked_grads = {}, {}
        for name in params:
            theta = checks.array(params[name], f"params[{name!r}]")
            grad = checks.array(grads[name], f"grads[{name!r}]")
            checks.same_shape(grad, theta, f"grads[{name!r}]", f"params[{name!r}]")
            checked_params[name], checked_grads[name] = theta, grad
        return checked_params, checked_grads

    def _update(self, theta: np.ndarray, grad: np.ndarray, state: dict) -> np.ndarray:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with (heavy-ball or Nesterov) momentum, as ``torch.optim.SGD``.

    Parameters
    ----------
    lr : η > 0;  momentum : μ in [0, 1);  dampening : in [0, 1), scales the
    gradient's share of the buffer after the first step;  nesterov : step along
    g + μu instead of u (needs momentum > 0 and dampening 0);  weight_decay : λ >= 0.
    """

    def __init__(
        self,
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ):
        super().__init__(lr, weight_decay)
        self.momentum = _unit_interval(momentum, "momentum")
        self.dampening = _unit_interval(dampening, "dampening")
        self.nesterov = flag(nesterov, "nesterov")
        if self.nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("nesterov needs momentum > 0 and dampening 0")

    def _update(self, theta, grad, state):
        g = grad + self.weight_decay * theta if self.weight_decay else grad
        if self.momentum:
            u = state.get("momentum_buffer")
            u = g.copy() if u is None else self.momentum * u + (1 - self.dampening) * g
            state["momentum_buffer"] = u
            g = g + self.momentum * u if self.nesterov else u
        return theta - self.lr * g


class RMSProp(Optimizer):
    """RMSProp, as ``torch.optim.RMSprop`` (not centred, no momentum).

    Parameters
    ----------
    lr : η > 0;  alpha : α in [0, 1), the smoothing of the squared gradients;
    eps : ε > 0;  weight_decay : λ >= 0.
    """

    def __init__(
        self, lr: float, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0
    ):
        super().__init__(lr, weight_decay)
        self.alpha = _unit_interval(alpha, "alpha")
        self.eps = checks.positive_float(eps, "eps")

    def _update(self, theta, grad, state):
        g = grad + self.weight_decay * theta if self.weight_decay else grad
        v = state.get("square_avg", np.zeros_like(theta))
        v = self.alpha * v + (1 - self.alpha) * g * g
        state["square_avg"] = v
        return theta - self.lr * g / (np.sqrt(v) + self.eps)


class Adam(Optimizer):
    """Adam with its bias correction, as ``torch.optim.Adam`` (weight decay as L2: λθ in g).

    Parameters
    ----------
    lr : η > 0;  betas : (ρ₁, ρ₂), each in [0, 1);  eps : ε > 0;  weight_decay : λ >= 0.
    """

    decoupled = False

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(lr, weight_decay)
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (_unit_interval(betas[0], "betas[0]"), _unit_interval(betas[1], "betas[1]"))
        self.eps = checks.positive_float(eps, "eps")

    def _update(self, theta, grad, state):
        """One step of one parameter: θ and its gradient (one shape) -> the new θ.

        ``state`` is the parameter's own: ``state["step"]`` is t, this step
        counted (1 at the first); m and v are kept from step to step as
        ``state["exp_avg"]`` and ``state["exp_avg_sq"]``, absent before the first.
        """
        rho1, rho2 = self.betas
        if self.decoupled:
            theta = theta * (1 - self.lr * self.weight_decay)
            g = grad
        else:
            g = grad + self.weight_decay * theta if self.weight_decay else grad
        m = rho1 * state.get("exp_avg", 0.0) + (1 - rho1) * g
        v = rho2 * state.get("exp_avg_sq", 0.0) + (1 - rho2) * g * g
        state["exp_avg"], state["exp_avg_sq"] = m, v
        t = state["step"]
        m_hat_scale = 1 - rho1**t  # m̂ = m / (1 − ρ₁ᵗ): without it the first steps are too small
        v_hat_root = math.sqrt(1 - rho2**t)
        return theta - (self.lr / m_hat_scale) * m / (np.sqrt(v) / v_hat_root + self.eps)


class AdamW(Adam):
    """Adam with decoupled weight decay, as ``torch.optim.AdamW``: θ ← θ(1 − ηλ), then Adam.

    Parameters as :class:`Adam`; ``weight_decay`` defaults to 0.01 as in PyTorch.
    """

    decoupled = True

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ):
        super().__init__(lr, betas, eps, weight_decay)


def cosine_with_warmup(step: int, *, total: int, warmup: int = 0, lr: float) -> float:
    """The rate at ``step`` (0-based): linear from lr/warmup up to lr, then a half cosine to 0.

    For step < warmup the rate is lr · (step + 1) / warmup; after it,
    lr · ½(1 + cos(π s / (total − warmup))) with s = step − warmup.  Steps
    run from 0 to total − 1.
    """
    total = checks.whole_number(total, "total")
    warmup = checks.whole_number(warmup, "warmup", minimum=0, maximum=total - 1)
    step = checks.whole_number(step, "step", minimum=0, maximum=total - 1)
    lr = checks.positive_float(lr, "lr")
    if step < warmup:
        return lr * (step + 1) / warmup
    return lr * 0.5 * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))
