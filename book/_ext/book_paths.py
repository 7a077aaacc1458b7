"""Sphinx extension: find the book's files from a whole-book or a single-page build.

A whole-book build runs from the repository root; a single-page build
(``jupyter-book build book/page.md``) from the page's folder.  At
``config-inited`` this extension resolves, from either place, the files that
``_config.yml`` names relative to the repository: the bibliography
(``bibtex_bibfiles``), the static folders (``html_static_path``,
``html_extra_path``) and the favicon.  The package's folders
(``package_cache_sources``) are found with the same :func:`find_folder`.
"""

import os
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config


def find_folder(start: Path, relative: str) -> Path:
    """``relative`` under ``start`` or its nearest parent that has it.

    A whole-book build runs from the repository root; a single-page build
    (``jupyter-book build book/page.md``) from the page's folder.
    """
    for base in [start, *start.parents]:
        if (base / relative).is_dir():
            return base / relative
    return start / relative


def find_file(start: Path, relative: str) -> str:
    """Like :func:`find_folder`, for a file; returned relative to ``start``."""
    for base in [start, *start.parents]:
        if (base / relative).is_file():
            return os.path.relpath(base / relative, start)
    return relative


def find_book_files(app: Sphinx, config: Config) -> None:
    start = Path(app.confdir)
    bibfiles = getattr(config, "bibtex_bibfiles", None) or []
    config.bibtex_bibfiles = [b if Path(b).is_absolute() else find_file(start, b) for b in bibfiles]
    config.html_static_path = [str(find_folder(start, p)) for p in config.html_static_path]
    config.html_extra_path = [str(find_folder(start, p)) for p in config.html_extra_path]
    if config.html_favicon and "://" not in config.html_favicon:
        config.html_favicon = find_file(start, config.html_favicon)


def setup(app: Sphinx) -> dict[str, object]:
    # Before Sphinx checks the static paths and sphinxcontrib-bibtex reads its files.
    app.connect("config-inited", find_book_files, priority=700)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
