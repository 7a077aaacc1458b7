"""axe-core on every page, in both colour modes: no WCAG 2 A/AA violation, in the
book's own content (the page's <article>) or in the theme around it (navigation
bars, sidebars, buttons), whose markup book/_ext/valid_html.py repairs where it
falls short.  Every violation seen is also written to
_build/site-screenshots/axe-violations-*.txt."""

import pytest


def split(axe: dict) -> tuple[list[str], list[str]]:
    """(violations in the book's content, violations in the theme), one line per node."""
    assert "error" not in axe, axe
    content, theme = [], []
    for violation in axe["violations"]:
        for node in violation["nodes"]:
            line = (
                f"{violation['id']} ({violation['impact']}): {node['target']}: {node['html']}"
                f" -- {node['why']}"
            )
            (content if node["in_article"] else theme).append(line)
    return content, theme


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_no_accessibility_violations_in_the_content(reader, page, mode):
    content, theme = split(reader.open(page, mode)["axe"])
    assert content == [], f"{page} ({mode}): WCAG 2 A/AA violations in the book's content:\n" + (
        "\n".join(content)
    )
    assert theme == [], f"{page} ({mode}): WCAG 2 A/AA violations in the theme:\n" + (
        "\n".join(theme)
    )


def test_every_control_is_named_by_the_words_it_shows(reader, page):
    """The whole page, theme included: a control's accessible name contains its visible
    text (axe's label-content-name-mismatch), so a speech-input user who says the
    search button's words ("Search") reaches it."""
    axe = reader.open(page, "light")["axe"]
    mismatched = [
        f"{node['html']} -- {node['why']}"
        for violation in axe["violations"]
        if violation["id"] == "label-content-name-mismatch"
        for node in violation["nodes"]
    ]
    assert mismatched == [], f"{page}: accessible name without the visible text:\n" + "\n".join(
        mismatched
    )
