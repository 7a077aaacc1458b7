"""scratchnn.timing: interleaving order, paired ratios, spreads (no wall-clock asserts)."""

import numpy as np
import pytest

from scratchnn import timing
from scratchnn.timing import Spread, Timings, interleaved


class FakeClock:
    """Stands in for time.perf_counter; each contender advances it by its own cost."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(timing.time, "perf_counter", fake)
    return fake


def test_rounds_rotate_the_order_and_warmup_is_not_recorded(clock):
    calls = []

    def contender(name, cost):
        def run():
            calls.append(name)
            clock.now += cost

        return run

    t = interleaved(
        {"a": contender("a", 1.0), "b": contender("b", 2.0), "c": contender("c", 4.0)},
        repeats=3,
        warmup=1,
    )
    # warm-up round -1 starts at index 2; recorded rounds 0, 1, 2 at indices 0, 1, 2
    assert calls == ["c", "a", "b", "a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert set(t.seconds) == {"a", "b", "c"}
    np.testing.assert_array_equal(t.seconds["a"], [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(t.seconds["c"], [4.0, 4.0, 4.0])


def test_a_slow_round_is_recorded_where_it_happened(clock):
    costs = iter([1.0, 1.0, 5.0, 1.0])  # warm-up, round 0, round 1 (slow), round 2

    def run():
        clock.now += next(costs)

    t = interleaved({"only": run}, repeats=3, warmup=1)
    np.testing.assert_array_equal(t.seconds["only"], [1.0, 5.0, 1.0])
    assert t.time("only") == Spread(1.0, 1.0, 3.0)


def test_ratio_is_paired_round_by_round():
    # a slow round (load on the machine) doubles both sides: the paired ratio stays 2
    t = Timings({"ours": np.array([2.0, 4.0, 2.0, 2.0]), "bare": np.array([1.0, 2.0, 1.0, 1.0])})
    assert t.ratio("ours", "bare") == Spread(2.0, 2.0, 2.0)
    assert t.time("bare") == Spread(1.0, 1.0, 1.25)


def test_spread_is_median_and_quartiles():
    s = Spread.of(np.array([5.0, 1.0, 3.0, 2.0, 4.0]))
    assert (s.median, s.low, s.high) == (3.0, 2.0, 4.0)
    # the same as numpy's percentiles, the oracle
    values = np.random.default_rng(0).random(11)
    assert Spread.of(values) == Spread(*np.percentile(values, [50, 25, 75]))


def test_unknown_contender_names_the_known_ones():
    t = Timings({"a": np.ones(2)})
    with pytest.raises(KeyError, match=r"no contender named 'b'; have \['a'\]"):
        t.ratio("a", "b")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"repeats": 0}, ValueError, "repeats must be a whole number >= 1 and <= 1,000,000, got 0"),
        (
            {"repeats": 2.0},
            TypeError,
            "repeats must be a whole number >= 1 and <= 1,000,000, got 2.0",
        ),
        (
            {"repeats": 1, "warmup": -1},
            ValueError,
            "warmup must be a whole number >= 0 and <= 1,000,000, got -1",
        ),
        ({"repeats": 10**400}, ValueError, "repeats must be .* got an integer of 401 digits"),
    ],
)
def test_bad_repeats(kwargs, error, message):
    with pytest.raises(error, match=f"^{message}$"):
        interleaved({"a": lambda: None}, **kwargs)


def test_no_contenders():
    with pytest.raises(
        ValueError, match=r"^contenders must be a non-empty dict of name -> function$"
    ):
        interleaved({}, repeats=1)
    with pytest.raises(TypeError, match=r"^contenders\['a'\] must be a function taking no argu"):
        interleaved({"a": 3}, repeats=1)


@pytest.mark.parametrize("values", [np.array([]), np.ones((2, 2))])
def test_spread_needs_a_flat_nonempty_array(values):
    shape = str(values.shape).replace("(", r"\(").replace(")", r"\)")
    with pytest.raises(ValueError, match=f"non-empty 1-d array of values, got shape {shape}"):
        Spread.of(values)


def test_check_ratio_is_a_timing_verdict_with_a_margin():
    from scratchnn import claims
    from scratchnn.timing import Spread, check_ratio

    fine = check_ratio(Spread(2.0, 1.5, 2.5), "a / b", above=1.2, below=4.0)
    assert fine.verdict.holds and fine.verdict.timing
    claims.require(fine, "x")
    slow = check_ratio(1.05, "a / b", above=1.2)
    assert slow.ratio == Spread(1.05, 1.05, 1.05) and not slow.verdict.holds
    with pytest.raises(claims.TimingClaimError, match=r"^timing failure in speed: a / b outside"):
        claims.require(slow, "speed")
    with pytest.raises(ValueError, match="check_ratio needs a bound"):
        check_ratio(1.0, "a / b")
