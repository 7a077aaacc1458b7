"""The command line every chapter module shares (scratchnn.cli), run as a reader runs it."""

import argparse
import subprocess
import sys

import pytest

from scratchnn.cli import parser, positive_float, positive_int, save_figure
from scratchnn.plotting import new_figure

MODULES = ["linear_regression", "toy_mlp", "xor", "two_layer", "torch_compare", "exams"]


def run_module(module: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", f"scratchnn.{module}", *args], capture_output=True, text=True
    )


@pytest.mark.parametrize("module", MODULES)
def test_every_module_rejects_zero_epochs_in_one_line(module):
    done = run_module(module, "--epochs", "0")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"python -m scratchnn.{module}: error: argument --epochs: "
        "expected a whole number >= 1, got '0' (see --help)"
    ]


@pytest.mark.parametrize("module", MODULES)
def test_every_module_has_help_with_the_common_options(module):
    done = run_module(module, "--help")
    assert done.returncode == 0
    for option in ["--epochs", "--lr", "--plot"]:
        assert option in done.stdout


@pytest.mark.parametrize(
    ("convert", "text", "message"),
    [
        (positive_int, "0", "expected a whole number >= 1, got '0'"),
        (positive_int, "1.5", "expected a whole number >= 1, got '1.5'"),
        (positive_float, "inf", "expected a finite number > 0, got 'inf'"),
        (positive_float, "-0.1", "expected a finite number > 0, got '-0.1'"),
        (positive_float, "abc", "expected a finite number > 0, got 'abc'"),
    ],
)
def test_option_types_name_the_bad_value(convert, text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        convert(text)


def test_parser_errors_are_one_line_with_exit_status_2(capsys):
    p = parser("prog", "d", seed=3, epochs=10, lr=0.5)
    assert vars(p.parse_args([])) == {"seed": 3, "epochs": 10, "lr": 0.5, "plot": None}
    with pytest.raises(SystemExit) as exit_info:
        p.parse_args(["--seed", "-1"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        "prog: error: argument --seed: expected a whole number >= 0, got '-1' (see --help)\n"
    )


def test_parser_without_seed_or_default_lr():
    p = parser("prog", "d", seed=None, epochs=10, lr=None, lr_help="depends on --init")
    assert vars(p.parse_args([])) == {"epochs": 10, "lr": None, "plot": None}
    assert "(default: None)" not in p.format_help()


def test_unwritable_plot_path_is_one_line_and_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        save_figure(new_figure(), str(tmp_path / "missing" / "fig.png"))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot save the figure to {tmp_path / 'missing' / 'fig.png'}")
    assert err.count("\n") == 1
