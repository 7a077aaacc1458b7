"""The book's data sets."""

import numpy as np
import pytest

from scratchnn.data import (
    EXAM_COLUMNS,
    linear_data,
    load_exams,
    stratified_split,
    two_layer_data,
    xor_data,
)


def test_load_exams_shape_and_column_sums():
    scores = load_exams()
    assert scores.shape == (25, 4)
    assert scores.dtype == np.float64
    np.testing.assert_array_equal(scores.sum(axis=0), [1976, 1987, 2037, 4051])
    np.testing.assert_array_equal(scores[0], [73, 80, 75, 152])


def test_load_exams_from_a_path(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(",".join(EXAM_COLUMNS) + "\n1,2,3,4\n5,6,7,8\n")
    np.testing.assert_array_equal(load_exams(path), [[1, 2, 3, 4], [5, 6, 7, 8]])


def test_load_exams_missing_file_names_it(tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(FileNotFoundError, match=f"exam scores file not found: {missing}"):
        load_exams(missing)


def test_load_exams_malformed_row_names_file_and_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("EXAM1,EXAM2,EXAM3,FINAL\n1,2,3,4\n1,two,3,4\n")
    with pytest.raises(
        ValueError, match=r"bad.csv, line 3: expected 4 finite numbers, got '1,two,3,4'"
    ):
        load_exams(path)


def test_load_exams_wrong_header(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("A,B,C\n1,2,3\n")
    with pytest.raises(ValueError, match="line 1: expected header EXAM1,EXAM2,EXAM3,FINAL"):
        load_exams(path)


def test_linear_data_is_seeded_and_has_the_right_noise():
    x1, y1 = linear_data(np.random.default_rng(7))
    x2, y2 = linear_data(np.random.default_rng(7))
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert x1.shape == y1.shape == (100,)
    assert np.all((x1 >= 0) & (x1 < 1))
    x, y = linear_data(np.random.default_rng(0), 100_000)
    assert np.var(y - (2 * x + 1)) == pytest.approx(0.01, rel=0.02)


def test_xor_data_is_the_truth_table():
    x, y = xor_data()
    assert x.shape == (4, 2) and y.shape == (4, 1)
    np.testing.assert_array_equal(y[:, 0], np.logical_xor(x[:, 0], x[:, 1]))


def test_two_layer_data_shapes():
    x, y = two_layer_data(np.random.default_rng(0), n=8, d_in=5, d_out=3)
    assert x.shape == (8, 5) and y.shape == (8, 3)


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf"])
def test_load_exams_refuses_non_finite_scores(tmp_path, bad):
    path = tmp_path / "bad.csv"
    path.write_text(f"EXAM1,EXAM2,EXAM3,FINAL\n1,2,3,4\n1,{bad},3,4\n")
    with pytest.raises(
        ValueError, match=rf"bad.csv, line 3: expected 4 finite numbers, got '1,{bad},3,4'"
    ):
        load_exams(path)


def test_load_exams_names_a_file_in_another_encoding(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("EXAM1,EXAM2,EXAM3,FINAL\n1,2,3,4 \xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin1.csv: not a UTF-8 text file \(byte 32 is 0xe9\)"):
        load_exams(path)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"a": "2"}, TypeError, r"^a must be a finite number, got '2'$"),
        ({"b": float("nan")}, ValueError, r"^b must be a finite number, got nan$"),
        ({"a": 1j}, TypeError, r"^a must be a finite number, got 1j$"),
        ({"noise_std": -0.1}, ValueError, r"^noise_std must be a finite number >= 0, got -0.1$"),
        ({"noise_std": None}, TypeError, r"^noise_std must be a finite number >= 0, got None$"),
    ],
)
def test_linear_data_names_a_bad_line_or_noise(kwargs, error, message):
    with pytest.raises(error, match=message):
        linear_data(np.random.default_rng(0), 5, **kwargs)


def test_linear_data_takes_0d_arrays_as_numbers():
    want = linear_data(np.random.default_rng(0), 5, a=3.0)
    got = linear_data(np.random.default_rng(0), 5, a=np.array(3.0))
    np.testing.assert_array_equal(got[1], want[1])


@pytest.mark.parametrize(
    ("y", "fractions", "error", "message"),
    [
        ([0.0, 1.0], (0.5, 0.5), TypeError, r"^y must be integer class labels .* dtype float64$"),
        ([], (0.5, 0.5), TypeError, r"^y must be integer class labels"),
        (np.zeros(0, int), (0.5, 0.5), ValueError, r"^y must be .* N >= 1, got \(0,\)$"),
        (None, (0.5, 0.5), TypeError, r"^y must be integer class labels .* got NoneType$"),
        ([0, 1], 0.5, TypeError, r"^fractions must be a tuple of shares"),
        ([0, 1], (), TypeError, r"^fractions must be a tuple of shares"),
    ],
)
def test_stratified_split_names_bad_labels_and_fractions(y, fractions, error, message):
    with pytest.raises(error, match=message):
        stratified_split(np.random.default_rng(0), y, fractions)


def test_load_exams_names_a_path_of_the_wrong_kind():
    with pytest.raises(TypeError, match=r"^path must be a str or a pathlib.Path, got int$"):
        load_exams(3)
