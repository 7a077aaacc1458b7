"""The book's training loops: full-batch gradient descent and mini-batch SGD.

Every chapter trains with :func:`gradient_descent` or :func:`sgd`, whatever
the model, since every model exposes the same
``loss_and_grads(params, x, y, **options)``.

Both check once: the learning rate, the sizes, the parameters and the data
are checked before the first step, and for a model made with
:class:`scratchnn.model.Model` its ``loss_and_grads`` is checked once
(``prepare``) and then stepped through its kernel, so each step costs what
the mathematics costs, plus one test that the loss is finite.

When a run fails, the message says why, and only one cause blames the
learning rate: non-finite data or parameters at the start and an empty batch
are ``ValueError`` naming the argument; a loss that is not finite before any
step is a ``DivergenceError`` about the model; a loss that becomes NaN or
infinite after steps is a ``DivergenceError`` naming ``lr``.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from scratchnn import checks
from scratchnn.model import kernel_of, prepared

if TYPE_CHECKING:
    from scratchnn.optim import Optimizer

__all__ = ["MAX_STEPS", "DivergenceError", "History", "gradient_descent", "sgd"]

#: The most updates one run may take (epochs for :func:`gradient_descent`,
#: epochs times batches per epoch for :func:`sgd`): days of running, not a
#: run a reader means to start.
MAX_STEPS = 100_000_000

LossAndGrads = Callable[..., tuple[float, dict[str, np.ndarray]]]
Accuracy = Callable[..., float | np.ndarray]


class DivergenceError(FloatingPointError):
    """Raised when the loss becomes NaN or infinite during training."""


@dataclass(frozen=True)
class History:
    """What a training run returns.

    Attributes
    ----------
    losses : (epochs,) float64; for :func:`gradient_descent`, ``losses[t]`` is
        the loss at the parameters of the start of epoch ``t``, before that
        epoch's update; for :func:`sgd`, the mean of epoch ``t``'s batch
        losses, each taken before its batch's update.
    params : name -> array, the parameters after the last update.
    accuracies : (epochs, ...) training accuracy after each epoch, when
        :func:`sgd` was given ``accuracy``; else None.
    val_losses : (epochs,) validation loss after each epoch, when :func:`sgd`
        was given ``validation``; else None.
    val_accuracies : (epochs, ...) validation accuracy after each epoch, when
        given both ``validation`` and ``accuracy``; else None.
    """

    losses: np.ndarray
    params: dict[str, np.ndarray]
    accuracies: np.ndarray | None = None
    val_losses: np.ndarray | None = None
    val_accuracies: np.ndarray | None = None


def _copy_params(params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Float64 copies of the parameters, checked to be real and finite (names in the message)."""
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    if not params:
        raise ValueError("params is empty: training needs at least one parameter")
    return {k: np.array(checks.array(v, f"params[{k!r}]"), copy=True) for k, v in params.items()}


def _check_functions(**functions: object) -> None:
    """Refuse a loss_and_grads, callback or accuracy that cannot be called (None: not given)."""
    takes = {
        "loss_and_grads": "(params, x, y, **options) -> (loss, grads)",
        "callback": "(epoch, loss)",
        "accuracy": "(params, x, y, **options) -> share correct",
    }
    for name, value in functions.items():
        if value is not None or name == "loss_and_grads":
            checks.function(value, name, takes[name])


def _diverged(loss: float, epoch: int, lr: float, stepped: bool) -> DivergenceError:
    if not stepped:
        return DivergenceError(
            f"loss is {loss} at the starting parameters, before any step (so not the "
            "learning rate): the model overflows on this data"
        )
    return DivergenceError(
        f"loss became {loss} at epoch {epoch} with learning rate lr={lr:g}; "
        "the steps overshoot: try a smaller learning rate"
    )


def _check_grads(grads: object, params: Mapping[str, np.ndarray]) -> None:
    """Refuse gradients whose names or shapes differ from the parameters'."""
    if not isinstance(grads, Mapping):
        raise TypeError(f"loss_and_grads must return (loss, dict of gradients), got {grads!r}")
    for name, value in params.items():
        grad = grads.get(name)
        if grad is None or np.shape(grad) != value.shape:
            got = None if grad is None else np.shape(grad)
            raise ValueError(
                f"gradient for {name!r} has shape {got}, but the parameter has shape {value.shape}"
            )


def _step(params: dict, grads: Mapping, lr: float, velocity: dict, momentum: float) -> dict:
    """θ ← θ − lr u with u ← momentum u + ∂L/∂θ (u = the gradient when momentum = 0)."""
    if not momentum:
        return {name: value - lr * grads[name] for name, value in params.items()}
    new = {}
    for name, value in params.items():
        velocity[name] = momentum * velocity.get(name, 0.0) + grads[name]
        new[name] = value - lr * velocity[name]
    return new


def _updater(lr: object, optimizer: object) -> tuple[float, Callable]:
    """The rate (for messages) and ``update(params, grads, first)``: a plain step or the optimiser.

    The optimiser checks its first step (``step``) and runs unchecked after it (``update``).
    """
    if optimizer is None:
        if lr is None:
            raise TypeError("the training loops need lr (or an optimizer)")
        lr = checks.positive_float(lr, "lr")
        return lr, lambda params, grads, first: _step(params, grads, lr, {}, 0.0)
    if lr is not None:
        raise ValueError("give lr or an optimizer, not both: the optimizer has its own lr")
    if not callable(getattr(optimizer, "step", None)) or not hasattr(optimizer, "lr"):
        raise TypeError(f"optimizer must be a scratchnn.optim optimiser, got {optimizer!r}")

    def update(params, grads, first):
        return optimizer.step(params, grads) if first else optimizer.update(params, grads)

    return optimizer.lr, update


def _check_final(params: Mapping[str, np.ndarray], epoch: int, lr: float) -> None:
    """After the last step: weights that overflowed are a divergence, as a loss would be."""
    if not all(np.isfinite(v).all() for v in params.values()):
        raise _diverged(math.inf, epoch, lr, stepped=True)


def gradient_descent(
    loss_and_grads: LossAndGrads,
    params: Mapping[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    lr: float | None = None,
    epochs: int,
    callback: Callable[[int, float], None] | None = None,
    optimizer: "Optimizer | None" = None,
    **model_options: object,
) -> History:
    """Train by θ ← θ − lr · ∂L/∂θ, once per epoch, on the whole batch.

    Parameters
    ----------
    loss_and_grads : the model's ``loss_and_grads(params, x, y, **options)``.
    params : name -> starting array; copied, the caller's arrays are untouched.
    x, y : the training inputs and targets, as float64 arrays (int64 for
        integers: class labels stay labels); None passes as None, for a
        function of one's own that holds its data.
    lr : learning rate, a finite number > 0.
    epochs : number of updates, >= 1.
    callback : if given, called as ``callback(epoch, loss)`` after each epoch's
        loss is known (the command-line programs print progress with it).
    optimizer : instead of ``lr``, a :mod:`scratchnn.optim` optimiser whose
        ``step(params, grads)`` makes each update (Adam, SGD with momentum, ...).
    model_options : keyword options for the model (``activation="relu"``, ...).

    Returns
    -------
    History with ``losses`` of shape (epochs,) and the final ``params``.

    Raises
    ------
    ValueError : a bad ``lr`` or ``epochs``; data or parameters that hold NaN
        or inf, or data with no example; gradients whose names or shapes do
        not match the parameters.
    DivergenceError : the loss is NaN or infinite; the message names the
        epoch and the learning rate when steps were taken, the model when not.
    """
    _check_functions(loss_and_grads=loss_and_grads, callback=callback)
    lr, update = _updater(lr, optimizer)
    epochs = checks.whole_number(epochs, "epochs", maximum=MAX_STEPS)
    params = _copy_params(params)
    x = checks.data(x, "x", optional=True)  # None: a loss of one's own that holds its data
    y = checks.data(y, "y", optional=True)
    # Checked once; a checked model's kernel then runs unchecked.
    step_fn, start = prepared(loss_and_grads, params, x, y, model_options)
    params, x, y, options = start.params, start.x, start.y, start.options
    every_step = kernel_of(loss_and_grads) is None  # another function: check its grads each time
    losses = np.empty(epochs)
    # Overflow is expected when a run diverges; the finiteness test of the loss
    # turns it into one clear error instead of a stream of RuntimeWarnings.
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            result = step_fn(params, x, y, **options)
            if every_step or epoch == 0:
                result = checks.loss_pair(result, "loss_and_grads")
            loss, grads = result
            if not math.isfinite(loss):
                raise _diverged(loss, epoch, lr, stepped=epoch > 0)
            losses[epoch] = loss
            if callback is not None:
                callback(epoch, loss)
            if every_step or epoch == 0:
                _check_grads(grads, params)
            params = update(params, grads, epoch == 0)
    _check_final(params, epochs, lr)
    return History(losses=losses, params=params)


def sgd(
    loss_and_grads: LossAndGrads,
    params: Mapping[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    rng: np.random.Generator,
    batch_size: int,
    lr: float | None = None,
    epochs: int,
    momentum: float = 0.0,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    accuracy: Accuracy | None = None,
    callback: Callable[[int, float], None] | None = None,
    optimizer: "Optimizer | None" = None,
    **model_options: object,
) -> History:
    """Mini-batch stochastic gradient descent: one step per batch, N / batch_size per epoch.

    Each epoch draws a fresh order of the N examples from ``rng`` and cuts it
    into batches of ``batch_size`` rows (the last one smaller when
    batch_size does not divide N).  With ``batch_size = N`` there is one batch,
    taken in the data's own order: the steps are exactly those of
    :func:`gradient_descent`.

    Parameters
    ----------
    loss_and_grads, params, lr, epochs, callback, model_options :
        as in :func:`gradient_descent` (``params`` is never modified).
    x : (N, ...) inputs; y : (N, ...) targets, row n belonging to x[n].
    rng : the Generator that shuffles; the same seed gives the same run.
    batch_size : rows per step, 1 <= batch_size <= N.
    momentum : μ in [0, 1): the step follows u ← μ u + ∂L/∂θ, θ ← θ − lr u; 0 is plain SGD.
    optimizer : instead of ``lr`` (and ``momentum``), a :mod:`scratchnn.optim`
        optimiser that makes each update.
    validation : (x_val, y_val): their loss is recorded after each epoch.
    accuracy : ``accuracy(params, x, y, **options)``, the share of correct
        predictions; recorded after each epoch on the training data and, with
        ``validation``, on the validation data.

    Returns
    -------
    History: ``losses`` (epochs,), the final ``params``, and ``accuracies``,
    ``val_losses``, ``val_accuracies`` when asked for.
    """
    _check_functions(loss_and_grads=loss_and_grads, callback=callback, accuracy=accuracy)
    lr, update = _updater(lr, optimizer)
    epochs = checks.whole_number(epochs, "epochs", maximum=MAX_STEPS)
    rng = checks.generator(rng)
    params = _copy_params(params)
    x, y = checks.data(x, "x"), checks.data(y, "y")
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"x and y must have one row per example, got shapes {x.shape}, {y.shape}")
    n = len(x)
    if len(y) != n:
        raise ValueError(
            f"x has {n} examples (shape {x.shape}) but y has {len(y)} (shape {y.shape})"
        )
    batch_size = checks.whole_number(batch_size, "batch_size", maximum=n)
    steps = epochs * -(-n // batch_size)
    if steps > MAX_STEPS:
        raise ValueError(
            f"epochs={epochs:,} with batch_size={batch_size} on {n} examples is {steps:,} "
            f"steps; at most {MAX_STEPS:,} (train.MAX_STEPS)"
        )
    momentum = checks.nonnegative_float(momentum, "momentum")
    if momentum >= 1.0:
        raise ValueError(f"momentum must be a number in [0, 1), got {momentum}")
    if momentum and optimizer is not None:
        raise ValueError("give momentum to the optimizer, not to sgd, when sgd has an optimizer")
    if validation is not None:
        if not isinstance(validation, tuple) or len(validation) != 2:
            raise TypeError("validation must be a pair (x_val, y_val)")
        validation = tuple(
            checks.data(arr, f"validation {name}")
            for arr, name in zip(validation, ("x_val", "y_val"), strict=True)
        )
    # Checked once; a checked model's kernel then runs unchecked on every batch.
    step_fn, start = prepared(loss_and_grads, params, x, y, model_options)
    params, x, y, options = start.params, start.x, start.y, start.options
    if validation is not None:
        _, held_out = prepared(loss_and_grads, params, *validation, model_options)
        validation = (held_out.x, held_out.y)
    every_step = kernel_of(loss_and_grads) is None  # another function: check its grads each time
    record: dict[str, list] = {"losses": [], "acc": [], "val_loss": [], "val_acc": []}
    velocity: dict[str, np.ndarray] = {}
    stepped = False
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            order = rng.permutation(n) if batch_size < n else np.arange(n)
            total = 0.0
            for start in range(0, n, batch_size):
                rows = order[start : start + batch_size]
                result = step_fn(params, x[rows], y[rows], **options)
                if every_step or not stepped:
                    result = checks.loss_pair(result, "loss_and_grads")
                loss, grads = result
                if not math.isfinite(loss):
                    raise _diverged(loss, epoch, lr, stepped)
                total += loss * len(rows)
                if every_step or not stepped:
                    _check_grads(grads, params)
                if optimizer is None:
                    params = _step(params, grads, lr, velocity, momentum)
                else:
                    params = update(params, grads, not stepped)
                stepped = True
            record["losses"].append(total / n)
            if accuracy is not None or validation is not None:
                _check_final(params, epoch + 1, lr)  # before the public functions see them
            if accuracy is not None:
                record["acc"].append(accuracy(params, x, y, **model_options))
            if validation is not None:
                val_loss = step_fn(params, *validation, **options)[0]
                if not math.isfinite(val_loss):
                    raise _diverged(val_loss, epoch, lr, stepped=True)
                record["val_loss"].append(val_loss)
                if accuracy is not None:
                    record["val_acc"].append(accuracy(params, *validation, **model_options))
            if callback is not None:
                callback(epoch, total / n)
    _check_final(params, epochs, lr)

    def stacked(name: str) -> np.ndarray | None:
        return np.array(record[name], dtype=np.float64) if record[name] else None

    return History(
        losses=stacked("losses"),
        params=params,
        accuracies=stacked("acc"),
        val_losses=stacked("val_loss"),
        val_accuracies=stacked("val_acc"),
    )
