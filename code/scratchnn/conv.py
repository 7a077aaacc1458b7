"""Convolution and pooling, forward and backward, in NCHW layout as in PyTorch.

Shapes (the names of the book's notation table):

* x (N, C_in, P, Q): N images of C_in channels, P rows and Q columns;
* w (C_out, C_in, k_h, k_w): one k_h x k_w filter per pair of channels;
* b (C_out,): one bias per output channel;
* out (N, C_out, P', Q'), with, for stride s and zero padding pad,

      P' = (P + 2 pad - k_h) / s + 1        Q' = (Q + 2 pad - k_w) / s + 1.

Unlike ``torch.nn.functional``, which floors that fraction and drops the last
rows it cannot cover, every function here refuses a size that is not a whole
number: choose ``padding`` and ``stride`` so that the windows tile the image.

The convolution is written twice.  :func:`conv2d_loops` and
:func:`conv2d_backward_loops` are the definition as loops over the output's
entries (slow, obviously right); :func:`conv2d` and :func:`conv2d_backward`
are the same arithmetic vectorised (im2col: every window as a row of one
matrix, the layer as one matrix product).  Pooling (:func:`max_pool2d`,
:func:`avg_pool2d`) and their backward passes take ``kernel_size`` and
``stride`` (default: ``kernel_size``, windows side by side).

Every public function checks its arguments and names both shapes when they
do not fit; its unchecked arithmetic is its ``.kernel`` attribute, which the
models call once their inputs are checked.  Explained in the chapter
"Convolutional networks from scratch".
"""

import functools
from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from scratchnn import checks

__all__ = [
    "avg_pool2d",
    "avg_pool2d_backward",
    "conv2d",
    "conv2d_backward",
    "conv2d_backward_loops",
    "conv2d_loops",
    "im2col",
    "max_pool2d",
    "max_pool2d_backward",
    "output_size",
]

Pair = tuple[int, int]


def _pair(value: object, name: str, minimum: int) -> Pair:
    """An int or a pair of ints (rows, columns), each a whole number >= minimum."""
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
        return tuple(checks.whole_number(v, name, minimum=minimum) for v in value)
    v = checks.whole_number(value, name, minimum=minimum)
    return v, v


def output_size(size: int, kernel: int, stride: int, padding: int) -> float:
    """(size + 2 padding - kernel) / stride + 1: the number of window positions along one axis.

    A float: a whole number when the windows tile the padded axis exactly.
    """
    return (size + 2 * padding - kernel) / stride + 1


def _out_shape(
    x_shape: tuple, kernel: Pair, stride: Pair, padding: Pair, what: str, shape_text: str
) -> Pair:
    """(P', Q'), or a ValueError naming x's shape and the kernel's."""
    padded = (x_shape[2] + 2 * padding[0], x_shape[3] + 2 * padding[1])
    if kernel[0] > padded[0] or kernel[1] > padded[1]:
        raise ValueError(
            f"{what} {kernel} is larger than the padded input {padded}: x has shape "
            f"{x_shape}, padding {padding}, {shape_text}"
        )
    sizes = [output_size(x_shape[2 + a], kernel[a], stride[a], padding[a]) for a in (0, 1)]
    for axis, size in zip(("P", "Q"), sizes, strict=True):
        if size != int(size):
            a = 0 if axis == "P" else 1
            raise ValueError(
                f"output size ({axis} + 2 padding - k) / stride + 1 = "
                f"({x_shape[2 + a]} + 2*{padding[a]} - {kernel[a]}) / {stride[a]} + 1 = "
                f"{size:g} is not a whole number: x has shape {x_shape}, {shape_text}, "
                f"stride {stride}; change padding or stride so the windows tile the input"
            )
    return int(sizes[0]), int(sizes[1])


def _checked_conv(
    x: object, w: object, b: object = None, stride: object = 1, padding: object = 0
) -> tuple:
    """x, w, b as float64 and stride, padding as pairs, or an error naming the shapes."""
    x = checks.array(x, "x")
    w = checks.array(w, "w")
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C_in, P, Q), got {x.shape}")
    if w.ndim != 4:
        raise ValueError(f"w must have shape (C_out, C_in, k_h, k_w), got {w.shape}")
    if x.shape[1] != w.shape[1]:
        raise ValueError(
            f"x has C_in = {x.shape[1]} channels (shape {x.shape}) but w expects "
            f"C_in = {w.shape[1]} (shape {w.shape})"
        )
    if b is not None:
        b = checks.array(b, "b")
        if b.shape != (w.shape[0],):
            raise ValueError(
                f"b must have shape (C_out,) = ({w.shape[0]},) for w of shape {w.shape}, "
                f"got {b.shape}"
            )
    stride, padding = _pair(stride, "stride", 1), _pair(padding, "padding", 0)
    _out_shape(x.shape, w.shape[2:], stride, padding, "kernel", f"w has shape {w.shape}")
    return x, w, b, stride, padding


def _with_kernel(kernel: Callable, check: Callable) -> Callable:
    """Decorator: the public function checks with ``check``, then runs ``kernel``."""

    def decorate(public: Callable) -> Callable:
        @functools.wraps(public)
        def checked(*args, **kwargs):
            return kernel(*check(*args, **kwargs))

        checked.kernel = kernel
        return checked

    return decorate


# --- the definition, as loops ----------------------------------------------------------


def _pad(x: np.ndarray, padding: Pair) -> np.ndarray:
    """x (N, C, P, Q) with padding[0] zero rows above and below, padding[1] columns each side."""
    p_h, p_w = padding
    return np.pad(x, ((0, 0), (0, 0), (p_h, p_h), (p_w, p_w)))


def _conv2d_loops(x, w, b, stride: Pair, padding: Pair) -> np.ndarray:
    n, _, height, width = x.shape
    c_out, _, k_h, k_w = w.shape
    (s_h, s_w), (p_h, p_w) = stride, padding
    h_out = (height + 2 * p_h - k_h) // s_h + 1
    w_out = (width + 2 * p_w - k_w) // s_w + 1
    xp = _pad(x, padding)
    out = np.zeros((n, c_out, h_out, w_out))
    for i in range(n):
        for o in range(c_out):
            for r in range(h_out):
                for c in range(w_out):
                    window = xp[i, :, r * s_h : r * s_h + k_h, c * s_w : c * s_w + k_w]
                    out[i, o, r, c] = np.sum(window * w[o]) + (0.0 if b is None else b[o])
    return out


@_with_kernel(_conv2d_loops, _checked_conv)
def conv2d_loops(x, w, b=None, stride=1, padding=0):
    """The convolution, by its definition: one loop per index of the output.

    out[n, o, r, c] = b[o] + sum over (channel, i, j) of
        x_padded[n, channel, r s_h + i, c s_w + j] * w[o, channel, i, j]

    Parameters
    ----------
    x : (N, C_in, P, Q).  w : (C_out, C_in, k_h, k_w).  b : (C_out,) or None.
    stride, padding : ints or (rows, columns) pairs, as in torch.nn.functional.conv2d.

    Returns
    -------
    out : (N, C_out, P', Q'), P' = (P + 2 pad_h - k_h) / s_h + 1 (likewise Q').
    """


def _conv2d_backward_loops(grad_out, x, w, stride: Pair, padding: Pair) -> tuple:
    """The arithmetic of :func:`conv2d_backward_loops`, on checked arrays.

    grad_out (N, C_out, P', Q'), x (N, C_in, P, Q), w (C_out, C_in, k_h, k_w);
    stride and padding are (rows, columns) pairs.  Returns dx (N, C_in, P, Q),
    dw (C_out, C_in, k_h, k_w), db (C_out,).
    """
    n, c_out, h_out, w_out = grad_out.shape
    k_h, k_w = w.shape[2:]
    (s_h, s_w), (p_h, p_w) = stride, padding
    xp = _pad(x, padding)
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i in range(n):
        for o in range(c_out):
            for r in range(h_out):
                for c in range(w_out):
                    rows = slice(r * s_h, r * s_h + k_h)
                    cols = slice(c * s_w, c * s_w + k_w)
                    g = grad_out[i, o, r, c]
                    dw[o] += g * xp[i, :, rows, cols]  # each window meets the weights once
                    dxp[i, :, rows, cols] += g * w[o]  # each weight meets the window once
    dx = dxp[:, :, p_h : p_h + x.shape[2], p_w : p_w + x.shape[3]]  # padding has no gradient
    return dx, dw, grad_out.sum(axis=(0, 2, 3))


def _checked_backward(grad_out, x, w, stride=1, padding=0) -> tuple:
    x, w, _, stride, padding = _checked_conv(x, w, None, stride, padding)
    shape = (x.shape[0], w.shape[0], *_out_shape(x.shape, w.shape[2:], stride, padding, "", ""))
    grad_out = checks.array(grad_out, "grad_out")
    if grad_out.shape != shape:
        raise ValueError(
            f"grad_out must have the output's shape {shape} for x of shape {x.shape} and "
            f"w of shape {w.shape}, got {grad_out.shape}"
        )
    return grad_out, x, w, stride, padding


@_with_kernel(_conv2d_backward_loops, _checked_backward)
def conv2d_backward_loops(grad_out, x, w, stride=1, padding=0):
    """The convolution's backward pass, by the same loops as :func:`conv2d_loops`.

    Parameters
    ----------
    grad_out : (N, C_out, P', Q'), dL/dout.
    x, w, stride, padding : as given to the forward pass.

    Returns
    -------
    dx (N, C_in, P, Q), dw (C_out, C_in, k_h, k_w), db (C_out,).
    """


# --- the same, vectorised ------------------------------------------------------------


def _windows(xp: np.ndarray, kernel: Pair, stride: Pair) -> np.ndarray:
    """Every k_h x k_w window of xp (N, C, P_p, Q_p) at the stride: (N, C, P', Q', k_h, k_w).

    A view: no entry is copied.
    """
    view = sliding_window_view(xp, kernel, axis=(2, 3))
    return view[:, :, :: stride[0], :: stride[1]]


def _offsets(kernel: Pair, stride: Pair, out: Pair):
    """For each offset (i, j) within a window, row-major: (i, j, index).

    ``xp[index]`` is the entry at offset (i, j) of every window of an image
    xp (N, C, P_p, Q_p): a view of shape (N, C, P', Q') for out = (P', Q').
    """
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            rows = slice(i, i + stride[0] * out[0], stride[0])
            cols = slice(j, j + stride[1] * out[1], stride[1])
            yield i, j, (slice(None), slice(None), rows, cols)


def _columns(x, kernel: Pair, stride: Pair, padding: Pair) -> np.ndarray:
    """The windows of x (N, C, P, Q) as columns: (C k_h k_w, N P' Q').

    Entry (c, i, j) of the window of output (n, r, q) is row (c, i, j), column (n, r, q).
    Filled with k_h k_w slab copies, one per offset (i, j) within a window.
    """
    xp = _pad(x, padding)
    out = _out_size(xp.shape, kernel, stride)
    n, c = x.shape[:2]
    cols = np.empty((c, kernel[0], kernel[1], n, *out))
    for i, j, where in _offsets(kernel, stride, out):
        cols[:, i, j] = xp[where].transpose(1, 0, 2, 3)
    return cols.reshape(c * kernel[0] * kernel[1], -1)


def _out_size(padded: tuple, kernel: Pair, stride: Pair) -> Pair:
    """(P', Q') of a padded input's shape (N, C, P_p, Q_p) (already checked to be whole)."""
    return (
        (padded[2] - kernel[0]) // stride[0] + 1,
        (padded[3] - kernel[1]) // stride[1] + 1,
    )


def _im2col(x, kernel: Pair, stride: Pair, padding: Pair) -> np.ndarray:
    return _columns(x, kernel, stride, padding).T  # one row per output position


def _checked_im2col(x, kernel_size, stride=1, padding=0) -> tuple:
    x = checks.array(x, "x")
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, P, Q), got {x.shape}")
    kernel, stride, padding = (
        _pair(kernel_size, "kernel_size", 1),
        _pair(stride, "stride", 1),
        _pair(padding, "padding", 0),
    )
    _out_shape(x.shape, kernel, stride, padding, "kernel_size", f"kernel_size {kernel}")
    return x, kernel, stride, padding


@_with_kernel(_im2col, _checked_im2col)
def im2col(x, kernel_size, stride=1, padding=0):
    """Every window of x as one row of a matrix.

    Parameters
    ----------
    x : (N, C, P, Q).  kernel_size, stride, padding : ints or pairs.

    Returns
    -------
    cols : (N P' Q', C k_h k_w): row (n, r, q) holds the window whose
    corner is at (r s_h, q s_w) of the padded image n, channel by channel.
    Then conv2d(x, w) is cols @ w.reshape(C_out, -1).T, reshaped.
    """


def _conv2d(x, w, b, stride: Pair, padding: Pair) -> np.ndarray:
    c_out, n = w.shape[0], x.shape[0]
    cols = _columns(x, w.shape[2:], stride, padding)  # (C_in k k, N P' Q')
    z = w.reshape(c_out, -1) @ cols  # (C_out, N P' Q'): every filter on every window
    if b is not None:
        z += b[:, None]
    out = _out_size(_pad(x[:1, :1], padding).shape, w.shape[2:], stride)
    return np.ascontiguousarray(z.reshape(c_out, n, *out).transpose(1, 0, 2, 3))


@_with_kernel(_conv2d, _checked_conv)
def conv2d(x, w, b=None, stride=1, padding=0):
    """The convolution of :func:`conv2d_loops`, vectorised: one matrix product of the windows.

    Parameters
    ----------
    x : (N, C_in, P, Q).  w : (C_out, C_in, k_h, k_w).  b : (C_out,) or None.
    stride, padding : ints or (rows, columns) pairs, as in torch.nn.functional.conv2d.

    Returns
    -------
    out : (N, C_out, P', Q'), P' = (P + 2 pad_h - k_h) / s_h + 1 (likewise Q').
    """


def _conv2d_backward(grad_out, x, w, stride: Pair, padding: Pair, input_grad=True) -> tuple:
    c_out, c_in, k_h, k_w = w.shape
    (p_h, p_w), out = padding, grad_out.shape[2:]
    delta = grad_out.transpose(1, 0, 2, 3).reshape(c_out, -1)  # (C_out, N P' Q')
    cols = _columns(x, (k_h, k_w), stride, padding)  # (C_in k k, N P' Q')
    dw = (delta @ cols.T).reshape(w.shape)  # the product's rule for its right factor
    db = delta.sum(axis=1)
    if not input_grad:  # a first layer: nothing upstream needs dL/dx
        return None, dw, db
    d_cols = w.reshape(c_out, -1).T @ delta  # (C_in k k, N P' Q'): the rule for the other
    d_cols = d_cols.reshape(c_in, k_h, k_w, x.shape[0], *out)
    dxp = np.zeros((x.shape[0], c_in, x.shape[2] + 2 * p_h, x.shape[3] + 2 * p_w))
    for i, j, where in _offsets((k_h, k_w), stride, out):  # col2im: copies add up
        dxp[where] += d_cols[:, i, j].transpose(1, 0, 2, 3)
    dx = dxp[:, :, p_h : p_h + x.shape[2], p_w : p_w + x.shape[3]]
    return np.ascontiguousarray(dx), dw, db


@_with_kernel(_conv2d_backward, _checked_backward)
def conv2d_backward(grad_out, x, w, stride=1, padding=0):
    """The backward pass of :func:`conv2d`, vectorised (the same numbers as the loops).

    Parameters
    ----------
    grad_out : (N, C_out, P', Q'), dL/dout.
    x, w, stride, padding : as given to the forward pass.

    Returns
    -------
    dx (N, C_in, P, Q), dw (C_out, C_in, k_h, k_w), db (C_out,).
    """


# --- pooling ---------------------------------------------------------------------------


def _checked_pool(x, kernel_size, stride=None) -> tuple:
    x = checks.array(x, "x")
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, P, Q), got {x.shape}")
    kernel = _pair(kernel_size, "kernel_size", 1)
    stride = kernel if stride is None else _pair(stride, "stride", 1)
    _out_shape(x.shape, kernel, stride, (0, 0), "kernel_size", f"kernel_size {kernel}")
    return x, kernel, stride


def _checked_pool_backward(grad_out, x, kernel_size, stride=None) -> tuple:
    x, kernel, stride = _checked_pool(x, kernel_size, stride)
    shape = (*x.shape[:2], *_out_shape(x.shape, kernel, stride, (0, 0), "", ""))
    grad_out = checks.array(grad_out, "grad_out")
    if grad_out.shape != shape:
        raise ValueError(
            f"grad_out must have the output's shape {shape} for x of shape {x.shape} and "
            f"kernel_size {kernel}, got {grad_out.shape}"
        )
    return grad_out, x, kernel, stride


def _shifted(x: np.ndarray, kernel: Pair, stride: Pair):
    """x's entry at each offset of every window, row-major: k_h k_w views (N, C, P', Q')."""
    for _, _, where in _offsets(kernel, stride, _out_size(x.shape, kernel, stride)):
        yield x[where]


def _max_pool2d(x, kernel: Pair, stride: Pair) -> np.ndarray:
    return functools.reduce(np.maximum, _shifted(x, kernel, stride))


@_with_kernel(_max_pool2d, _checked_pool)
def max_pool2d(x, kernel_size, stride=None):
    """The largest entry of every k_h x k_w window, channel by channel.

    (On a tie the value is the same whichever entry wins; which one gets the
    gradient is the rule of :func:`max_pool2d_backward`: the first in row-major order.)

    Parameters
    ----------
    x : (N, C, P, Q).  kernel_size : int or pair.  stride : int, pair or None (= kernel_size).

    Returns
    -------
    out : (N, C, P', Q'), P' = (P - k_h) / s_h + 1 (likewise Q').
    """


def _max_pool2d_backward(grad_out, x, kernel: Pair, stride: Pair) -> np.ndarray:
    n, c, height, width = x.shape
    h_out, w_out = grad_out.shape[2:]
    windows = _windows(x, kernel, stride).reshape(n, c, h_out, w_out, -1)
    winner = windows.argmax(axis=-1)  # on a tie, the first in row-major order
    rows = np.arange(h_out)[:, None] * stride[0] + winner // kernel[1]  # (N, C, P', Q')
    cols = np.arange(w_out)[None, :] * stride[1] + winner % kernel[1]
    planes = np.arange(n * c).reshape(n, c, 1, 1)
    flat = (planes * height + rows) * width + cols  # the winner's index in x.ravel()
    dx = np.bincount(flat.ravel(), weights=grad_out.ravel(), minlength=x.size)
    return dx.reshape(x.shape)


@_with_kernel(_max_pool2d_backward, _checked_pool_backward)
def max_pool2d_backward(grad_out, x, kernel_size, stride=None):
    """dL/dx of :func:`max_pool2d`: each window's gradient goes to its largest entry.

    **Ties.**  When several entries of a window share the largest value, the
    first of them in row-major order (the top row first, then the leftmost)
    takes the whole gradient and the others get none, as in PyTorch's CPU
    max pooling.  Overlapping windows (stride < kernel_size) add their
    gradients in an entry that wins several of them.

    Parameters
    ----------
    grad_out : (N, C, P', Q').  x, kernel_size, stride : as given to the forward pass.

    Returns
    -------
    dx : (N, C, P, Q).
    """


def _avg_pool2d(x, kernel: Pair, stride: Pair) -> np.ndarray:
    return sum(_shifted(x, kernel, stride)) / (kernel[0] * kernel[1])


@_with_kernel(_avg_pool2d, _checked_pool)
def avg_pool2d(x, kernel_size, stride=None):
    """The mean of every k_h x k_w window: x (N, C, P, Q) -> (N, C, P', Q').

    Arguments and sizes as in :func:`max_pool2d`.
    """


def _avg_pool2d_backward(grad_out, x, kernel: Pair, stride: Pair) -> np.ndarray:
    share = grad_out / (kernel[0] * kernel[1])  # every entry of a window gets an equal part
    dx = np.zeros_like(x)
    for _, _, where in _offsets(kernel, stride, grad_out.shape[2:]):
        dx[where] += share
    return dx


@_with_kernel(_avg_pool2d_backward, _checked_pool_backward)
def avg_pool2d_backward(grad_out, x, kernel_size, stride=None):
    """dL/dx (N, C, P, Q) from grad_out (N, C, P', Q') of :func:`avg_pool2d`.

    Each window's gradient is shared equally by its k_h k_w entries.
    """
