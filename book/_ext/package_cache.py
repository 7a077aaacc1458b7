"""Sphinx extension: key the notebook execution cache on the package's source.

jupyter-cache decides whether to re-run a chapter from the chapter's own
cells.  Our chapters import ``scratchnn``, so a change to the package would
leave every page showing outputs of the old code.  At ``config-inited`` this
extension hashes every file under the folders listed in
``package_cache_sources`` and points ``nb_execution_cache_path`` at
``<build>/.jupyter_cache/pkg-<hash>``:

* unchanged package: same path, same Sphinx config, nothing re-read or re-run;
* changed package: a new path, so Sphinx sees a changed config value (one that
  rebuilds the environment), re-reads every chapter, finds an empty cache and
  executes them all.  Caches of older package versions are removed.
"""

import hashlib
import shutil
from pathlib import Path

from book_paths import find_folder
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

IGNORED_PARTS = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}


def source_hash(folders: list[Path]) -> str:
    """SHA-256 over the relative paths and bytes of every file in ``folders``."""
    digest = hashlib.sha256()
    for folder in folders:
        if not folder.is_dir():
            raise FileNotFoundError(f"package_cache_sources: no folder {folder}")
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not IGNORED_PARTS.intersection(path.parts):
                if path.suffix in {".pyc", ".pyo"}:
                    continue
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(b"\0")
                digest.update(path.read_bytes())
                digest.update(b"\0")
    return digest.hexdigest()[:16]


def key_cache_on_package(app: Sphinx, config: Config) -> None:
    folders = [find_folder(Path(app.confdir), f) for f in config.package_cache_sources]
    key = source_hash(folders)
    cache_root = Path(app.outdir).parent / ".jupyter_cache"
    cache = cache_root / f"pkg-{key}"
    if cache_root.is_dir():
        for old in cache_root.glob("pkg-*"):
            if old != cache:
                shutil.rmtree(old, ignore_errors=True)
    config.nb_execution_cache_path = str(cache)
    logger.info(f"package_cache: scratchnn source {key}, execution cache {cache}")


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value("package_cache_sources", [], "env", [list])
    # After myst-nb registers nb_execution_cache_path, before the environment
    # compares the configuration with the previous build's.
    app.connect("config-inited", key_cache_on_package, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
