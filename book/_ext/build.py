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

``BOOK_EDITION=lab`` builds the lab edition (book/_ext/lab_edition.py,
``make book-lab``): Sphinx's ``lab_edition`` is set, and the site goes to
``_build/html-lab`` with its own doctrees, beside ``_build/html``, so the two
editions never mix.  Both share the execution cache in ``_build``: a chapter
executed for one is not executed again for the other.
"""

import functools
import os
import sys
from pathlib import Path


def jobs() -> int:
    """Processes for the build: ``BOOK_JOBS`` if set, else the usable cores."""
    text = os.environ.get("BOOK_JOBS", "")
    if not text:
        return len(os.sched_getaffinity(0))
    if not text.isdigit() or int(text) < 1:
        sys.exit(f"BOOK_JOBS must be a whole number >= 1, got {text!r}")
    return int(text)


#: BOOK_EDITION -> (folder of the site beside jupyter-book's html/, Sphinx settings)
EDITIONS = {"": ("html", {}), "lab": ("html-lab", {"lab_edition": True})}


def edition() -> tuple[str, dict]:
    """The edition ``BOOK_EDITION`` names (empty: the book): its site folder and settings."""
    name = os.environ.get("BOOK_EDITION", "")
    if name not in EDITIONS:
        sys.exit(f"BOOK_EDITION must be one of {', '.join(map(repr, EDITIONS))}, got {name!r}")
    return EDITIONS[name]


def in_edition(build_sphinx, actions, folder: str, settings: dict):
    """``build_sphinx`` and jupyter-book's report of it, moved to ``folder`` with ``settings``."""
    if folder == "html":
        return build_sphinx, actions

    def moved(path) -> Path:
        path = Path(path)
        return path.with_name(folder) if path.name == "html" else path

    def build(sourcedir, outputdir, **options):
        out = moved(outputdir)
        options["doctreedir"] = out.parent / f".doctrees-{folder}"
        options["confoverrides"] = {**(options.get("confoverrides") or {}), **settings}
        return build_sphinx(sourcedir, out, **options)

    def report(result, builder, output_path, *args, **kwargs):
        return actions(result, builder, moved(output_path), *args, **kwargs)

    return build, report


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
    build, report = in_edition(
        functools.partial(jb_sphinx.build_sphinx, jobs=jobs()),
        cli.builder_specific_actions,
        *edition(),
    )
    jb_sphinx.build_sphinx = build
    cli.builder_specific_actions = report
    cli.main(["build", *argv], prog_name="jupyter-book")


if __name__ == "__main__":
    main(sys.argv[1:])
