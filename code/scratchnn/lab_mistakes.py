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

import itertools

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


def toy_mlp_loss_and_grads(params, x, y, *, activation: str = "linear") -> Mistakes:
    """The toy network: w1 (D, H), w2 (H,), x (N, D), y (N,), loss ½ Σ (ŷ − y)²."""
    act, d_act = F.activation(toy_mlp.ACTIVATIONS[activation])
    w1, w2 = params["w1"], params["w2"]
    z1 = x @ w1  # (N, H)
    d_h = np.outer(act(z1) @ w2 - y, w2)  # (N, H) ∂L/∂h
    flawed = toy_mlp.loss_and_grads_flawed(params, x, y, activation=activation)[1]["w1"]
    found = [
        (
            "the w1 rule is built from w2's partials (δ2 h, the activations) instead of "
            "from w2: the chain rule gives xᵀ (δ2 w2ᵀ ⊙ φ'(z1))",
            flawed,
        )
    ]
    if activation == "relu":  # with the linear activation φ' = 1: no mask to get wrong
        found += [
            (MASK_ON_GRADIENT, x.T @ (d_h * d_act(d_h))),
            ("the ReLU mask is missing: δ1 = ∂L/∂h ⊙ 1[z1 > 0]", x.T @ d_h),
        ]
    return {"∂L/∂w1": found}


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
        ]
    }


def cross_entropy(logits, y) -> Mistakes:
    """Softmax cross-entropy of logits (N, C) with labels y (N,): the loss and ∂L/∂z."""
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
        return {"log softmax": [(UNDERFLOW, np.log(F.softmax(z))), (OVERFLOW, unshifted)]}


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
        ]
    }


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

#: The items of the Adam blank: each step's change of θ, then the state after the last.
ADAM_STEPS = ("θ₁ − θ₀", "θ₂ − θ₁", "θ₃ − θ₂")


def _adam(
    theta, grads, options, *, m_hat=True, v_hat=True, eps_in=False, square=True, keep=True, **more
):
    """Adam's steps on ``theta`` for each gradient of ``grads``, rightly or with one mistake.

    options : lr, betas, eps, weight_decay, decoupled (AdamW).  The keywords
    switch off the bias corrections, put ε inside the root, average g for g²,
    or forget m and v between steps; ``t_plus=1`` counts the steps from 2,
    ``weight=False`` adds g to m without its weight 1 − ρ₁.  Returns the items of :data:`ADAM_STEPS`
    and ``state["exp_avg"]``, ``state["exp_avg_sq"]``.
    """
    lr, (rho1, rho2), eps, decay = (options[k] for k in ("lr", "betas", "eps", "weight_decay"))
    m = v = 0.0
    found = {}
    for t, grad in enumerate(grads, start=1):
        start = theta * (1 - lr * decay) if options["decoupled"] else theta
        g = grad + decay * theta if decay and not options["decoupled"] else grad  # NaN θ stays
        m, v = (m, v) if keep else (0.0, 0.0)
        m = rho1 * m + ((1 - rho1) if more.get("weight", True) else 1.0) * g
        v = rho2 * v + (1 - rho2) * (g * g if square else g)
        t_bias = t + more.get("t_plus", 0)
        mean = m / (1 - rho1**t_bias) if m_hat else m
        mean_square = v / (1 - rho2**t_bias) if v_hat else v
        root = np.sqrt(mean_square + eps) if eps_in else np.sqrt(mean_square) + eps
        new = start - lr * mean / root
        found[ADAM_STEPS[t - 1]], theta = new - theta, new
    return {**found, 'state["exp_avg"]': m, 'state["exp_avg_sq"]': v}


def adam(theta, grads, options) -> Mistakes:
    """Adam's likely mistakes: θ (any shape), three gradients of its shape, the options."""
    causes = [
        (
            "no bias correction: m and v start at 0, so the step uses m̂ = m / (1 − ρ₁ᵗ) "
            "and v̂ = v / (1 − ρ₂ᵗ)",
            {"m_hat": False, "v_hat": False},
        ),
        ("v is not bias-corrected: v̂ = v / (1 − ρ₂ᵗ), as m̂ = m / (1 − ρ₁ᵗ)", {"v_hat": False}),
        ("m is not bias-corrected: m̂ = m / (1 − ρ₁ᵗ), as v̂ = v / (1 − ρ₂ᵗ)", {"m_hat": False}),
        ("ε is inside the square root: the step divides by √v̂ + ε", {"eps_in": True}),
        (
            "v is updated with g instead of g²: v is the running mean of the squared gradients",
            {"square": False},
        ),
        (
            'm and v start from 0 at every step: read them from state["exp_avg"] and '
            'state["exp_avg_sq"] (absent at the first step) and store the new ones there',
            {"keep": False},
        ),
        (
            'the step count is off by one: state["step"] is this step\'s t already (1 at '
            "the first step)",
            {"t_plus": 1},
        ),
        ("the gradient's weight 1 − ρ₁ is missing: m = ρ₁ m + (1 − ρ₁) g", {"weight": False}),
    ]
    # the items a mistake is named for: m and v, where it changes them, and the steps after
    state, later = {'state["exp_avg"]', 'state["exp_avg_sq"]'}, set(ADAM_STEPS[1:])
    where = {
        "square": {*ADAM_STEPS, *state},
        "keep": {*later, *state},
        "weight": {*ADAM_STEPS, 'state["exp_avg"]'},
    }
    found: Mistakes = {}
    with np.errstate(invalid="ignore"):  # √ of a negative v: the mistake's NaN
        for cause, wrong in causes:
            named = where.get(next(iter(wrong)), set(ADAM_STEPS))
            for item, value in _adam(theta, grads, options, **wrong).items():
                if item in named:
                    found.setdefault(item, []).append((cause, value))
    return found


def batch_norm_backward(x, gamma, g, *, mean, var, eps, training) -> Mistakes:
    """BatchNorm's backward: x and g (N, D), gamma (D,), the statistics (D,) it normalised with."""
    inv_std, n = 1.0 / np.sqrt(var + eps), len(x)
    x_hat = (x - mean) * inv_std  # (N, D)
    d = g * gamma  # (N, D) ∂L/∂x̂

    def through(d, *, mean_term=True, var_term=True, axis=0, s=inv_std, n=n):
        if not training:
            return d * s
        # a sum along axis 1 broadcasts as a row, as typed (it runs when N = D)
        total = n * d - (d.sum(axis=axis) if mean_term else 0.0)
        if var_term:
            total = total - x_hat * (d * x_hat).sum(axis=axis)
        return s / n * total

    across = "summed over the wrong axis: sum over the examples, axis 0"
    mean = (
        "a mean where the sum is meant: yours is divided by N, the number of examples; "
        "the gradient sums over the examples"
    )
    found: Mistakes = {
        "∂L/∂x": [
            ("γ is missing: ∂L/∂x̂ = γ ⊙ ∂L/∂out", through(g)),
            ("the factor s = 1/√(Var + ε) is missing: x̂ = (x − z̄) s", through(d, s=1.0)),
        ],
        "∂L/∂γ": [
            (
                "x̂ is missing: out = γ ⊙ x̂ + β, so ∂L/∂γ sums ∂L/∂out ⊙ x̂ over the examples",
                g.sum(axis=0),
            ),
            ("x is used where the normalised x̂ is meant: ∂L/∂γ sums g ⊙ x̂", (g * x).sum(axis=0)),
            (across, (g * x_hat).sum(axis=1)),
            ("not summed: sum g ⊙ x̂ over the examples (axis 0)", g * x_hat),
            (mean, (g * x_hat).mean(axis=0)),
        ],
        "∂L/∂β": [
            (across, g.sum(axis=1)),
            ("not summed: sum g over the examples (axis 0)", g),
            (mean, g.mean(axis=0)),
        ],
    }
    if training:
        found["∂L/∂x"] += [
            (
                "the batch's mean and variance are treated as constants: in training both "
                "depend on every row of x, which adds the chapter's two sums",
                d * inv_std,
            ),
            (
                "the path through the batch mean is missing: it subtracts Σₙ ∂L/∂x̂ (times s / N)",
                through(d, mean_term=False),
            ),
            (
                "the path through the batch variance is missing: it subtracts "
                "x̂ Σₙ ∂L/∂x̂ ⊙ x̂ (times s / N)",
                through(d, var_term=False),
            ),
        ]
        found["∂L/∂x"].append(
            (
                "N − 1 where N is meant: the batch's mean and (biased) variance divide by N",
                through(d, n=n - 1),
            )
        )
        if x.shape[0] == x.shape[1]:  # every size equal: a sum along the features fits
            found["∂L/∂x"].append(
                (
                    "the sums run over the wrong axis: each feature's sums run over the "
                    "examples, axis 0",
                    through(d, axis=1),
                )
            )
    return found


def _conv_loops(grad_out, x, w, stride, padding, *, swap=False, add=True, strided=True):
    """The convolution's backward loops (dxp, dw), rightly or with one mistake.

    swap : each rule takes the other's factor (dw from w, dx from the window);
    add=False : ``=`` for ``+=``; strided=False : the windows at (r, c), not (r s_h, c s_w).
    """
    (s_h, s_w), (p_h, p_w) = (stride, padding) if strided else ((1, 1), padding)
    k_h, k_w = w.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (p_h, p_h), (p_w, p_w)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i, o, r, c in np.ndindex(grad_out.shape):
        rows, cols = slice(r * s_h, r * s_h + k_h), slice(c * s_w, c * s_w + k_w)
        g, window = grad_out[i, o, r, c], xp[i, :, rows, cols]
        to_w, to_x = (g * w[o], g * window) if swap else (g * window, g * w[o])
        if add:
            dw[o] += to_w
            dxp[i, :, rows, cols] += to_x
        else:
            dw[o], dxp[i, :, rows, cols] = to_w, to_x
    return dxp, dw


def conv2d_backward(grad_out, x, w, stride, padding) -> Mistakes:
    """The convolution's backward: grad_out (N, C_out, P', Q'), x, w; stride, padding pairs."""
    (p_h, p_w), (height, width) = padding, x.shape[2:]

    def cropped(dxp):
        return dxp[:, :, p_h : p_h + height, p_w : p_w + width]

    flipped = w[:, :, ::-1, ::-1]
    found: Mistakes = {
        "∂L/∂x": [
            (
                "the kernel is flipped the wrong way: each weight w[o, c, i, j] sends g back to "
                "the entry it multiplied (as a full convolution of g, w turned by 180°)",
                cropped(_conv_loops(grad_out, x, flipped, stride, padding)[0]),
            ),
            (
                "the padding is not cut off: dx is dxp without its padded rows and columns",
                _conv_loops(grad_out, x, w, stride, padding)[0],
            ),
        ],
        "∂L/∂w": [
            (
                "∂L/∂w is turned by 180°: dw[o, c, i, j] sums g times the entry of x that "
                "w[o, c, i, j] multiplied, with no flip",
                _conv_loops(grad_out, x, w, stride, padding)[1][:, :, ::-1, ::-1],
            )
        ],
    }
    variants = [
        (
            "the two rules are swapped: dw[o] collects g times the window of x, and the "
            "window's entries of dx collect g times w[o]",
            {"swap": True},
        ),
        (
            "assigned, not accumulated: windows overlap and every image and position adds "
            "its share, so use +=",
            {"add": False},
        ),
        (
            "the windows ignore the stride: window (r, c) starts at row r s_h and column "
            "c s_w of the padded x",
            {"strided": False},
        ),
    ]
    for cause, wrong in variants:
        if not wrong.get("strided", True) and tuple(stride) == (1, 1):
            continue  # a stride of 1: nothing to ignore
        with np.errstate(all="ignore"):
            try:
                dxp, dw = _conv_loops(grad_out, x, w, stride, padding, **wrong)
            except ValueError:  # a window past the padded edge: that mistake fails to run
                continue
        found["∂L/∂x"].append((cause, cropped(dxp)))
        found["∂L/∂w"].append((cause, dw))
    axes = "summed over the wrong axes: ∂L/∂b[o] sums g over the images and the positions, "
    axes += "axes (0, 2, 3)"
    found["∂L/∂b"] = [
        (axes, grad_out.sum(axis=subset))
        for k in range(4)
        for subset in itertools.combinations(range(4), k)
        if subset != (0, 2, 3)
    ]
    found["∂L/∂b"].append(
        (
            "a mean where the sum is meant: ∂L/∂b sums g over the images and the positions",
            grad_out.mean(axis=(0, 2, 3)),
        )
    )
    return found
