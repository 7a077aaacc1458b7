"""Benchmark 6: the unit-test suite's wall time (without the site tests in tests/site)."""

import os
import sys
from pathlib import Path

from benchmarks.build import ROOT, timed
from scratchnn.speed.report import Row
from scratchnn.timing import Spread


def run(logs: Path, repeats: int = 1) -> tuple[list[Row], list[str]]:
    """Run the unit tests as ``make test`` does, ``repeats`` times; the median is the figure.

    That is ``pytest --numprocesses auto -m "not slow"`` (one worker per core;
    the slow end-to-end tests are ``make check``'s), without the browser tests
    in tests/site, and with compiled modules cached as the Makefile allows.
    """
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += ["--numprocesses", "auto", "-m", "not slow"]
    command += ["--ignore=tests/site"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runs = [timed(command, logs / f"pytest-{i}.log", ROOT, env) for i in range(repeats)]
    seconds = sorted(r.seconds for r in runs)
    spread = Spread(seconds[len(seconds) // 2], seconds[0], seconds[-1])
    last = runs[-1]
    summary = last.tail.splitlines()[-1] if last.tail else ""
    note = f"pytest says: {summary.strip()}"
    if any(r.returncode != 0 for r in runs):
        note += f"; FAILED (exit {', '.join(str(r.returncode) for r in runs)})"
    rows = [Row("6", "unit tests (pytest, without tests/site)", spread, "s", note)]
    detail = [f"pytest run {i + 1}: {r.seconds:.1f} s" for i, r in enumerate(runs)]
    return rows, detail
