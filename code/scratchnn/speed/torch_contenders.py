"""The PyTorch contenders of the two-layer timing: the PyTorch chapter's own training.

Each is a function of :mod:`scratchnn.torch_compare`, started from the same
NumPy arrays as ours and returning its final weights as float64 arrays.
Importing this module needs torch; :mod:`scratchnn.speed.two_layer_step`
imports it only when torch is installed.
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import numpy as np
import torch

from scratchnn import checks, torch_compare

__all__ = ["TRAINERS", "contenders", "torch_threads"]

#: Contender name -> (training function of the PyTorch chapter, torch dtype).
TRAINERS = {
    "torch f64 by hand": (torch_compare.train_manual, torch.float64),
    "torch f64 autograd": (torch_compare.train_autograd, torch.float64),
    "torch f64 nn+optim": (torch_compare.train_nn, torch.float64),
    "torch f32 by hand": (torch_compare.train_manual, torch.float32),
}


def contenders(
    params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray, *, lr: float, steps: int
) -> dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]]:
    """name -> a callable that trains on the CPU and returns (w1, w2) as float64 arrays.

    ``params``: {"w1": (D_in, H), "w2": (H, D_out)}; x (N, D_in), y (N, D_out).
    """
    cpu = torch.device("cpu")

    def runner(train, dtype):
        def run():
            _, w1, w2 = train(
                x, y, params["w1"], params["w2"], lr=lr, steps=steps, dtype=dtype, device=cpu
            )
            return w1, w2

        return run

    return {name: runner(train, dtype) for name, (train, dtype) in TRAINERS.items()}


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with torch using ``n`` threads (n >= 1), then restore."""
    n = checks.whole_number(n, "threads")
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
