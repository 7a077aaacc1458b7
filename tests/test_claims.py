"""The claims machinery (scratchnn.claims): registration, sizes, verdicts, the runner."""

from dataclasses import dataclass

import pytest

from scratchnn import claims
from scratchnn.claims import ClaimError, TimingClaimError, Verdict


@dataclass(frozen=True)
class Evidence:
    value: int
    verdict: Verdict


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(claims, "CLAIMS", {})
    monkeypatch.setattr(claims, "MODULES", ())
    return claims.CLAIMS


def test_a_claim_runs_at_both_sizes_and_is_registered(registry):
    @claims.claim("demo.bigger", chapter="demo", axes={"seeds": "3 / 30"})
    def bigger(*, size="book"):
        n = 3 if size == "book" else 30
        return Evidence(n, Verdict(holds=True, outcome="a beats b"))

    assert bigger().value == 3 and bigger(size="full").value == 30
    assert registry["demo.bigger"].axes == {"seeds": "3 / 30"}
    with pytest.raises(ValueError, match=r"^size must be one of 'book', 'full', got 'huge'$"):
        bigger(size="huge")


def test_a_claim_without_axes_or_verdict_is_refused(registry):
    with pytest.raises(ValueError, match="must declare the axes it sweeps"):
        claims.claim("demo.none", chapter="demo", axes={})

    @claims.claim("demo.bare", chapter="demo", axes={"lr": "1"})
    def bare(*, size="book"):
        return 1

    with pytest.raises(TypeError, match=r"^claim 'demo.bare' returned no Verdict as .verdict$"):
        bare()


def test_require_names_the_claim_and_says_when_it_is_a_timing_failure():
    claims.require(Evidence(1, Verdict(True, "fine")))
    with pytest.raises(ClaimError, match=r"^xor.race no longer supports the book's sentence: tie"):
        claims.require(Evidence(1, Verdict(False, "tie", "26 vs 27 epochs")), "xor.race")
    slow = Evidence(1, Verdict(False, "ratio 1.1", "needs > 2", timing=True))
    with pytest.raises(TimingClaimError, match=r"^timing failure in speed: ratio 1.1"):
        claims.require(slow, "speed")


def test_the_runner_fails_when_the_sizes_disagree(registry, capsys):
    @claims.claim("demo.flip", chapter="demo", axes={"seeds": "2 / 20"})
    def flip(*, size="book"):
        return Evidence(0, Verdict(True, "a wins" if size == "book" else "b wins"))

    @claims.claim("demo.steady", chapter="demo", axes={"seeds": "2 / 20"})
    def steady(*, size="book"):
        return Evidence(0, Verdict(True, "a wins"))

    assert claims.main([]) == 1
    out = capsys.readouterr().out
    assert "FAIL demo.flip: book: a wins (holds" in out and "DISAGREE" in out
    assert "ok  demo.steady" in out and "1 of 2 claims hold and agree" in out
    assert claims.main(["--only", "demo.steady"]) == 0
    assert claims.main(["--list"]) == 0
    assert "demo.flip (demo.md): seeds: 2 / 20" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        claims.main(["--only", "nothing"])


@pytest.mark.slow  # a fresh interpreter imports every claim module, torch included
def test_run_as_a_program_it_lists_the_claims_the_modules_register():
    import subprocess
    import sys

    listing = subprocess.run(
        [sys.executable, "-m", "scratchnn.claims", "--list"], capture_output=True, text=True
    )
    assert listing.returncode == 0, listing.stderr
    assert "digits.hidden_layer (digits.md): split:" in listing.stdout
