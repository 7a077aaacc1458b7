"""``jupyter-book build`` on every core: ``python book/_ext/build.py [JB OPTIONS] PATH``.

Jupyter Book 1's command line has no ``--jobs``, though its ``build_sphinx``
takes one and MyST-NB executes notebooks under a parallel Sphinx read.  This
runs the same command with ``jobs`` set: the chapters are read, and so
executed, by as many processes as the machine has cores (or ``BOOK_JOBS``).
Every extension of the book declares itself parallel-safe; Sphinx would warn,
and the strict build fail, if one did not.

Sphinx hands each process a fixed slice of the documents (for 13 pages on two
cores: six, six and one), so one slice can hold the three slowest chapters
while the other process waits.  Here every page is a task of its own, and
whichever process is free takes the next one: the build ends when the work
does, not when the heaviest slice does.
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


def one_per_task(docnames: list[str], nproc: int, maxbatch: int = 10) -> list[list[str]]:
    """Sphinx's ``make_chunks``, replaced: each document its own task (any ``nproc``)."""
    return [[name] for name in docnames]


def main(argv: list[str]) -> None:
    """``jupyter-book build`` with ``argv`` as its arguments, on ``jobs()`` processes."""
    from jupyter_book import sphinx as jb_sphinx
    from jupyter_book.cli import main as cli
    from sphinx import builders

    builders.make_chunks = one_per_task
    # The command imports build_sphinx from its module when it runs: set it there.
    jb_sphinx.build_sphinx = functools.partial(jb_sphinx.build_sphinx, jobs=jobs())
    cli.main(["build", *argv], prog_name="jupyter-book")


if __name__ == "__main__":
    main(sys.argv[1:])
