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

**Inputs.**  Every public function checks what it is given, once, at its
boundary, through :mod:`scratchnn.checks` (training loops check before the
first step, then run unchecked kernels).  A bad input raises ``ValueError``
(a wrong value) or ``TypeError`` (a wrong kind of thing) whose message starts
with, or names, the argument.

* *Arrays* take anything array-like of real numbers: lists, ints, bools,
  float32, read-only and non-contiguous arrays; they are converted to
  float64 (``np.matrix`` to a plain ndarray).  Refused: complex numbers,
  strings (numeric ones too), None, objects, ragged lists, iterators such as
  generators, masked arrays, and arrays with no entry.  Data (inputs,
  targets, parameters, losses to plot) must be finite; the arguments of a
  mathematical function (activations, softmax, the losses of
  :mod:`scratchnn.functional`) may hold inf or NaN, with IEEE arithmetic's
  answer.  Class labels are integers of any width, in range, of shape (N,).
* *Numbers* (learning rates, steps, sizes, scales) are Python numbers, NumPy
  scalars or 0-d arrays (``np.array(0.1)`` is 0.1).  Refused: bools,
  strings, None, complex, arrays with entries, NaN and infinities, and
  integers beyond float64 (``10**400``).  Sizes and counts are whole numbers
  (not 2.0), >= 1, with an upper bound where a larger value would exhaust
  the machine (``train.MAX_STEPS`` updates per run); a seed is any whole
  number >= 0.  Flags are True or False, not 0 or 1.
* *Functions* given as arguments (a loss, a callback, an accuracy, the ``f``
  of a finite difference) must be callable, and what they return is
  checked: a loss is one real number (a 0-d array counts; None, a string or
  an array of shape (1,) do not), gradients a dict.
* Accepted on purpose, each documented where it applies: an empty array in
  :func:`scratchnn.gradcheck.numerical_gradient` and ``relative_error``
  (a function of no numbers has an empty gradient); ``x = None`` or
  ``y = None`` in ``gradient_descent`` and ``check_gradients`` when the loss
  is a function of one's own that holds its data (a model refuses them).
* *Params* dicts have exactly the model's keys and shapes; randomness is an
  explicit ``numpy.random.Generator`` (an int seed is refused: the
  functions that take ``seed`` make the Generator).

**Overflow.**  A finite input can still overflow float64 in a model (x =
1e300).  The checked functions never return it: ``forward``,
``loss_and_grads``, ``closed_form`` and ``mse_hessian`` raise a
``ValueError`` saying what overflows float64 and the largest entries of the
arguments.  The kernels return the ``inf`` or ``nan`` (so do the functions
of :mod:`scratchnn.functional`: inf in, inf out), and the training loops
turn a loss that is not finite into a :class:`scratchnn.train.DivergenceError`
naming the learning rate.

Shared pieces: :mod:`scratchnn.functional` (activations, losses),
:mod:`scratchnn.gradcheck` (finite differences), :mod:`scratchnn.train`
(gradient descent and mini-batch SGD), :mod:`scratchnn.data` (the book's data
sets), :mod:`scratchnn.plotting` (figures), :mod:`scratchnn.timing`
(interleaved timing), :mod:`scratchnn.conv` (convolution and pooling),
:mod:`scratchnn.cli` (the shared program runner) and
:mod:`scratchnn.notebook` (what a chapter's notebook needs outside the book).
"""

#: The package's version, as installed (``pip install scratchnn==0.2.0``).
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
