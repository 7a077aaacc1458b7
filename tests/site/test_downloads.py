"""Every page offers its source, every chapter its executed notebook, from the
page's download menu; the notebook, downloaded as a reader would, re-runs top to
bottom with `jupyter nbconvert --execute` and shows output where the book does."""

import json
import subprocess
import sys
import urllib.request
from urllib.parse import urljoin

import pytest
from book_site import docname, is_notebook_page, toc_entries

TOC_PAGES = [e.docname + ".html" for e in toc_entries()]
CHAPTERS = [e.docname + ".html" for e in toc_entries() if e.part == "Chapters"]


@pytest.mark.parametrize("page", TOC_PAGES)
def test_download_menu_offers_source_and_notebook(reader, page):
    downloads = reader.open(page)["downloads"]
    assert any(href.endswith(docname(page) + ".md") for href in downloads), downloads
    if page in CHAPTERS or is_notebook_page(page):
        assert any(href.endswith(docname(page) + ".ipynb") for href in downloads), (
            f"{page}: no .ipynb in the download menu ({downloads}); a chapter must be a "
            "MyST notebook (jupytext header with a kernelspec)"
        )


@pytest.mark.parametrize("page", TOC_PAGES)
def test_launch_buttons_point_at_the_repository(reader, page):
    if not is_notebook_page(page):
        pytest.skip(f"{page} is not a notebook")
    links = reader.open(page)["launch_links"]
    assert any("mybinder.org" in link for link in links), links
    assert any("hub/user-redirect" in link for link in links), links


def notebook_url(reader, page) -> str:
    seen = reader.open(page)
    hrefs = [h for h in seen["downloads"] if h.endswith(".ipynb")]
    if not hrefs:
        pytest.skip(f"{page} offers no notebook")
    return urljoin(seen["url"], hrefs[0])


@pytest.mark.parametrize("page", TOC_PAGES)
def test_downloaded_notebook_reruns(reader, page, tmp_path):
    url = notebook_url(reader, page)
    with urllib.request.urlopen(url, timeout=30) as response:
        downloaded = json.loads(response.read())
    path = tmp_path / url.rsplit("/", 1)[-1]
    path.write_text(json.dumps(downloaded))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.timeout=300",
            "--output",
            "rerun.ipynb",
            str(path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, f"{page}: the downloaded notebook fails:\n{done.stderr[-3000:]}"
    rerun = json.loads((tmp_path / "rerun.ipynb").read_text())
    before = [bool(c["outputs"]) for c in downloaded["cells"] if c["cell_type"] == "code"]
    after = [bool(c["outputs"]) for c in rerun["cells"] if c["cell_type"] == "code"]
    assert after == before, f"{page}: re-run cells with output differ from the book's"
