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
    _root, *entries = [e for e in toc_entries() if e.top]  # the API's parts are online only
    # The root page is the PDF's introduction; its title is the book's.
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


# The layout of a book (book/_ext/print_edition.py): front matter, chapters
# numbered as on the site, lettered appendices, the site's numbers throughout.

ROMAN = re.compile(r"[ivxlc]+")


def chapters_and_appendices() -> tuple[list[str], list[str]]:
    entries = [e for e in toc_entries()[1:] if e.top]  # sections are not chapters
    return (
        [e.docname for e in entries if e.part == "Chapters"],
        [e.docname for e in entries if e.part == "Appendices"],
    )


def chapter_pages(reader, docname: str) -> range:
    """The page indices of the chapter (or the introduction) of ``docname``."""
    starts = [
        (squash(item.title), reader.get_destination_page_number(item))
        for item in reader.outline
        if not isinstance(item, list)
    ]
    name = "Introduction" if docname == toc_entries()[0].docname else title(docname)
    at = next(i for i, (mark, _) in enumerate(starts) if mark.endswith(name))
    end = starts[at + 1][1] if at + 1 < len(starts) else len(reader.pages)
    return range(starts[at][1], end)


def site_numbers(site, docname: str) -> list[str]:
    """The exercise, figure and equation numbers the site shows on a page."""
    page = (site / f"{docname}.html").read_text()
    labels = re.findall(r'caption-number">((?:Exercise|Fig\.) [\dA-Z.]+)', page)
    return labels + re.findall(r'class="eqno">(\([\d.]+\))', page)


def contents_text(reader, pages_text) -> str:
    """The text of the table of contents: its pages up to the introduction's."""
    at = next(i for i, text in enumerate(pages_text) if text.startswith("CONTENTS"))
    end = chapter_pages(reader, toc_entries()[0].docname).start
    return " ".join(pages_text[at:end])


def test_contents_number_the_chapters_as_the_site(reader, pages_text):
    chapters, appendices = chapters_and_appendices()
    contents = contents_text(reader, pages_text)
    # The introduction first, unnumbered, on a roman page.
    assert re.match(r"CONTENTS Introduction [ivx]+ ", contents), contents[:200]
    for number, docname in enumerate(chapters, start=1):
        assert f" {number} {title(docname)} " in contents, f"no chapter {number} {docname}"
    for index, docname in enumerate(appendices):
        letter = chr(ord("A") + index)
        assert f" {letter} {title(docname)} " in contents, f"no appendix {letter} {docname}"
    assert f" 1 {title('book/linear_regression')} 1 " in contents


def test_front_matter_in_roman_pages_chapter_1_on_page_1(reader, pages_text):
    chapters, _ = chapters_and_appendices()
    first = chapter_pages(reader, chapters[0]).start
    assert reader.page_labels[first] == "1"
    front = [reader.page_labels[i] for i in range(1, first)]
    assert front and all(ROMAN.fullmatch(label) for label in front), front
    intro = chapter_pages(reader, toc_entries()[0].docname)
    assert intro.start < first and pages_text[intro.start].startswith("INTRODUCTION")


def test_the_title_page_has_the_date_and_the_license(pages_text):
    assert "MIT license" in pages_text[0] and "LICENSE" in pages_text[0]
    assert re.search(r"20\d\d", pages_text[0]), pages_text[0]


def test_chapters_and_appendices_open_with_their_number(reader, pages_text):
    chapters, appendices = chapters_and_appendices()
    for docname in chapters + appendices:
        opening = pages_text[chapter_pages(reader, docname).start]
        kind = "CHAPTER" if docname in chapters else "APPENDIX"
        assert opening.startswith(kind), f"{docname}: {opening[:80]!r}"
    first_appendix = pages_text[chapter_pages(reader, appendices[0]).start]
    assert first_appendix.startswith("APPENDIX A "), first_appendix[:80]


def test_chapters_open_on_any_page(reader):
    # The screen edition is one-sided: a chapter opens on the next page, odd or
    # even, where a two-sided book (make pdf SIDES=2) leaves a blank page to
    # open every chapter on an odd one.
    chapters, appendices = chapters_and_appendices()
    opening = [
        int(reader.page_labels[chapter_pages(reader, d).start]) for d in chapters + appendices
    ]
    assert any(page % 2 == 0 for page in opening), f"every chapter opens on an odd page: {opening}"


@pytest.mark.parametrize("docname", [e.docname for e in toc_entries() if e.top])
def test_every_number_of_the_site_in_its_chapter(reader, pages_text, site, docname):
    """Each exercise, figure and equation number of a page, in its PDF chapter."""
    wanted = site_numbers(site, docname)
    text = " ".join(pages_text[i] for i in chapter_pages(reader, docname))
    missing = [number for number in wanted if number not in text]
    assert not missing, f"{docname}: not in its PDF pages: {missing}"
    if docname in chapters_and_appendices()[0]:
        number = chapters_and_appendices()[0].index(docname) + 1
        assert f"Exercise {number}.1" in wanted, f"the site has no Exercise {number}.1"
