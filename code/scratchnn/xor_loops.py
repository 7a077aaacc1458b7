"""The XOR network one scalar at a time: a reference, and a deliberately wrong pass.

* :func:`loss_and_grads_loop` computes exactly what
  :func:`scratchnn.xor.loss_and_grads` computes, with a Python loop over
  every example, hidden unit and input: each line is one term of the
  chapter's entry-wise equations.  Slow, and useful as a reference.
* :func:`stale_epoch` is **deliberately wrong**: it updates the weights in
  the middle of a pass, example after example, from activations that the
  first update has already made stale (the order of updates of the original
  lab sheet).  The chapter "XOR" measures what that does.
"""

import numpy as np

from scratchnn import checks, xor, xor_batched
from scratchnn import functional as F

__all__ = ["loss_and_grads_loop", "stale_epoch"]


def loss_and_grads_loop(
    params: dict[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    activation: str = xor.BOOK.activation,
    output: str = xor.BOOK.output,
) -> tuple[float, dict[str, np.ndarray]]:
    """The summed squared error and its gradient, one scalar at a time.

    Parameters
    ----------
    params : w1 (2, H), b1 (H,), w2 (H, 1), b2 (1,).
    x : (N, 2) inputs.   y : (N, 1) targets.
    activation, output : as in :func:`scratchnn.xor.loss_and_grads`.

    Returns
    -------
    L : float.   grads : dL/dw1 (2, H), dL/db1 (H,), dL/dw2 (H, 1), dL/db2 (1,).
    """
    dims: dict[str, int] = {}
    params = checks.params(params, xor.SPEC, dims=dims)
    x = checks.array(x, "x", ("N", 2), dims=dims)
    y = checks.array(y, "y", ("N", 1), dims=dims)
    xor.check_options(activation, output)
    act, d_act = F.activation(activation)
    out, d_out = F.activation(output)
    w1, b1, w2, b2 = params["w1"], params["b1"], params["w2"], params["b2"]
    n_inputs, n_hidden = w1.shape
    loss = 0.0
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    for n in range(len(x)):
        # forward, one hidden unit at a time: z1_j = b1_j + sum_i x_i w1_ij
        z1 = np.zeros(n_hidden)
        h = np.zeros(n_hidden)
        for j in range(n_hidden):
            z1[j] = b1[j]
            for i in range(n_inputs):
                z1[j] += x[n, i] * w1[i, j]
            h[j] = act(z1[j])
        z2 = b2[0]
        for j in range(n_hidden):
            z2 += h[j] * w2[j, 0]
        y_hat = out(z2)
        loss += (y_hat - y[n, 0]) ** 2
        # backward: this example's share of every partial derivative
        delta2 = 2.0 * (y_hat - y[n, 0]) * d_out(z2)
        grads["b2"][0] += delta2
        for j in range(n_hidden):
            grads["w2"][j, 0] += delta2 * h[j]
            delta1 = delta2 * w2[j, 0] * d_act(z1[j])
            grads["b1"][j] += delta1
            for i in range(n_inputs):
                grads["w1"][i, j] += delta1 * x[n, i]
    return float(loss), grads


def stale_epoch(
    params: dict[str, np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    lr: float,
    activation: str = xor.BOOK.activation,
    output: str = xor.BOOK.output,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One pass in the original lab sheet's order of updates: DELIBERATELY WRONG.

    The forward pass runs once, at the start of the pass.  Then, for each
    example n in turn, the weights are updated at once, from that example's
    error y_hat_n - y_n and hidden activations h_n as they were at the start
    (stale after the first update), mixed with the current weights: the
    output's derivative is taken at h_n w2 + b2 with the current w2, b2; the
    hidden units' error flows back through the w2 just updated, and their
    derivative is taken at x_n w1 + b1 with the current w1, b1.  The result
    is neither a gradient step nor stochastic gradient descent.

    Works on S stacked networks (the layout of :mod:`scratchnn.xor_batched`):

    Parameters
    ----------
    params : w1 (S, 2, H), b1 (S, H), w2 (S, H, 1), b2 (S, 1) (not modified).
    x : (N, 2) inputs.   y : (N, 1) targets.
    lr : the learning rate, a finite number > 0.

    Returns
    -------
    L : (S,) the loss at the start of the pass.   params : the updated networks.
    """
    xor.check_options(activation, output)
    lr = checks.positive_float(lr, "lr")
    _, h, _, y_hat = xor_batched.forward_with_cache(params, x, activation=activation, output=output)
    x = checks.array(x, "x")
    y = checks.array(y, "y", (len(x), 1))
    p = {k: np.array(v, dtype=np.float64) for k, v in params.items()}  # copies
    d_act, d_out = F.activation(activation)[1], F.activation(output)[1]
    loss = np.sum((y_hat - y) ** 2, axis=(1, 2))  # (S,)
    for n in range(len(x)):
        error = 2.0 * (y_hat[:, n] - y[n])  # (S, 1), from the start of the pass
        delta2 = error * d_out(h[:, n, None, :] @ p["w2"] + p["b2"][:, None, :])[:, 0]  # (S, 1)
        p["w2"] = p["w2"] - lr * h[:, n, :, None] * delta2[:, None, :]  # stale h_n
        p["b2"] = p["b2"] - lr * delta2
        z1 = x[n] @ p["w1"] + p["b1"]  # (S, H), with the current w1, b1
        delta1 = delta2 * p["w2"][:, :, 0] * d_act(z1)  # (S, H), through the new w2
        p["w1"] = p["w1"] - lr * x[n][None, :, None] * delta1[:, None, :]
        p["b1"] = p["b1"] - lr * delta1
    return loss, p
