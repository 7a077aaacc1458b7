"""Benchmark 2's contenders: the book's PyTorch training functions.

Each is a function of :mod:`scratchnn.torch_compare` (the PyTorch chapter's
own code), started from the same NumPy arrays as ours; each returns its final
weights as float64 arrays.  Without torch there are none.
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import numpy as np

#: Contender name -> (torch_compare function, torch dtype name).
KINDS = {
    "torch f64 by hand": ("train_manual", "float64"),
    "torch f64 autograd": ("train_autograd", "float64"),
    "torch f64 nn+optim": ("train_nn", "float64"),
    "torch f32 by hand": ("train_manual", "float32"),
}
NAMES = list(KINDS)


def contenders(
    params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray, *, lr: float, steps: int
) -> dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]]:
    """name -> a callable that trains and returns (w1, w2) as float64 arrays."""
    try:
        from scratchnn import torch_compare
    except ImportError:
        return {}
    device = torch_compare.torch.device("cpu")
    out = {}
    for name, (function, dtype) in KINDS.items():
        train = getattr(torch_compare, function)

        def run(train=train, dtype=torch_compare.DTYPES[dtype]):
            _, w1, w2 = train(
                x, y, params["w1"], params["w2"], lr=lr, steps=steps, dtype=dtype, device=device
            )
            return w1, w2

        out[name] = run
    return out


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with torch using ``n`` threads, then restore (no-op without torch)."""
    try:
        from scratchnn.torch_compare import torch
    except ImportError:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
