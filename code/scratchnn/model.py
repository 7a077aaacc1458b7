"""The model contract as code: a model's kernels written once, its checked functions made here.

A model module writes its mathematics once, as *kernels*: plain NumPy on
float64 arrays that already have the right shapes, with no checks in them.
It declares what its arguments must be in one :class:`Model`, and decorates
the kernels with it::

    MODEL = Model(
        params={"w1": ("D_in", "H"), "w2": ("H", "D_out")},
        x=("N", "D_in"),
        y=("N", "D_out"),
        sizes={"d_in": 10**6, "hidden": 10**6, "d_out": 10**6},
    )

    @MODEL.init_params
    def init_params(rng, d_in=1000, hidden=100, d_out=10): ...

    @MODEL.forward
    def forward(params, x):
        return F.relu(x @ params["w1"]) @ params["w2"]

    @MODEL.loss_and_grads
    def loss_and_grads(params, x, y): ...

Each decorated name is the module's checked public function, and it keeps
the kernel's name, docstring and source (so the book and the worksheets show
the mathematics).  A call checks, in this order: the keyword options (each by
its declared check, then ``validate`` on all of them together), ``params``
(exactly the declared keys and shapes, through :func:`scratchnn.checks.params`),
``x`` and ``y`` (shapes whose names agree with the params', finite values);
then it runs the kernel and refuses a result that overflowed float64 (see
below).  ``forward`` takes every option ``loss_and_grads`` takes, as the
contract says, and passes on only those its kernel uses.

**Overflow.**  A finite input can still overflow float64 inside the model
(x = 1e300, say).  The checked functions never return such a result: a loss,
a gradient or a prediction that is not finite is a ``ValueError`` that names
the arguments and their largest entries.  The kernels themselves return the
``inf`` or ``nan``, which is what the training loops need: they call the
kernel and turn a loss that is not finite into a
:class:`scratchnn.train.DivergenceError` naming the learning rate.

**Check once.**  ``loss_and_grads.prepare(params, x, y, **options)`` checks
everything a call checks and returns a :class:`Prepared` (the float64 params,
x, y and every option with its default filled in); ``loss_and_grads.kernel``
is the unchecked function.  :func:`scratchnn.train.gradient_descent`,
:func:`scratchnn.train.sgd` and :func:`scratchnn.gradcheck.check_gradients`
check once that way, then step through the kernel.
"""

import functools
import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from scratchnn import checks

__all__ = ["Model", "Prepared", "choice_of", "flag", "kernel_of", "prepared"]

Shape = tuple[int | str, ...]
#: A check of one option: ``check(value, name) -> value`` (raises naming ``name``).
OptionCheck = Callable[[object, str], object]


def choice_of(options: tuple[str, ...] | Mapping[str, object]) -> OptionCheck:
    """The check of an option that is one of the names ``options``."""
    names = tuple(options)
    return lambda value, name: checks.choice(value, name, names)


#: The check of an option that is True or False.
flag = checks.flag


class Prepared(NamedTuple):
    """Checked arguments of a model's ``loss_and_grads``, ready for its kernel.

    params : name -> float64 array, the declared keys and shapes.
    x : float64 inputs; y : the targets (float64, or int64 labels), or None.
    options : every keyword option of the kernel, defaults filled in.
    """

    params: dict[str, np.ndarray]
    x: np.ndarray
    y: np.ndarray | None
    options: dict[str, object]


def _keywords(kernel: Callable) -> dict[str, object]:
    """The kernel's keyword-only parameters and their defaults."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    params = inspect.signature(kernel).parameters.values()
    return {p.name: p.default for p in params if p.kind is keyword}


def _largest(arrays: Mapping[str, np.ndarray]) -> str:
    """'largest entries |x| 1e+300, |params['w1']| 2.5': the size of every argument."""
    parts = [f"|{name}| {float(np.max(np.abs(a), initial=0.0)):.3g}" for name, a in arrays.items()]
    return "largest entries " + ", ".join(parts)


@dataclass
class Model:
    """What a model's arguments must be, and the decorators that make its checked functions.

    Parameters
    ----------
    params : name -> shape (ints and size names, as in :func:`scratchnn.checks.params`),
        or a function ``(given, options) -> that mapping`` when the shapes depend
        on the options or on the params given (a leading axis of stacked networks).
    x : the shape of ``x``, with names shared with ``params`` (``("N", "D_in")``).
    y : the shape of ``y``, or a function ``(y, dims) -> array`` that checks
        and converts it (class labels), ``dims`` holding the sizes bound so far.
    options : name -> check of every keyword option the kernels take.
    validate : called as ``validate(options)`` with every option (defaults
        filled in) once each is checked, for rules that tie options together.
    sizes : name -> the largest value of each size argument of ``init_params``
        (whole numbers >= 1; None for no upper bound).
    init_options : name -> check of ``init_params``'s other arguments.
    """

    params: Mapping[str, Shape] | Callable[[Mapping, dict], Mapping[str, Shape]]
    x: Shape
    y: Shape | Callable[[object, dict[str, int]], np.ndarray] | None = None
    options: Mapping[str, OptionCheck] = field(default_factory=dict)
    validate: Callable[[dict[str, object]], None] | None = None
    sizes: Mapping[str, int | None] = field(default_factory=dict)
    init_options: Mapping[str, OptionCheck] = field(default_factory=dict)
    _loss_kernel: Callable | None = field(default=None, init=False, repr=False)
    _forwards: list[Callable] = field(default_factory=list, init=False, repr=False)

    @property
    def spec(self) -> Mapping[str, Shape]:
        """The parameters' names and shapes (when they do not depend on the options)."""
        if callable(self.params):
            raise TypeError("this model's parameter shapes depend on its options")
        return self.params

    # --- checking -----------------------------------------------------------

    def check_options(self, given: Mapping[str, object], defaults: Mapping[str, object]) -> dict:
        """Every option of ``defaults``, given ones checked; an unknown name is a TypeError."""
        for name in given:
            if name not in defaults:
                known = ", ".join(defaults) or "none"
                raise TypeError(f"unexpected option {name!r}; the model's options are {known}")
        options = dict(defaults)
        for name, value in given.items():
            check = self.options.get(name)
            options[name] = value if check is None else check(value, name)
        if self.validate is not None:
            self.validate(options)
        return options

    def check_arrays(
        self, params: object, x: object, y: object, options: Mapping[str, object]
    ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray | None]:
        """params, x and (unless None) y, checked against the declaration and converted."""
        spec = self.params(params, options) if callable(self.params) else self.params
        dims: dict[str, int] = {}
        params = checks.params(params, spec, dims=dims)
        x = checks.array(x, "x", self.x, dims=dims)
        if y is not None:
            if callable(self.y):
                y = self.y(y, dims)
            elif self.y is not None:
                y = checks.array(y, "y", self.y, dims=dims)
        return params, x, y

    def _loss_defaults(self) -> dict[str, object]:
        return {} if self._loss_kernel is None else _keywords(self._loss_kernel)

    # --- the decorators -------------------------------------------------------

    def loss_and_grads(self, kernel: Callable) -> Callable:
        """Decorator: ``kernel(params, x, y, **options)`` becomes the checked ``loss_and_grads``."""
        self._loss_kernel = kernel
        defaults = _keywords(kernel)
        for forward in self._forwards:  # a forward defined first now shows the loss's options
            forward.__signature__ = _forward_signature(forward.kernel, defaults)

        def prepare(params: object, x: object, y: object, **given: object) -> Prepared:
            options = self.check_options(given, defaults)
            if y is None:
                raise TypeError("y is None: loss_and_grads needs the targets")
            params, x, y = self.check_arrays(params, x, y, options)
            return Prepared(params, x, y, options)

        @functools.wraps(kernel)
        def checked(params, x, y, **given):
            p = prepare(params, x, y, **given)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                loss, grads = kernel(p.params, p.x, p.y, **p.options)
            finite = math.isfinite(loss) and all(np.isfinite(g).all() for g in grads.values())
            if not finite:
                raise ValueError(
                    f"{kernel.__name__}: the loss or a gradient overflows float64 (loss {loss}) "
                    "although params, x and y are finite: "
                    f"{_largest({'x': p.x, 'y': p.y, **_named(p.params)})}"
                    "; rescale the inputs or the weights"
                )
            return float(loss), grads

        checked.kernel = kernel
        checked.prepare = prepare
        checked.model = self
        return checked

    def forward(self, kernel: Callable) -> Callable:
        """Decorator: ``kernel(params, x, **options)`` becomes the checked ``forward``.

        The checked function also takes (checks, and does not pass on) the
        options of ``loss_and_grads`` that the forward kernel has no use for.
        """
        own = _keywords(kernel)

        def defaults() -> dict[str, object]:
            return {**self._loss_defaults(), **own}

        @functools.wraps(kernel)
        def checked(params, x, **given):
            options = self.check_options(given, defaults())
            params, x, _ = self.check_arrays(params, x, None, options)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                out = kernel(params, x, **{k: v for k, v in options.items() if k in own})
            if not np.isfinite(out).all():
                raise ValueError(
                    f"{kernel.__name__}: the output overflows float64 although params and x "
                    f"are finite: {_largest({'x': x, **_named(params)})}; rescale the inputs "
                    "or the weights"
                )
            return out

        checked.kernel = kernel
        checked.model = self
        checked.__signature__ = _forward_signature(kernel, self._loss_defaults())
        self._forwards.append(checked)
        return checked

    def init_params(self, body: Callable) -> Callable:
        """Decorator: ``init_params(rng, sizes..., **init_options)`` with every argument checked.

        ``rng`` must be a ``numpy.random.Generator``; each argument named in
        ``sizes`` a whole number from 1 to its maximum; each in
        ``init_options`` passes its check.  Other arguments are passed as given.
        """
        signature = inspect.signature(body)

        @functools.wraps(body)
        def checked(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            for name, value in bound.arguments.items():
                if name == "rng":
                    bound.arguments[name] = checks.generator(value)
                elif name in self.sizes:
                    bound.arguments[name] = checks.whole_number(
                        value, name, maximum=self.sizes[name]
                    )
                elif name in self.init_options:
                    bound.arguments[name] = self.init_options[name](value, name)
            return body(*bound.args, **bound.kwargs)

        checked.model = self
        return checked


def _named(params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {f"params[{k!r}]": v for k, v in params.items()}


def _forward_signature(kernel: Callable, loss_defaults: Mapping[str, object]) -> inspect.Signature:
    """The forward kernel's signature, with the loss's options it lacks added as keywords."""
    base = inspect.signature(kernel)
    own = _keywords(kernel)
    keyword = inspect.Parameter.KEYWORD_ONLY
    extra = [
        inspect.Parameter(name, keyword, default=default)
        for name, default in loss_defaults.items()
        if name not in own
    ]
    return base.replace(parameters=[*base.parameters.values(), *extra])


def kernel_of(loss_and_grads: Callable) -> Callable | None:
    """The unchecked kernel behind a checked ``loss_and_grads`` (None for any other function)."""
    return getattr(loss_and_grads, "kernel", None) if hasattr(loss_and_grads, "prepare") else None


def prepared(
    loss_and_grads: Callable, params: object, x: object, y: object, options: Mapping[str, object]
) -> tuple[Callable, Prepared]:
    """``(kernel, checked arguments)`` for a checked model, once; else the function as given.

    For a function made by :meth:`Model.loss_and_grads`, its kernel and its
    ``prepare``'s result; for any other ``loss_and_grads``, the function
    itself and its arguments unchanged, to be called as they are.
    """
    if kernel_of(loss_and_grads) is not None:
        return loss_and_grads.kernel, loss_and_grads.prepare(params, x, y, **options)
    return loss_and_grads, Prepared(params, x, y, dict(options))
