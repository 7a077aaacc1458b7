"""Sphinx extension: every equation typeset at build time, as MathML.

The reader's browser then needs no math script at all: Chromium, Firefox and
Safari render MathML themselves, screen readers read it, and a page with
fifty equations costs no more main-thread time than one with none.  The TeX
of each equation is converted by ``latex2mathml`` (pure Python) when the page
is written; a formula it cannot convert is a build warning, so the strict
build stops on it instead of showing raw TeX.

Equation numbers stay Sphinx's own (``(3.2)`` with a link), so ``{eq}``
references are unchanged.  Display equations sit in a box that scrolls
sideways when one is wider than the screen (``book/_static/math.css``).

``latex2mathml`` reads ``split`` but not ``aligned``, and numbers ``align``
rows itself; both are rewritten to ``split`` before conversion, the way
Sphinx itself wraps multi-line display math.
"""

import functools
import re

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.application import Sphinx
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)

_ENVIRONMENTS = re.compile(r"\\(begin|end)\{(?:aligned|align\*?|gather\*?|equation\*?)\}")


@functools.lru_cache(maxsize=4096)
def to_mathml(tex: str, display: bool) -> str:
    """MathML for the TeX ``tex``; raises ValueError when it cannot be converted."""
    tex = _ENVIRONMENTS.sub(lambda m: f"\\{m.group(1)}{{split}}", tex.strip())
    if display and r"\\" in tex and r"\begin{split}" not in tex:
        tex = r"\begin{split}" + tex + r"\end{split}"
    try:
        return convert(tex, display="block" if display else "inline")
    except Exception as err:  # latex2mathml raises many kinds for bad input
        raise ValueError(f"cannot typeset {tex!r}: {err}") from err


def _render(tex: str, display: bool, node: nodes.Element) -> str | None:
    """MathML for ``tex``, or None after a build warning located at ``node``."""
    try:
        return to_mathml(tex, display)
    except ValueError as err:
        logger.warning(str(err), location=node)
        return None


def visit_math(self, node: nodes.math) -> None:
    mathml = _render(node.astext(), False, node)
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate"))
    self.body.append((mathml or self.encode(node.astext())) + "</span>")
    raise nodes.SkipNode


def visit_displaymath(self, node: nodes.math_block) -> None:
    parts = [p for p in node.astext().split("\n\n") if p.strip()]
    # tabindex: an equation wider than the screen scrolls, and a reader without
    # a mouse must be able to reach it to scroll it.
    self.body.append(
        self.starttag(node, "div", CLASS="math notranslate math-display", tabindex="0")
    )
    if node["number"]:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    for part in parts:
        mathml = _render(part, True, node)
        self.body.append(mathml or f"<pre>{self.encode(part)}</pre>")
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, object]:
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))
    app.add_css_file("math.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
