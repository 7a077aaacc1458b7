"""Timing helpers for the benchmarks and the appendix "How fast is from scratch?".

A shared, noisy machine makes a single timing worthless, and two timings taken
a minute apart hard to compare.  So contenders are *interleaved*: each round
runs every contender once, in a rotated order, and the same round is repeated
several times.  A comparison is then the median of the per-round ratios
(paired, so a slow minute slows both sides), with the interquartile range of
those ratios as its spread.  Flop counts turn a time into a rate.

Nothing here prints; the benchmark command and the appendix do.
"""

import ctypes
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Spread",
    "Timings",
    "interleaved",
    "matmul_flops",
    "openblas",
    "openblas_threads",
    "two_layer_step_flops",
]


@dataclass(frozen=True)
class Spread:
    """A median with its interquartile range: ``low <= median <= high``."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: np.ndarray) -> "Spread":
        """The median and the 25th and 75th percentiles of ``values`` (k,), k >= 1."""
        values = np.asarray(values, dtype=np.float64)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"expected a non-empty 1-d array of values, got shape {values.shape}")
        low, median, high = np.percentile(values, [25, 50, 75])
        return cls(float(median), float(low), float(high))


@dataclass(frozen=True)
class Timings:
    """Wall-clock seconds of interleaved contenders.

    Attributes
    ----------
    seconds : name -> (repeats,) float64, the time of each round, in round order.
    """

    seconds: dict[str, np.ndarray]

    def time(self, name: str) -> Spread:
        """Median seconds of one contender, with its interquartile range."""
        return Spread.of(self._get(name))

    def ratio(self, numerator: str, denominator: str) -> Spread:
        """Median over rounds of ``time(numerator) / time(denominator)``.

        Both ran in the same round, so the ratio is paired: load that slows
        the machine for a moment slows both sides of a round.
        """
        return Spread.of(self._get(numerator) / self._get(denominator))

    def _get(self, name: str) -> np.ndarray:
        if name not in self.seconds:
            raise KeyError(f"no contender named {name!r}; have {sorted(self.seconds)}")
        return self.seconds[name]


def interleaved(
    contenders: Mapping[str, Callable[[], object]], *, repeats: int, warmup: int = 1
) -> Timings:
    """Time each contender ``repeats`` times, round by round.

    Round ``r`` runs every contender once, starting at contender ``r mod k``
    (a rotated order, so no contender always runs first after a pause).  The
    ``warmup`` rounds before them run everything once more and are not
    recorded (first calls pay for imports, caches and thread start-up).

    Parameters
    ----------
    contenders : name -> a callable taking no arguments; its result is ignored.
    repeats : recorded rounds, >= 1.
    warmup : unrecorded rounds first, >= 0.

    Returns
    -------
    Timings with ``seconds[name]`` of shape (repeats,).
    """
    if not contenders:
        raise ValueError("no contenders to time")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a whole number >= 1, got {repeats!r}")
    if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
        raise ValueError(f"warmup must be a whole number >= 0, got {warmup!r}")
    names = list(contenders)
    seconds = {name: np.empty(repeats) for name in names}
    for round_ in range(-warmup, repeats):
        start = round_ % len(names)
        for name in names[start:] + names[:start]:
            began = time.perf_counter()
            contenders[name]()
            elapsed = time.perf_counter() - began
            if round_ >= 0:
                seconds[name][round_] = elapsed
    return Timings(seconds)


def matmul_flops(m: int, k: int, n: int) -> int:
    """Floating-point operations of an (m, k) @ (k, n) product: m·n·k multiplies and adds."""
    return 2 * m * k * n


def two_layer_step_flops(n: int, d_in: int, hidden: int, d_out: int) -> int:
    """Flops of one gradient-descent step of the book's two-layer network.

    Counted from the arithmetic the step does, with x (n, d_in), w1 (d_in,
    hidden), w2 (hidden, d_out), and each elementwise add, multiply, compare
    or square counted as one:

    ===========================  ==========================
    forward  h = relu(x @ w1)     2·n·d_in·hidden + n·hidden
    forward  ŷ = h @ w2           2·n·hidden·d_out
    loss     Σ (ŷ − y)²           3·n·d_out
    backward g = 2 (ŷ − y)        n·d_out
    backward ∂w2 = hᵀ g           2·hidden·n·d_out
    backward ∂h = g w2ᵀ, masked   2·n·d_out·hidden + n·hidden
    backward ∂w1 = xᵀ ∂h          2·d_in·n·hidden
    update   w ← w − lr ∂w        2·(d_in·hidden + hidden·d_out)
    ===========================  ==========================

    There is no ∂x: the input needs no gradient, so the backward pass has
    two matrix products for w2's layer and one for w1's.
    """
    for name, value in {"n": n, "d_in": d_in, "hidden": hidden, "d_out": d_out}.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    matmuls = (
        matmul_flops(n, d_in, hidden)  # x @ w1
        + matmul_flops(n, hidden, d_out)  # h @ w2
        + matmul_flops(hidden, n, d_out)  # h.T @ g
        + matmul_flops(n, d_out, hidden)  # g @ w2.T
        + matmul_flops(d_in, n, hidden)  # x.T @ dh
    )
    elementwise = 2 * n * hidden + 4 * n * d_out + 2 * (d_in * hidden + hidden * d_out)
    return matmuls + elementwise


def _openblas_function(name: str) -> Callable[..., object] | None:
    """The function ``name`` (e.g. ``"get_corename"``) of the OpenBLAS NumPy loaded.

    NumPy's wheels rename the symbols (``scipy_openblas_get_corename64_``);
    a system OpenBLAS keeps the plain ones.  None when there is no OpenBLAS.
    """
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("openblas", "64_"), ("openblas", "")):
            function = getattr(library, f"{prefix}_{name}{suffix}", None)
            if function is not None:
                return function
    return None


def openblas() -> dict[str, str | int] | None:
    """What runs NumPy's matrix products: ``{"kernel", "threads", "config"}``.

    ``kernel`` is the CPU kernel OpenBLAS chose at start-up (e.g.
    ``'SkylakeX'``; ``OPENBLAS_CORETYPE`` overrides the choice), ``threads``
    how many threads it uses.  Read from the loaded library itself, as
    ``threadpoolctl`` does, since ``numpy.show_config()`` describes the
    build, not the kernel picked at run time.  None when NumPy is not linked
    to an OpenBLAS that can say.
    """
    corename = _openblas_function("get_corename")
    config = _openblas_function("get_config")
    threads = _openblas_function("get_num_threads")
    if corename is None or config is None or threads is None:
        return None
    corename.restype = config.restype = ctypes.c_char_p
    threads.restype = ctypes.c_int
    return {
        "kernel": corename().decode(),
        "threads": int(threads()),
        "config": config().decode().strip(),
    }


@contextmanager
def openblas_threads(n: int) -> Iterator[None]:
    """Run the ``with`` block with OpenBLAS using ``n`` threads, then restore.

    Tiny matrix products gain little from a second thread, and lose a lot
    when another program already keeps the other core busy.  Does nothing
    when NumPy is not linked to OpenBLAS.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"threads must be a whole number >= 1, got {n!r}")
    info = openblas()
    setter = _openblas_function("set_num_threads")
    if info is None or setter is None:
        yield
        return
    setter(ctypes.c_int(n))
    try:
        yield
    finally:
        setter(ctypes.c_int(int(info["threads"])))
