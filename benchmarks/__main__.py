"""``python -m benchmarks``: every benchmark, one table, each figure against its target.

Run from the project root.  See benchmarks/README.md.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

ALL = ("1", "2", "3", "4", "5", "6")


def _selection(text: str) -> set[str]:
    chosen: set[str] = set()
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        if first not in ALL or (last and last not in ALL):
            raise argparse.ArgumentTypeError(
                f"expected numbers 1-6 like '1,2' or '1-4', got {text!r}"
            )
        chosen.update(ALL[ALL.index(first) : ALL.index(last or first) + 1])
    return chosen


def _threads(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(text)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time the book's code against bare NumPy, PyTorch, the machine, "
        "and the book build; print one table.",
    )
    p.add_argument("--quick", action="store_true", help="the appendix's short runs of 1-4")
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
        help="threads of NumPy's OpenBLAS and of torch for benchmarks 1-4",
    )
    p.add_argument(
        "--logs", metavar="DIR", help="folder for build and test logs (default: a temporary one)"
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    from benchmarks import build, suite
    from scratchnn.benchmark import training
    from scratchnn.benchmark.machine import describe
    from scratchnn.benchmark.report import table

    logs = Path(args.logs or tempfile.mkdtemp(prefix="bench-logs-"))
    logs.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    print("\n".join(describe(args.threads if args.only & set("1234") else None)), flush=True)
    rows, detail = [], []
    if args.only & {"1", "2", "3", "4"}:
        print("benchmarks 1-4: training, interleaved ...", flush=True)
        measured = training.run(
            training.QUICK if args.quick else training.FULL, threads=args.threads
        )
        rows += [r for r in measured.rows if r.number in args.only]
        detail += measured.detail
    if "5" in args.only:
        print("benchmark 5: chapter programs, then three builds (minutes) ...", flush=True)
        r, d = build.run(logs)
        rows += r
        detail += d
    if "6" in args.only:
        print("benchmark 6: the unit-test suite ...", flush=True)
        r, d = suite.run(logs)
        rows += r
        detail += d
    print()
    print(table(rows))
    print()
    print("\n".join(detail))
    print(f"(all benchmarks: {time.perf_counter() - began:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
