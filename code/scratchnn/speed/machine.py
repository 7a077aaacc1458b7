"""What the numbers were measured on: CPU, load, BLAS kernel and threads."""

import importlib.util
import os
import platform

import numpy as np

from scratchnn.speed.blas import openblas

__all__ = ["cpu_model", "describe"]


def cpu_model() -> str:
    """The CPU's name as the operating system gives it (``/proc/cpuinfo`` on Linux)."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe(threads: int | None = None) -> list[str]:
    """A few lines naming the machine, its load, and what runs the matrix products.

    ``threads``: the thread count the timings set for NumPy and PyTorch, if any.
    """
    lines = [f"machine: {cpu_model()}, {os.cpu_count()} cores"]
    if hasattr(os, "getloadavg"):
        load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
        lines.append(f"load average (1, 5, 15 min): {load}")
    blas = openblas()
    if blas is None:
        lines.append(f"NumPy {np.__version__}: BLAS kernel unknown (not OpenBLAS)")
    else:
        lines.append(
            f"NumPy {np.__version__}: OpenBLAS {blas['config'].split()[1]}, "
            f"kernel {blas['kernel']}, {blas['threads']} threads by default"
        )
    forced = [k for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ]
    if forced:
        lines.append(
            "note: "
            + ", ".join(f"{k}={os.environ[k]}" for k in forced)
            + " is set and forces that kernel; unset both for this command alone to measure "
            "the one OpenBLAS would choose"
        )
    if importlib.util.find_spec("torch") is None:
        lines.append("PyTorch: not installed (its rows are not measured)")
    else:
        import torch

        lines.append(f"PyTorch {torch.__version__}: {torch.get_num_threads()} threads by default")
    if threads is not None:
        lines.append(f"the timings set both to {threads} thread(s)")
    return lines
