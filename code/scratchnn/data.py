"""The book's data sets: seeded generators and the exam scores.

Every generator takes an explicit ``np.random.Generator``, so the same seed
gives the same numbers in the book, the tests and the command line.
"""

from importlib import resources
from pathlib import Path

import numpy as np

__all__ = [
    "EXAM_COLUMNS",
    "linear_data",
    "load_exams",
    "two_layer_data",
    "xor_data",
]

#: Column names of :func:`load_exams`, in order.
EXAM_COLUMNS = ("EXAM1", "EXAM2", "EXAM3", "FINAL")


def linear_data(
    rng: np.random.Generator,
    n: int = 100,
    *,
    a: float = 2.0,
    b: float = 1.0,
    noise_std: float = 0.1,
) -> tuple[np.ndarray, np.ndarray]:
    """Points on the line y = a x + b with Gaussian noise.

    x is uniform in [0, 1); y = a x + b + ε with ε ~ N(0, noise_std²); the
    default noise_std 0.1 is a variance of 0.01.

    Returns
    -------
    x : (n,) float64
    y : (n,) float64
    """
    x = rng.uniform(0.0, 1.0, size=n)
    y = a * x + b + noise_std * rng.standard_normal(n)
    return x, y


def xor_data() -> tuple[np.ndarray, np.ndarray]:
    """The XOR truth table.

    Returns
    -------
    x : (4, 2) float64, the inputs (0,0), (0,1), (1,0), (1,1)
    y : (4, 1) float64, their exclusive or: 0, 1, 1, 0
    """
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    return x, y


def two_layer_data(
    rng: np.random.Generator, n: int = 64, d_in: int = 1000, d_out: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """Random standard-normal inputs and targets.

    Returns
    -------
    x : (n, d_in) float64
    y : (n, d_out) float64
    """
    return rng.standard_normal((n, d_in)), rng.standard_normal((n, d_out))


def load_exams(path: str | Path | None = None) -> np.ndarray:
    """The exam scores of 25 General Psychology students.

    Source: data set ``mlr03`` of Brase & Brase, *Understandable Statistics*,
    7th edition (Houghton Mifflin); shipped inside the package as
    ``scratchnn/resources/exams.csv``.

    Parameters
    ----------
    path : a CSV with the header ``EXAM1,EXAM2,EXAM3,FINAL`` and one row of
        four numbers per student; the shipped copy when omitted.

    Returns
    -------
    scores : (25, 4) float64 for the shipped file, columns as ``EXAM_COLUMNS``
        (three exams out of 100, the final out of 200).

    Raises
    ------
    FileNotFoundError : no file at ``path`` (the message names it).
    ValueError : a wrong header or a row that is not four numbers (the
        message names the file and the line).
    """
    if path is None:
        text = resources.files("scratchnn").joinpath("resources/exams.csv").read_text()
        name = "scratchnn/resources/exams.csv"
    else:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"exam scores file not found: {path}")
        text = path.read_text()
        name = str(path)
    lines = text.strip().splitlines()
    header = tuple(h.strip() for h in lines[0].split(",")) if lines else ()
    if header != EXAM_COLUMNS:
        raise ValueError(f"{name}, line 1: expected header {','.join(EXAM_COLUMNS)}, got {header}")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split(",")
        try:
            if len(fields) != len(EXAM_COLUMNS):
                raise ValueError
            rows.append([float(f) for f in fields])
        except ValueError:
            raise ValueError(
                f"{name}, line {number}: expected {len(EXAM_COLUMNS)} numbers, got {line!r}"
            ) from None
    if not rows:
        raise ValueError(f"{name}: no rows after the header")
    return np.array(rows)
