"""What the numbers were measured on: CPU, load, BLAS kernel and threads."""

import os
import platform

import numpy as np

from scratchnn.benchmark import openblas


def cpu_model() -> str:
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

    ``threads``: the thread count benchmarks 1-4 set, if known.
    """
    lines = [f"machine: {cpu_model()}, {os.cpu_count()} cores"]
    if hasattr(os, "getloadavg"):
        lines.append(
            "load average (1, 5, 15 min): " + ", ".join(f"{v:.2f}" for v in os.getloadavg())
        )
    blas = openblas()
    if blas is None:
        lines.append(f"NumPy {np.__version__}: BLAS kernel unknown (not OpenBLAS)")
    else:
        lines.append(
            f"NumPy {np.__version__}: OpenBLAS {blas['config'].split()[1]}, "
            f"kernel {blas['kernel']}, {blas['threads']} threads by default"
        )
    forced = {
        k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ
    }
    if forced:
        lines.append(
            "note: "
            + ", ".join(f"{k}={v}" for k, v in forced.items())
            + " is set and forces that kernel; unset both for this command alone to measure "
            "the one OpenBLAS would choose"
        )
    try:
        import torch
    except ImportError:
        lines.append("PyTorch: not installed (benchmark 2 skipped)")
    else:
        lines.append(f"PyTorch {torch.__version__}: {torch.get_num_threads()} threads by default")
    if threads is not None:
        lines.append(f"benchmarks 1-4 set both to {threads} thread(s)")
    return lines
