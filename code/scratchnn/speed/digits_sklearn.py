"""The digits network against scikit-learn's ``MLPClassifier``, the library a reader
would pick instead: the same training, timed side by side.

Both train a 64 → H → 10 ReLU network with a softmax output on the mean
cross-entropy, by mini-batch SGD without momentum or weight decay, for the
same epochs, batch size and learning rate, in float64, on the book's
training split (:func:`scratchnn.digits.split`).  Neither computes anything
else while it trains (no validation, no early stopping).  The starts differ
(He for ours, Glorot for scikit-learn, each library's own), so the accuracy
of each on the validation split is reported beside the times.
"""

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from scratchnn import checks, digits
from scratchnn.speed.report import Row
from scratchnn.timing import Timings, interleaved
from scratchnn.train import sgd

__all__ = ["FULL", "QUICK", "Measured", "Settings", "measure", "rows", "sklearn_classifier"]


@dataclass(frozen=True)
class Settings:
    """Epochs per timed training, and interleaved rounds."""

    epochs: int
    repeats: int


#: The full run of ``python -m benchmarks``.
FULL = Settings(epochs=digits.BOOK.epochs, repeats=3)
#: The short run the performance appendix makes at build time.
QUICK = Settings(epochs=3, repeats=3)


def sklearn_classifier(*, hidden: int, epochs: int, lr: float, batch_size: int, seed: int):
    """scikit-learn's network with the book's training: plain SGD, nothing else."""
    return MLPClassifier(
        hidden_layer_sizes=(hidden,),
        activation="relu",
        solver="sgd",
        alpha=0.0,
        batch_size=batch_size,
        learning_rate="constant",
        learning_rate_init=lr,
        momentum=0.0,
        nesterovs_momentum=False,
        max_iter=epochs,
        shuffle=True,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        early_stopping=False,
        random_state=seed,
    )


@dataclass(frozen=True)
class Measured:
    """Timings of ``ours`` and ``scikit-learn``; validation accuracy of each's last run."""

    timings: Timings
    accuracy: dict[str, float]
    epochs: int


def measure(settings: Settings = QUICK) -> Measured:
    """Train both ``settings.repeats`` times, interleaved after one warm-up round."""
    epochs = checks.whole_number(settings.epochs, "epochs")
    book = digits.BOOK
    data = digits.split()
    trained = {}

    def ours():
        rng = np.random.default_rng(book.seed)
        start = digits.init_params(rng, book.hidden)
        trained["ours"] = sgd(
            digits.loss_and_grads,
            start,
            data.x_train,
            data.y_train,
            lr=book.lr,
            epochs=epochs,
            batch_size=book.batch_size,
            rng=rng,
        ).params

    def theirs():
        model = sklearn_classifier(
            hidden=book.hidden, epochs=epochs, lr=book.lr, batch_size=book.batch_size, seed=0
        )
        with warnings.catch_warnings():  # max_iter reached: that is the plan
            warnings.simplefilter("ignore", ConvergenceWarning)
            trained["scikit-learn"] = model.fit(data.x_train, data.y_train)

    timings = interleaved(
        {"ours": ours, "scikit-learn": theirs}, repeats=settings.repeats, warmup=1
    )
    accuracy = {
        "ours": digits.accuracy(trained["ours"], data.x_val, data.y_val),
        "scikit-learn": float(trained["scikit-learn"].score(data.x_val, data.y_val)),
    }
    return Measured(timings, accuracy, epochs)


def rows(measured: Measured) -> list[Row]:
    """Row 8: ours / scikit-learn, training time, both accuracies in the note."""
    a = measured.accuracy
    note = (
        f"{measured.epochs} epochs each; validation accuracy ours {a['ours']:.3f}, "
        f"scikit-learn {a['scikit-learn']:.3f}"
    )
    ratio = measured.timings.ratio("ours", "scikit-learn")
    return [Row("8", "digits: ours / scikit-learn MLPClassifier", ratio, "×", note)]
