"""scratchnn.plotting: the figures it draws, and the arguments it refuses by name."""

import numpy as np
import pytest

from scratchnn.plotting import loss_curve, new_figure


def test_new_figure_has_the_size_and_axes_asked_for():
    fig = new_figure(3, width=4.0, height=np.float64(2.0))
    assert len(fig.axes) == 3
    assert tuple(fig.get_size_inches()) == (4.0, 2.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"width": 0}, ValueError, r"^width must be a finite number > 0 and <= 100, got 0$"),
        ({"height": -1.0}, ValueError, r"^height must be a finite number > 0"),
        ({"width": float("inf")}, ValueError, r"^width must be a finite number > 0"),
        ({"width": "6"}, TypeError, r"^width must be a finite number > 0"),
        ({"ncols": 0}, ValueError, r"^ncols must be a whole number >= 1 and <= 50, got 0$"),
        ({"ncols": 2.0}, TypeError, r"^ncols must be a whole number"),
    ],
)
def test_new_figure_refuses_sizes_that_draw_nothing(kwargs, error, message):
    with pytest.raises(error, match=message):
        new_figure(**kwargs)


def test_loss_curve_draws_one_line_per_run_with_its_values():
    fig = loss_curve({"a": [3.0, 2.0, 1.0], "b": np.array([4.0, 1.0])}, log=True)
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["a", "b"]
    np.testing.assert_array_equal(lines[1].get_ydata(), [4.0, 1.0])


@pytest.mark.parametrize(
    ("losses", "error", "message"),
    [
        (3.0, ValueError, r"^losses must have shape \(epochs,\), got \(\)$"),
        ((x for x in [1.0, 2.0]), TypeError, r"^losses is an iterator \(generator\)"),
        (["1.0", "0.5"], TypeError, r"^losses must hold real numbers .* got dtype <U3$"),
        ([], ValueError, r"^losses is empty"),
        ([1.0, None], TypeError, r"^losses must hold real numbers .* got dtype object$"),
        ({}, ValueError, r"^losses is an empty dict"),
        ({1: [1.0]}, TypeError, r"^losses' labels must be strings, got 1$"),
        ({"run": [[1.0]]}, ValueError, r"^losses\['run'\] must have shape \(epochs,\)"),
    ],
)
def test_loss_curve_refuses_what_is_not_a_sequence_of_losses(losses, error, message):
    with pytest.raises(error, match=message):
        loss_curve(losses)


def test_loss_curve_checks_its_options():
    with pytest.raises(ValueError, match=r"^losses must be > 0 on a log axis \(log=True\), got 0$"):
        loss_curve([1.0, 0.0], log=True)
    with pytest.raises(TypeError, match=r"^log must be True or False, got 'yes'$"):
        loss_curve([1.0], log="yes")
    with pytest.raises(TypeError, match=r"^xlabel must be a string, got None$"):
        loss_curve([1.0], xlabel=None)
