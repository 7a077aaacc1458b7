"""scratchnn.conv against PyTorch's autograd (float64), its own loops and central differences."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from scratchnn import conv
from scratchnn.gradcheck import numerical_gradient, relative_error


def _cases(seed: int, count: int) -> list[dict]:
    """Seeded random convolutions whose windows tile the padded input (kernels up to its size)."""
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < count:
        k = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        s = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        p = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
        out = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        hw = [(out[a] - 1) * s[a] + k[a] - 2 * p[a] for a in (0, 1)]
        if min(hw) < 1:
            continue
        n, c_in, c_out = (int(v) for v in rng.integers(1, 4, size=3))
        cases.append(
            {
                "x": rng.normal(size=(n, c_in, *hw)),
                "w": rng.normal(size=(c_out, c_in, *k)),
                "b": rng.normal(size=c_out),
                "stride": s,
                "padding": p,
            }
        )
    return cases


CASES = _cases(0, 40)


def _torch_conv(case: dict) -> tuple[np.ndarray, ...]:
    """Output and dL/dx, dL/dw, dL/db of L = sum(out * g) by torch autograd, g from the case."""
    x, w, b = (torch.tensor(case[k], requires_grad=True) for k in ("x", "w", "b"))
    out = TF.conv2d(x, w, b, stride=case["stride"], padding=case["padding"])
    g = torch.tensor(np.random.default_rng(1).normal(size=tuple(out.shape)))
    (out * g).sum().backward()
    return out.detach().numpy(), g.numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy()


@pytest.mark.parametrize("case", CASES)
def test_conv2d_equals_torch_forward_and_backward(case):
    out_t, g, dx_t, dw_t, db_t = _torch_conv(case)
    opts = {"stride": case["stride"], "padding": case["padding"]}
    out = conv.conv2d(case["x"], case["w"], case["b"], **opts)
    np.testing.assert_allclose(out, out_t, rtol=0, atol=1e-12)
    dx, dw, db = conv.conv2d_backward(g, case["x"], case["w"], **opts)
    for ours, theirs in ((dx, dx_t), (dw, dw_t), (db, db_t)):
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


@pytest.mark.parametrize("case", CASES[:12])
def test_loops_equal_vectorised(case):
    opts = {"stride": case["stride"], "padding": case["padding"]}
    out = conv.conv2d(case["x"], case["w"], case["b"], **opts)
    np.testing.assert_allclose(conv.conv2d_loops(case["x"], case["w"], case["b"], **opts), out)
    g = np.random.default_rng(2).normal(size=out.shape)
    fast = conv.conv2d_backward(g, case["x"], case["w"], **opts)
    slow = conv.conv2d_backward_loops(g, case["x"], case["w"], **opts)
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)


def test_conv2d_without_bias_and_im2col():
    case = CASES[3]
    w = case["w"]
    out = conv.conv2d(case["x"], w, stride=case["stride"], padding=case["padding"])
    cols = conv.im2col(case["x"], w.shape[2:], stride=case["stride"], padding=case["padding"])
    n, c_out, h_out, w_out = out.shape
    product = (cols @ w.reshape(c_out, -1).T).reshape(n, h_out, w_out, c_out)
    np.testing.assert_allclose(product.transpose(0, 3, 1, 2), out, atol=1e-12)


def test_conv2d_backward_central_differences():
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(2, 2, 5, 5)), rng.normal(size=(3, 2, 3, 3))
    b = rng.normal(size=3)
    g = rng.normal(size=(2, 3, 3, 3))  # stride 2, padding 1: (5 + 2 - 3) / 2 + 1 = 3

    def loss(x, w, b):
        return float(np.sum(conv.conv2d(x, w, b, stride=2, padding=1) * g))

    dx, dw, db = conv.conv2d_backward(g, x, w, stride=2, padding=1)
    assert relative_error(dx, numerical_gradient(lambda v: loss(v, w, b), x)) < 1e-8
    assert relative_error(dw, numerical_gradient(lambda v: loss(x, v, b), w)) < 1e-8
    assert relative_error(db, numerical_gradient(lambda v: loss(x, w, v), b)) < 1e-8


POOLS = [((2, 4, 4), 2, None), ((3, 6, 6), 3, 3), ((2, 5, 7), (3, 2), (2, 1)), ((1, 4, 4), 4, 1)]


@pytest.mark.parametrize(("shape", "kernel", "stride"), POOLS)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_equals_torch(shape, kernel, stride, kind):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, *shape))
    ours, ours_back = {
        "max": (conv.max_pool2d, conv.max_pool2d_backward),
        "avg": (conv.avg_pool2d, conv.avg_pool2d_backward),
    }[kind]
    theirs = {"max": TF.max_pool2d, "avg": TF.avg_pool2d}[kind]
    xt = torch.tensor(x, requires_grad=True)
    out_t = theirs(xt, kernel, stride)
    g = rng.normal(size=tuple(out_t.shape))
    (out_t * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(ours(x, kernel, stride), out_t.detach().numpy(), atol=1e-14)
    np.testing.assert_allclose(ours_back(g, x, kernel, stride), xt.grad.numpy(), atol=1e-14)


def test_max_pool_ties_go_to_the_first_in_row_major_order():
    x = np.array(
        [[[[1.0, 3.0, 0.0, 0.0], [3.0, 3.0, 0.0, 0.0]]]]
    )  # window 1: three 3s, window 2: all 0
    dx = conv.max_pool2d_backward(np.array([[[[5.0, 7.0]]]]), x, 2)
    expected = np.array([[[[0.0, 5.0, 7.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]])
    np.testing.assert_array_equal(dx, expected)
    xt = torch.tensor(x, requires_grad=True)
    (TF.max_pool2d(xt, 2) * torch.tensor([[[[5.0, 7.0]]]], dtype=torch.float64)).sum().backward()
    np.testing.assert_array_equal(xt.grad.numpy(), expected)  # PyTorch's CPU rule too


def test_pool_backward_central_differences():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 2, 6, 6))
    g = rng.normal(size=(2, 2, 2, 2))  # kernel 3, stride 3
    for forward, backward in (
        (conv.max_pool2d, conv.max_pool2d_backward),
        (conv.avg_pool2d, conv.avg_pool2d_backward),
    ):
        numeric = numerical_gradient(lambda v, f=forward: float(np.sum(f(v, 3) * g)), x)
        assert relative_error(backward(g, x, 3), numeric) < 1e-8


X = np.zeros((2, 3, 7, 7))
W = np.zeros((4, 3, 3, 3))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: conv.conv2d(X, np.zeros((4, 2, 3, 3))),
            r"x has C_in = 3 channels \(shape \(2, 3, 7, 7\)\) but w expects C_in = 2 "
            r"\(shape \(4, 2, 3, 3\)\)",
        ),
        (
            lambda: conv.conv2d(X, np.zeros((1, 3, 10, 3)), padding=1),
            r"kernel \(10, 3\) is larger than the padded input \(9, 9\): x has shape "
            r"\(2, 3, 7, 7\), padding \(1, 1\), w has shape \(1, 3, 10, 3\)",
        ),
        (
            lambda: conv.conv2d(X, W, stride=3),
            r"output size \(P \+ 2 padding - k\) / stride \+ 1 = \(7 \+ 2\*0 - 3\) / 3 \+ 1 = "
            r"2.33333 is not a whole number: x has shape \(2, 3, 7, 7\), w has shape "
            r"\(4, 3, 3, 3\), stride \(3, 3\)",
        ),
        (
            lambda: conv.conv2d(X, W, np.zeros(3)),
            r"b must have shape \(C_out,\) = \(4,\) for w of shape \(4, 3, 3, 3\), got \(3,\)",
        ),
        (lambda: conv.conv2d(X[0], W), r"x must have shape \(N, C_in, P, Q\), got \(3, 7, 7\)"),
        (
            lambda: conv.conv2d_backward(np.zeros((2, 4, 4, 4)), X, W),
            r"grad_out must have the output's shape \(2, 4, 5, 5\) for x of shape "
            r"\(2, 3, 7, 7\) and w of shape \(4, 3, 3, 3\), got \(2, 4, 4, 4\)",
        ),
        (
            lambda: conv.max_pool2d(X, 2),
            r"output size \(P \+ 2 padding - k\) / stride \+ 1 = \(7 \+ 2\*0 - 2\) / 2 \+ 1 = "
            r"3.5 is not a whole number: x has shape \(2, 3, 7, 7\), kernel_size \(2, 2\)",
        ),
        (
            lambda: conv.avg_pool2d(X, 8),
            r"kernel_size \(8, 8\) is larger than the padded input \(7, 7\): x has shape "
            r"\(2, 3, 7, 7\), padding \(0, 0\), kernel_size \(8, 8\)",
        ),
        (lambda: conv.conv2d(X, W, stride=0), r"stride must be a whole number >= 1, got 0"),
        (lambda: conv.conv2d(X, W, padding=(1, 2, 3)), r"padding must be an int or a pair"),
    ],
)
def test_refusals_name_both_shapes(call, message):
    with pytest.raises(ValueError, match=message):
        call()
