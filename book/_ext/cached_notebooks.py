"""Downloads with outputs: a chapter read from the execution cache keeps them in its ``.ipynb``.

MyST-NB 1 writes every executed chapter to ``_build/jupyter_execute/<doc>.ipynb``,
which the theme offers as the page's notebook download (``_sources``).  When a
chapter comes from the cache (an unchanged chapter in an incremental build),
MyST-NB renders the cached outputs on the page but writes the notebook as it
was *before* the outputs were merged in: the download then has none.  After
each chapter is read, this puts the cached outputs back into that file, so a
download never lacks what the page shows, whether the build was cold or not.
"""

from pathlib import Path

import nbformat


def _has_outputs(nb) -> bool:
    return any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


def fill_from_cache(app, doctree) -> None:
    """``doctree-read``: the written notebook of this document, with the cache's outputs."""
    config = getattr(app.env, "mystnb_config", None)
    if config is None or config.execution_mode != "cache":
        return
    path = Path(app.outdir).parent / "jupyter_execute" / (app.env.docname + ".ipynb")
    if not path.is_file():
        return
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code or _has_outputs(nb):
        return
    from jupyter_cache import get_cache

    try:
        _, merged = get_cache(config.execution_cache_path).merge_match_into_notebook(nb)
    except KeyError:  # not in the cache: it was executed now, and written with its outputs
        return
    if _has_outputs(merged):
        path.write_text(nbformat.writes(merged), encoding="utf-8")


def setup(app):
    app.connect("doctree-read", fill_from_cache)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
