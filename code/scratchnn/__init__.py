"""scratchnn: the code of *Neural networks from scratch with NumPy*.

Two contracts hold the package together.

**Models.**  Every model module exposes

* ``init_params(rng, ...) -> dict[str, ndarray]``
* ``forward(params, x, **options) -> ndarray``
* ``loss_and_grads(params, x, y, **options) -> (float, dict[str, ndarray])``

so one training loop (:mod:`scratchnn.train`) and one gradient checker
(:mod:`scratchnn.gradcheck`) serve every chapter.

**Experiments.**  Every chapter module (the names in :data:`CHAPTERS`) exposes

* ``BOOK``: the book's defaults, one frozen dataclass whose fields are the
  keyword arguments of ``run`` (``BOOK.seed``, ``BOOK.epochs``, ``BOOK.lr``, ...);
* ``run(*, seed, epochs, lr, ..., callback=None) -> Result``, written once as
  a function of the defaults with ``@experiment(BOOK)``
  (:mod:`scratchnn.experiment`, which checks every keyword), where every
  ``Result`` has ``history`` (a :class:`scratchnn.train.History`) and what
  else the chapter reports;
* ``summary(result) -> list[str]``: the lines its program prints;
* ``figure_<name>(...) -> Figure``: its figures, returned, never shown;
* ``main``: its program, ``python -m scratchnn.<module>``, built by
  :func:`scratchnn.cli.chapter_main` from the module's docstring (whose first
  line ``--help`` shows), ``run``, ``summary`` and one figure.

**Inputs.**  Every public function checks what it is given, through
:mod:`scratchnn.checks`: arrays take anything array-like of real numbers and
are converted to float64 (complex, object and string data are refused); NumPy
scalars are accepted wherever a Python number is; a params dict must have
exactly the model's keys and shapes; data must be non-empty and finite; sizes
are whole numbers >= 1; randomness is an explicit ``numpy.random.Generator``
(an int is refused: the functions that take ``seed`` make the Generator).
A bad input raises ``ValueError`` or ``TypeError`` naming the argument.

Shared pieces: :mod:`scratchnn.functional` (activations, losses),
:mod:`scratchnn.gradcheck` (finite differences), :mod:`scratchnn.train`
(gradient descent and mini-batch SGD), :mod:`scratchnn.data` (the book's data
sets), :mod:`scratchnn.plotting` (figures), :mod:`scratchnn.timing`
(interleaved timing), :mod:`scratchnn.conv` (convolution and pooling),
:mod:`scratchnn.cli` (the shared program runner) and
:mod:`scratchnn.notebook` (what a chapter's notebook needs outside the book).
"""

__version__ = "0.2.0"

#: The chapter modules, in the book's order: ``scratchnn.<name>`` follows the
#: experiment contract above and runs as ``python -m scratchnn.<name>``.
CHAPTERS = (
    "linear_regression",
    "toy_mlp",
    "xor",
    "two_layer",
    "exams",
    "autograd_nets",
    "torch_compare",
    "digits",
    "deeper",
    "convnet",
)

__all__ = ["CHAPTERS", "__version__"]
