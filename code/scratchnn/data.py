"""The book's data sets: seeded generators and the exam scores.

Every generator takes an explicit ``np.random.Generator``, so the same seed
gives the same numbers in the book, the tests and the command line.
"""

import functools
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from scratchnn import checks

__all__ = [
    "EXAM_COLUMNS",
    "DigitsSplit",
    "digits_split",
    "linear_data",
    "load_digits",
    "load_exams",
    "stratified_split",
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
    rng = checks.generator(rng)
    n = checks.whole_number(n, "n", maximum=10**8)
    a, b = checks.real_number(a, "a"), checks.real_number(b, "b")
    noise_std = checks.nonnegative_float(noise_std, "noise_std")
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
    rng = checks.generator(rng)
    sizes = {"n": n, "d_in": d_in, "d_out": d_out}
    n, d_in, d_out = (checks.whole_number(v, k, maximum=10**8) for k, v in sizes.items())
    if n * (d_in + d_out) > 10**9:
        raise ValueError(f"n * (d_in + d_out) = {n * (d_in + d_out):,} numbers is too many (> 1e9)")
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
    ValueError : a file that is not UTF-8 text, a wrong header, or a row
        that is not four finite numbers ("nan" and "inf" are refused); the
        message names the file and the line.
    """
    if path is not None and not isinstance(path, str | Path):
        raise TypeError(f"path must be a str or a pathlib.Path, got {type(path).__name__}")
    if path is None:
        text = resources.files("scratchnn").joinpath("resources/exams.csv").read_text()
        name = "scratchnn/resources/exams.csv"
    else:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"exam scores file not found: {path}")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            raise ValueError(
                f"{path}: not a UTF-8 text file (byte {err.start} is {err.object[err.start]:#04x})"
            ) from None
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
            row = [float(f) for f in fields]
            if not all(math.isfinite(v) for v in row):
                raise ValueError
            rows.append(row)
        except ValueError:
            raise ValueError(
                f"{name}, line {number}: expected {len(EXAM_COLUMNS)} finite numbers, got {line!r}"
            ) from None
    if not rows:
        raise ValueError(f"{name}: no rows after the header")
    return np.array(rows)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1 797 handwritten digits of scikit-learn's ``load_digits``, scaled to [0, 1].

    Source: the UCI "Optical Recognition of Handwritten Digits" data set
    (Alpaydin & Kaynak, 1998), 8 x 8 blocks of grey levels 0..16, shipped
    inside scikit-learn, so it loads without a network.

    Returns
    -------
    x : (1797, 64) float64, the grey levels divided by 16, row by row.
    y : (1797,) int64, the digit 0..9 each image shows.
    """
    from sklearn.datasets import load_digits as sklearn_digits

    data = sklearn_digits()
    return data.data / 16.0, data.target.astype(np.int64)


def stratified_split(
    rng: np.random.Generator, y: np.ndarray, fractions: tuple[float, ...]
) -> list[np.ndarray]:
    """Indices that cut the examples into parts with the same share of every class.

    Parameters
    ----------
    rng : shuffles the examples of each class.
    y : (N,) integer class labels.
    fractions : the parts' shares, each > 0, summing to 1 (e.g. 0.6, 0.2, 0.2).

    Returns
    -------
    One sorted int array of indices into ``y`` per part; every index is in
    exactly one part, and each class is divided in the given proportions.
    """
    rng = checks.generator(rng)
    if isinstance(y, np.ma.MaskedArray) or y is None:
        raise TypeError(f"y must be integer class labels of shape (N,), got {type(y).__name__}")
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(f"y must be integer class labels of shape (N,), got dtype {y.dtype}")
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"y must be integer class labels of shape (N,), N >= 1, got {y.shape}")
    if not isinstance(fractions, tuple | list) or not fractions:
        raise TypeError(f"fractions must be a tuple of shares such as (0.6, 0.2, 0.2), got "
                        f"{checks._describe(fractions)}")  # fmt: skip
    shares = np.array([checks.positive_float(f, "fractions") for f in fractions])
    if not math.isclose(shares.sum(), 1.0):
        raise ValueError(f"fractions must sum to 1, got {tuple(fractions)} (sum {shares.sum():g})")
    parts: list[list[np.ndarray]] = [[] for _ in shares]
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        cuts = np.round(np.cumsum(shares)[:-1] * len(members)).astype(int)
        for part, chunk in zip(parts, np.split(members, cuts), strict=True):
            part.append(chunk)
    return [np.sort(np.concatenate(p)) for p in parts]


#: The digits' one split: fixed, whatever seed a run trains with.
DIGITS_SPLIT_SEED = 2026
DIGITS_FRACTIONS = (0.6, 0.2, 0.2)


@dataclass(frozen=True)
class DigitsSplit:
    """The digits cut once into training, validation and test sets (stratified).

    x_* : (N_*, 64) float64 in [0, 1]; y_* : (N_*,) int64 labels 0..9.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


@functools.cache
def digits_split() -> DigitsSplit:
    """The book's split of :func:`scratchnn.data.load_digits`: 60/20/20 %, every digit alike.

    Made once per process and shared, so its arrays are read-only.
    """
    x, y = load_digits()
    parts = stratified_split(np.random.default_rng(DIGITS_SPLIT_SEED), y, DIGITS_FRACTIONS)
    arrays = [a for rows in parts for a in (x[rows], y[rows])]
    for a in arrays:
        a.flags.writeable = False
    return DigitsSplit(*arrays)
