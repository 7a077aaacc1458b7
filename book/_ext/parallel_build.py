"""Sphinx extension: let the book be read, and its chapters executed, in parallel.

Sphinx reads documents in parallel only when every extension declares itself
safe for it.  sphinx-multitoc-numbering (which numbers chapters on across the
toc's parts) declares nothing, so Sphinx would fall back to a serial read with
a warning.  It only replaces ``TocTreeCollector.assign_section_numbers``,
which Sphinx calls in the main process after merging what the readers found,
so it is safe, and this extension says so.

And the readers share MyST-NB's execution cache, a jupyter-cache SQLite
database that its first user creates: two readers of a cold build would both
try to create its tables.  So this extension creates it once, in the main
process, before any document is read.  Build in parallel with
``python book/_ext/build.py`` (``make book`` does).
"""

from sphinx.application import Sphinx
from sphinx.config import Config

# Extensions that are parallel-safe but do not say so, with the reason above.
UNDECLARED_SAFE = ("sphinx_multitoc_numbering",)


def declare_safe(app: Sphinx, config: Config) -> None:
    for name in UNDECLARED_SAFE:
        extension = app.extensions.get(name)
        if extension is not None and extension.parallel_read_safe is None:
            extension.parallel_read_safe = True
            extension.parallel_write_safe = True


def create_execution_cache(app: Sphinx, env: object, docnames: list[str]) -> None:
    """Create MyST-NB's jupyter-cache database, if the build uses one, before the readers start."""
    config = getattr(env, "mystnb_config", None)
    if config is None or config.execution_mode != "cache" or not docnames:
        return
    from jupyter_cache import get_cache

    get_cache(config.execution_cache_path).db  # noqa: B018 (opening the database creates it)


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", declare_safe)
    app.connect("env-before-read-docs", create_execution_cache)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
