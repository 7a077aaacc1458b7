"""scratchnn.benchmark: interleaving order, paired ratios, flop counts (no wall-clock asserts)."""

import argparse
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from scratchnn import benchmark, two_layer
from scratchnn.benchmark import (
    Spread,
    Timings,
    interleaved,
    matmul_flops,
    openblas,
    openblas_threads,
    two_layer_step_flops,
)
from scratchnn.train import gradient_descent


class FakeClock:
    """Stands in for time.perf_counter; each contender advances it by its own cost."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(benchmark.time, "perf_counter", fake)
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
    # warm-up round -1 starts at index 2; recorded rounds at 0, 1, 2
    assert calls == ["c", "a", "b", "a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert set(t.seconds) == {"a", "b", "c"}
    np.testing.assert_array_equal(t.seconds["a"], [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(t.seconds["c"], [4.0, 4.0, 4.0])


def test_ratio_is_paired_round_by_round():
    # a slow round (load on the machine) doubles both sides: the paired ratio stays 2
    t = Timings({"ours": np.array([2.0, 4.0, 2.0, 2.0]), "bare": np.array([1.0, 2.0, 1.0, 1.0])})
    assert t.ratio("ours", "bare") == Spread(2.0, 2.0, 2.0)
    assert t.time("bare") == Spread(1.0, 1.0, 1.25)


def test_spread_is_median_and_quartiles():
    s = Spread.of(np.array([5.0, 1.0, 3.0, 2.0, 4.0]))
    assert (s.median, s.low, s.high) == (3.0, 2.0, 4.0)


def test_unknown_contender_names_the_known_ones():
    t = Timings({"a": np.ones(2)})
    with pytest.raises(KeyError, match=r"no contender named 'b'; have \['a'\]"):
        t.ratio("a", "b")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"repeats": 0}, "repeats must be a whole number >= 1, got 0"),
        ({"repeats": 2.0}, "repeats must be a whole number >= 1, got 2.0"),
        ({"repeats": 1, "warmup": -1}, "warmup must be a whole number >= 0, got -1"),
    ],
)
def test_bad_repeats(kwargs, message):
    with pytest.raises(ValueError, match=message):
        interleaved({"a": lambda: None}, **kwargs)


def test_no_contenders():
    with pytest.raises(ValueError, match="no contenders to time"):
        interleaved({}, repeats=1)


def test_empty_spread():
    with pytest.raises(ValueError, match=r"non-empty 1-d array of values, got shape \(0,\)"):
        Spread.of(np.array([]))


def test_matmul_flops():
    assert matmul_flops(2, 3, 4) == 48


def test_two_layer_step_flops_by_hand():
    # n = d_in = hidden = d_out = 1: five 1x1 products (2 flops each); elementwise
    # 2 (relu, mask) + 4 (diff, square, sum, 2·) + 2·2 (two updates) = 10
    assert two_layer_step_flops(1, 1, 1, 1) == 20
    # the book's network: 4·N·D·H + 6·N·H·O matmul flops dominate
    n, d, h, o = 64, 1000, 100, 10
    expected = 4 * n * d * h + 6 * n * h * o + 2 * n * h + 4 * n * o + 2 * (d * h + h * o)
    assert two_layer_step_flops(n, d, h, o) == expected == 26_201_360


def test_two_layer_step_flops_rejects_bad_sizes():
    with pytest.raises(ValueError, match="hidden must be a whole number >= 1, got 0"):
        two_layer_step_flops(64, 1000, 0, 10)


def test_openblas_names_the_kernel_it_runs():
    config = np.show_config(mode="dicts")
    if "openblas" not in config["Build Dependencies"]["blas"]["name"]:
        pytest.skip("NumPy is not linked to OpenBLAS here")
    info = openblas()
    assert info is not None
    assert isinstance(info["kernel"], str)
    assert info["kernel"]
    assert info["threads"] >= 1
    assert info["config"].startswith("OpenBLAS")
    forced = os.environ.get("OPENBLAS_CORETYPE")
    if forced:
        assert info["kernel"].lower() == forced.lower()


def test_openblas_threads_sets_and_restores():
    before = openblas()
    if before is None:
        pytest.skip("NumPy is not linked to OpenBLAS here")
    with openblas_threads(1):
        assert openblas()["threads"] == 1
    assert openblas()["threads"] == before["threads"]


def test_openblas_threads_rejects_zero():
    with (
        pytest.raises(ValueError, match="threads must be a whole number >= 1, got 0"),
        openblas_threads(0),
    ):
        pass


# --- the benchmark command's own pieces (benchmarks/, beside the package) ---------

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import build  # noqa: E402
from benchmarks.__main__ import _selection  # noqa: E402
from scratchnn.benchmark import training  # noqa: E402
from scratchnn.benchmark.report import Row, table  # noqa: E402


def test_bare_loop_is_bit_for_bit_our_training():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 5)), rng.standard_normal((8, 3))
    params = two_layer.init_params(rng, 5, 4, 3)
    ours = gradient_descent(two_layer.loss_and_grads, params, x, y, lr=1e-3, epochs=4)
    losses, w1, w2 = training.bare_numpy_training(
        params["w1"], params["w2"], x, y, lr=1e-3, steps=4
    )
    np.testing.assert_array_equal(losses, ours.losses)
    np.testing.assert_array_equal(w1, ours.params["w1"])
    np.testing.assert_array_equal(w2, ours.params["w2"])


def test_row_judges_the_median_against_the_target():
    assert Row("1", "r", Spread(1.05, 1.0, 1.2), "×", ("<=", 1.10)).met is True
    assert Row("3", "f", Spread(0.5, 0.4, 0.6), "", (">=", 0.55)).met is False
    assert Row("5d", "memory", Spread(300.0, 300.0, 300.0), "MiB").met is None
    text = table([Row("1", "ours / bare", Spread(1.2, 1.1, 1.3), "×", ("<=", 1.1), "a note")])
    assert "1  ours / bare  1.2 ×   1.1–1.3  <= 1.1  NOT MET" in text
    assert text.endswith("[1] a note")


@pytest.mark.parametrize(
    ("text", "chosen"), [("1-4", {"1", "2", "3", "4"}), ("5,6", {"5", "6"}), ("2", {"2"})]
)
def test_benchmark_selection(text, chosen):
    assert _selection(text) == chosen


def test_benchmark_selection_rejects_unknown():
    with pytest.raises(argparse.ArgumentTypeError, match="expected numbers 1-6"):
        _selection("7")


def test_config_without_execution(tmp_path):
    original = (build.ROOT / "_config.yml").read_text()
    (tmp_path / "_config.yml").write_text(original)
    path = build.config_without_execution(tmp_path)
    assert path == tmp_path / "_config_noexec.yml"
    changed = [
        (a, b)
        for a, b in zip(original.splitlines(), path.read_text().splitlines(), strict=True)
        if a != b
    ]
    assert len(changed) == 1
    assert changed[0][1].split() == ["execute_notebooks:", "off"]
