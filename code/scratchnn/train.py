"""The one training loop of the book: full-batch gradient descent.

Every chapter trains with :func:`gradient_descent`, whatever the model, since
every model exposes the same ``loss_and_grads(params, x, y, **options)``.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["DivergenceError", "History", "gradient_descent"]

LossAndGrads = Callable[..., tuple[float, dict[str, np.ndarray]]]


class DivergenceError(FloatingPointError):
    """Raised when the loss becomes NaN or infinite during training."""


@dataclass(frozen=True)
class History:
    """What a training run returns.

    Attributes
    ----------
    losses : (epochs,) float64; ``losses[t]`` is the loss at the parameters
        of the start of epoch ``t``, before that epoch's update.
    params : name -> array, the parameters after the last update.
    """

    losses: np.ndarray
    params: dict[str, np.ndarray]


def _check_hyperparameters(lr: float, epochs: int) -> None:
    if isinstance(lr, bool) or not isinstance(lr, int | float) or not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"learning rate lr must be a finite number > 0, got {lr!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a whole number >= 1, got {epochs!r}")


def gradient_descent(
    loss_and_grads: LossAndGrads,
    params: Mapping[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    lr: float,
    epochs: int,
    callback: Callable[[int, float], None] | None = None,
    **model_options: object,
) -> History:
    """Train by θ ← θ − lr · ∂L/∂θ, once per epoch, on the whole batch.

    Parameters
    ----------
    loss_and_grads : the model's ``loss_and_grads(params, x, y, **options)``.
    params : name -> starting array; copied, the caller's arrays are untouched.
    x, y : the training inputs and targets, passed to ``loss_and_grads`` as is.
    lr : learning rate, a finite number > 0.
    epochs : number of updates, >= 1.
    callback : if given, called as ``callback(epoch, loss)`` after each epoch's
        loss is known (the command-line programs print progress with it).
    model_options : keyword options for the model (``activation="relu"``, ...).

    Returns
    -------
    History with ``losses`` of shape (epochs,) and the final ``params``.

    Raises
    ------
    DivergenceError : the loss became NaN or infinite; the message names the
        epoch and the learning rate, the usual culprit.
    ValueError : a bad ``lr`` or ``epochs``, or gradients whose names or
        shapes do not match the parameters.
    """
    _check_hyperparameters(lr, epochs)
    params = {k: np.array(v, dtype=np.float64, copy=True) for k, v in params.items()}
    losses = np.empty(epochs)
    # Overflow is expected when a run diverges; the finiteness check below
    # turns it into one clear error instead of a stream of RuntimeWarnings.
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            loss, grads = loss_and_grads(params, x, y, **model_options)
            if not math.isfinite(loss):
                raise DivergenceError(
                    f"loss became {loss} at epoch {epoch} with learning rate lr={lr:g}; "
                    "the steps overshoot: try a smaller learning rate"
                )
            losses[epoch] = loss
            if callback is not None:
                callback(epoch, loss)
            for name, value in params.items():
                grad = grads.get(name)
                if grad is None or np.shape(grad) != value.shape:
                    got = None if grad is None else np.shape(grad)
                    raise ValueError(
                        f"gradient for {name!r} has shape {got}, "
                        f"but the parameter has shape {value.shape}"
                    )
                params[name] = value - lr * grad
    return History(losses=losses, params=params)
