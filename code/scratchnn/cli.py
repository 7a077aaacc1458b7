"""The command line shared by every chapter module (``python -m scratchnn.<module>``).

Every chapter's ``main`` builds its parser with :func:`parser`, which adds the
common options (``--seed``, ``--epochs``, ``--lr``, ``--plot``) with the
book's defaults and validates them: a bad value is one line on stderr and
exit status 2, never a traceback.
"""

import argparse
import math
import sys
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["parser", "positive_float", "positive_int", "save_figure"]


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show "(default: ...)" after each option's help, except for defaults of None."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None:
            return action.help
        return super()._get_help_string(action)


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def positive_int(text: str) -> int:
    """argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text!r}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return value


def parser(
    prog: str,
    description: str,
    *,
    seed: int | None,
    epochs: int,
    lr: float | None,
    lr_help: str = "learning rate",
) -> argparse.ArgumentParser:
    """A parser with the common options and the given defaults.

    ``seed=None`` leaves ``--seed`` out (for a chapter with no randomness).
    ``lr=None`` means the chapter picks the learning rate from other options;
    ``lr_help`` then says how.  Chapters add their own options to the
    returned parser.
    """
    p = _OneLineParser(
        prog=prog,
        description=description,
        formatter_class=_HelpFormatter,
    )
    if seed is not None:
        p.add_argument("--seed", type=_seed, default=seed, help="seed of the random generator")
    p.add_argument("--epochs", type=positive_int, default=epochs, help="gradient-descent steps")
    p.add_argument("--lr", type=positive_float, default=lr, help=lr_help)
    p.add_argument("--plot", metavar="PATH", help="save the chapter's figure to PATH (.png, .svg)")
    return p


def save_figure(fig: "Figure", path: str) -> None:
    """Save ``fig`` to ``path``; an unwritable path is a one-line error, exit 2."""
    try:
        fig.savefig(path, dpi=120)
    except (OSError, ValueError) as err:
        print(f"error: cannot save the figure to {path}: {err}", file=sys.stderr)
        sys.exit(2)
