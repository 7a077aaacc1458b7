"""What a chapter's notebook needs, inside the book's build and outside it.

The book quotes numbers from its executed cells with MyST-NB's ``glue``.  A
reader who downloads a chapter's notebook and runs it in a plain Jupyter or
Colab has no MyST-NB: there :func:`glue` shows the value (when asked to) and
otherwise does nothing, so every cell runs unchanged.
"""

from typing import Any

__all__ = ["glue"]


def glue(name: str, value: Any, display: bool = True) -> None:
    """Record ``value`` under ``name`` for the book's text.

    Returns None, as MyST-NB's ``glue`` does, so a cell that ends with a
    ``glue(..., display=False)`` shows nothing.

    In the book's build this is ``myst_nb.glue``.  Elsewhere the value is
    displayed when ``display`` is true, as ``glue`` would show it, and the
    name is dropped.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)
