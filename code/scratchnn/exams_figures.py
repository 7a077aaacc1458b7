"""Figures of the chapter "Predicting exam scores", and the experiment one of them shows.

Each figure takes data (or a generator) and returns a Figure; nothing is shown or saved here.
"""

import numpy as np
from matplotlib.figure import Figure

from scratchnn import checks
from scratchnn.exams_model import he_std
from scratchnn.plotting import new_figure

__all__ = ["RULES", "figure_spread", "rms_per_layer"]

#: The two initialisation rules the figure compares: He, and the lab sheet's division.
RULES = ("He", "divided")


def rms_per_layer(
    rng: np.random.Generator, rule: str, *, width: int = 100, depth: int = 10, n: int = 500
) -> np.ndarray:
    """Root-mean-square activation after each of ``depth`` ReLU layers, standard-normal input.

    Each layer is ``h <- relu(h w)`` with w (width, width) N(0, 1) times
    he_std(width) ("He") or divided by it ("divided").  Returns (depth,).
    """
    rng = checks.generator(rng)
    rule = checks.choice(rule, "rule", RULES)
    width = checks.whole_number(width, "width", maximum=10_000)
    depth = checks.whole_number(depth, "depth", maximum=1_000)
    n = checks.whole_number(n, "n", maximum=10**6)
    h, sizes = rng.standard_normal((n, width)), np.empty(depth)
    for layer in range(depth):
        w = rng.standard_normal((width, width))
        w = w * he_std(width) if rule == "He" else w / he_std(width)
        h = np.maximum(h @ w, 0.0)
        sizes[layer] = np.sqrt(np.mean(h**2))
    return sizes


def figure_spread(*, seed: int = 1, width: int = 100, depth: int = 10) -> Figure:
    """:func:`rms_per_layer` for both rules (the same seed each), on a logarithmic axis."""
    seed = checks.whole_number(seed, "seed", minimum=0)
    fig = new_figure()
    ax = fig.axes[0]
    for rule, marker in zip(RULES, "os", strict=True):
        sizes = rms_per_layer(np.random.default_rng(seed), rule, width=width, depth=depth)
        ax.semilogy(range(1, depth + 1), sizes, marker + "-", label=rule)
    ax.set_xlabel("layer")
    ax.set_ylabel("root-mean-square activation")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return fig
