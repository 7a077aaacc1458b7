"""The API reference appendix (book/appendix/api*.md): docstrings as the package writes them.

The package's docstrings follow one house style, readable in a terminal:
sections headed by a word over dashes ("Parameters", "Returns",
"Attributes", "Raises") and entries ``name : what it is, with its shape``
whose continuation lines are indented.  Sphinx's autodoc reads docstrings
as reStructuredText, where a dashed heading inside a function is an error
and an entry is a paragraph.  :func:`house_to_rst` turns the one into the
other before autodoc parses it: a heading becomes a rubric, an entry a
definition-list item whose term is the name in code.  Nothing is read as a
type, so a shape such as ``(N, D)`` is never a cross-reference to resolve.

The second half links the chapters to the appendix: in every chapter, the
first inline-code mention of a public name (``train.sgd``, ``sgd(...)``,
``scratchnn.conv.conv2d``) becomes a link to its entry.  A bare name links
only when one module's ``__all__`` holds it (``forward`` is in many).
"""

import functools
import importlib
import pkgutil
import re

from docutils import nodes
from sphinx import addnodes
from sphinx.ext.autodoc import AttributeDocumenter, DataDocumenter
from sphinx.util.inspect import object_description

#: The longest value shown after a constant's name; a longer one (a table of
#: targets, a dict of settings) is left to its docstring and the source.
MAX_VALUE = 80

_HEADING_RULE = re.compile(r"^\s*-{3,}\s*$")
_ENTRY = re.compile(
    r"^(?P<indent>\s*)(?:(?P<name>[\w*\[\]'\"(),. -]{1,80}?) :|(?P<word>\w+):)(?: (?P<text>\S.*))?$"
)
_MENTION = re.compile(r"^(?:scratchnn\.)?(?P<name>[A-Za-z_][\w.]*?)(?:\(.*\))?$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def house_to_rst(lines: list[str]) -> list[str]:
    """The house-style docstring ``lines`` (one string per line) as reStructuredText lines."""
    out: list[str] = []
    item_indent = None  # the indentation of the entry whose definition is open
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if _HEADING_RULE.match(line):
            continue
        blank = not line.strip()
        in_list = item_indent is not None
        if item_indent is not None and not blank and _indent(line) <= item_indent:
            if not _ENTRY.match(line) or _indent(line) < item_indent:
                out.append("")
            item_indent = None
        if line.strip() and _HEADING_RULE.match(following) and len(line.strip()) < 40:
            out += ["", f"{' ' * _indent(line)}.. rubric:: {line.strip()}", ""]
            continue
        continuation = in_list and item_indent is not None and _indent(line) > item_indent
        # The summary line ("Layers: the same equations as ...") is never an entry.
        entry = None if continuation or i == 0 else _ENTRY.match(line)
        opens_list = not out or not out[-1].strip() or in_list
        if entry and opens_list and "``" not in (entry["name"] or ""):
            pad = entry["indent"]
            out.append(f"{pad}``{(entry['name'] or entry['word']).strip()}``")
            if entry["text"]:
                out.append(f"{pad}    {entry['text']}")
            item_indent = len(pad)
            continue
        if item_indent is not None and blank:
            item_indent = None
        out.append(line)
    return out


def _escape_bars(line: str) -> str:
    """``|x|`` outside inline code is an absolute value, not a substitution."""
    parts = line.split("``")
    return "``".join(p if i % 2 else p.replace("|", "\\|") for i, p in enumerate(parts))


def _process_docstring(app, what, name, obj, options, lines: list[str]) -> None:
    lines[:] = [_escape_bars(line) for line in house_to_rst(lines)]


def _long(value: object) -> bool:
    try:
        return len(object_description(value)) > MAX_VALUE
    except Exception:
        return True


class ShortDataDocumenter(DataDocumenter):
    """A module constant, with its value only when the value is short."""

    def should_suppress_value_header(self) -> bool:
        return super().should_suppress_value_header() or _long(self.object)


class ShortAttributeDocumenter(AttributeDocumenter):
    """A class attribute, with its value only when the value is short."""

    def should_suppress_value_header(self) -> bool:
        return super().should_suppress_value_header() or _long(self.object)


@functools.cache
def public_names(package: str = "scratchnn") -> dict[str, list[str]]:
    """Every public name of the package: ``name`` -> the modules whose ``__all__`` holds it."""
    found: dict[str, list[str]] = {}
    root = importlib.import_module(package)
    modules = [package] + [m.name for m in pkgutil.walk_packages(root.__path__, f"{package}.")]
    for module in modules:
        for name in getattr(importlib.import_module(module), "__all__", ()):
            found.setdefault(name, []).append(module)
    return found


def _target(text: str, names: dict[str, list[str]]) -> str | None:
    """The full dotted name an inline-code ``text`` mentions, or None."""
    match = _MENTION.match(text.strip())
    if match is None:
        return None
    *module, name = match["name"].split(".")
    owners = names.get(name, [])
    if module:
        qualified = "scratchnn." + ".".join(module)
        return f"{qualified}.{name}" if qualified in owners else None
    return f"{owners[0]}.{name}" if len(owners) == 1 else None


def _link_first_mentions(app, doctree) -> None:
    """Wrap each chapter's first inline-code mention of a public name in a link to its entry."""
    docname = app.env.docname
    if docname.startswith(app.config.api_docs_pages) or not docname.startswith("book/"):
        return
    names = public_names()
    seen: set[str] = set()
    for literal in list(doctree.findall(nodes.literal)):
        if isinstance(literal.parent, (nodes.reference, addnodes.pending_xref, nodes.title)):
            continue
        if "code" in literal.get("classes", []) and literal.get("language"):
            continue
        target = _target(literal.astext(), names)
        if target is None or target in seen:
            continue
        seen.add(target)
        xref = addnodes.pending_xref(
            "",
            refdomain="py",
            reftype="obj",
            reftarget=target,
            refdoc=docname,
            refexplicit=True,
            refwarn=True,
        )
        literal.replace_self(xref)
        xref += literal


def setup(app):
    app.setup_extension("sphinx.ext.autodoc")
    app.add_autodocumenter(ShortDataDocumenter, override=True)
    app.add_autodocumenter(ShortAttributeDocumenter, override=True)
    # A first line such as "softmax(z)_k = ... -> same." is prose, not a signature.
    app.config.autodoc_docstring_signature = False
    # The reference's own pages (book/appendix/api*.md) link nothing.
    app.add_config_value("api_docs_pages", "book/appendix/api", "env")
    app.connect("autodoc-process-docstring", _process_docstring)
    app.connect("doctree-read", _link_first_mentions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
