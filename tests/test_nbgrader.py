"""nbgrader reads the worksheets as they are: generate_assignment, then autograde.

A worksheet goes through an nbgrader course in a temporary folder: the
instructor's notebook is the source, nbgrader's release must equal the
student's notebook, and autograding gives a solved submission every point and
one with the blanks left none.  The two-layer worksheet, and those of linear
regression, Adam and batch norm, and the convolution's backward pass.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from scratchnn.lab import build as lab_build
from scratchnn.lab.sheets import SHEETS

pytestmark = pytest.mark.slow

SHEET = {sheet.name: sheet for sheet in SHEETS}
BIN = Path(sys.executable).parent


def nbgrader(course: Path, *args: str) -> str:
    """Run the nbgrader command in ``course``; it calls alembic, so the venv's bin is on PATH."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(BIN / "nbgrader"), *args, "--force"],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stderr


@pytest.mark.parametrize("name", ["two_layer", "linear_regression", "deeper", "conv_backward"])
def test_generate_assignment_and_autograde(tmp_path, name):
    # imported here, not at collection: only the worker that runs this test pays for it
    pytest.importorskip("nbgrader", reason="nbgrader is not installed (pip install nbgrader)")
    sheet, file = SHEET[name], f"{name}.ipynb"
    course = tmp_path / "course"
    (course / "source" / "lab").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "lab"\n'
    )
    nbformat.write(lab_build.notebook(sheet, solutions=True), course / "source/lab" / file)

    nbgrader(course, "generate_assignment", "lab")
    released = nbformat.read(course / "release/lab" / file, as_version=4)
    student = lab_build.notebook(sheet, solutions=False)
    assert [c.source for c in released.cells] == [c.source for c in student.cells]

    solutions = {
        k: c.source
        for k, c in enumerate(lab_build.notebook(sheet, solutions=True).cells)
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    assert len(solutions) == len(sheet.exercises)
    for who, fill in (("ada", True), ("bob", False)):
        submission = nbformat.read(course / "release/lab" / file, as_version=4)
        for k, solution in solutions.items() if fill else ():
            # the student writes the solution lines where the stubs are
            submission.cells[k].source = re.sub(r"(?m)^ *### (BEGIN|END) SOLUTION\n", "", solution)
        folder = course / "submitted" / who / "lab"
        folder.mkdir(parents=True)
        nbformat.write(submission, folder / file)
    log = nbgrader(course, "autograde", "lab")
    assert "Cell output is" not in log  # a check cell's value would be read as partial credit

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {who: gradebook.find_submission("lab", who).score for who in ("ada", "bob")}
        total = gradebook.find_submission("lab", "ada").max_score
    assert total == sum(exercise.points for exercise in sheet.exercises)
    assert scores == {"ada": total, "bob": 0.0}
