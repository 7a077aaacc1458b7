"""The likely mistakes of each worksheet blank, computed from the right quantities.

A mistake is recognised by value, never by reading the student's code: for
each blank, the functions below rebuild the forward pass from the package
(pre-activations, activations, upstream gradients δ), derive from them the
wrong answers a student typically writes (a mask on the wrong quantity, a
product in the wrong order, the seed's w1 rule built from w2's partials,
...), and return them with the sentence that names the cause.
:func:`scratchnn.lab.check` compares the student's result with each, and
with :func:`generic`, the mistakes that fit any gradient (its transpose, a
factor of 2, a flipped sign).  Every function returns a dict
item -> [(cause, wrong array), ...], first match wins.
"""

import numpy as np

from scratchnn import functional as F
from scratchnn import toy_mlp, xor

__all__ = ["generic"]

Mistakes = dict[str, list[tuple[str, np.ndarray]]]

MASK_ON_GRADIENT = (
    "the ReLU mask is applied to the wrong quantity: it must keep the entries where the "
    "pre-activation z1 > 0, not where the gradient ∂L/∂h > 0"
)


OVERFLOW = "exp overflows for large logits: subtract each row's maximum before exp"

UNDERFLOW = (
    "log of an underflowed 0: softmax(z) rounds to 0 where a logit lies far below its row's "
    "maximum, and log(0) = −inf; compute z − max − log Σ exp(z − max), not log(softmax(z))"
)

LOG_OR_EXP = (
    "an infinite loss: log(softmax(z)) takes the log of a probability that underflowed to 0, "
    "or exp overflowed; use log_softmax, which subtracts each row's maximum"
)

MEAN_FOR_SUM = (
    "a mean where the sum is meant: yours is divided by {}; this loss is a sum, with no 1/n"
)


def _order(wrong: str, right: str) -> str:
    return f"the product is in the wrong order ({wrong} for {right})"


def generic(item: str, right: np.ndarray, *, squares: bool) -> list[tuple[str, np.ndarray]]:
    """Mistakes that fit any array ``right`` (shape S): transpose, factor 2, sign, zero."""
    found = []
    if right.ndim == 2:
        found.append((f"this is the transpose of {item}", right.T))
    if squares:
        found.append(
            ("off by a factor of 2: the square's derivative (yours is half of it)", right / 2)
        )
        found.append(
            (
                "off by a factor of 2: yours is twice it (a ½ in the loss cancels the square's 2)",
                2 * right,
            )
        )
    found.append(("the sign is flipped (yours is minus it)", -right))
    found.append(("it is zero everywhere", np.zeros_like(right)))
    return found


def mean_for_sum(right: dict, *, rows: int, entries: int) -> Mistakes:
    """Each item divided by N (the examples) or by the entries of y, for a loss that sums.

    A divisor of 1 changes nothing and one of 2 is the square's factor 2
    (named by :func:`generic`), so neither is tried.
    """
    divisors = {rows: "N, the number of examples"}
    divisors.setdefault(entries, "the number of entries of y")
    return {
        item: [
            (MEAN_FOR_SUM.format(what), np.asarray(value, dtype=np.float64) / n)
            for n, what in divisors.items()
            if n > 2
        ]
        for item, value in right.items()
    }


#: The toy network's forward pass written without its biases.
NO_BIASES = "the biases are missing from the forward pass: z1 = x w1 + b1 and ŷ = h w2 + b2"
#: δ2 of the book's loss, ½ Σ (ŷ − y)², kept for the loss that has no ½.
HALF_LOSS_DELTA = (
    "δ2 is the ½-loss's ŷ − y, but this loss has no ½: δ2 = loss_grad(ŷ, y), here 2 (ŷ − y)"
)


def _without_biases(params) -> dict:
    return {k: v for k, v in params.items() if k not in ("b1", "b2")}


def toy_mlp_forward(params, x, *, activation: str = "linear", biases: bool = False) -> Mistakes:
    """The toy network's forward pass: x (N, D) -> ŷ (N,), its biases forgotten."""
    if not biases:
        return {}
    return {"ŷ": [(NO_BIASES, toy_mlp.forward(_without_biases(params), x, activation=activation))]}


def toy_mlp_loss_and_grads(
    params,
    x,
    y,
    *,
    activation: str = "linear",
    biases: bool = False,
    loss: str = "half_squared_error",
) -> Mistakes:
    """The toy network: w1 (D, H), w2 (H,), x (N, D), y (N,), the loss of ``loss``."""
    act, d_act = F.activation(toy_mlp.ACTIVATIONS[activation])
    w1, w2 = params["w1"], params["w2"]
    z1 = x @ w1 + params.get("b1", 0.0)  # (N, H)
    y_hat = act(z1) @ w2 + params.get("b2", 0.0)  # (N,)
    d_h = np.outer(y_hat - y, w2)  # (N, H) ∂L/∂h of the book's loss
    flawed = toy_mlp.loss_and_grads_flawed(_without_biases(params), x, y, activation=activation)[1][
        "w1"
    ]
    found: Mistakes = {
        "∂L/∂w1": [
            (
                "the w1 rule is built from w2's partials (δ2 h, the activations) instead of "
                "from w2: the chain rule gives xᵀ (δ2 w2ᵀ ⊙ φ'(z1))",
                flawed,
            )
        ]
    }
    if activation == "relu":  # with the linear activation φ' = 1: no mask to get wrong
        found["∂L/∂w1"] += [
            (MASK_ON_GRADIENT, x.T @ (d_h * d_act(d_h))),
            ("the ReLU mask is missing: δ1 = ∂L/∂h ⊙ 1[z1 > 0]", x.T @ d_h),
        ]
    if biases:  # the forward pass without b1 and b2: every item follows from it
        plain = toy_mlp.loss_and_grads(
            _without_biases(params), x, y, activation=activation, loss=loss
        )
        for item, value in (
            ("loss", plain[0]),
            ("∂L/∂w1", plain[1]["w1"]),
            ("∂L/∂w2", plain[1]["w2"]),
        ):
            found.setdefault(item, []).append((NO_BIASES, value))
    if loss != "half_squared_error":  # δ2 = ŷ − y, the ½-loss's, where this loss has no ½
        half = toy_mlp.loss_and_grads(params, x, y, activation=activation, biases=biases)[1]
        for key in ("w1", "w2"):
            found.setdefault(f"∂L/∂{key}", []).insert(0, (HALF_LOSS_DELTA, half[key]))
    return found


def _deltas(d_y_hat, z2, y_hat, d_out):
    """(cause, δ2) pairs: the right one first, then the output derivative's mistakes."""
    return [
        (None, d_y_hat * d_out(z2)),
        ("the output activation's derivative is missing: δ2 = ∂L/∂ŷ ⊙ out'(z2)", d_y_hat),
        (
            "the output activation's derivative is taken at ŷ instead of at its pre-activation z2",
            d_y_hat * d_out(y_hat),
        ),
    ]


def xor_loss_and_grads(params, x, y, *, activation="sigmoid", output="sigmoid") -> Mistakes:
    """XOR: w1 (2, H), b1 (H,), w2 (H, 1), b2 (1,), x (N, 2), y (N, 1), loss Σ (ŷ − y)²."""
    d_act, d_out = F.activation(activation)[1], F.activation(output)[1]
    z1, h, z2, y_hat = xor.forward_with_cache(params, x, activation=activation, output=output)
    found: Mistakes = {f"∂L/∂{k}": [] for k in ("w1", "b1", "w2", "b2")}

    def add(cause, delta2, delta1):  # a wrong δ1 alone leaves ∂L/∂w2 and ∂L/∂b2 right
        grads = {"w1": x.T @ delta1, "b1": delta1.sum(axis=0)}
        if delta2 is not None:
            grads |= {"w2": h.T @ delta2, "b2": delta2.sum(axis=0)}
        for key, value in grads.items():
            found[f"∂L/∂{key}"].append((cause, value))

    for cause, delta2 in _deltas(2 * (y_hat - y), z2, y_hat, d_out):
        d_h = delta2 @ params["w2"].T  # (N, H)
        if cause is not None:
            add(cause, delta2, d_h * d_act(z1))
            continue
        name = "ReLU mask" if activation == "relu" else f"{activation}'s derivative"
        add(
            MASK_ON_GRADIENT
            if activation == "relu"
            else f"the {name} is taken at the wrong quantity: at ∂L/∂h instead of at z1",
            None,
            d_h * d_act(d_h),
        )
        if activation != "relu":  # relu'(h) = relu'(z1): the same mask
            add(
                f"the {name} is taken at h instead of at the pre-activation z1",
                None,
                d_h * d_act(h),
            )
        add(f"the {name} is missing: δ1 = ∂L/∂h ⊙ φ'(z1)", None, d_h)
        delta1 = d_h * d_act(z1)
        found["∂L/∂b1"].append(
            ("summed over the wrong axis: sum δ1 over the examples (axis 0)", delta1.sum(axis=1))
        )
        found["∂L/∂b1"].append(("not summed: sum δ1 over the examples (axis 0)", delta1))
        found["∂L/∂b2"].append(("not summed: sum δ2 over the examples (axis 0)", delta2))
    return found


def two_layer_loss_and_grads(params, x, y) -> Mistakes:
    """The two-layer network: w1 (D_in, H), w2 (H, D_out), loss Σ (ŷ − y)²."""
    w1, w2 = params["w1"], params["w2"]
    z1 = x @ w1  # (N, H)
    h = F.relu(z1)
    delta2 = 2 * (h @ w2 - y)  # (N, D_out)
    d_h = delta2 @ w2.T  # (N, H)
    delta1 = d_h * (z1 > 0)  # (N, H)
    found: Mistakes = {
        "∂L/∂w1": [
            (MASK_ON_GRADIENT, x.T @ (d_h * (d_h > 0))),
            ("the ReLU mask is missing: δ1 = ∂L/∂h ⊙ 1[z1 > 0]", x.T @ d_h),
        ],
        "∂L/∂w2": [],
    }
    if len({*x.shape, *w1.shape, *w2.shape}) == 1:  # every size equal: any product fits
        found["∂L/∂w2"] += [
            (_order("δ2 h", "hᵀ δ2"), delta2 @ h),
            ("h is not transposed (h δ2 for hᵀ δ2)", h @ delta2),
        ]
        found["∂L/∂w1"] += [
            (_order("δ1 x", "xᵀ δ1"), delta1 @ x),
            ("x is not transposed (x δ1 for xᵀ δ1)", x @ delta1),
            ("w2 is not transposed in ∂L/∂h = δ2 w2ᵀ", x.T @ ((delta2 @ w2) * (z1 > 0))),
        ]
    return found


def linear_backward(x, w, g) -> Mistakes:
    """A Linear layer: x (N, D_in), w (D_in, D_out), upstream gradient g (N, D_out)."""
    mean = (
        "a mean where the sum is meant: yours is divided by N, the number of examples; "
        "the gradient sums over the examples"
    )
    found: Mistakes = {
        "∂L/∂b": [
            ("summed over the wrong axis: sum g over the examples (axis 0)", g.sum(axis=1)),
            (mean, g.mean(axis=0)),
        ],
        "∂L/∂x": [],
        "∂L/∂w": [(mean, x.T @ g / len(x))],
    }
    if len({*x.shape, *w.shape}) == 1:
        found["∂L/∂w"] += [
            (_order("g x", "xᵀ g"), g @ x),
            ("x is not transposed (x g for xᵀ g)", x @ g),
        ]
        found["∂L/∂x"] += [
            (_order("wᵀ g", "g wᵀ"), w.T @ g),
            ("w is not transposed (g w for g wᵀ)", g @ w),
        ]
    return found


def activation_backward(name, x, g) -> Mistakes:
    """An activation layer: input x and upstream gradient g of one shape."""
    f, df = F.activation(name)
    what = "the ReLU mask" if name == "relu" else f"the {name}'s derivative"
    at_gradient = (
        "the ReLU mask is applied to the wrong quantity: it must keep the entries where "
        "the input x > 0, not where the upstream gradient g > 0"
    )
    if name != "relu":
        at_gradient = f"{what} is taken at the upstream gradient instead of at the input x"
    found = [(at_gradient, g * df(g))]
    if name != "relu":  # relu'(relu(x)) = relu'(x): the same mask
        found.append(
            (f"{what} is taken at the output f(x) instead of at the input x", g * df(f(x)))
        )
    found.append((f"{what} is missing: ∂L/∂x = g ⊙ f'(x)", g))
    found.append(("the upstream gradient g is not multiplied in: ∂L/∂x = g ⊙ f'(x)", df(x)))
    return {"∂L/∂x": found}


def mse_backward(y_hat, y) -> Mistakes:
    """The mean squared error over n entries: ∂L/∂ŷ = 2 (ŷ − y) / n."""
    return {
        "∂L/∂ŷ": [
            ("not divided by the number of entries n: the loss is a mean", 2 * (y_hat - y)),
            (
                "the sign is flipped: ∂L/∂ŷ = 2 (ŷ − y) / n, not 2 (y − ŷ) / n",
                2 * (y - y_hat) / y.size,
            ),
            (
                "divided by the number of rows N, not by every entry: with several outputs "
                "the mean runs over all n = N × D entries",
                2 * (y_hat - y) / len(y),
            ),
        ]
    }


#: The loss of networks stacked on a leading axis, averaged over that axis too.
LEADING_MEAN = (
    "averaged over the leading axis too: with networks stacked on it, the loss is the sum of "
    "each network's mean over its N examples (take the mean over the rows axis, −2, only)"
)


def cross_entropy(logits, y) -> Mistakes:
    """Softmax cross-entropy of logits (..., N, C) with labels y (N,): the loss and ∂L/∂z."""
    if logits.ndim > 2:  # stacked networks: the right answer's mistakes are named on (N, C)
        stacks = int(np.prod(logits.shape[:-2]))
        loss, grad = F.cross_entropy(logits, y), F.cross_entropy_grad(logits, y)
        return {"loss": [(LEADING_MEAN, loss / stacks)], "∂L/∂z": [(LEADING_MEAN, grad / stacks)]}
    n = len(y)
    p = F.softmax(logits)
    loss = F.cross_entropy(logits, y)
    picked = (np.arange(n), y)
    with np.errstate(all="ignore"):
        of_log = -np.log(p)[picked].mean()  # log of the softmax: -log(0) for an underflow
        unshifted = (np.log(np.exp(logits).sum(axis=1)) - logits[picked]).mean()
    # both infinite: one number cannot tell them apart (a NaN is the overflow's, named anyway)
    infinite = [(LOG_OR_EXP, of_log)] if np.isinf(of_log) and of_log == unshifted else []
    return {
        "loss": [("not divided by N: the loss is the mean over the examples", n * loss), *infinite],
        "∂L/∂z": [
            (
                "not divided by N: the loss is the mean over the examples",
                p - F.one_hot(y, p.shape[1]),
            ),
            ("the one-hot of the labels is not subtracted: ∂L/∂z = (p − onehot(y)) / N", p / n),
        ],
    }


def log_softmax(z) -> Mistakes:
    """Log-softmax of logits z (N, C): the log of the softmax, and exp without the shift."""
    with np.errstate(all="ignore"):
        unshifted = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
        found = [(UNDERFLOW, np.log(F.softmax(z))), (OVERFLOW, unshifted)]
    if z.ndim > 2:  # the classes are the last axis, whatever stands before them
        shifted = z - z.max(axis=1, keepdims=True)
        wrong_axis = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        found.append(
            ("the sums run over axis 1, not over the classes, the last axis (−1)", wrong_axis)
        )
    return {"log softmax": found}


def power(x, g, p) -> Mistakes:
    """The op t ** p of the autograd engine, at x with upstream gradient g (shape of x)."""
    factor = (
        "off by a factor of 2: the square's derivative"
        if p == 2
        else f"the factor p = {p:g} is missing"
    )
    return {
        "∂L/∂t": [
            (f"{factor}: d(t^p)/dt = p t^(p−1)", g * x ** (p - 1)),
            ("the upstream gradient g is not multiplied in", p * x ** (p - 1)),
            ("the exponent is p where the derivative has p − 1", g * p * x**p),
            *_divided_by_x(x, g, p),
        ]
    }


def _divided_by_x(x, g, p):
    """p t^p / t: the derivative's value except where t = 0, where it is NaN."""
    if np.all(x != 0):
        return []
    with np.errstate(all="ignore"):
        wrong = g * p * x**p / x
    return [("it divides by t, which is 0 here: write p t^(p−1), not p t^p / t", wrong)]


def linear_regression(params, x, y, *, reduction: str = "mean") -> Mistakes:
    """Linear regression ŷ = a x + b: a, b (), x (N,), y (N,); the mean or the sum of r²."""
    r = params["a"] * x + params["b"] - y  # (N,) residuals
    n = len(x) if reduction == "mean" else 1
    loss, grad_a, grad_b = np.sum(r**2) / n, 2 * np.sum(r * x) / n, 2 * np.sum(r) / n
    found: Mistakes = {
        "loss": [],
        "∂L/∂a": [
            (
                "this is ∂L/∂b, the sum without x: ŷ depends on a through a x, so ∂L/∂a "
                "sums r x (a and b swapped?)",
                grad_b,
            )
        ],
        "∂L/∂b": [
            (
                "this is ∂L/∂a, the sum of r x: ŷ depends on b through b alone, so ∂L/∂b "
                "sums r (a and b swapped?)",
                grad_a,
            )
        ],
    }
    right = {"loss": loss, "∂L/∂a": grad_a, "∂L/∂b": grad_b}
    for item, value in right.items():
        if reduction == "mean":
            found[item].append((NOT_DIVIDED, len(x) * value))
            if item != "loss":
                found[item].append((TWICE, value / len(x)))
        else:
            found[item].append((MEAN_FOR_SUM.format("N, the number of examples"), value / len(x)))
    return found


TWICE = (
    "divided by N twice: ∂L/∂ŷ = 2 r / N has the mean's 1/N already, and the gradient sums "
    "it over the examples"
)

NOT_DIVIDED = (
    'not divided by N: with reduction="mean" the loss is the mean of r² over the N examples, '
    "and so is its gradient"
)
