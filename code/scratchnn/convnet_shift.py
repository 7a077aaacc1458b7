"""The shift experiment: trained on the digits as they are, tested on digits moved a pixel or two.

The claim of the convolution chapter: weight sharing and pooling make the
small convolutional network (:mod:`scratchnn.convnet`) hold up better than
the digits chapter's MLP (:mod:`scratchnn.digits`) of about the same number
of parameters, when the test images are shifted by 1 or 2 pixels.

Both train on the original training images (mini-batch SGD, the same
epochs and batch size); each picks its learning rate from a grid by its
accuracy on the original validation images; then both are scored once on
the test images as they are and moved by 1 and by 2 pixels, each image in a
direction (up, down, left, right) drawn once by a fixed generator.  The
sweep: seeds, learning rates (each model at its own best), sizes (F filters
against H hidden units at about 170 F + 10 = 75 H + 10 parameters).  The
evidence: accuracies averaged over seeds with 95 % bootstrap intervals over
the test images, the difference's interval, and McNemar's exact test per
seed on the same images.
"""

import math
from dataclasses import dataclass

import numpy as np

from scratchnn import convnet, digits
from scratchnn.claims import Verdict, claim
from scratchnn.data import digits_split
from scratchnn.train import sgd

__all__ = ["SHIFTS", "SWEEPS", "ShiftEvidence", "mcnemar", "shift_claim", "shifted_test"]

#: Pixels the test images move: 0 (the originals), 1 and 2.
SHIFTS = (0, 1, 2)
DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1))  # down, up, right, left
DIRECTION_SEED = 27
EPOCHS, BATCH = 30, 32
#: Per size: (filters F, hidden H) pairs of about equal parameter counts, seeds, learning rates.
SWEEPS = {
    "book": {"pairs": ((8, 18),), "seeds": (0, 1), "lrs": (0.1, 0.2, 0.4, 0.8)},
    "full": {
        "pairs": ((4, 9), (8, 18), (16, 36)),
        "seeds": (0, 1, 2, 3, 4),
        "lrs": (0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6),
    },
}
BOOTSTRAP = 2000


def shifted_test(distance: int) -> np.ndarray:
    """The test images (N_test, 64), each moved ``distance`` pixels in its drawn direction."""
    x = digits_split().x_test
    if distance == 0:
        return x
    rng = np.random.default_rng(DIRECTION_SEED)
    way = rng.integers(len(DIRECTIONS), size=len(x))
    out = np.empty_like(x)
    for k, (dr, dc) in enumerate(DIRECTIONS):
        rows = way == k
        out[rows] = convnet.shift(x[rows], distance * dr, distance * dc)
    return out


def mcnemar(right_a: np.ndarray, right_b: np.ndarray) -> float:
    """McNemar's exact two-sided p-value for two classifiers on the same N examples.

    right_a, right_b : (N,) bool, whether each classifier got example n right.
    Only the discordant examples count: b of them A alone got right, c B alone;
    under "equally good" b is Binomial(b + c, 1/2).
    """
    b = int(np.sum(right_a & ~right_b))
    c = int(np.sum(~right_a & right_b))
    n, k = b + c, min(b, c)
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2.0**n
    return min(1.0, 2.0 * tail)


def _train(kind: str, size: int, seed: int, lr: float) -> dict:
    data = digits_split()
    rng = np.random.default_rng(seed)
    if kind == "conv":
        params, fit, x = convnet.init_params(rng, size), convnet.loss_and_grads, convnet.images
    else:
        params, fit, x = digits.init_params(rng, size), digits.loss_and_grads, lambda v: v
    history = sgd(
        fit, params, x(data.x_train), data.y_train, lr=lr, epochs=EPOCHS, batch_size=BATCH, rng=rng
    )
    return history.params


def _right(kind: str, params: dict, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(N,) bool: which of the images x (N, 64) the model classifies right."""
    if kind == "conv":
        return convnet.predict(params, convnet.images(x)) == y
    return digits.predict(params, x) == y


@dataclass(frozen=True)
class ShiftEvidence:
    """The shift experiment's numbers.

    pairs : (F, H) per size; seeds, lrs : the sweep.
    best_lr : (kind, F or H, seed) -> the learning rate chosen on validation.
    lr_on_edge : how many of those choices lie on the grid's edge.
    accuracy : (kind, pair index, shift) -> (seeds,) test accuracies.
    interval : (kind, pair index, shift) -> (low, high), 95 % over test images, seed mean.
    gap : (pair index, shift) -> (mean, low, high) of conv minus MLP accuracy.
    p_max : (pair index, shift) -> the largest McNemar p over the seeds.
    verdict : the outcome.
    """

    pairs: tuple
    seeds: tuple
    lrs: tuple
    best_lr: dict
    lr_on_edge: int
    accuracy: dict
    interval: dict
    gap: dict
    p_max: dict
    verdict: Verdict


def _best(kind: str, size: int, seed: int, lrs: tuple) -> tuple[float, dict]:
    """The learning rate with the best validation accuracy (the smaller on a tie), its params."""
    data = digits_split()
    best = None
    for lr in lrs:
        params = _train(kind, size, seed, lr)
        score = float(np.mean(_right(kind, params, data.x_val, data.y_val)))
        if best is None or score > best[0]:
            best = (score, lr, params)
    return best[1], best[2]


@claim(
    "convnet_shift.shift",
    chapter="conv",
    axes={
        "seeds": "2 / 5",
        "learning rate": "0.1 .. 0.8 / 0.025 .. 1.6, each model at its best on validation",
        "size": "F 8 vs H 18 / F 4, 8, 16 vs H 9, 18, 36",
        "shift": "0, 1, 2 pixels, one drawn direction per test image",
    },
)
def shift_claim(*, size: str = "book") -> ShiftEvidence:
    """Conv against MLP on the test images moved by 0, 1, 2 pixels (see the module docstring)."""
    sweep = SWEEPS[size]
    pairs, seeds, lrs = sweep["pairs"], sweep["seeds"], sweep["lrs"]
    y = digits_split().y_test
    tests = {d: shifted_test(d) for d in SHIFTS}
    best_lr, right = {}, {}
    for p, pair in enumerate(pairs):
        for kind, width in zip(("conv", "mlp"), pair, strict=True):
            for seed in seeds:
                lr, params = _best(kind, width, seed, lrs)
                best_lr[kind, width, seed] = lr
                for d in SHIFTS:
                    right[kind, p, d, seed] = _right(kind, params, tests[d], y)
    edge = sum(lr in (lrs[0], lrs[-1]) for lr in best_lr.values())
    boot = np.random.default_rng(0).integers(len(y), size=(BOOTSTRAP, len(y)))
    accuracy, interval, gap, p_max = {}, {}, {}, {}
    for p in range(len(pairs)):
        for d in SHIFTS:
            mean = {}
            for kind in ("conv", "mlp"):
                hits = np.stack([right[kind, p, d, s] for s in seeds])  # (seeds, N_test)
                accuracy[kind, p, d] = hits.mean(axis=1)
                mean[kind] = hits.mean(axis=0)  # per image: the share of seeds right
                resampled = mean[kind][boot].mean(axis=1)
                interval[kind, p, d] = tuple(np.percentile(resampled, [2.5, 97.5]))
            diff = mean["conv"] - mean["mlp"]
            low, high = np.percentile(diff[boot].mean(axis=1), [2.5, 97.5])
            gap[p, d] = (float(diff.mean()), float(low), float(high))
            p_max[p, d] = max(mcnemar(right["conv", p, d, s], right["mlp", p, d, s]) for s in seeds)
    verdict = _verdict(pairs, gap, p_max, accuracy, interval)
    return ShiftEvidence(pairs, seeds, lrs, best_lr, edge, accuracy, interval, gap, p_max, verdict)


def _verdict(pairs: tuple, gap: dict, p_max: dict, accuracy: dict, interval: dict) -> Verdict:
    """Holds when, at every size, conv is ahead of the MLP on shifted images (interval above 0)
    and yet far from shift-proof: its shifted accuracy's interval lies below its original mean.
    """
    shifted = [(p, d) for p in range(len(pairs)) for d in SHIFTS if d > 0]
    ahead = all(gap[k][1] > 0 for k in shifted)
    fragile = all(interval["conv", p, d][1] < accuracy["conv", p, 0].mean() for p, d in shifted)
    detail = "; ".join(
        f"F{pairs[p][0]}/H{pairs[p][1]} shift {d}: conv - mlp {gap[p, d][0]:+.3f} "
        f"[{gap[p, d][1]:+.3f}, {gap[p, d][2]:+.3f}], McNemar p <= {p_max[p, d]:.2g}"
        for p in range(len(pairs))
        for d in SHIFTS
    )
    outcome = {
        (True, True): "conv ahead on shifted images at every size, both far below unshifted",
        (True, False): "conv ahead on shifted images and about as good as unshifted",
    }.get((ahead, fragile), "no clear lead of conv on shifted images")
    return Verdict(holds=ahead and fragile, outcome=outcome, detail=detail)
