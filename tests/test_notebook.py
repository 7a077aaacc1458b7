"""The chapters' glue: MyST-NB's in the build, a quiet stand-in elsewhere."""

import sys

from scratchnn.notebook import glue


def test_glue_returns_nothing_so_a_last_line_glue_shows_no_output():
    assert glue("test-value", 3.5, display=False) is None


def test_without_myst_nb_glue_shows_the_value_only_when_asked(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # import myst_nb now fails
    assert glue("test-value", 3.5, display=False) is None
    assert capsys.readouterr().out == ""
    assert glue("test-value", 3.5) is None
    assert capsys.readouterr().out == "3.5\n"
