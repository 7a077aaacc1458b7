"""The book's execution cache re-runs chapters when the package changes, and only then.

Builds a one-page MyST-NB project three times with the book's own extension
(book/_ext/package_cache.py): the page's cell records each execution in a file
and prints a value read from a tiny package.  Sphinx runs in this process
(``sphinx.cmd.build.build_main``, what ``python -m sphinx`` calls): a fresh
application per build, as from the command line, without a new interpreter
importing Sphinx and MyST-NB three times over.
"""

from pathlib import Path

import pytest
from package_cache import source_hash

EXT_DIR = Path(__file__).resolve().parents[1] / "book" / "_ext"

PAGE = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
# Page

```{code-cell} ipython3
import sys
sys.path.insert(0, "pkg")
import values
with open("runs.txt", "a") as f:
    f.write("run\\n")
print(f"value is {values.VALUE}")
```
"""

CONF = f"""\
import sys
sys.path.insert(0, {str(EXT_DIR)!r})
extensions = ["myst_nb", "package_cache"]
nb_execution_mode = "cache"
package_cache_sources = ["pkg"]
exclude_patterns = ["pkg", "out"]
"""


def build(src: Path, capfd) -> str:
    from sphinx.cmd.build import build_main

    status = build_main(["-b", "html", "-W", "-q", str(src), str(src / "out" / "html")])
    assert status == 0, capfd.readouterr().err
    return (src / "out" / "html" / "index.html").read_text()


def runs(src: Path) -> int:
    path = src / "runs.txt"
    return len(path.read_text().splitlines()) if path.exists() else 0


@pytest.mark.slow
def test_package_change_reexecutes_and_no_change_does_not(tmp_path, capfd):
    (tmp_path / "conf.py").write_text(CONF)
    (tmp_path / "index.md").write_text(PAGE)
    (tmp_path / "pkg").mkdir()
    module = tmp_path / "pkg" / "values.py"
    module.write_text("VALUE = 1\n")

    assert "value is 1" in build(tmp_path, capfd)
    assert runs(tmp_path) == 1

    assert "value is 1" in build(tmp_path, capfd)  # nothing changed: nothing executed
    assert runs(tmp_path) == 1

    module.write_text("VALUE = 2\n")  # the package changed, the page did not
    assert "value is 2" in build(tmp_path, capfd)
    assert runs(tmp_path) == 2
    caches = list((tmp_path / "out" / ".jupyter_cache").glob("pkg-*"))
    assert len(caches) == 1, "the cache of the old package version is removed"


def test_source_hash_tracks_content_and_ignores_bytecode(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    first = source_hash([tmp_path])
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0\1")
    assert source_hash([tmp_path]) == first
    (tmp_path / "a.py").write_text("x = 2\n")
    assert source_hash([tmp_path]) != first
    (tmp_path / "a.py").write_text("x = 1\n")
    assert source_hash([tmp_path]) == first
    (tmp_path / "b.csv").write_text("1\n")  # data files count too
    assert source_hash([tmp_path]) != first


def test_source_hash_names_a_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="package_cache_sources: no folder"):
        source_hash([tmp_path / "missing"])
