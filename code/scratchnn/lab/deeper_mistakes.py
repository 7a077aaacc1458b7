"""The likely mistakes of the blanks of the last two chapters, from the right quantities.

As :mod:`scratchnn.lab.mistakes`, for one Adam step (``adam``: the
steps rebuilt with each mistake, from the same gradients), batch norm's
backward pass (``batch_norm_backward``: a term of the chapter's formula
dropped, a factor missing, a sum on the wrong axis) and the convolution's
backward loops (``conv_backward_loops``: the loops rebuilt with each
mistake).  Every function returns item -> [(cause, wrong array), ...].
"""

import itertools

import numpy as np

from scratchnn.lab.mistakes import Mistakes

__all__ = []

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


def conv_backward_loops(grad_out, x, w, stride, padding) -> Mistakes:
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
