"""The exam-score network: a 3 -> H -> 1 ReLU network with biases, and its inputs.

    z1 = x w1 + b1 (N, H),   h = relu(z1) (N, H),   y_hat = h w2 + b2 (N, K),
    L = mean((y_hat - y)^2)

with x the three exams divided by 100 (or standardised) and y the final
divided by 200.  The model contract of the book: :func:`init_params`,
:func:`forward`, :func:`loss_and_grads`; :mod:`scratchnn.exams` (the chapter's
experiment) re-exports them.  Explained in the book's chapter "Predicting exam scores".
"""

from collections.abc import Mapping

import numpy as np

from scratchnn import checks
from scratchnn import functional as F
from scratchnn.data import EXAM_COLUMNS
from scratchnn.model import Model

# fmt: off
__all__ = [  # noqa: RUF022 (grouped by contract, not sorted)
    # the model contract
    "MODEL", "SPEC", "init_params", "forward", "loss_and_grads",
    # this module's own
    "EXAM_POINTS", "FINAL_POINTS", "he_std", "init_params_divided", "live_units", "scale",
]
# fmt: on

#: Full marks of the three exams and of the final: the scales of :func:`scale`.
EXAM_POINTS = 100.0
#: Full marks of the final.
FINAL_POINTS = 200.0

#: The model's parameters and their shapes (D inputs, H hidden units, K outputs).
SPEC = {"w1": ("D", "H"), "b1": ("H",), "w2": ("H", "K"), "b2": ("K",)}

#: The model contract (scratchnn.model): shapes checked once per call.
MODEL = Model(
    params=SPEC, x=("N", "D"), y=("N", "K"), sizes={"n_in": None, "hidden": None, "n_out": None}
)


def scale(
    scores: np.ndarray, *, standardise: bool = False, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The network's inputs and targets: the final divided by 200, so it lies in [0, 1].

    Parameters
    ----------
    scores : (N, 4) the table of :func:`scratchnn.data.load_exams`.
    standardise : False divides the exams by 100; True subtracts each exam's
        mean and divides by its standard deviation.
    rows : (N,) bools, the students whose means and standard deviations are
        used (the training students); all of them when omitted.

    Returns
    -------
    x : (N, 3) the three exams, scaled.
    y : (N, 1) the final as a fraction of full marks.
    """
    dims: dict[str, int] = {}
    scores = checks.array(scores, "scores", ("N", len(EXAM_COLUMNS)), dims=dims)
    exams = scores[:, :3]
    if checks.flag(standardise, "standardise"):
        keep = (
            np.ones(len(scores), bool)
            if rows is None
            else checks.array(rows, "rows", ("N",), dims=dims) > 0
        )
        if keep.sum() < 2:
            raise ValueError(
                f"rows must select at least 2 students to standardise, got {keep.sum()}"
            )
        exams = (exams - exams[keep].mean(axis=0)) / exams[keep].std(axis=0)
    else:
        exams = exams / EXAM_POINTS
    return exams, scores[:, 3:] / FINAL_POINTS


# --- the network -------------------------------------------------------------


def he_std(n_in: int) -> float:
    """He (Kaiming) standard deviation √(2 / n_in) for weights feeding a ReLU."""
    return float(np.sqrt(2.0 / checks.whole_number(n_in, "n_in", maximum=10**9)))


@MODEL.init_params
def init_params(
    rng: np.random.Generator, n_in: int = 3, hidden: int = 5, n_out: int = 1, *, bias: float = 0.0
) -> dict[str, np.ndarray]:
    """He initialisation: weights N(0, 2 / fan-in); hidden biases ``bias`` (0), output bias 0.

    Returns
    -------
    w1 : (n_in, hidden)   b1 : (hidden,)   w2 : (hidden, n_out)   b2 : (n_out,)
    """
    if not np.isfinite(bias):
        raise ValueError(f"bias must be a finite number, got {bias}")
    return {
        "w1": rng.standard_normal((n_in, hidden)) * he_std(n_in),
        "b1": np.full(hidden, float(bias)),
        "w2": rng.standard_normal((hidden, n_out)) * he_std(hidden),
        "b2": np.zeros(n_out),
    }


def init_params_divided(
    rng: np.random.Generator, n_in: int = 3, hidden: int = 5, n_out: int = 1
) -> dict[str, np.ndarray]:
    """DELIBERATELY WRONG He initialisation, as in the original lab sheet: divides by √(2 / fan-in).

    ``randn(...) / sqrt(2 / n_in)`` gives the weights standard deviation
    √(n_in / 2) instead of √(2 / n_in): (n_in / 2) times too large.  Kept to
    measure the damage; it draws the same random numbers as :func:`init_params`
    with the same generator state.  Shapes as in :func:`init_params`.
    """
    start = init_params(rng, n_in, hidden, n_out)
    return {
        "w1": start["w1"] / he_std(n_in) ** 2,
        "b1": start["b1"],
        "w2": start["w2"] / he_std(hidden) ** 2,
        "b2": start["b2"],
    }


@MODEL.forward
def forward(params: Mapping[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Predictions y_hat = relu(x w1 + b1) w2 + b2.

    Shapes: x (N, D), w1 (D, H), b1 (H,), w2 (H, K), b2 (K,) -> y_hat (N, K).
    """
    h = F.relu(x @ params["w1"] + params["b1"])
    return h @ params["w2"] + params["b2"]


@MODEL.loss_and_grads
def loss_and_grads(
    params: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """Mean squared error and its gradient with respect to every parameter.

    Parameters
    ----------
    params : w1 (D, H), b1 (H,), w2 (H, K), b2 (K,)
    x : (N, D) inputs.   y : (N, K) targets.

    Returns
    -------
    loss : float, the mean of (y_hat - y)^2 over all N K entries.
    grads : dict with the keys and shapes of ``params``.
    """
    z1 = x @ params["w1"] + params["b1"]  # (N, H)
    h = F.relu(z1)  # (N, H)
    y_hat = h @ params["w2"] + params["b2"]  # (N, K)
    loss = F.mean_squared_error(y_hat, y)
    delta2 = F.mean_squared_error_grad(y_hat, y)  # dL/dz2 = dL/dy_hat (N, K)
    delta1 = (delta2 @ params["w2"].T) * F.relu_derivative(z1)  # dL/dz1 (N, H)
    grads = {
        "w1": x.T @ delta1,
        "b1": delta1.sum(axis=0),
        "w2": h.T @ delta2,
        "b2": delta2.sum(axis=0),
    }
    return loss, grads


def live_units(params: Mapping[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """How many hidden units are active (z1 > 0) for at least one row of x.

    A unit with z1 <= 0 for every student has zero gradient and never learns.
    Shapes: x (N, D); w1 (D, H), b1 (H,) -> () or, stacked, w1 (..., D, H),
    b1 (..., H) -> (...) integer counts.
    """
    w1 = checks.array(params["w1"], "params['w1']")
    b1 = checks.array(params["b1"], "params['b1']")
    x = checks.array(x, "x", ("N", w1.shape[-2]))
    if w1.ndim < 2 or b1.shape != w1.shape[:-2] + w1.shape[-1:]:
        raise ValueError(f"params['b1'] has shape {b1.shape} but params['w1'] has shape {w1.shape}")
    z1 = np.swapaxes(x @ w1, -2, 0) + b1  # (N, ..., H)
    return (z1 > 0).any(axis=0).sum(axis=-1)
