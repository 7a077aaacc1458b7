"""Write the book's worksheets: ``python -m scratchnn.lab.build OUT``.

For every sheet of :mod:`scratchnn.lab.sheets` it writes two notebooks,
``OUT/instructor/<name>.ipynb`` (the solutions, marked as nbgrader solution
regions: the "source" version nbgrader's ``generate_assignment`` reads) and
``OUT/student/<name>.ipynb`` (each region replaced by nbgrader's stub, as
``generate_assignment`` would), and the two folders zipped,
``OUT/student.zip`` and ``OUT/instructor.zip``.  Exercises are solution
cells and check cells are locked grade cells with points, in nbgrader's
metadata (schema 3), so an nbgrader course can release and autograde the
notebooks as they are; building them needs only nbformat.  The code of every
blank is read from the installed package (:mod:`scratchnn.lab.source`), so
a change to a package function is a change to its worksheet.  The program
writes nothing outside OUT.
"""

import sys
import zipfile
from pathlib import Path

from scratchnn import __version__, cli
from scratchnn.lab.sheets import HOW_TO, SHEETS, Sheet
from scratchnn.lab.source import clear_solutions, imports_for, resolve, solution_code

__all__ = ["build", "main", "notebook"]

INSTALL = f"""\
# Outside the book's repository (Colab, a plain Jupyter), install its package.
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("scratchnn") is None:
    package = "scratchnn=={__version__}"
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", package])
"""

_KERNEL = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed, so that the same sheets give the same zip


def _grader(grade_id: str, *, solution: bool, points: int | None = None) -> dict:
    """nbgrader's cell metadata: an exercise (solution cell) or a check (locked grade cell)."""
    meta = {
        "grade": not solution,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _checked_name(target: str) -> str:
    """What the check cell passes: the function, or for a method the student's class."""
    _, func, owner = resolve(target)
    return (owner or func).__name__


def notebook(sheet: Sheet, *, solutions: bool):
    """The worksheet ``sheet`` as an nbformat notebook, with or without the solutions."""
    import nbformat.v4 as nbf

    blanks = [exercise.blank for exercise in sheet.exercises]
    setup = [line for line in imports_for(blanks) if not _shadowed(line, blanks)]
    cells = [
        nbf.new_code_cell(INSTALL, metadata={"tags": ["remove-cell"]}),
        nbf.new_markdown_cell(
            f"# Lab: {sheet.title}\n\nThis worksheet goes with the chapter *{sheet.chapter}* "
            f"of *Neural networks from scratch with NumPy*; the derivations are there.\n\n"
            f"{sheet.intro}\n\n{HOW_TO}"
        ),
        nbf.new_code_cell("\n".join([*setup, "from scratchnn.lab import check"])),
    ]
    for number, exercise in enumerate(sheet.exercises, start=1):
        target = exercise.blank.target
        key = f"{sheet.name}-{number}-{target.replace('.', '-').replace('_', '-')}"
        code = solution_code(exercise.blank)
        cells += [
            nbf.new_markdown_cell(f"## Exercise {number}: `{target}`\n\n{exercise.text}"),
            nbf.new_code_cell(
                (code if solutions else clear_solutions(code)).rstrip("\n"),
                metadata=_grader(key, solution=True),
            ),
            nbf.new_code_cell(
                f'check({_checked_name(target)}, "{target}")',
                metadata=_grader(f"check-{key}", solution=False, points=exercise.points),
            ),
        ]
    nb = nbf.new_notebook(cells=cells, metadata=dict(_KERNEL))
    for i, cell in enumerate(nb.cells):  # stable ids, so that a rebuild changes nothing
        cell.id = f"{sheet.name}-{i}"
    return nb


def _shadowed(line: str, blanks) -> bool:
    """Whether an import would be replaced by the student's own class of the same name."""
    owners = {resolve(b.target)[2].__name__ for b in blanks if resolve(b.target)[2]}
    return line.startswith("from scratchnn.") and line.rsplit(" ", 1)[1] in owners


def build(out: Path) -> list[Path]:
    """Write every worksheet under ``out`` (see the module docstring); returns the files."""
    import nbformat

    written = []
    for version in ("student", "instructor"):
        folder = out / version
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for sheet in SHEETS:
            nb = notebook(sheet, solutions=version == "instructor")
            nbformat.validate(nb)
            path = folder / f"{sheet.name}.ipynb"
            path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
            paths.append(path)
        archive = out / f"{version}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in paths:
                info = zipfile.ZipInfo(f"{version}/{path.name}", date_time=_ZIP_TIME)
                zf.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
        written += [*paths, archive]
    return written


def main(argv: list[str] | None = None) -> int:
    """The program: build the worksheets into the folder given; returns the exit status."""
    parser = cli._OneLineParser(
        prog="python -m scratchnn.lab.build",
        description="Write the book's worksheets (student and instructor notebooks, zipped).",
    )
    parser.add_argument("out", help="folder to write into (created if missing)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        return _fail(f"{out} exists and is not a folder")
    try:
        import nbformat  # noqa: F401
    except ImportError:
        return _fail("building worksheets needs nbformat: pip install nbformat")
    try:
        written = build(out)
    except OSError as error:
        return _fail(f"cannot write to {out}: {error.strerror or error}")
    print(f"wrote {len(written)} files to {out}")
    return 0


def _fail(message: str) -> int:
    print(f"python -m scratchnn.lab.build: error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
