"""``python -m benchmarks``: every benchmark, one table, each figure against its target.

Run from the project's root.  See benchmarks/README.md.
"""

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scratchnn import checks
from scratchnn.speed.report import Row


@dataclass(frozen=True)
class Options:
    """What every benchmark is told: short runs or full ones, threads, where logs go."""

    quick: bool
    threads: int
    logs: Path


def _two_layer(options: Options) -> tuple[list[Row], list[str]]:
    from scratchnn.speed import two_layer_step as step

    measured = step.measure(step.QUICK if options.quick else step.FULL, threads=options.threads)
    per_step = step.milliseconds_per_step(measured)
    return step.rows(measured), [", ".join(f"{k} {v:.3f} ms/step" for k, v in per_step.items())]


def _xor(options: Options) -> tuple[list[Row], list[str]]:
    from scratchnn.speed import blas, xor_curve

    with blas.openblas_threads(options.threads):
        curve = xor_curve.measure(xor_curve.QUICK if options.quick else xor_curve.FULL)
    return xor_curve.rows(curve), []


def _autograd(options: Options) -> tuple[list[Row], list[str]]:
    from scratchnn.speed import autograd_step

    settings = autograd_step.QUICK if options.quick else autograd_step.FULL
    return autograd_step.rows(autograd_step.measure(settings, threads=options.threads)), []


def _digits(options: Options) -> tuple[list[Row], list[str]]:
    from scratchnn.speed import blas, digits_sklearn

    with blas.openblas_threads(options.threads):
        measured = digits_sklearn.measure(
            digits_sklearn.QUICK if options.quick else digits_sklearn.FULL
        )
    return digits_sklearn.rows(measured), []


def _conv(options: Options) -> tuple[list[Row], list[str]]:
    from scratchnn.speed import blas, conv_torch

    with blas.openblas_threads(options.threads):
        return conv_torch.rows(options.quick), []


def _deeper(options: Options) -> tuple[list[Row], list[str]]:
    from scratchnn.speed import blas, deeper_torch

    with blas.openblas_threads(options.threads):
        return deeper_torch.rows(options.quick), []


def _build(options: Options) -> tuple[list[Row], list[str]]:
    from benchmarks import build

    return build.run(options.logs)


def _suite(options: Options) -> tuple[list[Row], list[str]]:
    from benchmarks import suite

    return suite.run(options.logs)


@dataclass(frozen=True)
class Benchmark:
    """One entry of the command: the row numbers it makes and the function that measures."""

    numbers: tuple[str, ...]
    says: str  # what it prints while it runs
    measure: Callable[[Options], tuple[list[Row], list[str]]]


#: Every benchmark, in the order they run (builds last).  A new one is a function
#: above and a line here; the table lists rows by number.
BENCHMARKS = (
    Benchmark(("1", "2", "3"), "1-3: the two-layer step, interleaved", _two_layer),
    Benchmark(("4",), "4: XOR's gradient over the hidden size", _xor),
    Benchmark(("7",), "7: the autograd engine's step, interleaved", _autograd),
    Benchmark(("8",), "8: digits against scikit-learn, interleaved", _digits),
    Benchmark(("9",), "9: the convolution, loops, vectorised and torch", _conv),
    Benchmark(("10",), "10: Adam, batch norm and the deeper net's epoch against torch", _deeper),
    Benchmark(("5",), "5: chapter programs, then three builds (minutes)", _build),
    Benchmark(("6",), "6: the unit-test suite", _suite),
)
ALL = tuple(sorted((n for b in BENCHMARKS for n in b.numbers), key=int))


def _selection(text: str) -> set[str]:
    chosen: set[str] = set()
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        if first not in ALL or (last and last not in ALL):
            raise argparse.ArgumentTypeError(
                f"expected numbers {ALL[0]}-{ALL[-1]} like '1,2' or '1-4', got {text!r}"
            )
        chosen.update(ALL[ALL.index(first) : ALL.index(last or first) + 1])
    return chosen


def _threads(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    try:
        return checks.whole_number(int(text), "--threads")
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _number(key: str) -> str:
    """The benchmark a row belongs to: ``"2a"`` and ``"4 H=10"`` -> ``"2"``, ``"4"``."""
    return re.match(r"\d+", key).group()


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time the book's code against bare NumPy, PyTorch, its own matrix "
        "products, and the book build; print one table with the targets.",
    )
    p.add_argument(
        "--quick", action="store_true", help="short runs of 1-4, 7 and 8 (as the appendix)"
    )
    p.add_argument(
        "--only",
        type=_selection,
        default=set(ALL),
        metavar="LIST",
        help="benchmarks to run, e.g. 1-4 or 5,6 (default: all)",
    )
    p.add_argument(
        "--threads",
        type=_threads,
        default=1,
        metavar="N",
        help="threads of NumPy's OpenBLAS and of torch for benchmarks 1-4, 7 and 8",
    )
    p.add_argument(
        "--logs", metavar="DIR", help="folder for build and test logs (default: a temporary one)"
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    from benchmarks.targets import judged
    from scratchnn.speed.machine import describe

    logs = Path(args.logs or tempfile.mkdtemp(prefix="bench-logs-"))
    logs.mkdir(parents=True, exist_ok=True)
    options = Options(args.quick, args.threads, logs)
    began = time.perf_counter()
    print("\n".join(describe(args.threads if args.only & set("1234789") else None)), flush=True)
    rows, detail = [], []
    for benchmark in BENCHMARKS:
        if args.only & set(benchmark.numbers):
            print(f"benchmark {benchmark.says} ...", flush=True)
            r, d = benchmark.measure(options)
            rows += [row for row in r if _number(row.key) in args.only]
            detail += d
    rows.sort(key=lambda row: int(_number(row.key)))  # stable: 2a before 2b
    print()
    print(judged(rows))
    print()
    print("\n".join(detail))
    print(f"(all benchmarks: {time.perf_counter() - began:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
