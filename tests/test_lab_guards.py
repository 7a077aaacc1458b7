"""The check's guards: arguments modified in place, the result's dtype, a time limit, and
what the student's code prints."""

import threading
import time

import numpy as np
import pytest

from scratchnn import lab, layers, two_layer

TWO_LAYER = "two_layer.loss_and_grads"
PASS = f"✓ {TWO_LAYER}: all checks pass (loss, ∂L/∂w1, ∂L/∂w2)"
ADVICE = "the caller sees the change: leave the arguments as they are and compute new arrays"


def test_arguments_modified_after_use_are_named_and_put_back():
    seen = []

    def zeroes(params, x, y):
        result = two_layer.loss_and_grads(params, x, y)
        params["w1"][:] = 0
        y -= 1
        seen.append((params["w1"], y))
        return result

    report = lab.run_check(zeroes, TWO_LAYER)
    assert report.status == "pass"  # the result does not depend on the change
    assert report.lines == (
        PASS,
        f'  ⚠ your code modified in place: params["w1"], y; {ADVICE}',
    )
    w1, y = seen[0]
    assert np.any(w1 != 0) and np.any(y != y.round())  # put back after the call


def test_a_dict_entry_replaced_is_a_change_the_caller_sees():
    def steps(params, x, y):
        result = two_layer.loss_and_grads(params, x, y)
        params["w2"] = params["w2"] - 0.1 * result[1]["w2"]
        params["extra"] = 1.0
        return result

    report = lab.run_check(steps, TWO_LAYER)
    assert report.lines[1] == (
        f'  ⚠ your code modified in place: params["w2"], params["extra"]; {ADVICE}'
    )


def test_a_result_that_is_the_modified_argument_fails():
    class Scaled(layers.Activation):
        def backward(self, grad_out):
            grad_out *= self.df(self._x)
            return grad_out

    report = lab.run_check(Scaled, "layers.Activation.backward")
    assert report.status == "fail"
    assert report.lines[1].startswith('  ✗ ∂L/∂x ("relu"): shape (5, 4) as needed, but relative')
    assert report.lines[2:] == (
        "    likely: this is grad_out, which your code modified in place, or a view of it: "
        "return a new array, not the argument",
        f"  ⚠ your code modified in place: grad_out; {ADVICE}",
    )


def test_the_cached_activations_of_a_layer_are_watched():
    class Doubling(layers.Linear):
        def backward(self, grad_out):
            result = super().backward(grad_out)
            self._x *= 2
            return result

    report = lab.run_check(Doubling, "layers.Linear.backward")
    assert report.lines[1] == f"  ⚠ your code modified in place: self._x; {ADVICE}"
    assert lab.run_check(layers.Linear, "layers.Linear.backward").lines == (
        "✓ layers.Linear.backward: all checks pass (∂L/∂x, ∂L/∂w, ∂L/∂b)",
    )


def test_a_float32_result_fails():
    def single(params, x, y):
        loss, grads = two_layer.loss_and_grads(params, x, y)
        return loss, {"w1": grads["w1"].astype(np.float32), "w2": grads["w2"]}

    report = lab.run_check(single, TWO_LAYER)
    assert report.status == "fail"
    assert report.lines[2] == "  ✗ ∂L/∂w1: dtype float32, needed float64"
    loss32 = lab.run_check(lambda p, x, y: (np.float32(1.0), {}), TWO_LAYER)
    assert loss32.lines[1] == "  ✗ loss: dtype float32, needed float64"


def loops(params, x, y):
    while True:
        pass


def test_an_endless_loop_stops_at_the_time_limit(monkeypatch):
    monkeypatch.setattr(lab, "TIME_LIMIT", 0.2)
    start = time.perf_counter()
    report = lab.run_check(loops, TWO_LAYER)
    assert time.perf_counter() - start < 2
    assert report.status == "error"
    assert report.lines == (
        f"✗ {TWO_LAYER}: your code is still running after 0.2 s: a loop?",
        "  at: while True:",
    )
    assert lab.run_check(two_layer.loss_and_grads, TWO_LAYER).passed  # the alarm is off again


def test_the_time_limit_holds_off_the_main_thread_too(monkeypatch):
    monkeypatch.setattr(lab, "TIME_LIMIT", 0.2)
    reports = []
    worker = threading.Thread(target=lambda: reports.append(lab.run_check(loops, TWO_LAYER)))
    worker.start()
    worker.join(5)
    assert not worker.is_alive()
    assert reports[0].lines[0] == f"✗ {TWO_LAYER}: your code is still running after 0.2 s: a loop?"


def test_the_default_time_limit_is_a_few_seconds():
    assert 2 <= lab.TIME_LIMIT <= 10


def test_printed_output_is_counted_and_its_first_lines_shown(capsys):
    def chatty(params, x, y):
        for step in range(10_000):
            print("step", step)
        return two_layer.loss_and_grads(params, x, y)

    report = lab.run_check(chatty, TWO_LAYER)
    assert capsys.readouterr().out == ""
    assert report.lines == (  # the check runs it on two cases
        PASS,
        "  your code printed 20000 lines; the first 3:",
        "    | step 0",
        "    | step 1",
        "    | step 2",
    )


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        ("one", ["  your code printed 1 line:", "    | oneone"]),  # printed twice, one line
        ("a\nb", ["  your code printed 3 lines:", "    | a", "    | ba", "    | b"]),
        ("x" * 150, ["  your code printed 1 line:", "    | " + "x" * 99 + "…"]),
    ],
)
def test_a_few_printed_lines_are_shown_in_full(text, summary):
    def prints(params, x, y):
        print(text, end="")
        return two_layer.loss_and_grads(params, x, y)

    assert list(lab.run_check(prints, TWO_LAYER).lines[1:]) == summary


def test_a_check_that_passes_prints_the_guards_lines_too(capsys):
    def noisy(params, x, y):
        print("hello")
        return two_layer.loss_and_grads(params, x, y)

    assert lab.check(noisy, TWO_LAYER) is None
    assert capsys.readouterr().out == (
        f"{PASS}\n  your code printed 2 lines:\n    | hello\n    | hello\n"
    )


def test_an_alarm_set_before_the_check_is_given_back():
    import signal

    if not hasattr(signal, "setitimer"):
        pytest.skip("no interval timers here")
    rang = []
    previous = signal.signal(signal.SIGALRM, lambda *_: rang.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30)
        assert lab.run_check(two_layer.loss_and_grads, TWO_LAYER).passed
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 20 < left <= 30 and not rang
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.slow
def test_in_a_kernel_a_loop_stops_and_prints_stay_out_of_the_cell():
    import nbformat
    from nbclient import NotebookClient

    cells = [
        "from scratchnn import lab, two_layer\nlab.TIME_LIMIT = 0.5",
        "def loops(params, x, y):\n    while True:\n        pass\n\n"
        'lab.check(loops, "two_layer.loss_and_grads")',
        "def noisy(params, x, y):\n    for i in range(1000):\n        print(i)\n"
        "    return two_layer.loss_and_grads(params, x, y)\n\n"
        'lab.check(noisy, "two_layer.loss_and_grads")',
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    assert [(o.output_type, o.traceback) for o in nb.cells[1].outputs] == [
        (
            "error",
            [
                f"✗ {TWO_LAYER}: your code is still running after 0.5 s: a loop?",
                "  at: while True:",
            ],
        )
    ]
    assert [(o.output_type, o.text) for o in nb.cells[2].outputs] == [
        (
            "stream",
            f"{PASS}\n  your code printed 2000 lines; the first 3:\n    | 0\n    | 1\n    | 2\n",
        )
    ]


def test_what_a_blank_is_meant_to_modify_is_left_alone():
    from scratchnn import optim
    from scratchnn.lab.guards import watched

    modified = {}

    def update(self, theta, grad, state):
        state["exp_avg"] = grad  # an optimiser keeps its state: meant
        self.state["θ"] = state  # so is its own
        theta += 1  # not meant
        return theta

    opt, theta, state = optim.Adam(), np.zeros(2), {"step": 1}
    watched(update, modified, ("state", "self.state"))(opt, theta, np.ones(2), state)
    assert list(modified) == ["theta"] and theta.tolist() == [0.0, 0.0]  # put back
    assert opt.state == {"θ": state}
    assert state["exp_avg"].tolist() == [1.0, 1.0]  # kept
    report = lab.run_check(optim.Adam, "optim.Adam._update")
    assert report.passed and len(report.lines) == 1  # Adam's own state: no warning
