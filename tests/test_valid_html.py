"""The fixes that make the theme's markup valid HTML (book/_ext/valid_html.py, theme_icons.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))

from theme_icons import inline_icons
from valid_html import fix_page, redirect

SEARCH_FIELD = (
    '<input type="search" class="form-control" name="q" aria-label="Search this book..."\n'
    '         autocomplete="off"\n         autocorrect="off"\n         autocapitalize="off"/>'
)
WIDE_BUTTON = (
    '<button class="btn search-button-field search-button__button pst-js-only" title="Search" '
    'aria-label="Search" data-bs-toggle="tooltip">\n <svg aria-hidden="true"></svg>\n'
    ' <span class="search-button__default-text">Search</span>\n'
    ' <span class="search-button__kbd-shortcut"><kbd>Ctrl</kbd>+<kbd>K</kbd></span>\n</button>'
)
ICON_BUTTON = (
    '<button class="btn btn-sm pst-navbar-icon search-button search-button__button pst-js-only" '
    'title="Search" aria-label="Search">\n <i class="fa-solid fa-magnifying-glass"></i>\n</button>'
)


def test_autocorrect_goes_and_the_other_attributes_stay():
    fixed = fix_page(SEARCH_FIELD)
    assert "autocorrect" not in fixed
    assert 'autocomplete="off"' in fixed and 'autocapitalize="off"' in fixed


def test_a_button_whose_text_shows_loses_its_label_and_an_icon_button_keeps_it():
    fixed = fix_page(WIDE_BUTTON + "\n" + ICON_BUTTON)
    wide, icon = fixed.split("\n<button")
    assert "aria-label" not in wide and 'title="Search"' in wide
    assert 'aria-label="Search"' in icon


def test_the_redirect_is_a_document_with_a_title_and_a_link():
    page = redirect("A & B", "book/intro.html")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<title>A &amp; B</title>" in page
    assert '<meta http-equiv="Refresh" content="0; url=book/intro.html">' in page
    assert '<a href="book/intro.html">A &amp; B</a>' in page


def test_an_icon_loses_its_title_attribute_and_gains_no_text():
    icons = {("fas", "sun"): (512, 512, "M0 0")}
    svg = inline_icons('<i class="fa-solid fa-sun" data-mode="light" title="Light"></i>', icons)
    assert svg.startswith('<svg class="svg-inline--fa fa-sun" data-mode="light" aria-hidden="true"')
    assert 'title="' not in svg
    assert svg.endswith('viewBox="0 0 512 512"><path fill="currentColor" d="M0 0"/></svg>')


def test_a_toggle_of_sections_is_named_after_its_page():
    toc = (
        '<li class="toctree-l1 has-children"><a class="reference internal" href="api.html">'
        'API reference</a><details><summary><span class="toctree-toggle"></span></summary>'
    )
    assert '<details><summary aria-label="Sections of API reference">' in fix_page(toc)
    current = toc.replace('class="reference', 'class="current reference').replace(
        "<details>", '<details open="open">'
    )
    assert '<summary aria-label="Sections of API reference">' in fix_page(current)
