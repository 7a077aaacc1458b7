"""The check cell of the book's worksheets: is the student's blank right, and if not, why?

``check(loss_and_grads, "two_layer.loss_and_grads")`` runs the student's
function on seeded inputs (:mod:`scratchnn.lab.targets`) and compares each
output with the package's own function and each gradient with central
finite differences of the package's loss (:mod:`scratchnn.gradcheck`).  It
says, per item, the shape it got and the one it needed and the relative
error, and names a likely mistake when the wrong answer equals one of the
wrong answers :mod:`scratchnn.lab.mistakes` computes from the right
quantities.

When everything is right, ``check`` prints the report, one line saying
"all checks pass", and returns None, so that a passing check cell has only
that printed line as its output (nbgrader's autograder warns about a grade
cell whose result is a value).  Otherwise it raises :class:`CheckError`,
so that nbgrader's autograder, which scores a grade cell by whether it
raises, gives no points; in a notebook the exception shows as the report's
lines and nothing else, never a traceback.  A blank still in place (the
function raises ``NotImplementedError`` or returns None or ``...``) is
"not done yet"; an exception of the student's code is reported with its
type, message and line.

Guards: an argument the student's code modifies in place (an input, an
entry of the params dict, an array a layer cached in forward, the upstream
gradient) is named in the report and put back after the call, so that a
result which depends on the change fails; a result that is not float64
fails; a case that runs longer than :data:`TIME_LIMIT` seconds stops with
"your code is still running"; what the code prints is kept out of the
notebook and summarised (a count and the first lines).  :func:`run_check`
returns the report without raising.  The worksheets themselves are
written by :mod:`scratchnn.lab.build`.
"""

import inspect
import linecache
from contextlib import redirect_stdout
from dataclasses import dataclass

import numpy as np

from scratchnn.gradcheck import relative_error
from scratchnn.lab.blocks import BLOCK_TARGETS
from scratchnn.lab.deeper import DEEPER_TARGETS
from scratchnn.lab.guards import Printed, StillRunning, limited, watched
from scratchnn.lab.mistakes import generic
from scratchnn.lab.targets import MISSING, MODEL_TARGETS, NotDoneError, Target, WrongOutputError

__all__ = ["TARGETS", "TIME_LIMIT", "TOLERANCE", "CheckError", "Report", "check", "run_check"]

#: Largest relative error that counts as right: against central differences
#: for a gradient (which agree to about 1e-9 here), against the package for an output.
TOLERANCE = 1e-6

#: Seconds one case of a check may take (the student's calls in it); then it
#: stops with "your code is still running".
TIME_LIMIT = 5.0


#: Every blank the check knows, by the name a check cell gives.
TARGETS = {**MODEL_TARGETS, **BLOCK_TARGETS, **DEEPER_TARGETS}


@dataclass(frozen=True)
class Report:
    """The verdict on one blank: ``lines`` as the student reads them.

    status : "pass", "fail" (some item wrong), "error" (the code raised) or "not done".
    causes : item -> the likely mistake recognised for it.
    """

    target: str
    status: str
    lines: tuple[str, ...]
    causes: dict

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def __str__(self) -> str:
        return "\n".join(self.lines)

    def __repr__(self) -> str:
        return str(self)


class CheckError(Exception):
    """Raised by :func:`check` when a blank is not right yet; ``report`` says why."""

    def __init__(self, report: Report) -> None:
        super().__init__(str(report))
        self.report = report


def _show_report(shell, etype, value, tb, tb_offset=None):
    """IPython's handler for CheckError: the report's lines instead of a traceback.

    Shown through the shell's ``_showtraceback``, so that the cell's output is
    still an error (what nbgrader scores as a failed grade cell).
    """
    lines = list(value.report.lines)
    shell._showtraceback(etype, value, lines)
    return lines


def check(function: object, target: str) -> None:
    """Check a student's version of the package function ``target`` ("module.name").

    ``function`` is the student's function, or for a method (``target``
    "layers.Linear.backward") the student's subclass or the method itself.
    Prints the passing :class:`Report` and returns None; raises
    :class:`CheckError` otherwise.
    """
    report = run_check(function, target)
    if report.passed:
        print(report)
        return None
    try:
        from IPython import get_ipython
    except ImportError:
        shell = None
    else:
        shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((CheckError,), _show_report)
    raise CheckError(report)


def _student(function: object, spec: Target, modified: dict) -> object:
    """The callable the target's runner calls: a function, or a class with the method.

    The student's function (or method) is :func:`scratchnn.lab.guards.watched`: what it modifies
    in place goes into ``modified``.
    """
    if spec.method is None:
        return watched(function, modified, spec.modifies)
    owner = function if inspect.isclass(function) else spec.reference
    method = getattr(function, spec.method) if inspect.isclass(function) else function
    return type(owner.__name__, (owner,), {spec.method: watched(method, modified, spec.modifies)})


def _code(function: object, spec: Target):
    """The code object of the student's own function (for the line an exception is at)."""
    if inspect.isclass(function):
        function = function.__dict__.get(spec.method)
    return getattr(function, "__code__", None)


def _where(error: BaseException, code) -> str | None:
    """The line of the student's code where ``error`` came from, as the student wrote it."""
    tb, line = error.__traceback__, None
    while tb is not None:
        if code is not None and tb.tb_frame.f_code.co_filename == code.co_filename:
            line = linecache.getline(code.co_filename, tb.tb_lineno).strip() or line
        tb = tb.tb_next
    return line


def _array(value: object) -> np.ndarray | str:
    """``value`` as a float64 array, or the reason it is not one."""
    if value is MISSING:
        return "missing"
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return f"not an array of numbers (got {type(value).__name__})"


def _alias(value: object, modified: dict) -> str | None:
    """The name of an array the student's code modified in place that ``value`` is a view of."""
    if not isinstance(value, np.ndarray):
        return None
    return next(
        (
            name
            for name, obj in modified.items()
            if isinstance(obj, np.ndarray) and np.shares_memory(value, obj)
        ),
        None,
    )


def _same_nonfinite(got: np.ndarray, wrong: object) -> bool:
    """Whether ``got`` has the NaN and infinities of ``wrong`` where it has them, and its values."""
    wrong = np.asarray(wrong, dtype=np.float64)
    if wrong.shape != got.shape or np.isfinite(wrong).all():
        return False
    finite = np.isfinite(wrong)
    return (
        np.array_equal(np.isnan(got), np.isnan(wrong))
        and np.array_equal(got[np.isinf(wrong)], wrong[np.isinf(wrong)])
        and np.isfinite(got[finite]).all()
        and (not finite.any() or relative_error(got[finite], wrong[finite]) <= TOLERANCE)
    )


def _judge(item, got, right, numeric, spec, case, mistakes, modified):
    """(ok, line, cause) for one item of one case."""
    label = f" ({case.label})" if case.label and not case.probe else ""
    if got is None:
        need = "a number" if np.ndim(right) == 0 else f"an array of shape {np.shape(right)}"
        return False, f"  ✗ {item}{label}: it is None, needed {need}", None
    if isinstance(got, np.ndarray | np.generic) and got.dtype != np.float64:
        return False, f"  ✗ {item}{label}: dtype {got.dtype}, needed float64", None
    alias = _alias(got, modified)
    got = _array(got)
    if isinstance(got, str):
        return False, f"  ✗ {item}{label}: {got}", None
    right = np.asarray(right, dtype=np.float64)
    if got.shape == right.shape and not np.isfinite(got).all():
        cause = next(
            (reason for reason, wrong in mistakes.get(item, []) if _same_nonfinite(got, wrong)),
            spec.nonfinite.get(item),
        )
        return False, f"  ✗ {item}{label}: NaN or infinite entries", cause
    shape = f"shape {got.shape}"
    if got.shape == right.shape:
        against = "central differences" if numeric is not None else "the right value"
        error = relative_error(got, numeric if numeric is not None else right)
        if error <= TOLERANCE:
            return (
                True,
                f"  ✓ {item}: right, {shape}, relative error {error:.1e} against {against}",
                None,
            )
        text = f"{shape} as needed, but relative error {error:.1e} against {against}"
    else:
        text = f"{shape}, needed {right.shape}"
    if alias is not None:
        return False, f"  ✗ {item}{label}: {text}", _ALIASED.format(alias)
    cause = None
    for reason, wrong in [*mistakes.get(item, []), *generic(item, right, squares=spec.squares)]:
        wrong = np.asarray(wrong, dtype=np.float64)
        if wrong.shape != got.shape or not np.isfinite(wrong).all():
            continue
        if wrong.shape == right.shape and relative_error(wrong, right) <= TOLERANCE:
            continue  # not a mistake on these inputs (a ReLU mask of h is one of z1)
        if relative_error(got, wrong) <= TOLERANCE:
            cause = reason
            break
    return False, f"  ✗ {item}{label}: {text}", cause


_ALIASED = (
    "this is {}, which your code modified in place, or a view of it: "
    "return a new array, not the argument"
)


def _items(spec: Target, case, student, modified) -> list[tuple[bool, str, str | None]]:
    """Judge every item of one case (the student's run already succeeded)."""
    right = spec.run(spec.reference, case)
    numeric, mistakes = spec.numeric(case), spec.mistakes(case)
    return [
        _judge(item, student[item], right[item], numeric.get(item), spec, case, mistakes, modified)
        for item in spec.items
    ]


def run_check(function: object, target: str) -> Report:
    """The :class:`Report` on ``function`` as the package's ``target``, without raising.

    Besides the verdict on each item, the report says which arguments the
    student's code modified in place (they are put back after each call, so a
    result that depends on the change fails) and what it printed (a count and
    the first lines; nothing of it reaches the notebook).  A case that runs
    longer than :data:`TIME_LIMIT` seconds stops the check.
    """
    if target not in TARGETS:
        known = ", ".join(sorted(TARGETS))
        raise ValueError(f"unknown check {target!r}; the checks are {known}")
    spec, modified, printed = TARGETS[target], {}, Printed()
    with redirect_stdout(printed):
        report = _verdict(target, spec, function, modified)
    lines = list(report.lines)
    if modified:
        lines.append(_MODIFIED.format(", ".join(modified)))
    lines += printed.lines()
    return Report(target, report.status, tuple(lines), report.causes)


_MODIFIED = (
    "  ⚠ your code modified in place: {}; the caller sees the change: "
    "leave the arguments as they are and compute new arrays"
)


def _verdict(target: str, spec: Target, function: object, modified: dict) -> Report:
    """The report on the student's function, before the guards' lines."""
    student, code = _student(function, spec, modified), _code(function, spec)
    runs, raised = [], None
    for case in spec.cases():
        try:
            runs.append((case, limited(TIME_LIMIT, spec.run, student, case)))
        except StillRunning as stopped:
            return _still_running(target, stopped, code)
        except NotImplementedError:
            return _not_done(target, "a blank still raises NotImplementedError")
        except NotDoneError as reason:
            return _not_done(target, str(reason))
        except WrongOutputError as wrong:
            return Report(target, "fail", (f"✗ {target}: {wrong}",), {})
        except Exception as error:  # the student's code raised: say what and where
            if not case.probe and raised is None:
                raised = error
    if raised is not None:
        return _error(target, raised, code, spec, runs, modified)
    per_case = [_items(spec, case, got, modified) for case, got in runs if not case.probe]
    judged = []  # per item: its first failure over the cases, else its first case
    for k, item in enumerate(spec.items):
        verdicts = [case_items[k] for case_items in per_case]
        ok, line, cause = next((v for v in verdicts if not v[0]), verdicts[0])
        judged.append((item, ok, line, cause))
    failing = [j for j in judged if not j[1]]
    if not failing:
        return Report(
            target, "pass", (f"✓ {target}: all checks pass ({', '.join(spec.items)})",), {}
        )
    lines, causes = [f"✗ {target}: {len(failing)} of {len(spec.items)} checks fail"], {}
    for item, _, line, cause in judged:
        lines.append(line)
        if cause:
            lines.append(f"    likely: {cause}")
            causes[item] = cause
    return Report(target, "fail", tuple(lines), causes)


def _not_done(target: str, reason: str) -> Report:
    return Report(target, "not done", (f"… {target}: not done yet ({reason})",), {})


def _still_running(target: str, stopped: BaseException, code) -> Report:
    lines = [f"✗ {target}: your code is still running after {TIME_LIMIT:g} s: a loop?"]
    line = _where(stopped, code)
    if line:
        lines.append(f"  at: {line}")
    return Report(target, "error", tuple(lines), {})


def _error(target, error, code, spec, runs, modified) -> Report:
    """The report of an exception in the student's code, with what the probe case shows."""
    message = str(error).splitlines()[0] if str(error) else ""
    lines = [f"✗ {target}: your code raised {type(error).__name__}: {message}"]
    line = _where(error, code)
    if line:
        lines.append(f"  at: {line}")
    causes = {}
    for case, got in (r for r in runs if r[0].probe):
        judged = _items(spec, case, got, modified)
        if any(cause for _, _, cause in judged):
            lines.append(f"  with {case.label} it runs, and then:")
            for item, (ok, text, cause) in zip(spec.items, judged, strict=True):
                if not ok:
                    lines.append(text)
                    if cause:
                        lines.append(f"    likely: {cause}")
                        causes[item] = cause
    return Report(target, "error", tuple(lines), causes)
