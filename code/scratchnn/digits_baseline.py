"""The digits chapter's honest baseline: scikit-learn on the same split.

Two contenders from scikit-learn (the library every reader can reach for):

* ``LogisticRegression``: a linear softmax classifier fitted by L-BFGS;
* ``MLPClassifier`` set up as our network and our training: one ReLU layer
  of the same H units, softmax and cross-entropy, plain SGD (no momentum, no
  weight decay, constant learning rate), the same batch size and number of
  epochs, shuffled every epoch, no early stopping.

:func:`compare_with_mlp` times ours against ``MLPClassifier`` (interleaved,
see :mod:`scratchnn.timing`) for the benchmark table and the chapter.
scikit-learn is imported only when a function needs it.
"""

import time
import warnings
from dataclasses import dataclass

import numpy as np

from scratchnn import checks, digits
from scratchnn.data import DigitsSplit, digits_split
from scratchnn.timing import Spread, interleaved
from scratchnn.train import History, sgd

__all__ = [
    "Fitted",
    "MlpComparison",
    "compare_with_mlp",
    "fit_logistic",
    "fit_mlp",
    "mlp_classifier",
    "train_ours",
]

BOOK = digits.BOOK


def mlp_classifier(*, seed: int, epochs: int, lr: float, hidden: int, batch_size: int) -> object:
    """An unfitted ``MLPClassifier`` that trains as :func:`train_ours` does."""
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(
        hidden_layer_sizes=(checks.whole_number(hidden, "hidden"),),
        activation="relu",
        solver="sgd",
        learning_rate="constant",
        learning_rate_init=checks.positive_float(lr, "lr"),
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,  # no weight decay (scikit-learn's default is 1e-4)
        batch_size=checks.whole_number(batch_size, "batch_size"),
        max_iter=checks.whole_number(epochs, "epochs"),
        shuffle=True,
        early_stopping=False,
        tol=0.0,
        n_iter_no_change=epochs + 1,  # never stop before the last epoch
        random_state=checks.whole_number(seed, "seed", minimum=0),
    )


@dataclass(frozen=True)
class Fitted:
    """A fitted scikit-learn model, its validation accuracy and its fitting time in seconds."""

    model: object
    val_accuracy: float
    seconds: float


def _fit(model: object, data: DigitsSplit) -> Fitted:
    from sklearn.exceptions import ConvergenceWarning

    start = time.perf_counter()
    with warnings.catch_warnings():  # reaching max_iter is the plan, not a problem
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(data.x_train, data.y_train)
    seconds = time.perf_counter() - start
    return Fitted(model, float(model.score(data.x_val, data.y_val)), seconds)


def fit_mlp(
    *,
    seed: int = BOOK.seed,
    epochs: int = BOOK.epochs,
    lr: float = BOOK.lr,
    hidden: int = BOOK.hidden,
    batch_size: int = BOOK.batch_size,
) -> Fitted:
    """``MLPClassifier`` (see :func:`mlp_classifier`) fitted on the book's training split."""
    model = mlp_classifier(seed=seed, epochs=epochs, lr=lr, hidden=hidden, batch_size=batch_size)
    return _fit(model, digits_split())


def fit_logistic(*, c: float = 1.0) -> Fitted:
    """``LogisticRegression(C=c)`` (L2 penalty 1 / (2 c N) per example) on the training split."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=checks.positive_float(c, "c"), max_iter=5000)
    return _fit(model, digits_split())


def train_ours(
    *,
    seed: int = BOOK.seed,
    epochs: int = BOOK.epochs,
    lr: float = BOOK.lr,
    hidden: int = BOOK.hidden,
    batch_size: int = BOOK.batch_size,
) -> History:
    """Our network trained as :func:`scratchnn.digits.run` trains it, minus the watching.

    No validation loss or accuracy per epoch, since ``MLPClassifier`` computes none.
    """
    data = digits_split()
    rng = np.random.default_rng(seed)
    params = digits.init_params(rng, hidden)
    return sgd(digits.loss_and_grads, params, data.x_train, data.y_train,
               lr=lr, epochs=epochs, batch_size=batch_size, rng=rng)  # fmt: skip


@dataclass(frozen=True)
class MlpComparison:
    """Ours against ``MLPClassifier``, same architecture, epochs and batch size.

    ratio : our training time / theirs, median over interleaved rounds (with its IQR).
    ours_seconds, mlp_seconds : each one's training time.
    ours_accuracy, mlp_accuracy : test accuracy of each trained model.
    """

    ratio: Spread
    ours_seconds: Spread
    mlp_seconds: Spread
    ours_accuracy: float
    mlp_accuracy: float


def compare_with_mlp(
    *,
    seed: int = BOOK.seed,
    epochs: int = BOOK.epochs,
    lr: float = BOOK.lr,
    mlp_lr: float | None = None,
    hidden: int = BOOK.hidden,
    batch_size: int = BOOK.batch_size,
    repeats: int = 3,
    warmup: int = 1,
) -> MlpComparison:
    """Time :func:`train_ours` against ``MLPClassifier.fit``, interleaved, ``repeats`` rounds.

    ``mlp_lr`` is scikit-learn's learning rate (``lr`` when None), so each
    side can train at its own best.  Takes about 2 (repeats + warmup) times
    one training (under a second each with the book's defaults).
    """
    data = digits_split()
    sizes = {"seed": seed, "epochs": epochs, "hidden": hidden, "batch_size": batch_size}
    theirs = mlp_classifier(lr=lr if mlp_lr is None else mlp_lr, **sizes)
    trained = {}

    def ours() -> None:
        trained["ours"] = train_ours(lr=lr, **sizes)

    def mlp() -> None:
        trained["mlp"] = _fit(theirs, data)

    timings = interleaved({"ours": ours, "mlp": mlp}, repeats=repeats, warmup=warmup)
    test = (data.x_test, data.y_test)
    return MlpComparison(
        ratio=timings.ratio("ours", "mlp"),
        ours_seconds=timings.time("ours"),
        mlp_seconds=timings.time("mlp"),
        ours_accuracy=digits.accuracy(trained["ours"].params, *test),
        mlp_accuracy=float(trained["mlp"].model.score(*test)),
    )
