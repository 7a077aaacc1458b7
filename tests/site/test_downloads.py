"""Every page offers its source, every chapter its executed notebook, and the book's
PDF edition from the page's download menu; the notebook, downloaded as a reader
would, re-runs top to bottom with `jupyter nbconvert --execute` in a fresh
Jupyter (fresh_env.py) and shows output where the book does."""

import json
import urllib.request
from urllib.parse import urljoin

import pytest
from book_site import docname, is_notebook_page, toc_entries
from fresh_env import READER_PACKAGES

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
    colab = [link for link in links if link.startswith("https://colab.research.google.com/")]
    assert colab, links
    # Colab opens the executed notebook on the branch of notebooks (book/_ext/editions.py).
    assert colab[0].endswith(f"/blob/notebooks/{docname(page)}.ipynb"), colab


@pytest.mark.parametrize("page", TOC_PAGES)
def test_download_menu_offers_the_pdf_edition(reader, site, page):
    seen = reader.open(page)
    pdfs = [urljoin(seen["url"], h) for h in seen["downloads"] if h.endswith(".pdf")]
    assert pdfs, f"{page}: no PDF edition in the download menu ({seen['downloads']})"
    assert pdfs[0] == urljoin(reader.base_url, "scratchnn-book.pdf"), pdfs
    assert (site / "scratchnn-book.pdf").is_file(), "the site has no PDF (make pdf copies it)"


def notebook_url(reader, page) -> str:
    seen = reader.open(page)
    hrefs = [h for h in seen["downloads"] if h.endswith(".ipynb")]
    if not hrefs:
        pytest.skip(f"{page} offers no notebook")
    return urljoin(seen["url"], hrefs[0])


# One worker runs every notebook, so the fresh environment is made once
# (`make site-test` runs the site tests on two workers, --dist loadgroup).
@pytest.mark.xdist_group("fresh-jupyter")
@pytest.mark.parametrize("page", TOC_PAGES)
def test_downloaded_notebook_reruns(reader, fresh_jupyter, page, tmp_path):
    """Downloaded from the page, the notebook runs in a reader's fresh Jupyter (fresh_env.py)."""
    url = notebook_url(reader, page)
    with urllib.request.urlopen(url, timeout=30) as response:
        downloaded = json.loads(response.read())
    path = tmp_path / url.rsplit("/", 1)[-1]
    path.write_text(json.dumps(downloaded))
    done = fresh_jupyter.execute(path, "rerun.ipynb", page)
    assert done.returncode == 0, (
        f"{page}: the downloaded notebook fails in a fresh Jupyter (only "
        f"{', '.join(READER_PACKAGES)} and the wheel {fresh_jupyter.wheel.name}):\n"
        f"{done.stderr[-3000:]}"
    )
    assert fresh_jupyter.has("scratchnn"), f"{page}: ran, but installed no scratchnn"
    assert not fresh_jupyter.installed_package_mismatches(), (
        f"the scratchnn installed by {page}'s first cell is not this checkout's: "
        f"{fresh_jupyter.installed_package_mismatches()}"
    )
    rerun = json.loads((tmp_path / "rerun.ipynb").read_text())

    # The hidden install cell prints pip's output only where it installs.
    def shown(nb):
        return [
            bool(c["outputs"])
            for c in nb["cells"]
            if c["cell_type"] == "code" and "remove-cell" not in c["metadata"].get("tags", [])
        ]

    before, after = shown(downloaded), shown(rerun)
    assert after == before, f"{page}: re-run cells with output differ from the book's"
