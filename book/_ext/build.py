"""``jupyter-book build`` on every core: ``python book/_ext/build.py [JB OPTIONS] PATH``.

Jupyter Book 1's command line has no ``--jobs``, though its ``build_sphinx``
takes one and MyST-NB executes notebooks under a parallel Sphinx read.  This
runs the same command with ``jobs`` set: the chapters are read, and so
executed, by as many processes as the machine has cores (or ``BOOK_JOBS``).
Every extension of the book declares itself parallel-safe; Sphinx would warn,
and the strict build fail, if one did not.
"""

import functools
import os
import sys


def jobs() -> int:
    """Processes for the build: ``BOOK_JOBS`` if set, else the usable cores."""
    text = os.environ.get("BOOK_JOBS", "")
    if not text:
        return len(os.sched_getaffinity(0))
    if not text.isdigit() or int(text) < 1:
        sys.exit(f"BOOK_JOBS must be a whole number >= 1, got {text!r}")
    return int(text)


def main(argv: list[str]) -> None:
    """``jupyter-book build`` with ``argv`` as its arguments, on ``jobs()`` processes."""
    from jupyter_book import sphinx
    from jupyter_book.cli import main as cli

    # The command imports build_sphinx from its module when it runs: set it there.
    sphinx.build_sphinx = functools.partial(sphinx.build_sphinx, jobs=jobs())
    cli.main(["build", *argv], prog_name="jupyter-book")


if __name__ == "__main__":
    main(sys.argv[1:])
