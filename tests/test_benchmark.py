"""scratchnn.speed (the measurements) and benchmarks/ (the command that judges them).

No test asserts a time: a shared machine makes any bound flaky.  What is
tested is what a timing's meaning rests on: the contenders compute the same
thing, rows and tables say what was measured, and the arrows of the package
point down.
"""

import argparse
import ast
import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

import scratchnn
from benchmarks import build, targets
from benchmarks.__main__ import _selection, _threads
from scratchnn import two_layer
from scratchnn.speed import autograd_step, digits_sklearn, figures, two_layer_step, xor_curve
from scratchnn.speed.blas import openblas, openblas_threads
from scratchnn.speed.report import Row, table
from scratchnn.timing import Spread, Timings
from scratchnn.train import gradient_descent

PACKAGE = Path(scratchnn.__file__).parent


# --- the arrows: the suite imports chapters, never the reverse -----------------


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize(
    "path", sorted(p for p in PACKAGE.rglob("*.py") if "speed" not in p.parts), ids=str
)
def test_nothing_below_the_suite_imports_it(path):
    upward = sorted(n for n in _imports(path) if n.split(".")[:2] == ["scratchnn", "speed"])
    assert upward == [], f"{path.name} imports the speed suite: {upward}"


def _is_lab(name: str) -> bool:
    parts = name.split(".")
    return parts[:2] == ["scratchnn", "lab"]


@pytest.mark.parametrize(
    "path",
    sorted(p for p in PACKAGE.rglob("*.py") if "lab" not in p.relative_to(PACKAGE).parts),
    ids=str,
)
def test_nothing_below_the_lab_imports_it(path):
    """The worksheets (floor 3) read the package; no chapter or spine module reads them."""
    upward = sorted(n for n in _imports(path) if _is_lab(n))
    assert upward == [], f"{path.name} imports the lab: {upward}"


def test_every_chapter_module_is_checked():
    checked = {p.stem for p in PACKAGE.glob("*.py")}
    assert set(scratchnn.CHAPTERS) <= checked | {"autograd_nets", "digits"}


def _names_all(node: ast.stmt) -> bool:
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return isinstance(node, ast.Assign | ast.AnnAssign) and all(
        isinstance(t, ast.Name) and t.id == "__all__" for t in targets
    )


def test_init_files_only_document_or_reexport():
    for init in (PACKAGE / "speed" / "__init__.py",):
        body = ast.parse(init.read_text()).body
        assert all(
            isinstance(n, ast.ImportFrom | ast.Import)
            or (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
            or _names_all(n)
            for n in body
        ), f"{init} holds more than a docstring, re-exports and __all__"


# --- the contenders compute the same thing -----------------------------------------


def test_bare_loop_is_bit_for_bit_our_training():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 5)), rng.standard_normal((8, 3))
    params = two_layer.init_params(rng, 5, 4, 3)
    ours = gradient_descent(two_layer.loss_and_grads, params, x, y, lr=1e-3, epochs=4)
    losses, w1, w2 = two_layer_step.bare_numpy_training(
        params["w1"], params["w2"], x, y, lr=1e-3, steps=4
    )
    np.testing.assert_array_equal(losses, ours.losses)
    np.testing.assert_array_equal(w1, ours.params["w1"])
    np.testing.assert_array_equal(w2, ours.params["w2"])


def test_products_alone_are_the_steps_own_products():
    # the operands of the floor are the first step's: its gradients, recomputed
    # from them by the five products, equal loss_and_grads' gradients
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((6, 4)), rng.standard_normal((6, 2))
    p = two_layer.init_params(rng, 4, 3, 2)
    h, delta2, delta1 = two_layer_step._operands(x, y, p["w1"], p["w2"])
    _, grads = two_layer.loss_and_grads(p, x, y)
    np.testing.assert_allclose(h.T @ delta2, grads["w2"], rtol=1e-12)
    np.testing.assert_allclose(x.T @ delta1, grads["w1"], rtol=1e-12)
    assert two_layer_step.matrix_products(x, p["w1"], p["w2"], h, delta2, delta1, steps=2) is None


@pytest.mark.torch
def test_torch_contenders_are_the_pytorch_chapters_functions():
    pytest.importorskip("torch")
    from scratchnn import torch_compare
    from scratchnn.speed import torch_contenders

    functions = {train for train, _ in torch_contenders.TRAINERS.values()}
    assert functions == {
        torch_compare.train_manual,
        torch_compare.train_autograd,
        torch_compare.train_nn,
    }
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((5, 4)), rng.standard_normal((5, 2))
    p = two_layer.init_params(rng, 4, 3, 2)
    ours = gradient_descent(two_layer.loss_and_grads, p, x, y, lr=1e-3, epochs=3).params
    for name, run in torch_contenders.contenders(p, x, y, lr=1e-3, steps=3).items():
        w1, w2 = run()
        tol = 1e-5 if "f32" in name else 1e-12
        np.testing.assert_allclose(w1, ours["w1"], rtol=tol, atol=tol, err_msg=name)
        np.testing.assert_allclose(w2, ours["w2"], rtol=tol, atol=tol, err_msg=name)


def test_xor_curve_contenders_agree_and_rows_follow_hidden_sizes():
    settings = xor_curve.Settings((1, 3), loop_calls=1, vectorised_calls=2, repeats=1)
    curve = xor_curve.measure(settings)
    assert curve.hidden == (1, 3)
    assert max(curve.difference) < 1e-12
    assert [r.key for r in xor_curve.rows(curve)] == ["4 H=1", "4 H=3"]
    assert curve.speedup().shape == (2,)
    assert isinstance(figures.figure_speedup(curve), Figure)


def test_deeper_contenders_compute_the_same_numbers():
    pytest.importorskip("torch")
    from scratchnn.speed import deeper_torch

    tiny = deeper_torch.Settings(hidden=8, depth=2, batch=16, calls=3, epochs=1, repeats=1)
    _, adam_gap = deeper_torch.measure_adam(tiny)  # 3 x 2 steps from the same start
    _, bn_gap = deeper_torch.measure_batch_norm(tiny)
    _, start_gap = deeper_torch.measure_epoch(tiny)
    assert adam_gap < 1e-12 and bn_gap < 1e-12 and start_gap < 1e-12


def test_xor_curve_refuses_a_bad_hidden_size():
    settings = xor_curve.Settings((0,), loop_calls=1, vectorised_calls=1, repeats=1)
    with pytest.raises(
        ValueError, match=r"^hidden must be a whole number >= 1 and <= 10,000, got 0$"
    ):
        xor_curve.measure(settings)


def test_two_layer_rows_from_timings():
    seconds = {
        "ours": np.array([2.0, 2.2]),
        "bare NumPy": np.array([2.0, 2.0]),
        "products alone": np.array([1.0, 1.0]),
    }
    measured = two_layer_step.Measured(Timings(seconds), {"bare NumPy": 0.0}, steps=10, threads=1)
    rows = {r.key: r for r in two_layer_step.rows(measured)}
    s = rows["1"].spread
    assert (s.median, s.low, s.high) == pytest.approx((1.05, 1.025, 1.075))
    assert rows["3"].spread.median == pytest.approx(2.1)
    assert np.isnan(rows["2"].spread.median)  # no torch contenders: said, not hidden
    assert rows["2"].note == "torch is not installed"
    ms = two_layer_step.milliseconds_per_step(measured)
    assert ms["products alone"] == pytest.approx(100.0)
    assert isinstance(figures.figure_step_times(measured), Figure)


def test_measure_refuses_zero_steps():
    with pytest.raises(ValueError, match=r"^steps must be a whole number >= 1, got 0$"):
        two_layer_step.measure(two_layer_step.Settings(steps=0, repeats=1))


# --- the BLAS library -----------------------------------------------------------------


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
        pytest.raises(ValueError, match=r"^threads must be a whole number >= 1, got 0$"),
        openblas_threads(0),
    ):
        pass


# --- rows, tables and targets ------------------------------------------------------------


def test_targets_judge_the_median_and_only_in_the_command():
    ok = Row("1", "ours / bare", Spread(1.04, 1.0, 1.2), "×")
    slow = Row("3", "ours / products", Spread(1.3, 1.2, 1.4), "×")
    memory = Row.once("5d", "memory", 300.0, "MiB")
    assert [targets.met(r) for r in (ok, slow, memory)] == [True, False, None]
    text = targets.judged(
        [slow.__class__("1", "ours / bare", Spread(1.2, 1.1, 1.3), "×", "a note")]
    )
    assert "1  ours / bare  1.2 ×   1.1–1.3  <= 1.05  NOT MET" in text
    assert text.endswith("[1] a note")
    # the package's own table has no target column
    assert "target" not in table([ok]) and "met" not in table([ok])


def test_a_row_not_measured_says_so():
    row = Row.once("2", "ours / torch", float("nan"), "×", "torch is not installed")
    assert row.cells() == ["2", "ours / torch", "not measured ×", ""]


@pytest.mark.parametrize(
    ("text", "chosen"), [("1-4", {"1", "2", "3", "4"}), ("5,6", {"5", "6"}), ("2", {"2"})]
)
def test_benchmark_selection(text, chosen):
    assert _selection(text) == chosen


@pytest.mark.parametrize("text", ["11", "0-2", "x"])
def test_benchmark_selection_rejects_unknown(text):
    with pytest.raises(argparse.ArgumentTypeError, match=r"^expected numbers 1-10 like"):
        _selection(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "--threads must be a whole number >= 1, got 0"),
        ("two", "expected a whole number >= 1, got 'two'"),
    ],
)
def test_threads_option_rejects_bad_values(text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=f"^{message}$"):
        _threads(text)


# --- benchmark 5's pieces --------------------------------------------------------------


def test_chapter_programs_come_from_chapters():
    names = [name for name, _ in build.chapter_commands()]
    assert names[: len(scratchnn.CHAPTERS)] == list(scratchnn.CHAPTERS)
    assert names[-1] == "benchmarks --quick"


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


def test_torch_is_optional_for_the_suite(monkeypatch):
    # without torch, the two-layer measurement still imports and says what it skipped
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a)
    )
    measured = two_layer_step.measure(two_layer_step.Settings(steps=1, repeats=1))
    assert set(measured.timings.seconds) == {"ours", "bare NumPy", "products alone"}
    assert measured.disagreement == {"bare NumPy": 0.0}


def test_autograd_engine_trains_as_the_hand_written_step():
    measured = autograd_step.measure(autograd_step.Settings(steps=2, repeats=1))
    assert measured.gap < 1e-12
    keys = [r.key for r in autograd_step.rows(measured)]
    assert keys == ["7a", "7b"]


def test_sklearn_contender_is_plain_sgd_on_the_same_network():
    model = digits_sklearn.sklearn_classifier(hidden=8, epochs=2, lr=0.1, batch_size=16, seed=0)
    p = model.get_params()
    assert (p["solver"], p["momentum"], p["alpha"], p["early_stopping"]) == ("sgd", 0.0, 0.0, False)
    assert (p["hidden_layer_sizes"], p["batch_size"], p["max_iter"]) == ((8,), 16, 2)
    measured = digits_sklearn.measure(digits_sklearn.Settings(epochs=1, repeats=1))
    # one epoch of SGD on the digits already beats guessing (0.1) by far, for both
    assert min(measured.accuracy.values()) > 0.5, measured.accuracy
    [row] = digits_sklearn.rows(measured)
    assert row.key == "8"
    assert "validation accuracy ours" in row.note


def test_table_lists_every_benchmark_number_once():
    from benchmarks.__main__ import ALL, BENCHMARKS

    numbers = [n for b in BENCHMARKS for n in b.numbers]
    assert sorted(numbers, key=int) == list(ALL) == [str(i) for i in range(1, 11)]
