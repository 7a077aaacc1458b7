"""Every chapter program (``python -m scratchnn.<module>``), run as a reader runs it.

One table of bad inputs serves every module in ``scratchnn.CHAPTERS``: each
must end in exactly one line on stderr with the right exit status, print
nothing on stdout, and leave no file behind.  A short good run goes through a
real subprocess (``python -m``, the module's ``__main__`` block, a fresh
interpreter's warnings); ``--help`` and the bad inputs call the same ``main``
in-process (the runner is the same code either way, and a subprocess per case
would triple the suite's time).
"""

import dataclasses
import importlib
import re
import subprocess
import sys

import pytest

from scratchnn import CHAPTERS, cli

#: Chapters whose loss grows without bound at a huge learning rate.  (A
#: sigmoid or softmax output keeps the others' loss finite whatever the rate.)
DIVERGES = {"linear_regression", "toy_mlp", "two_layer", "exams", "torch_compare", "autograd_nets"}


PROGRESS = re.compile(r"^epoch \d+(/\d+)?  loss \S+  \(\d+ s\)$")


def chapter(name: str):
    if name == "torch_compare":
        pytest.importorskip("torch")
    return importlib.import_module(f"scratchnn.{name}")


def fields(module) -> set[str]:
    return {f.name for f in dataclasses.fields(module.BOOK)}


def reader(name: str, *args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", f"scratchnn.{name}", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


@pytest.mark.parametrize("name", CHAPTERS)
def test_help_lists_every_option(name, tmp_path, monkeypatch, capsys):
    module = chapter(name)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        module.main(["--help"])
    assert stop.value.code == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith(f"usage: python -m scratchnn.{name} ")
    for field in dataclasses.fields(module.BOOK):
        if field.metadata.get("flag", True):
            assert "--" + field.name.replace("_", "-") in out
    assert "--plot PATH" in out
    assert list(tmp_path.iterdir()) == []
    # the description is the docstring's first line, as plain text
    description = " ".join(out.split("\n\n")[1].split())
    first = module.__doc__.splitlines()[0]
    assert description == " ".join(first.replace(":mod:", "").replace("`", "").split())


def test_the_description_drops_rest_markup_and_a_missing_docstring_is_named():
    assert (
        cli._first_line("The :mod:`a.b` way, ``x`` (:data:`V`).\nMore.", "m")
        == "The a.b way, x (V)."
    )

    def run():
        pass

    run.book = None
    with pytest.raises(TypeError) as info:
        cli.chapter_main("m", None, run, list, list)
    assert str(info.value) == "scratchnn.m needs a docstring: its first line is the --help text"


@pytest.mark.slow
@pytest.mark.parametrize("name", CHAPTERS)
def test_a_short_good_run_as_a_reader(name, tmp_path):
    chapter(name)
    done = reader(name, "--epochs", "2", "--plot", "figure.png", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Warning" not in done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "figure saved to figure.png"
    assert len(lines) >= 2  # the summary comes first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figure.png"]
    assert (tmp_path / "figure.png").read_bytes().startswith(b"\x89PNG")


def bad_inputs(module) -> list[tuple[list[str], int, str]]:
    """(arguments, exit status, text the one stderr line must contain)."""
    have = fields(module)
    cases = [
        (["--epochs", "0"], 2, "argument --epochs: expected a whole number >= 1"),
        (["--epochs", "ten"], 2, "got 'ten'"),
        (["--epochs", "1e12"], 2, "argument --epochs"),
        (["--epochs", "100000000000"], 2, f"<= {cli.MAX_EPOCHS:,}"),
        (["--lr", "-0.1"], 2, "argument --lr: expected a finite number > 0"),
        (["--lr", "nan"], 2, "got 'nan'"),
        (["--lr", "inf"], 2, "got 'inf'"),
        (["--no-such-option"], 2, "unrecognized arguments: --no-such-option"),
        (["--plot", "missing/figure.png"], 2, "cannot save the figure to missing/figure.png"),
        (["--plot", "figure.xyz"], 2, "unknown file type 'xyz'"),
        (["--plot", "."], 2, "cannot save the figure to .: it is a folder"),
    ]
    if "seed" in have:
        cases.append((["--seed", "-1"], 2, "argument --seed: expected a whole number >= 0"))
    if "hidden" in have:
        cases.append((["--hidden", "1000000000"], 2, "argument --hidden"))
    if "batch_size" in have:
        cases.append((["--batch-size", "0"], 2, "argument --batch-size"))
    if module.__name__.rsplit(".", 1)[-1] in DIVERGES:
        cases.append((["--lr", "1e30", "--epochs", "50"], 1, "lr=1e+30"))
    return cases


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_bad_input_is_one_line_with_its_exit_status(name, tmp_path, monkeypatch, capsys):
    module = chapter(name)
    monkeypatch.chdir(tmp_path)
    for args, status, text in bad_inputs(module):
        try:
            code = module.main(args)
        except SystemExit as stop:  # argparse's errors end the program
            code = stop.code
        out, err = capsys.readouterr()
        if status == 1:  # a run that got going may have shown progress before it diverged
            err = "".join(line for line in err.splitlines(True) if not PROGRESS.match(line))
        assert code == status, (args, err)
        assert out == "", args
        assert len(err.splitlines()) == 1, (args, err)
        assert err.startswith(f"python -m scratchnn.{name}: error: "), (args, err)
        assert text in err, (args, err)
        assert list(tmp_path.iterdir()) == [], args


def test_option_types_name_the_bad_value():
    import argparse

    for convert, text, message in [
        (cli.positive_int, "0", "expected a whole number >= 1, got '0'"),
        (cli.positive_int, "1.5", "expected a whole number >= 1, got '1.5'"),
        (cli.positive_float, "inf", "expected a finite number > 0, got 'inf'"),
        (cli.positive_float, "-0.1", "expected a finite number > 0, got '-0.1'"),
        (cli.positive_float, "abc", "expected a finite number > 0, got 'abc'"),
    ]:
        with pytest.raises(argparse.ArgumentTypeError) as info:
            convert(text)
        assert str(info.value) == message


def test_chapters_are_every_module_with_a_program():
    """CHAPTERS is the one list: every module that builds a main with chapter_main is in it."""
    from pathlib import Path

    package = Path(cli.__file__).parent
    with_main = {
        p.stem
        for p in package.glob("*.py")
        if re.search(r"^main = cli\.chapter_main\(", p.read_text(encoding="utf-8"), re.M)
    }
    assert with_main == set(CHAPTERS)
