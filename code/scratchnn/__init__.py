"""scratchnn: the code of *Neural networks from scratch with NumPy*.

Every model module follows one contract (see the book's introduction):

* ``init_params(rng, ...) -> dict[str, ndarray]``
* ``forward(params, x, ...) -> ndarray``
* ``loss_and_grads(params, x, y, ...) -> (float, dict[str, ndarray])``

Shared pieces: :mod:`scratchnn.functional` (activations, losses),
:mod:`scratchnn.gradcheck` (finite differences), :mod:`scratchnn.train`
(one gradient-descent loop), :mod:`scratchnn.data` (the book's data sets) and
:mod:`scratchnn.plotting` (figures, returned, never shown).
"""

__version__ = "0.1.0"
