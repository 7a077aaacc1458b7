"""The experiment decorator: keywords become the book's defaults, each checked by its field."""

import importlib
import inspect
from dataclasses import dataclass

import pytest

from scratchnn import CHAPTERS, cli
from scratchnn.experiment import MAX_EPOCHS, experiment


@dataclass(frozen=True)
class Defaults:
    seed: int = cli.option(0, "seed", minimum=0)
    epochs: int = cli.option(10, "steps")
    hidden: int = cli.option(4, "units", maximum=100)
    lr: float = cli.option(0.5, "learning rate")
    activation: str = cli.option("relu", "activation", choices=("relu", "sigmoid"))
    flawed: bool = cli.option(False, "flawed rule")
    decay: float = cli.option(0.0, "weight decay", minimum=0, flag=False)


BOOK = Defaults()


@experiment(BOOK)
def run(options: Defaults, *, callback=None) -> tuple:
    """Return what the body was given."""
    return options, callback


def test_no_keyword_is_the_book_run():
    assert run() == (BOOK, None)


def test_keywords_replace_fields_and_callback_passes_through():
    def progress(epoch, loss):
        return None

    options, callback = run(epochs=3, activation="sigmoid", lr=2, decay=0, callback=progress)
    assert options == Defaults(epochs=3, activation="sigmoid", lr=2.0) and callback is progress
    assert isinstance(options.lr, float)  # an int learning rate arrives as a float


def test_the_signature_lists_every_field_with_its_default():
    sig = inspect.signature(run)
    assert list(sig.parameters) == [*Defaults.__dataclass_fields__, "callback"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in sig.parameters.values())
    assert sig.parameters["epochs"].default == 10 and sig.return_annotation is tuple
    assert run.__doc__ == "Return what the body was given."


EPOCHS = f"epochs must be a whole number >= 1 and <= {MAX_EPOCHS:,}, got"
FIELDS = "seed, epochs, hidden, lr, activation, flawed, decay"


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"epoch": 3}, TypeError, f"run() has no option 'epoch'; its options are {FIELDS}"),
        ({"epochs": 0}, ValueError, f"{EPOCHS} 0"),
        ({"epochs": 2.0}, TypeError, f"{EPOCHS} 2.0"),
        ({"seed": -1}, ValueError, "seed must be a whole number >= 0, got -1"),
        ({"hidden": 101}, ValueError, "hidden must be a whole number >= 1 and <= 100, got 101"),
        ({"lr": float("nan")}, ValueError, "lr must be a finite number > 0, got nan"),
        ({"lr": "0.1"}, TypeError, "lr must be a finite number > 0, got '0.1'"),
        ({"activation": "tanh"}, ValueError, "activation must be one of 'relu', 'sigmoid', got "
         "'tanh'"),
        ({"flawed": 1}, TypeError, "flawed must be True or False, got 1"),
        ({"decay": -0.1}, ValueError, "decay must be a finite number >= 0, got -0.1"),
    ],
)  # fmt: skip
def test_a_bad_keyword_is_a_clear_error(changes, error, message):
    with pytest.raises(error) as err:
        run(**changes)
    assert str(err.value) == message


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_chapter_run_takes_its_book_fields(name):
    module = importlib.import_module(f"scratchnn.{name}")
    fields = list(type(module.BOOK).__dataclass_fields__)
    assert list(inspect.signature(module.run).parameters) == [*fields, "callback"]
    with pytest.raises(TypeError, match="run\\(\\) has no option 'nonsense'"):
        module.run(nonsense=1)
