"""Sphinx extension: pages that stay light on a phone.

The theme draws its dozen icons with Font Awesome's script (1.5 MB, run on
every page before the icons appear) and copies source maps, translations and
icon fonts that no page of this book uses.  This extension, once the HTML is
written:

1. replaces every Font Awesome placeholder (``<i class="fa-solid fa-bars">``)
   by the icon itself, an inline SVG whose path comes from the theme's own
   copy of Font Awesome, removes the script, and keeps of its fonts only
   the glyphs the stylesheets use (see theme_icons);
2. gives every image its width and height (no layout shift while it loads)
   and lazy loading, except the first of a page (often its largest paint);
3. defers the scripts that can wait until the page is parsed, and links the
   search index from the search page only;
4. deletes the static files no page uses (source maps, Font Awesome, the
   theme's translations and template macros);

and, while each page is written, gives it a description (its first
paragraph, for search engines and link previews) and removes the duplicate
``id``s that sphinx-exercise gives every exercise (``exercise-content``,
``solution-content``).
"""

import html
import re
import shutil
import struct
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from theme_icons import icon_table, inline_icons, subset_fonts

logger = logging.getLogger(__name__)

_FA_SCRIPT = re.compile(r"<script[^>]*fontawesome[^>]*></script>\s*")
_IMG = re.compile(r'<img (?![^>]*\bwidth=)([^>]*?)src="([^"]+)"([^>]*?)/?>')
# Scripts that nothing inline calls while the page is parsed: they can wait
# until it is (``defer`` keeps their order).
_DEFERRABLE = re.compile(
    r'<script (?=[^>]*src="[^"]*(?:doctools|sphinx_highlight|clipboard\.min|copybutton|'
    r"sphinx-book-theme|togglebutton|design-tabs)\.js)(?![^>]*\b(?:defer|async)\b)"
)
# The search page's index and its code, which the theme links from every page.
_SEARCH_ONLY = re.compile(
    r'<script src="[^"]*(?:searchtools|language_data|searchindex)\.js[^"]*"></script>\s*'
)
# The theme's Jinja macros are copied with its static files, but no page loads them.
_UNUSED = ["scripts/fontawesome.js*", "locales", "**/*.map", "*webpack-macros.html"]


def _image_size(path: Path) -> tuple[int, int] | None:
    """Width and height in pixels of a PNG, or of an SVG from its viewBox."""
    try:
        head = path.read_bytes()[:4096]
    except OSError:
        return None
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack(">II", head[16:24])
    box = re.search(rb'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)', head)
    return (round(float(box.group(1))), round(float(box.group(2)))) if box else None


def _sized_images(text: str, page: Path) -> str:
    """Every <img> sized; lazy but for the article's first (often the largest paint)."""
    article = text.find("<article")
    first_in_article = True

    def add(match: re.Match) -> str:
        nonlocal first_in_article
        before, src, after = match.groups()
        size = _image_size((page.parent / src.split("?")[0]).resolve())
        attrs = f' width="{size[0]}" height="{size[1]}"' if size else ""
        eager = first_in_article and match.start() > article >= 0
        first_in_article = first_in_article and not eager
        lazy = "" if eager else ' loading="lazy"'
        return f'<img {before}src="{src}"{after}{attrs}{lazy} decoding="async" />'

    return _IMG.sub(add, text)


def lighten_site(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    script = out / "_static" / "scripts" / "fontawesome.js"
    icons = icon_table(script.read_text(encoding="utf-8")) if script.is_file() else {}
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = _FA_SCRIPT.sub("", inline_icons(text, icons))
        new = _sized_images(new, page)
        if page.name != "search.html":  # its search code needs the others at once
            new = _SEARCH_ONLY.sub("", _DEFERRABLE.sub("<script defer ", new))
        if new != text:
            page.write_text(new, encoding="utf-8")
    for pattern in _UNUSED:
        for path in (out / "_static").glob(pattern):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    subset_fonts(out / "_static")


def _description(doctree: nodes.document | None, title: str) -> str:
    text = ""
    if doctree is not None:
        for para in doctree.findall(nodes.paragraph):
            text = " ".join(para.astext().split())
            if len(text) > 40:
                break
    text = text or title
    return text if len(text) <= 160 else text[:157].rsplit(" ", 1)[0] + "..."


def page_details(app, pagename, templatename, context, doctree) -> None:
    title = re.sub(r"<[^>]+>", "", context.get("title") or "")
    description = html.escape(_description(doctree, html.unescape(title)), quote=True)
    context["metatags"] = context.get("metatags", "") + (
        f'\n<meta name="description" content="{description}" />'
    )
    if "body" in context:
        body = context["body"]
        for name in ("exercise-content", "solution-content"):
            body = body.replace(f'<section id="{name}">', f'<section class="{name}">')
        context["body"] = body


def setup(app: Sphinx) -> dict[str, object]:
    app.add_css_file("icons.css")
    app.connect("html-page-context", page_details, priority=800)
    app.connect("build-finished", lighten_site)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
