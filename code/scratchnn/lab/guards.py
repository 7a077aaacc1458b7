"""The guards of :func:`scratchnn.lab.check`: what the student's code may not do unnoticed.

* :func:`watched` wraps the student's function: after each call it puts back
  what the call modified in place (an argument, an entry of a dict argument,
  an array of ``self``) and notes its name;
* :func:`limited` runs one case and stops it after a number of seconds
  (:class:`StillRunning`);
* :class:`Printed` takes the place of stdout while the student's code runs:
  it counts the lines and keeps the first :data:`PRINTED_SHOWN`.
"""

import ctypes
import functools
import inspect
import signal
import threading
import time
import warnings

import numpy as np

from scratchnn.lab.targets import MISSING

__all__ = ["PRINTED_SHOWN", "Printed", "StillRunning", "limited", "watched"]

#: How many of the lines the student's code prints the report shows.
PRINTED_SHOWN = 3


def _snapshot(name: str, value: object, saved: list) -> None:
    """Add (name, object, copy) for every array and dict reachable in ``value``."""
    if isinstance(value, np.ndarray):
        saved.append((name, value, value.copy()))
    elif isinstance(value, dict):
        saved.append((name, value, dict(value)))
        for key, entry in value.items():
            _snapshot(_entry(name, key), entry, saved)
    elif isinstance(value, tuple | list):
        for k, entry in enumerate(value):
            _snapshot(f"{name}[{k}]", entry, saved)


def _entry(name: str, key: object) -> str:
    """How the student writes the entry: params["w1"]."""
    return f'{name}["{key}"]' if isinstance(key, str) else f"{name}[{key!r}]"


def _same(now: np.ndarray, before: np.ndarray) -> bool:
    return (
        now.shape == before.shape
        and now.dtype == before.dtype
        and np.array_equal(now, before, equal_nan=now.dtype.kind in "fc")
    )


def _restore(saved: list) -> list[tuple[str, object]]:
    """Put back what was changed in place; (name, the changed array or dict) of each."""
    changed = []
    for name, obj, before in saved:
        if isinstance(obj, np.ndarray):
            if not _same(obj, before):
                changed.append((name, obj))
                if obj.shape == before.shape and obj.flags.writeable:
                    obj[...] = before
        elif obj.keys() != before.keys() or any(obj[k] is not before[k] for k in before):
            keys = [k for k in {**before, **obj} if obj.get(k, MISSING) is not before.get(k)]
            changed += [(_entry(name, k), obj) for k in keys]
            obj.clear()
            obj.update(before)
    return changed


def _arguments(signature, args, kwargs) -> list[tuple[str, object]]:
    """(name, value) of each argument of a call, named as the student's signature names it."""
    try:
        return list(signature.bind(*args, **kwargs).arguments.items())
    except (AttributeError, TypeError):  # no signature, or the call does not fit it
        return [*((f"argument {k + 1}", a) for k, a in enumerate(args)), *kwargs.items()]


def watched(function: object, modified: dict, meant: tuple[str, ...] = ()) -> object:
    """``function``, which afterwards puts back what it modified in place and notes its name.

    The arguments, the entries of a dict argument, and for a method the
    arrays of ``self`` (its params and what forward cached, not its grads) are
    compared before and after.  A result that is the modified array, or a view
    of it, changes with the restoring: it fails if it depends on the change.
    ``meant`` names what the function is meant to modify (an optimiser's
    ``state`` argument, ``self.state``): it is neither compared nor put back.
    """
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        signature = None

    @functools.wraps(function)
    def watched(*args, **kwargs):
        saved = []
        for name, value in _arguments(signature, args, kwargs):
            if name == "self" and hasattr(value, "__dict__"):
                for attr, held in vars(value).items():
                    if attr != "grads" and f"self.{attr}" not in meant:
                        _snapshot(f"self.{attr}", held, saved)
            elif name not in meant:
                _snapshot(name, value, saved)
        try:
            return function(*args, **kwargs)
        finally:
            for name, obj in _restore(saved):
                modified.setdefault(name, obj)

    return watched


class StillRunning(BaseException):
    """Raised into the student's code when a case takes longer than its limit."""


class Printed:
    """A stdout that counts the lines written to it and keeps the first few."""

    def __init__(self) -> None:
        self.newlines, self.open, self.first, self._line = 0, False, [], ""

    def write(self, text: str) -> int:
        text = str(text)
        if text:
            self.newlines += text.count("\n")
            self.open = not text.endswith("\n")  # a line begun and not ended yet
        if len(self.first) < PRINTED_SHOWN:
            self._line = (self._line + text)[:2000]  # memory stays bounded
            while "\n" in self._line and len(self.first) < PRINTED_SHOWN:
                line, self._line = self._line.split("\n", 1)
                self.first.append(line)
        return len(text)

    def flush(self) -> None:
        pass

    def lines(self) -> list[str]:
        """The report's summary of what was printed (nothing when nothing was)."""
        count, first = self.newlines + self.open, self.first
        if self.open and len(first) < PRINTED_SHOWN:
            first = [*first, self._line]
        if count == 0:
            return []
        head = f"  your code printed {count} line{'s' if count > 1 else ''}"
        head += f"; the first {PRINTED_SHOWN}:" if count > PRINTED_SHOWN else ":"
        return [head, *(f"    | {_shorten(line)}" for line in first)]


def _shorten(line: str, width: int = 100) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"


def _quiet(run, *args):
    """``run(*args)`` with NumPy's warnings off: an overflow shows as NaN in the report."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return run(*args)


def limited(seconds: float, run, *args):
    """``run(*args)``, stopped by :class:`StillRunning` after ``seconds``.

    On the main thread by SIGALRM, which interrupts the student's code where it
    is; elsewhere (or without SIGALRM) in a thread of its own, into which the
    exception is raised.
    """
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():

        def stop(signum, frame):
            raise StillRunning()

        previous = signal.signal(signal.SIGALRM, stop)
        start, (left, interval) = time.monotonic(), signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return _quiet(run, *args)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            if left > 0:  # someone else's alarm: give it back what remains of its time
                remaining = max(left - (time.monotonic() - start), 1e-3)
                signal.setitimer(signal.ITIMER_REAL, remaining, interval)
    outcome = {}

    def work():
        try:
            outcome["value"] = _quiet(run, *args)
        except BaseException as error:  # handed to the caller's thread
            outcome["error"] = error

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        stopping = ctypes.py_object(StillRunning)
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), stopping)
        worker.join(1.0)
        outcome.setdefault("error", StillRunning())
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
