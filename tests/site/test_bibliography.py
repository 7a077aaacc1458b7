"""The references page lists every work in book/references.bib, and every
citation in the book links to an entry on it."""

import re

from book_site import REPO, discover_pages, strip_tags

BIBLIOGRAPHY = "book/bibliography.html"


def bib_titles() -> dict[str, str]:
    """Key -> title (lower case, without braces or TeX accents) of each entry."""
    text = (REPO / "book" / "references.bib").read_text()
    entries = re.findall(r"@\w+\{([^,]+),(.*?)\n\}", text, flags=re.DOTALL)
    titles = {}
    for key, body in entries:
        title = re.search(r"\btitle\s*=\s*\{(.*)\},?\s*$", body, flags=re.MULTILINE).group(1)
        titles[key] = re.sub(r"[{}]|\\\W", "", title).lower()
    return titles


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).lower()


def test_every_work_is_listed(site):
    page = normalise(strip_tags((site / BIBLIOGRAPHY).read_text()))
    missing = [key for key, title in bib_titles().items() if normalise(title) not in page]
    assert missing == [], f"not on {BIBLIOGRAPHY} (cited nowhere?): {missing}"


def test_every_citation_links_to_an_entry(site):
    anchors = set(
        re.findall(r'<div class="citation" id="([^"]+)"', (site / BIBLIOGRAPHY).read_text())
    )
    assert anchors, f"{BIBLIOGRAPHY} lists no works"
    dangling = []
    for page in discover_pages():
        for target in re.findall(
            r'href="[^"#]*bibliography\.html#([^"]+)"', (site / page).read_text()
        ):
            if target not in anchors:
                dangling.append(f"{page}: #{target}")
    assert dangling == [], f"citations with no entry: {dangling}"
