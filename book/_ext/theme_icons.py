"""The theme's Font Awesome icons without Font Awesome (used by light_pages).

* :func:`inline_icons` turns the placeholders the templates write
  (``<i class="fa-solid fa-bars"></i>``) into inline SVG, with the paths read
  from the theme's own copy of Font Awesome's script, so no page runs it.
* :func:`subset_fonts` keeps, of Font Awesome's three web fonts, only the
  glyphs the stylesheets draw with CSS (admonition and breadcrumb icons,
  the external-link arrow, ...), and removes the rules for the two thousand
  icons no page uses.
"""

import re
from pathlib import Path

PACKS = {"fab": "fa-brands", "far": "fa-regular", "fas": "fa-solid"}
_NOT_ICONS = {*PACKS, *PACKS.values(), "fa-lg", "fa-fw", "fa-xs", "fa-sm", "fa-2x", "fa-spin"}
_PLACEHOLDER = re.compile(r'<(i|span) class="([^"]*\bfa[a-z-]*[^"]*)"([^>]*)>\s*</\1>')
_ENTRY = re.compile(r'[{,]"?([a-z0-9-]+)"?:\[(\d+),(\d+),\[[^\]]*\],"[^"]*",("[^"]*"|\[[^\]]*\])\]')
_FA_RULE = re.compile(r"(?<=[{}])(?:\.fa[-\w]*(?::before|:after)?,?)+\{[^{}]*\}")
# A glyph in a CSS string: an escape ("\\f05a") or the private-use character itself.
_GLYPH = re.compile(r'"(?:\\([ef][0-9a-f]{3})|([\ue000-\uf8ff]))"')
_TITLE = re.compile(r'\s+title="([^"]*)"')
_FONTS = {"fa-solid-900": "solid", "fa-regular-400": "regular", "fa-brands-400": "brands"}


def icon_table(script: str) -> dict[tuple[str, str], tuple[int, int, str]]:
    """(pack, name) -> (width, height, SVG path) for every icon of Font Awesome's script.

    Each pack is a block of ``name:[width,height,[aliases],"code","path"]``
    entries closed by the call that registers it, ``d("fab",p)``.
    """
    ends = {
        m.group(1): m.start() for m in re.finditer(r'\(function\(\)\{\w+\("(fa[brs])",', script)
    }
    table, start = {}, 0
    for pack, end in sorted(ends.items(), key=lambda item: item[1]):
        for m in _ENTRY.finditer(script, start, end):
            path = m.group(4).strip('"[]').split('","')[-1]
            table.setdefault((pack, m.group(1)), (int(m.group(2)), int(m.group(3)), path))
        start = end
    return table


def _svg(match: re.Match, icons: dict) -> str:
    classes = match.group(2).split()
    pack = next((p for p, long in PACKS.items() if p in classes or long in classes), "fas")
    names = [c[3:] for c in classes if c.startswith("fa-") and c not in _NOT_ICONS]
    found = [icons[(pack, n)] for n in names if (pack, n) in icons]
    if not found:
        return match.group(0)
    width, height, path = found[0]
    keep = " ".join(c for c in classes if c not in PACKS and c not in PACKS.values())
    # HTML allows an <svg> no title attribute.  Its valid form, a <title> child,
    # would be text inside the control that holds the icon: the colour-mode
    # button would show "Light" while it is named "Color mode" (axe's
    # label-content-name-mismatch).  The icons are hidden from assistive
    # technology and each button has its own tooltip, so the title goes.
    attributes = _TITLE.sub("", match.group(3))
    return (
        f'<svg class="svg-inline--fa {keep}"{attributes} aria-hidden="true" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">'
        f'<path fill="currentColor" d="{path}"/></svg>'
    )


def inline_icons(text: str, icons: dict) -> str:
    """``text`` (a page's HTML) with every Font Awesome placeholder drawn as SVG."""
    return _PLACEHOLDER.sub(lambda m: _svg(m, icons), text)


def subset_fonts(static: Path) -> None:
    """Shrink Font Awesome's fonts and rules in ``static`` (a site's _static folder) in place."""
    from fontTools import subset

    sheets = [p for p in static.rglob("*.css") if p.is_file()]
    texts = {p: p.read_text(encoding="utf-8") for p in sheets}
    for path, text in texts.items():
        texts[path] = _FA_RULE.sub("", text)
    used = {
        int(code, 16) if code else ord(char)
        for text in texts.values()
        for code, char in _GLYPH.findall(text)
    }
    webfonts = static / "vendor" / "fontawesome" / "webfonts"
    for stem, short in _FONTS.items():
        source = webfonts / f"{stem}.ttf"
        if not source.is_file():
            continue
        font = subset.load_font(str(source), subset.Options())
        options = subset.Options()
        options.flavor = "woff"
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=used)
        subsetter.subset(font)
        subset.save_font(font, str(webfonts / f"{short}-used.woff"), options)
    pattern = re.compile(r"url\(([^)]*?)(fa-(?:solid-900|regular-400|brands-400))\.woff2\)[^;}]*")
    for path, text in texts.items():
        text = pattern.sub(
            lambda m: f'url({m.group(1)}{_FONTS[m.group(2)]}-used.woff) format("woff")', text
        )
        path.write_text(text, encoding="utf-8")
    for path in webfonts.glob("fa-*"):
        path.unlink()
