"""The chapters link to the API reference (book/_ext/api_docs.py): the first inline
mention of a public name in a chapter's prose is a link to its entry, and every
such link lands on an entry that exists."""

import re

from book_site import SITE_DIR, toc_entries

CHAPTERS = [e.docname + ".html" for e in toc_entries() if e.part == "Chapters"]
_LINK = re.compile(r'href="((?:\.\./)*(?:appendix/)?api[\w]*\.html)#([\w.]+)"')


def test_every_chapter_links_its_functions_to_entries_that_exist(site):
    targets = {}
    for chapter in CHAPTERS:
        page = SITE_DIR / chapter
        links = _LINK.findall(page.read_text())
        assert links, f"{chapter} links no function to the API reference"
        for href, anchor in links:
            api = (page.parent / href).resolve()
            ids = targets.setdefault(api, set(re.findall(r'id="([^"]+)"', api.read_text())))
            assert anchor in ids, f"{chapter}: {href}#{anchor} is no entry"
        # each name once: the first mention only
        anchors = [anchor for _, anchor in links]
        assert len(anchors) == len(set(anchors)), f"{chapter} links a name twice"
