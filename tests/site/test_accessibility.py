"""axe-core on every page, in both colour modes: no WCAG 2 A/AA violation in the
book's own content (the page's <article>).  Violations outside it come from the
theme (navigation bars, sidebars, buttons); they are reported, not failed on."""

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
    for line in theme:
        print(f"theme, {mode}: {page}: {line}")
    assert content == [], f"{page} ({mode}): WCAG 2 A/AA violations in the book's content:\n" + (
        "\n".join(content)
    )
