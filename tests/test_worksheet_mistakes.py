"""The mistakes typed into the worksheets of linear regression, Adam and batch norm, and the
convolution's backward pass: each gives the "likely:" line a student sees, and an answer
written another way than the package's passes.

The worksheets are run cell by cell as in :mod:`test_worksheets` (its ``solved``).
"""

import pytest
from test_worksheets import FD, SHEET, solved

from scratchnn.lab import build as lab_build

LR = "linear_regression"
LR_MEAN = "d_y_hat = F.mean_squared_error_grad(y_hat, y)  # (N,) ∂L/∂ŷ"
LR_SUM = "d_y_hat = F.sum_squared_error_grad(y_hat, y)  # (N,) ∂L/∂ŷ"
LR_RETURN = 'return loss, {"a": np.array(np.sum(d_y_hat * x)), "b": np.array(np.sum(d_y_hat))}'
LR_SWAPPED = 'return loss, {"a": np.array(np.sum(d_y_hat)), "b": np.array(np.sum(d_y_hat * x))}'


def lr_lines(case, item, error, cause):
    """The two lines of one wrong gradient of linear regression."""
    return (
        f'  ✗ ∂L/∂{item} (reduction="{case}"): shape () as needed, but relative error '
        f"{error} against {FD}",
        f"    likely: {cause}",
    )


def test_linear_regression_written_from_the_residuals_passes():
    block = f"""\
    if reduction == "mean":
        loss = F.mean_squared_error(y_hat, y)
        {LR_MEAN}
    else:
        loss = F.sum_squared_error(y_hat, y)
        {LR_SUM}
    {LR_RETURN}"""
    mine = """\
    r = y_hat - y
    n = len(x) if reduction == "mean" else 1
    return float(np.sum(r**2) / n), {"a": 2 * np.sum(r * x) / n, "b": 2 * np.sum(r) / n}"""
    report = solved(LR, [(block, mine)])[0]
    assert report.passed and len(report.lines) == 1


HALF = "off by a factor of 2: the square's derivative (yours is half of it)"
NOT_DIVIDED = (
    'not divided by N: with reduction="mean" the loss is the mean of r² over the N examples, '
    "and so is its gradient"
)
MEAN_FOR_SUM = (
    "a mean where the sum is meant: yours is divided by N, the number of examples; "
    "this loss is a sum, with no 1/n"
)
A_FOR_B = (
    "this is ∂L/∂a, the sum of r x: ŷ depends on b through b alone, so ∂L/∂b sums r "
    "(a and b swapped?)"
)
B_FOR_A = (
    "this is ∂L/∂b, the sum without x: ŷ depends on a through a x, so ∂L/∂a sums r x "
    "(a and b swapped?)"
)
SIGN = "the sign is flipped (yours is minus it)"


@pytest.mark.parametrize(
    ("edits", "a", "b"),
    [
        (  # the square's 2 left out
            [(LR_MEAN, "d_y_hat = (y_hat - y) / len(x)"), (LR_SUM, "d_y_hat = y_hat - y")],
            lr_lines("mean", "a", "3.3e-01", HALF),
            lr_lines("mean", "b", "3.3e-01", HALF),
        ),
        (  # the mean's 1/N left out
            [(LR_MEAN, "d_y_hat = 2 * (y_hat - y)")],
            lr_lines("mean", "a", "7.1e-01", NOT_DIVIDED),
            lr_lines("mean", "b", "7.1e-01", NOT_DIVIDED),
        ),
        (  # the mean's gradient for the sum too
            [(LR_SUM, "d_y_hat = F.mean_squared_error_grad(y_hat, y)")],
            lr_lines("sum", "a", "7.1e-01", MEAN_FOR_SUM),
            lr_lines("sum", "b", "7.1e-01", MEAN_FOR_SUM),
        ),
        (  # a and b swapped
            [(LR_RETURN, LR_SWAPPED)],
            lr_lines("mean", "a", "1.0e+00", B_FOR_A),
            lr_lines("mean", "b", "1.0e+00", A_FOR_B),
        ),
        (  # the residual the wrong way round
            [
                (LR_MEAN, "d_y_hat = 2 * (y - y_hat) / len(x)"),
                (LR_SUM, "d_y_hat = 2 * (y - y_hat)"),
            ],
            lr_lines("mean", "a", "1.0e+00", SIGN),
            lr_lines("mean", "b", "1.0e+00", SIGN),
        ),
    ],
)
def test_a_mistake_in_linear_regressions_gradient_is_named(edits, a, b):
    report = solved(LR, edits)[0]
    assert report.lines == (
        "✗ linear_regression.loss_and_grads: 2 of 3 checks fail",
        "  ✓ loss: right, shape (), relative error 0.0e+00 against the right value",
        *a,
        *b,
    )


def test_linear_regressions_gradient_divided_by_n_twice():
    edit = ('"b": np.array(np.sum(d_y_hat))', '"b": np.array(np.mean(d_y_hat))')
    assert solved(LR, [edit])[0].lines[-2:] == lr_lines(
        "mean",
        "b",
        "7.1e-01",
        "divided by N twice: ∂L/∂ŷ = 2 r / N has the mean's 1/N already, and the gradient "
        "sums it over the examples",
    )


def test_the_x_left_out_of_da_and_the_sum_for_the_mean_loss():
    no_x = 'return loss, {"a": np.array(np.sum(d_y_hat)), "b": np.array(np.sum(d_y_hat))}'
    report = solved(LR, [(LR_RETURN, no_x)])[0]
    assert report.lines[0] == "✗ linear_regression.loss_and_grads: 1 of 3 checks fail"
    assert report.lines[2:4] == lr_lines("mean", "a", "1.0e+00", B_FOR_A)
    sum_loss = ("loss = F.mean_squared_error(y_hat, y)", "loss = F.sum_squared_error(y_hat, y)")
    report = solved(LR, [sum_loss])[0]
    assert report.lines[1:3] == (
        '  ✗ loss (reduction="mean"): shape () as needed, but relative error 7.1e-01 against '
        "the right value",
        f"    likely: {NOT_DIVIDED}",
    )


DEEPER = "deeper"
ADAM_RETURN = "return theta - (self.lr / m_hat_scale) * m / (np.sqrt(v) / v_hat_root + self.eps)"
ADAM_CASE = "Adam(lr=0.1, eps=0.01)"


def adam_lines(errors, cause):
    """The lines of the three steps of the Adam check's first case, each with ``cause``."""
    rows = []
    for t, error in enumerate(errors, start=1):
        rows += [
            f"  ✗ θ{'₀₁₂₃'[t]} − θ{'₀₁₂₃'[t - 1]} ({ADAM_CASE}): shape (4, 3) as needed, "
            f"but relative error {error} against the right value",
            f"    likely: {cause}",
        ]
    return tuple(rows)


def test_adam_written_as_the_chapters_formula_passes():
    mine = """\\
m = rho1 * state.get("exp_avg", 0.0) + (1 - rho1) * g
        v = rho2 * state.get("exp_avg_sq", 0.0) + (1 - rho2) * g**2
        state["exp_avg"], state["exp_avg_sq"] = m, v
        t = state["step"]
        m_hat, v_hat = m / (1 - rho1**t), v / (1 - rho2**t)
        return theta - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)"""
    old = 'm = rho1 * state.get("exp_avg", 0.0) + (1 - rho1) * g'
    report = solved(DEEPER, [(old, mine + "\n        " + old)])[0]
    assert report.passed and len(report.lines) == 1  # no guard speaks: state is Adam's to keep


@pytest.mark.parametrize(
    ("edit", "errors", "cause"),
    [
        (
            (ADAM_RETURN, "return theta - self.lr * m / (np.sqrt(v) + self.eps)"),
            ("4.0e-01", "5.5e-01", "6.2e-01"),
            "no bias correction: m and v start at 0, so the step uses m̂ = m / (1 − ρ₁ᵗ) "
            "and v̂ = v / (1 − ρ₂ᵗ)",
        ),
        (
            (ADAM_RETURN, "return theta - (self.lr / m_hat_scale) * m / (np.sqrt(v) + self.eps)"),
            ("9.2e-01", "8.9e-01", "8.8e-01"),
            "v is not bias-corrected: v̂ = v / (1 − ρ₂ᵗ), as m̂ = m / (1 − ρ₁ᵗ)",
        ),
        (
            (
                ADAM_RETURN,
                "return theta - self.lr * m / m_hat_scale / np.sqrt(v / v_hat_root**2 + self.eps)",
            ),
            ("8.5e-03", "5.6e-03", "2.3e-03"),
            "ε is inside the square root: the step divides by √v̂ + ε",
        ),
    ],
)
def test_a_mistake_in_the_adam_step_is_named(edit, errors, cause):
    report = solved(DEEPER, [edit])[0]
    assert report.lines[0] == "✗ optim.Adam._update: 5 of 5 checks fail"
    assert report.lines[1:7] == adam_lines(errors, cause)


def test_adams_step_count_off_by_one_and_the_gradients_weight_missing():
    report = solved(DEEPER, [('t = state["step"]', 't = state["step"] + 1')])[0]
    assert report.lines[1:7] == adam_lines(
        ("1.5e-01", "7.8e-02", "4.8e-02"),
        'the step count is off by one: state["step"] is this step\'s t already (1 at the '
        "first step)",
    )
    m = 'm = rho1 * state.get("exp_avg", 0.0) + (1 - rho1) * g'
    report = solved(DEEPER, [(m, m.replace("(1 - rho1) * g", "g"))])[0]
    weight = "    likely: the gradient's weight 1 − ρ₁ is missing: m = ρ₁ m + (1 − ρ₁) g"
    assert report.lines[1] == (
        f"  ✗ θ₁ − θ₀ ({ADAM_CASE}): shape (4, 3) as needed, but relative error 8.2e-01 "
        "against the right value"
    )
    assert report.lines[2:9:2] == (weight,) * 4  # the three steps and state["exp_avg"]


def test_adams_v_of_g_not_g_squared_and_its_state_not_kept():
    report = solved(DEEPER, [("(1 - rho2) * g * g", "(1 - rho2) * g")])[0]
    cause = (
        "    likely: v is updated with g instead of g²: v is the running mean of the squared "
        "gradients"
    )
    assert report.lines[1:3] == (f"  ✗ θ₁ − θ₀ ({ADAM_CASE}): NaN or infinite entries", cause)
    assert report.lines[-1] == cause  # state["exp_avg_sq"] too
    kept = 'state["exp_avg"], state["exp_avg_sq"] = m, v'
    report = solved(DEEPER, [(kept, "pass")])[0]
    forgot = (
        '    likely: m and v start from 0 at every step: read them from state["exp_avg"] and '
        'state["exp_avg_sq"] (absent at the first step) and store the new ones there'
    )
    assert report.lines == (
        "✗ optim.Adam._update: 4 of 5 checks fail",
        "  ✓ θ₁ − θ₀: right, shape (4, 3), relative error 0.0e+00 against the right value",
        f"  ✗ θ₂ − θ₁ ({ADAM_CASE}): shape (4, 3) as needed, but relative error 6.2e-01 "
        "against the right value",
        forgot,
        f"  ✗ θ₃ − θ₂ ({ADAM_CASE}): shape (4, 3) as needed, but relative error 3.6e-01 "
        "against the right value",
        forgot,
        f'  ✗ state["exp_avg"] ({ADAM_CASE}): missing',
        f'  ✗ state["exp_avg_sq"] ({ADAM_CASE}): missing',
    )


def test_adams_theta_modified_in_place_is_named():
    in_place = ADAM_RETURN.replace("return theta - ", "theta -= ") + "\n        return theta"
    report = solved(DEEPER, [(ADAM_RETURN, in_place)])[0]
    assert report.lines[2] == (
        "    likely: this is theta, which your code modified in place, or a view of it: "
        "return a new array, not the argument"
    )
    assert report.lines[-1] == (
        "  ⚠ your code modified in place: theta; the caller sees the change: leave the "
        "arguments as they are and compute new arrays"
    )


BN_GRADS = 'self.grads = {"gamma": (grad_out * x_hat).sum(axis=0), "beta": grad_out.sum(axis=0)}'
BN_SUMS = "n * d_x_hat - d_x_hat.sum(axis=0) - x_hat * (d_x_hat * x_hat).sum(axis=0)"


def bn_dx(error, cause):
    return (
        "✗ layers.BatchNorm.backward: 1 of 3 checks fail",
        f"  ✗ ∂L/∂x (training): shape (5, 3) as needed, but relative error {error} against {FD}",
        f"    likely: {cause}",
    )


@pytest.mark.parametrize(
    ("edit", "lines"),
    [
        (
            (BN_SUMS, "n * d_x_hat - x_hat * (d_x_hat * x_hat).sum(axis=0)"),
            bn_dx(
                "3.1e-01",
                "the path through the batch mean is missing: it subtracts Σₙ ∂L/∂x̂ (times s / N)",
            ),
        ),
        (
            (BN_SUMS, "n * d_x_hat - d_x_hat.sum(axis=0)"),
            bn_dx(
                "2.8e-01",
                "the path through the batch variance is missing: it subtracts "
                "x̂ Σₙ ∂L/∂x̂ ⊙ x̂ (times s / N)",
            ),
        ),
        (
            ('d_x_hat = grad_out * self.params["gamma"]', "d_x_hat = grad_out"),
            bn_dx("3.2e-01", "γ is missing: ∂L/∂x̂ = γ ⊙ ∂L/∂out"),
        ),
        (
            ("return (inv_std / n) * (", "return (1 / n) * ("),
            bn_dx("5.7e-01", "the factor s = 1/√(Var + ε) is missing: x̂ = (x − z̄) s"),
        ),
        (
            ("n = x_hat.shape[0]", "n = x_hat.shape[0] - 1"),
            bn_dx(
                "1.1e-01",
                "N − 1 where N is meant: the batch's mean and (biased) variance divide by N",
            ),
        ),
    ],
)
def test_a_term_of_batch_norms_backward_dropped_is_named(edit, lines):
    assert solved(DEEPER, [edit])[1].lines[:3] == lines


def test_batch_norms_parameter_gradients_and_its_sums_on_the_wrong_axis():
    wrong = 'self.grads = {"gamma": grad_out.sum(axis=0), "beta": grad_out.sum(axis=1)}'
    report = solved(DEEPER, [(BN_GRADS, wrong)])[1]
    assert report.lines[2:] == (
        f"  ✗ ∂L/∂γ (training): shape (3,) as needed, but relative error 8.5e-01 against {FD}",
        "    likely: x̂ is missing: out = γ ⊙ x̂ + β, so ∂L/∂γ sums ∂L/∂out ⊙ x̂ over the examples",
        "  ✗ ∂L/∂β (training): shape (5,), needed (3,)",
        "    likely: summed over the wrong axis: sum over the examples, axis 0",
    )
    report = solved(DEEPER, [(BN_SUMS, BN_SUMS.replace("axis=0", "axis=1"))])[1]
    assert report.lines[2:] == (
        "  with every size 3 it runs, and then:",
        f"  ✗ ∂L/∂x: shape (3, 3) as needed, but relative error 4.2e-01 against {FD}",
        "    likely: the sums run over the wrong axis: each feature's sums run over the "
        "examples, axis 0",
    )


def test_batch_norm_written_from_the_chapters_formula_passes():
    mine = (
        "s, n = inv_std, len(x_hat)\n        g = d_x_hat\n        return s / n * (n * g - "
        "g.sum(axis=0, keepdims=True) - x_hat * (g * x_hat).sum(axis=0, keepdims=True))"
    )
    old = (
        "n = x_hat.shape[0]\n        return (inv_std / n) * (\n            "
        + BN_SUMS
        + "\n        )"
    )
    report = solved(DEEPER, [(old, mine)])[1]
    assert report.passed and len(report.lines) == 1


CONV = "conv_backward"
CONV_DW = "dw[o] += g * xp[i, :, rows, cols]"
CONV_DX = "dxp[i, :, rows, cols] += g * w[o]"
CONV_RETURN = "return dx, dw, grad_out.sum(axis=(0, 2, 3))"
STRIDE_1 = "stride (1, 1), padding (1, 1)"


def conv_line(item, case, shape, error):
    return (
        f"  ✗ ∂L/∂{item} ({case}): shape {shape} as needed, but relative error {error} against {FD}"
    )


def test_the_convolutions_backward_written_another_way_passes():
    edits = [
        (CONV_DW, "dw[o] = dw[o] + grad_out[i, o, r, c] * xp[i][:, rows, cols]"),
        (CONV_RETURN, "return dx, dw, grad_out.sum(axis=0).sum(axis=(1, 2))"),
    ]
    report = solved(CONV, edits)[0]
    assert report.passed and len(report.lines) == 1


SWAPPED = (
    "the two rules are swapped: dw[o] collects g times the window of x, and the window's "
    "entries of dx collect g times w[o]"
)
ASSIGNED = (
    "assigned, not accumulated: windows overlap and every image and position adds its "
    "share, so use +="
)
NO_STRIDE = (
    "the windows ignore the stride: window (r, c) starts at row r s_h and column c s_w of "
    "the padded x"
)


@pytest.mark.parametrize(
    ("edits", "case", "errors", "cause"),
    [
        (
            [
                (CONV_DW, "dw[o] += g * w[o]"),
                (CONV_DX, "dxp[i, :, rows, cols] += g * xp[i, :, rows, cols]"),
            ],
            STRIDE_1,
            ("7.5e-01", "7.8e-01"),
            SWAPPED,
        ),
        (
            [(CONV_DW, CONV_DW.replace("+=", "=")), (CONV_DX, CONV_DX.replace("+=", "="))],
            STRIDE_1,
            ("8.4e-01", "8.9e-01"),
            ASSIGNED,
        ),
        (
            [
                ("rows = slice(r * s_h, r * s_h + k_h)", "rows = slice(r, r + k_h)"),
                ("cols = slice(c * s_w, c * s_w + k_w)", "cols = slice(c, c + k_w)"),
            ],
            "stride (2, 2), padding (0, 0)",
            ("7.3e-01", "6.7e-01"),
            NO_STRIDE,
        ),
    ],
)
def test_a_mistake_in_the_convolutions_loops_is_named(edits, case, errors, cause):
    report = solved(CONV, edits)[0]
    shape = "(2, 2, 5, 5)" if "(2, 2)" in case else "(2, 2, 4, 4)"
    assert report.lines[:5] == (
        "✗ conv._conv2d_backward_loops: 2 of 3 checks fail",
        conv_line("x", case, shape, errors[0]),
        f"    likely: {cause}",
        conv_line("w", case, "(3, 2, 3, 3)", errors[1]),
        f"    likely: {cause}",
    )


def test_the_kernel_flipped_for_dx_and_dw_turned():
    flipped = "dxp[i, :, rows, cols] += g * w[o, :, ::-1, ::-1]"
    report = solved(CONV, [(CONV_DX, flipped)])[0]
    assert report.lines[1:3] == (
        conv_line("x", STRIDE_1, "(2, 2, 4, 4)", "6.8e-01"),
        "    likely: the kernel is flipped the wrong way: each weight w[o, c, i, j] sends g "
        "back to the entry it multiplied (as a full convolution of g, w turned by 180°)",
    )
    turned = "dw[o] += g * xp[i, :, rows, cols][:, ::-1, ::-1]"
    report = solved(CONV, [(CONV_DW, turned)])[0]
    assert report.lines[2:4] == (
        conv_line("w", STRIDE_1, "(3, 2, 3, 3)", "6.6e-01"),
        "    likely: ∂L/∂w is turned by 180°: dw[o, c, i, j] sums g times the entry of x that "
        "w[o, c, i, j] multiplied, with no flip",
    )


def test_the_padding_kept_in_dx_is_named():
    report = solved(CONV, [(CONV_RETURN, CONV_RETURN.replace("dx,", "dxp,"))])[0]
    assert report.lines[1:3] == (
        f"  ✗ ∂L/∂x ({STRIDE_1}): shape (2, 2, 6, 6), needed (2, 2, 4, 4)",
        "    likely: the padding is not cut off: dx is dxp without its padded rows and columns",
    )


AXES = (
    "    likely: summed over the wrong axes: ∂L/∂b[o] sums g over the images and the "
    "positions, axes (0, 2, 3)"
)


@pytest.mark.parametrize(
    ("db", "line", "cause"),
    [
        ("grad_out.sum(axis=(1, 2, 3))", "shape (2,), needed (3,)", AXES),
        ("grad_out.sum(axis=(2, 3))", "shape (2, 3), needed (3,)", AXES),
        ("grad_out.sum(axis=0)", "shape (3, 4, 4), needed (3,)", AXES),
        (
            "grad_out.mean(axis=(0, 2, 3))",
            f"shape (3,) as needed, but relative error 9.4e-01 against {FD}",
            "    likely: a mean where the sum is meant: ∂L/∂b sums g over the images and the "
            "positions",
        ),
    ],
)
def test_the_bias_gradient_summed_over_the_wrong_axes_is_named(db, line, cause):
    report = solved(CONV, [(CONV_RETURN, f"return dx, dw, {db}")])[0]
    assert report.lines[-2:] == (f"  ✗ ∂L/∂b ({STRIDE_1}): {line}", cause)


def test_the_bias_gradient_left_out():
    report = solved(CONV, [(CONV_RETURN, "return dx, dw")])[0]
    assert report.lines == (
        "✗ conv._conv2d_backward_loops: it returns a tuple of 2, needed (dx, dw, db): three arrays",
    )


def student_cell(name, k):
    """The code of the ``k``-th exercise of worksheet ``name``, as a student gets it."""
    cells = lab_build.notebook(SHEET[name], solutions=False).cells
    return [c.source for c in cells if c.metadata.get("nbgrader", {}).get("solution")][k]


def test_the_hints_keep_an_ifs_condition_a_dicts_keys_and_a_tuples_names():
    assert (
        '    y_hat = params["a"] * x + params["b"]  # (N,)\n'
        '    # if reduction == "mean":\n'
        "    #     loss = ...\n"
        "    #     d_y_hat = ...  # (N,) ∂L/∂ŷ\n"
        "    # else:\n"
        "    #     loss = ...\n"
        "    #     d_y_hat = ...  # (N,) ∂L/∂ŷ\n"
        '    # return loss, {"a": ..., "b": ...}\n'
        "    # YOUR CODE HERE\n"
        "    raise NotImplementedError()"
    ) in student_cell(LR, 0)
    conv = student_cell(CONV, 0)
    assert "    # return dx, dw, ...\n" in conv
    assert "                    # dxp[i, :, rows, cols] += ...  # each weight meets" in conv
    assert "grad_out.sum(axis=(0, 2, 3))" not in conv and "g * w[o]" not in conv
    adam = student_cell(DEEPER, 0)
    assert '        # state["exp_avg"], state["exp_avg_sq"] = m, v\n' in adam  # where m, v live
    assert "np.sqrt(v)" not in adam
    batch_norm = student_cell(DEEPER, 1)
    assert "        if not self._batch_stats:" in batch_norm  # the evaluation branch is given
    assert "d_x_hat.sum(axis=0)" not in batch_norm
