"""Sphinx extension: every page of the site valid HTML, as the Nu validator reads it.

The theme (pydata-sphinx-theme 0.17 under sphinx-book-theme 1.3) writes two
things HTML does not allow, and jupyter-book's redirect is not a document:

* the search field's ``autocorrect="off"``, an attribute of Safari's only;
  ``autocomplete``, ``autocapitalize`` and ``spellcheck`` stay;
* the search button's ``aria-label="Search"`` while its visible text reads
  "Search Ctrl+K": a speech-input user who says what they see names no
  control (axe's label-content-name-mismatch).  The button's own text is its
  name once the label goes; the narrow screen's icon-only button keeps it;
* the navigation's toggle of a page with sections (the API reference) is a
  ``<summary>`` holding only an icon: no name for a screen reader (axe's
  summary-name).  It is named after its page: "Sections of API reference";
* the root ``index.html`` that sends a visitor to the first page is one
  ``<meta>`` line: here it is a document with a doctype, a language, a
  title and a link for a browser that does not follow the redirect.

(The theme's icons are fixed where they are drawn, ``theme_icons``: an SVG
has no ``title`` attribute in HTML.)
"""

import html
import re
from pathlib import Path

_AUTOCORRECT = re.compile(r'\s+autocorrect="[^"]*"')
# A search button whose text shows: its aria-label goes, its text names it.
_LABELLED_BUTTON = re.compile(
    r'(<button class="[^"]*search-button__button[^"]*"[^>]*?)\s+aria-label="[^"]*"([^>]*>'
    r"(?:(?!</button>).)*?search-button__default-text)",
    re.S,
)

# A toc entry with sections: its link, then the toggle that opens them.
_TOGGLE = re.compile(
    r'(<a class="[^"]*reference internal" href="[^"]*">([^<]*)</a><details[^>]*>)<summary>'
)

REDIRECT = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<meta http-equiv="Refresh" content="0; url={url}">
<link rel="canonical" href="{url}">
</head>
<body>
<p>The book begins at <a href="{url}">{title}</a>.</p>
</body>
</html>
"""


def fix_page(text: str) -> str:
    """A page's HTML without the theme's invalid attribute, mismatched and missing names."""
    text = _LABELLED_BUTTON.sub(r"\1\2", _AUTOCORRECT.sub("", text))
    return _TOGGLE.sub(
        lambda m: f'{m.group(1)}<summary aria-label="Sections of {m.group(2)}">', text
    )


def redirect(title: str, url: str) -> str:
    """The root page that sends a visitor to ``url``: a valid document."""
    return REDIRECT.format(title=html.escape(title), url=html.escape(url, quote=True))


def _finish_site(app, exception) -> None:
    """The root redirect, written before sphinx-external-toc's own (which keeps an
    existing file), then every page of the site through :func:`fix_page`."""
    if exception is not None or app.builder.name != "html":
        return
    out = Path(app.outdir)
    root = app.config.root_doc
    title = app.config.html_title or app.config.project
    (out / "index.html").write_text(redirect(title, f"{root}.html"), encoding="utf-8")
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = fix_page(text)
        if new != text:
            page.write_text(new, encoding="utf-8")


def setup(app):
    # Priority 400: before sphinx-external-toc's build-finished handler (500).
    app.connect("build-finished", _finish_site, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
