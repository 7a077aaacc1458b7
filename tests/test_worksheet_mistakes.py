"""The mistakes typed into the worksheets of linear regression, Adam and batch norm, and the
convolution's backward pass: each gives the "likely:" line a student sees, and an answer
written another way than the package's passes.

The worksheets are run cell by cell as in :mod:`test_worksheets` (its ``solved``).
"""

import pytest
from test_worksheets import FD, solved

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
