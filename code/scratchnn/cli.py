"""The one command-line runner of every chapter program (``python -m scratchnn.<module>``).

A chapter module states its book defaults once, as a frozen dataclass whose
fields are the keyword arguments of its ``run``::

    @dataclass(frozen=True)
    class Defaults:
        seed: int = option(0, "seed of the random generator", minimum=0)
        epochs: int = option(10_000, "gradient-descent steps", maximum=10**7)
        lr: float = option(0.5, "learning rate")
        activation: str = option("sigmoid", "hidden activation", choices=("relu", "sigmoid"))

    BOOK = Defaults()

    @experiment(BOOK)  # scratchnn.experiment: run(**fields), each one checked
    def run(options: Defaults, *, callback=None) -> Result: ...

    main = cli.chapter_main("xor", __doc__, run, summary, figure_boundary)

:func:`chapter_main` turns the fields into options (``--seed``, ``--epochs``,
``--lr``, ``--activation``, and ``--plot PATH`` for the figure), runs
``run(**options, callback=...)``, shows progress on stderr when a run lasts
more than about a second, prints ``summary(result)`` on stdout and saves
``figure(result)`` only when ``--plot`` names a path.  Every failure a reader
can cause is one line on stderr: exit status 2 for a bad value (an option, an
option that would exhaust the machine, a figure path that cannot be written),
1 for a run that diverges.  The program writes no file but the one named by
``--plot``, and says so only once it has written it.
"""

import argparse
import dataclasses
import math
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from scratchnn.experiment import MAX_EPOCHS, upper_bound
from scratchnn.train import DivergenceError

__all__ = ["MAX_EPOCHS", "chapter_main", "option", "positive_float", "positive_int"]


def option(
    default: Any,
    help: str,
    *,
    choices: Sequence[str] | None = None,
    minimum: int = 1,
    maximum: float | None = None,
    flag: bool = True,
) -> Any:
    """A field of a chapter's ``Defaults``: its default and how it appears on the command line.

    ``choices`` for a string option; ``minimum`` and ``maximum`` bound a
    number (an upper bound keeps a reader from asking for more memory or time
    than the machine has); ``flag=False`` keeps a field off the command line.
    """
    meta = {"help": help, "choices": choices, "minimum": minimum, "maximum": maximum, "flag": flag}
    return dataclasses.field(default=default, metadata=meta)


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show "(default: ...)" after each option's help, except for defaults of None."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default is argparse.SUPPRESS:
            return action.help
        return super()._get_help_string(action)


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _bounded_int(minimum: int, maximum: float | None) -> Callable[[str], int]:
    limit = f" and <= {int(maximum):,}" if maximum is not None else ""

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(
                f"expected a whole number >= {minimum}{limit}, got {text!r}"
            )
        return value

    return convert


def _bounded_float(maximum: float | None) -> Callable[[str], float]:
    limit = f" and <= {maximum:g}" if maximum is not None else ""

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value <= 0 or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"expected a finite number > 0{limit}, got {text!r}")
        return value

    return convert


#: argparse types: a whole number >= 1, and a finite number > 0.
positive_int = _bounded_int(1, None)
#: A finite number > 0 (an argparse type).
positive_float = _bounded_float(None)


def _add_option(p: argparse.ArgumentParser, field: dataclasses.Field, default: Any) -> None:
    meta = field.metadata
    name = "--" + field.name.replace("_", "-")
    kind = type(default)
    if kind is bool:
        p.add_argument(
            name, action=argparse.BooleanOptionalAction, default=default, help=meta["help"]
        )
    elif meta.get("choices"):
        p.add_argument(name, choices=meta["choices"], default=default, help=meta["help"])
    elif kind is int:
        convert = _bounded_int(meta.get("minimum", 1), upper_bound(field))
        p.add_argument(name, type=convert, default=default, help=meta["help"])
    elif kind is float:
        convert = _bounded_float(upper_bound(field))
        p.add_argument(name, type=convert, default=default, help=meta["help"])
    else:
        raise TypeError(f"option {field.name}: no command-line form for {kind.__name__}")


def build_parser(prog: str, description: str, book: Any) -> argparse.ArgumentParser:
    """The parser of a chapter program: one option per flagged field of ``book``, and --plot."""
    p = _OneLineParser(prog=prog, description=description, formatter_class=_HelpFormatter)
    for field in dataclasses.fields(book):
        if field.metadata.get("flag", True):
            _add_option(p, field, getattr(book, field.name))
    p.add_argument(
        "--plot", metavar="PATH", help="save the chapter's figure to PATH (.png, .svg, .pdf)"
    )
    return p


def _check_plot_path(path: str) -> str | None:
    """Why ``path`` cannot take the figure, or None when it can (checked before training)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    target = Path(path)
    if target.is_dir():
        return f"cannot save the figure to {path}: it is a folder"
    suffix = target.suffix.lower().lstrip(".")
    if suffix not in FigureCanvasAgg(Figure()).get_supported_filetypes():
        known = ", ".join(f".{k}" for k in ("png", "svg", "pdf"))
        return f"cannot save the figure to {path}: unknown file type {suffix!r}; use {known}"
    folder = target.parent
    if not folder.is_dir():
        return f"cannot save the figure to {path}: no folder {folder}"
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        return f"cannot save the figure to {path}: permission denied"
    return None


class _Progress:
    """Progress on stderr, at most once a second, only for runs that last over a second."""

    def __init__(self, epochs: int | None) -> None:
        self.epochs, self.stream = epochs, sys.stderr
        self.start = self.last = None

    def __call__(self, epoch: int, loss: float) -> None:
        now = time.monotonic()
        if self.start is None:  # the clock starts with training, not with the imports
            self.start = self.last = now
        if now - self.last >= 1.0:
            self.last = now
            total = f"/{self.epochs}" if self.epochs else ""
            self.stream.write(
                f"epoch {epoch + 1}{total}  loss {loss:.6g}  ({now - self.start:.0f} s)\n"
            )
            self.stream.flush()


def chapter_main(
    module: str,
    doc: str | None,
    run: Callable[..., Any],
    summary: Callable[[Any], list[str]],
    figure: Callable[[Any], Any],
) -> Callable[[list[str] | None], int]:
    """Build ``main(argv=None) -> exit status`` for the chapter module ``scratchnn.<module>``.

    Parameters
    ----------
    module : the module's short name (the program is ``python -m scratchnn.<module>``).
    doc : the module's docstring; its first line, without reST markup, is the
        sentence ``--help`` shows.
    run : the chapter's experiment, made by ``@experiment(BOOK)``; its ``BOOK``
        (a frozen dataclass built with :func:`option`) gives the options, and
        it is called with every field by name, and ``callback(epoch, loss)``.
    summary : ``summary(result) -> list[str]``, the lines printed on stdout.
    figure : ``figure(result) -> matplotlib Figure``, saved by ``--plot PATH``.
    """
    prog = f"python -m scratchnn.{module}"
    description = _first_line(doc, module)
    book = getattr(run, "book", None)
    if book is None:
        raise TypeError(f"{module}.run must be made with @experiment(BOOK) (scratchnn.experiment)")

    def main(argv: list[str] | None = None) -> int:
        p = build_parser(prog, description, book)
        args = vars(p.parse_args(argv))
        plot = args.pop("plot")
        if plot is not None and (problem := _check_plot_path(plot)):
            return _fail(prog, problem, 2)
        kwargs = {f.name: args.get(f.name, getattr(book, f.name)) for f in dataclasses.fields(book)}
        try:
            result = run(**kwargs, callback=_Progress(kwargs.get("epochs")))
        except DivergenceError as err:
            return _fail(prog, str(err), 1)
        except (ValueError, TypeError, MemoryError) as err:
            return _fail(prog, str(err) or type(err).__name__, 2)
        except KeyboardInterrupt:
            return _fail(prog, "interrupted", 130)
        for line in summary(result):
            print(line)
        if plot is not None:
            existed = Path(plot).exists()
            try:
                figure(result).savefig(plot, dpi=120)
            except (OSError, ValueError) as err:
                if not existed:  # leave no half-written file behind
                    Path(plot).unlink(missing_ok=True)
                return _fail(prog, f"cannot save the figure to {plot}: {err}", 2)
            print(f"figure saved to {plot}")
        return 0

    main.__doc__ = f"{description} Returns the exit status."
    return main


def _first_line(doc: str | None, module: str) -> str:
    """A docstring's first line with ``:role:`name``` and ````literal```` markup taken off."""
    lines = (doc or "").strip().splitlines()
    if not lines:
        raise TypeError(f"scratchnn.{module} needs a docstring: its first line is the --help text")
    return re.sub(r"(?::\w+:)?`+([^`]+)`+", r"\1", lines[0])


def _fail(prog: str, message: str, status: int) -> int:
    first = message.strip().splitlines()[0] if message.strip() else "failed"
    print(f"{prog}: error: {first}", file=sys.stderr)
    return status
