"""The PDF edition (``make pdf``), read back: every page of the book in order, every
reference resolved, every character typeset, every figure there.

The PDF is ``_build/latex/scratchnn-book.pdf`` beside the site (or
``SCRATCHNN_PDF``); its LaTeX log beside it.  Its page count, size and image
count are written to ``_build/pdf-report.txt``.
"""

import os
import re
from pathlib import Path

import pytest
from book_site import REQUIRED, SITE_DIR, toc_entries

PDF = Path(os.environ.get("SCRATCHNN_PDF", SITE_DIR.parent / "latex" / "scratchnn-book.pdf"))
LOG = PDF.with_suffix(".log")
REPO = Path(__file__).resolve().parents[2]


def squash(text: str) -> str:
    """Text without the line breaks, hyphenation and spacing a PDF adds."""
    return re.sub(r"\s+", " ", text.replace("-\n", "")).strip()


def title(docname: str) -> str:
    text = re.sub(r"^```.*?^```", "", (REPO / f"{docname}.md").read_text(), flags=re.S | re.M)
    return squash(re.search(r"^# (.+)$", text, re.M).group(1).replace("`", ""))


@pytest.fixture(scope="module")
def reader(site):
    if not PDF.is_file():
        message = f"no PDF edition at {PDF} (run `make pdf-deps pdf`)"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    from pypdf import PdfReader

    return PdfReader(PDF)


@pytest.fixture(scope="module")
def pages_text(reader) -> list[str]:
    return [squash(page.extract_text() or "") for page in reader.pages]


def outline_titles(reader) -> list[tuple[str, int]]:
    """The PDF's bookmarks, flattened in order: (title, page index)."""
    found = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.append((squash(item.title), reader.get_destination_page_number(item)))

    walk(reader.outline)
    return found


def test_every_page_of_the_book_in_order(reader, pages_text):
    _root, *entries = toc_entries()
    # The root page's sections are the PDF's first chapters; its title is the book's.
    # A title's large type comes out of pdftotext without its spaces.
    first_page = "".join(pages_text[0].split())
    assert "fromscratch" in first_page, f"no book title on the first page: {pages_text[0]!r}"
    wanted = [title(e.docname) for e in entries]
    marks = outline_titles(reader)
    at = []
    for name in wanted:
        hits = [i for i, (mark, _) in enumerate(marks) if mark.endswith(name)]
        assert hits, f"{name!r} is not in the PDF's outline: {[m for m, _ in marks]}"
        at.append(hits[0])
        page = marks[hits[0]][1]
        # Chapter headings are set in capitals, and pdftotext drops their spaces.
        heading = "".join(name.split(":")[0].split()).casefold()
        text = "".join(pages_text[page].split()).casefold()
        assert heading in text, f"{name!r} not on its page {page + 1}"
    assert at == sorted(at), f"chapters out of order in the PDF: {wanted}"


def test_no_unresolved_reference(pages_text):
    unresolved = [i + 1 for i, text in enumerate(pages_text) if "??" in text]
    assert not unresolved, f"'??' (an unresolved reference) on pages {unresolved}"


def test_every_character_and_reference_typeset_in_the_log(reader):
    log = LOG.read_text(errors="replace")
    missing = sorted(set(re.findall(r"Missing character: There is no .*", log)))
    assert not missing, "\n".join(missing[:20])
    undefined = sorted(set(re.findall(r"LaTeX Warning: (?:Reference|Citation) .* undefined", log)))
    assert not undefined, "\n".join(undefined[:20])


def test_every_figure_of_the_site_is_in_the_pdf(reader, site):
    figures = [p for p in (site / "_images").iterdir() if p.suffix in {".png", ".svg", ".jpg"}]
    images = sum(len(page.images) for page in reader.pages)
    size = PDF.stat().st_size
    report = (
        f"{PDF.name}: {len(reader.pages)} pages, {size / 1e6:.2f} MB, "
        f"{images} images (the site has {len(figures)} figures)\n"
    )
    (SITE_DIR.parent / "pdf-report.txt").write_text(report)
    print(report)
    assert images >= len(figures), report


def test_the_site_offers_the_pdf(site):
    assert (site / PDF.name).is_file(), f"{PDF.name} is not in the site (make pdf copies it)"
    assert (site / PDF.name).read_bytes() == PDF.read_bytes(), "the site's PDF is an older one"
