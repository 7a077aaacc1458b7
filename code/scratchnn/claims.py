"""The book's lessons as experiments: every comparative claim, at two sizes, with its verdict.

A sentence such as "ReLU reaches the target in fewer epochs" or "batch norm
allows a larger learning rate" is not written from one run: it is a *claim*,
an experiment in the package that sweeps every setting a reader could
reasonably change (learning rate, initial scale, seeds, the threshold that
defines success, the budget, the split), gives each contender its own best,
and returns its evidence.  A chapter calls the claim, glues its numbers into
the prose, and calls :func:`require` on it, so that the build fails when the
numbers stop supporting the sentence.

A claim is a function decorated with :func:`claim`::

    @claim("xor.race", chapter="xor", axes={"lr": "1/8 .. 8", "seeds": "50 / 200"})
    def race(*, size: str = "book") -> RaceEvidence:
        ...
        return RaceEvidence(..., verdict=Verdict(holds=..., outcome=..., detail=...))

It runs at two sizes: ``"book"`` (what the build runs: seconds) and
``"full"`` (more seeds, wider grids: what ``make claims`` runs).  Its result
has a ``verdict``: a :class:`Verdict` whose ``outcome`` says in a few words
what the experiment found, and whose ``holds`` says whether that supports
the sentence the book writes.  ``make claims`` (``python -m scratchnn.claims``)
runs every claim at both sizes and fails unless each holds at both and the
two outcomes are the same: the book-size verdict must be the full-size one.

Lessons about speed assert on what load cannot change (counts of steps,
operations, bytes) and report times beside it; a time ratio that is itself
the lesson is checked with a margin the machine's noise cannot cross, and
its failure says that it is a timing failure (``require(..., timing=True)``).
"""

import argparse
import functools
import importlib
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = [
    "CLAIMS",
    "MODULES",
    "SIZES",
    "Claim",
    "ClaimError",
    "TimingClaimError",
    "Verdict",
    "all_claims",
    "claim",
    "main",
    "require",
]

#: The two sizes of every claim: the build's, and the full sweep of ``make claims``.
SIZES = ("book", "full")

#: The modules that define claims, imported by :func:`all_claims` (``make claims``).
MODULES: tuple[str, ...] = (
    "linear_regression_claims",
    "toy_mlp_claims",
    "xor_claims",
    "two_layer_claims",
    "exams_claims",
    "digits_claims",
    "torch_compare_claims",
    "deeper_claims",
    "convnet_shift",
)

R = TypeVar("R")


class ClaimError(AssertionError):
    """A claim's numbers no longer support the sentence the book writes."""


class TimingClaimError(ClaimError):
    """A lesson about speed failed on a time ratio (the machine may have been busy)."""


@dataclass(frozen=True)
class Verdict:
    """What a claim's experiment concluded.

    holds : whether the evidence supports the sentence the book writes.
    outcome : the qualitative result in a few words ("relu faster at every
        start", "tie: intervals overlap"); the full-size run must give the same.
    detail : the numbers behind it, for a failure's message and the listing.
    timing : the verdict rests on a time ratio (its failure says so).
    """

    holds: bool
    outcome: str
    detail: str = ""
    timing: bool = False


@dataclass(frozen=True)
class Claim:
    """A registered claim: its experiment and what it sweeps.

    name : "<module>.<claim>", e.g. "xor.race".
    chapter : the chapter's file name without ``.md`` (``"xor"``).
    axes : each setting a reader could change -> the range swept (book / full).
    run : the experiment, ``run(size="book" | "full") -> result with .verdict``.
    """

    name: str
    chapter: str
    axes: Mapping[str, str]
    run: Callable[..., Any]


#: Every claim defined so far, by name (filled as the modules are imported).
CLAIMS: dict[str, Claim] = {}


def claim(
    name: str, *, chapter: str, axes: Mapping[str, str]
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Decorator: register ``experiment(*, size="book", ...)`` as the claim ``name``.

    The decorated function checks ``size`` (one of :data:`SIZES`) and that its
    result carries a :class:`Verdict` as ``verdict``.
    """
    if not axes:
        raise ValueError(f"claim {name!r} must declare the axes it sweeps")

    def decorate(experiment: Callable[..., R]) -> Callable[..., R]:
        @functools.wraps(experiment)
        def run(*args: Any, size: str = "book", **kwargs: Any) -> R:
            if size not in SIZES:
                raise ValueError(f"size must be one of {', '.join(map(repr, SIZES))}, got {size!r}")
            result = experiment(*args, size=size, **kwargs)
            if not isinstance(getattr(result, "verdict", None), Verdict):
                raise TypeError(f"claim {name!r} returned no Verdict as .verdict")
            return result

        run.claim_name = name
        CLAIMS[name] = Claim(name, chapter, dict(axes), run)
        return run

    return decorate


def require(result: Any, name: str | None = None) -> None:
    """Raise :class:`ClaimError` unless ``result.verdict.holds``; a chapter calls it after a claim.

    The message names the claim, its outcome and its numbers; for a verdict
    that rests on a time ratio it is a :class:`TimingClaimError` that says so.
    """
    verdict = result.verdict
    if verdict.holds:
        return
    name = name or "claim"
    if verdict.timing:
        raise TimingClaimError(
            f"timing failure in {name}: {verdict.outcome} ({verdict.detail}); a time ratio "
            "moved, which a busy machine can cause: re-run on a quiet one before changing the text"
        )
    raise ClaimError(
        f"{name} no longer supports the book's sentence: {verdict.outcome} ({verdict.detail})"
    )


def all_claims() -> dict[str, Claim]:
    """Every claim of the book: the modules of :data:`MODULES` imported, then the registry."""
    for module in MODULES:
        importlib.import_module(f"scratchnn.{module}")
    return dict(sorted(CLAIMS.items()))


@dataclass(frozen=True)
class _Run:
    outcome: str
    holds: bool
    detail: str
    seconds: float


def _run(entry: Claim, size: str) -> _Run:
    start = time.perf_counter()
    verdict = entry.run(size=size).verdict
    return _Run(verdict.outcome, verdict.holds, verdict.detail, time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    """``python -m scratchnn.claims``: run every claim at both sizes; exit 1 unless all agree."""
    parser = argparse.ArgumentParser(
        prog="python -m scratchnn.claims",
        description="Run the book's claims at book size and full size; each must hold at both "
        "and reach the same outcome.",
    )
    parser.add_argument("--list", action="store_true", help="list the claims and their axes")
    parser.add_argument("--only", action="append", default=[], help="run only this claim (repeat)")
    parser.add_argument("--size", choices=SIZES, action="append", help="run only this size")
    args = parser.parse_args(argv)
    claims = all_claims()
    unknown = [name for name in args.only if name not in claims]
    if unknown:
        parser.error(f"no claim {', '.join(unknown)}; the claims are {', '.join(claims)}")
    chosen = {k: v for k, v in claims.items() if not args.only or k in args.only}
    if args.list:
        for entry in chosen.values():
            axes = "; ".join(f"{axis}: {span}" for axis, span in entry.axes.items())
            print(f"{entry.name} ({entry.chapter}.md): {axes}")
        return 0
    sizes = args.size or list(SIZES)
    failed, total = 0, time.perf_counter()
    for entry in chosen.values():
        runs = {size: _run(entry, size) for size in sizes}
        agree = len({r.outcome for r in runs.values()}) == 1
        ok = agree and all(r.holds for r in runs.values())
        failed += not ok
        cells = ", ".join(
            f"{size}: {r.outcome} ({'holds' if r.holds else 'DOES NOT HOLD'}, {r.seconds:.1f} s)"
            for size, r in runs.items()
        )
        print(f"{'ok ' if ok else 'FAIL'} {entry.name}: {cells}{'' if agree else '; DISAGREE'}")
        if not ok:
            for size, r in runs.items():
                print(f"       {size}: {r.detail}")
        sys.stdout.flush()
    seconds = time.perf_counter() - total
    print(f"{len(chosen) - failed} of {len(chosen)} claims hold and agree ({seconds:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    # Run the imported module's main: as __main__, this file's CLAIMS would be a second
    # registry, and the claim modules register in scratchnn.claims.CLAIMS.
    from scratchnn.claims import main as registered_main

    sys.exit(registered_main())
