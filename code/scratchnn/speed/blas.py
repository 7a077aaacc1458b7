"""What runs NumPy's matrix products, and how many threads it may use.

``numpy.show_config()`` describes how NumPy was built, not the kernel its
OpenBLAS picked for this CPU when it started; that is read here from the
loaded library itself, as ``threadpoolctl`` does.
"""

import ctypes
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from scratchnn import checks

__all__ = ["openblas", "openblas_threads"]


def _openblas_function(name: str) -> Callable[..., object] | None:
    """The function ``name`` (e.g. ``"get_corename"``) of the OpenBLAS NumPy loaded.

    NumPy's wheels rename the symbols (``scipy_openblas_get_corename64_``);
    a system OpenBLAS keeps the plain ones.  None when there is no OpenBLAS.
    """
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("openblas", "64_"), ("openblas", "")):
            function = getattr(library, f"{prefix}_{name}{suffix}", None)
            if function is not None:
                return function
    return None


def openblas() -> dict[str, str | int] | None:
    """``{"kernel", "threads", "config"}`` of the OpenBLAS behind NumPy, or None.

    ``kernel`` is the CPU kernel OpenBLAS chose at start-up (e.g.
    ``'SkylakeX'``; ``OPENBLAS_CORETYPE`` overrides the choice), ``threads``
    how many threads it uses now, ``config`` its own description of its build.
    None when NumPy is not linked to an OpenBLAS that can say.
    """
    corename = _openblas_function("get_corename")
    config = _openblas_function("get_config")
    threads = _openblas_function("get_num_threads")
    if corename is None or config is None or threads is None:
        return None
    corename.restype = config.restype = ctypes.c_char_p
    threads.restype = ctypes.c_int
    return {
        "kernel": corename().decode(),
        "threads": int(threads()),
        "config": config().decode().strip(),
    }


@contextmanager
def openblas_threads(n: int) -> Iterator[None]:
    """Run the ``with`` block with OpenBLAS using ``n`` threads (n >= 1), then restore.

    Tiny matrix products gain little from a second thread, and lose a lot
    when another program already keeps the other core busy.  Does nothing
    when NumPy is not linked to OpenBLAS.
    """
    n = checks.whole_number(n, "threads")
    info = openblas()
    setter = _openblas_function("set_num_threads")
    if info is None or setter is None:
        yield
        return
    setter(ctypes.c_int(n))
    try:
        yield
    finally:
        setter(ctypes.c_int(int(info["threads"])))
