"""How fast the book's code is, against bare NumPy, PyTorch and its own floor.

The package's speed measurements, shared by the appendix "How fast is from
scratch?" (short runs at build time) and the command ``python -m benchmarks``
(full runs, with the targets).  This is the top floor of the package: it
imports chapter modules, and no chapter module imports it.  Timing itself
(interleaved rounds, medians, spreads) is :mod:`scratchnn.timing`.

Modules:

* :mod:`scratchnn.speed.two_layer_step`: the two-layer network's training
  step against a bare NumPy loop, PyTorch and its own matrix products;
* :mod:`scratchnn.speed.torch_contenders`: the PyTorch chapter's training
  functions as contenders (needs torch);
* :mod:`scratchnn.speed.xor_curve`: XOR's gradient, loops against matrix
  products, over the hidden size;
* :mod:`scratchnn.speed.autograd_step`: the autograd engine's step against
  the hand-written gradient and PyTorch's;
* :mod:`scratchnn.speed.digits_sklearn`: the digits network against
  scikit-learn's ``MLPClassifier``;
* :mod:`scratchnn.speed.conv_torch`: the convolution, loops against
  vectorised, and against PyTorch;
* :mod:`scratchnn.speed.deeper_torch`: Adam, batch normalisation and the
  deeper network's epoch against PyTorch;
* :mod:`scratchnn.speed.blas`: which OpenBLAS kernel runs, with how many threads;
* :mod:`scratchnn.speed.machine`: the lines that describe the machine;
* :mod:`scratchnn.speed.report`: a row of the table and the table;
* :mod:`scratchnn.speed.figures`: the appendix's figures.
"""

#: The subpackage's names are its modules.
__all__: list[str] = []
