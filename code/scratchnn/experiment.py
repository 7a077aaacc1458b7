"""The experiment contract: a chapter's ``run`` takes its book defaults' fields as keywords.

A chapter module writes its experiment once, as a function of its
``Defaults`` (the frozen dataclass of :func:`scratchnn.cli.option` fields)::

    @experiment(BOOK)
    def run(options: Defaults, *, callback=None) -> Result:
        x, y, params = book_problem(options.seed, ...)
        ...

and a reader calls it with keywords: ``run()`` is the book's run,
``run(epochs=100, lr=0.5)`` changes two fields.  The decorator checks every
keyword against its field, as the command line does: a name that is no field
is a ``TypeError``; a size is a whole number within the field's bounds, a
learning rate a finite number > 0 (>= 0 for a field with ``minimum=0``), a
string one of the field's choices, a flag a bool (``ValueError`` or
``TypeError`` naming the field).  The function
then gets ``BOOK`` with those fields replaced, and ``callback`` as given.
``help(run)`` shows every keyword with the book's default.
"""

import dataclasses
import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from scratchnn import checks

__all__ = ["MAX_EPOCHS", "Callback", "check_option", "experiment", "upper_bound"]

#: The upper bound of every ``epochs`` field without one of its own (days of running).
MAX_EPOCHS = 10_000_000

R = TypeVar("R")
#: ``callback(epoch, loss)``, called by the training loop after each epoch, or None.
Callback = Callable[[int, float], None] | None


def upper_bound(field: dataclasses.Field) -> float | None:
    """The largest value ``field`` takes: its ``maximum``, or ``MAX_EPOCHS`` for ``epochs``."""
    maximum = field.metadata.get("maximum")
    return MAX_EPOCHS if maximum is None and field.name == "epochs" else maximum


def check_option(field: dataclasses.Field, value: object) -> object:
    """``value`` for ``field`` (a :func:`scratchnn.cli.option`), checked as its metadata says."""
    meta, name, default = field.metadata, field.name, field.default
    if isinstance(default, bool):
        return checks.flag(value, name)
    if meta.get("choices"):
        return checks.choice(value, name, meta["choices"])
    if isinstance(default, int):
        maximum = upper_bound(field)
        maximum = None if maximum is None else int(maximum)
        return checks.whole_number(value, name, minimum=meta.get("minimum", 1), maximum=maximum)
    if isinstance(default, float):
        if meta.get("minimum", 1) == 0:  # a field that may be 0 (momentum, weight decay)
            return checks.nonnegative_float(value, name, maximum=meta.get("maximum"))
        return checks.positive_float(value, name, maximum=meta.get("maximum"))
    return value


def experiment(book: Any) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Decorator: ``body(options, *, callback)`` becomes ``run(*, callback=None, **fields)``.

    book : the chapter's ``BOOK``, a frozen dataclass whose fields are the keywords.
    """
    fields = {f.name: f for f in dataclasses.fields(book)}

    def decorate(body: Callable[..., R]) -> Callable[..., R]:
        @functools.wraps(body)
        def run(*, callback: Callback = None, **changes: Any) -> R:
            for key in changes:
                if key not in fields:
                    known = ", ".join(fields)
                    raise TypeError(f"run() has no option {key!r}; its options are {known}")
            checked = {key: check_option(fields[key], value) for key, value in changes.items()}
            if callback is not None:  # before the data are loaded, not at the first epoch
                checks.function(callback, "callback", "(epoch, loss)")
            return body(dataclasses.replace(book, **checked), callback=callback)

        keyword = inspect.Parameter.KEYWORD_ONLY
        parameters = [
            inspect.Parameter(f.name, keyword, default=getattr(book, f.name), annotation=f.type)
            for f in fields.values()
        ]
        parameters.append(inspect.Parameter("callback", keyword, default=None))
        returns = inspect.signature(body).return_annotation
        run.__signature__ = inspect.Signature(parameters, return_annotation=returns)
        del run.__wrapped__  # inspect shows the keywords, not the body's (options, callback)
        run.book = book  # the command line (scratchnn.cli.chapter_main) reads its options here
        return run

    return decorate
