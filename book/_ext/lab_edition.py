"""Sphinx extension: the lab edition of the book, whose chapters keep the labs' answers out.

A chapter shows the package's source with ``literalinclude`` and
``:pyobject:``.  Some of those functions are the blanks of a worksheet
(:mod:`scratchnn.lab.sheets`): a class that reads the chapter before the lab
would find the answer on the page.  With ``lab_edition`` on (``make
book-lab``, which builds into ``_build/html-lab``), every such listing keeps
the function's decorators, signature and docstring and shows, in place of
its body, one line naming the worksheet::

    def log_softmax(z: np.ndarray) -> np.ndarray:
        \"\"\"...\"\"\"
        ...  # written in the worksheet softmax

and is followed by a note that links the worksheet.  A listing of a whole
class has the bodies of its worksheet methods cut the same way.  The student
notebooks (never the solutions) are written into ``worksheets/`` of the site,
which the notes link, unless ``lab_worksheets_url`` points elsewhere (a
course's own copy).  The PDF, the full edition, is not linked (:func:`drop_pdf`).

With ``lab_edition`` off (``make book``) the extension changes nothing.
"""

import ast
import textwrap
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.directives.code import LiteralInclude
from sphinx.util import logging

logger = logging.getLogger(__name__)

PACKAGE = "scratchnn"
#: What a cut body becomes; ``{sheet}`` is the worksheet's file name without .ipynb.
BODY = "...  # written in the worksheet {sheet}"


def worksheet_targets() -> dict[str, str]:
    """Every worksheet blank, "module.function" or "module.Class.method", -> its sheet's name."""
    from scratchnn.lab.sheets import SHEETS

    return {e.blank.target: sheet.name for sheet in SHEETS for e in sheet.exercises}


def _cut_lines(func: ast.FunctionDef, sheet: str) -> tuple[int, int, str]:
    """(first, last) 0-based line indices of ``func``'s body after its docstring, and the line."""
    body = func.body
    has_doc = ast.get_docstring(func, clean=False) is not None
    start = body[0].end_lineno if has_doc else body[0].lineno - 1
    rest = body[1:] if has_doc else body
    pad = " " * (rest[0] if rest else body[0]).col_offset
    return start, func.end_lineno, pad + BODY.format(sheet=sheet)


def cut_bodies(source: str, name: str, targets: dict[str, str]) -> tuple[str, list[str]]:
    """``source`` (of the object ``name``, "module.object") with worksheet bodies cut.

    source : the text of one function or class, as ``literalinclude :pyobject:``
        shows it (a method keeps its indentation).
    name : "module.function", "module.Class" or "module.Class.method".
    targets : worksheet blank -> sheet name (:func:`worksheet_targets`).
    Returns the new text and the sheets whose blanks were cut, in order.  Each
    function among ``name`` and a class's methods that is a target keeps its
    decorators, signature and docstring; its body becomes one line, :data:`BODY`.
    Raises ValueError when a target inside ``name`` is not in ``source`` (a
    renamed method would otherwise show its answer).
    """
    lines = textwrap.dedent(source).splitlines()
    indent = len(source.splitlines()[0]) - len(lines[0]) if lines else 0
    tree = ast.parse("\n".join(lines)).body[0]
    cuts, found = [], []

    def visit(node: ast.stmt, qualname: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and qualname in targets:
            cuts.append(_cut_lines(node, targets[qualname]))
            found.append(qualname)
        elif isinstance(node, ast.ClassDef):
            for child in node.body:
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    visit(child, f"{qualname}.{child.name}")

    visit(tree, name)
    missing = [t for t in targets if (t == name or t.startswith(name + ".")) and t not in found]
    if missing:
        raise ValueError(f"worksheet blank {', '.join(missing)} not found in the listing of {name}")
    for first, last, line in sorted(cuts, reverse=True):
        lines[first:last] = [line]
    text = "\n".join(" " * indent + row if row else row for row in lines)
    sheets = list(dict.fromkeys(targets[q] for q in found))
    return text + ("\n" if source.endswith("\n") else ""), sheets


def listed_object(filename: str, pyobject: str) -> str | None:
    """ "module.object" for a listing of the package's ``module.py``, else None."""
    path = Path(filename)
    if path.suffix != ".py" or path.parent.name != PACKAGE:
        return None
    return f"{path.stem}.{pyobject}"


def worksheet_url(config: Config, docname: str, sheet: str) -> str:
    """The address of a student worksheet, relative to the page ``docname`` by default."""
    base = config.lab_worksheets_url or "../" * docname.count("/") + "worksheets/"
    return f"{base.rstrip('/')}/{sheet}.ipynb"


def _note(config: Config, docname: str, sheets: list[str]) -> nodes.admonition:
    titles = _sheet_titles()
    para = nodes.paragraph("", "The missing body is written in the lab, in the worksheet ")
    for i, sheet in enumerate(sheets):
        if i:
            para += nodes.Text(", ")
        para += nodes.emphasis("", titles[sheet])
        para += nodes.Text(" (")
        url = worksheet_url(config, docname, sheet)
        para += nodes.reference("", f"{sheet}.ipynb", refuri=url, internal=False)
        para += nodes.Text(")")
    para += nodes.Text(".")
    return nodes.admonition("", nodes.title("", "In the lab"), para, classes=["lab-worksheet"])


def _sheet_titles() -> dict[str, str]:
    from scratchnn.lab.sheets import SHEETS

    return {sheet.name: sheet.title for sheet in SHEETS}


class LabLiteralInclude(LiteralInclude):
    """``literalinclude``; in the lab edition, with worksheet bodies cut (module docstring)."""

    def run(self) -> list[nodes.Node]:
        result = super().run()
        env = self.state.document.settings.env
        pyobject = self.options.get("pyobject")
        if not env.config.lab_edition or not pyobject:
            return result
        name = listed_object(self.arguments[0], pyobject)
        blocks = [n for r in result for n in r.findall(nodes.literal_block)]
        if name is None or len(blocks) != 1:
            return result
        block = blocks[0]
        try:
            text, sheets = cut_bodies(block.astext(), name, worksheet_targets())
        except ValueError as error:
            logger.warning(str(error), location=block)
            return result
        if not sheets:
            return result
        block.rawsource = text
        block[:] = [nodes.Text(text)]
        return [*result, _note(env.config, self.env.docname, sheets)]


def drop_pdf(app: Sphinx, config: Config) -> None:
    """The lab edition links no PDF: the PDF is the full edition, answers included.

    The download menu loses its PDF button, and the tag ``lab_edition`` is set,
    for a page's ``{only} not lab_edition`` around its own link to the PDF.
    """
    if not config.lab_edition:
        return
    app.tags.add("lab_edition")
    if "editions_pdf" in config:
        config.editions_pdf = ""


def write_worksheets(app: Sphinx, exception: Exception | None) -> None:
    """The student worksheets into ``worksheets/`` of the site, when it links them there."""
    config = app.config
    if exception is not None or not config.lab_edition or config.lab_worksheets_url:
        return
    if app.builder.format != "html":
        return
    import nbformat

    from scratchnn.lab.build import notebook
    from scratchnn.lab.sheets import SHEETS

    folder = Path(app.outdir) / "worksheets"
    folder.mkdir(parents=True, exist_ok=True)
    for sheet in SHEETS:
        nb = notebook(sheet, solutions=False)
        nbformat.validate(nb)
        (folder / f"{sheet.name}.ipynb").write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    logger.info(f"lab_edition: {len(SHEETS)} student worksheets in {folder}")


def setup(app: Sphinx) -> dict:
    app.add_config_value("lab_edition", False, "env", [bool])
    app.add_config_value("lab_worksheets_url", "", "env", [str])
    app.add_directive("literalinclude", LabLiteralInclude, override=True)
    app.connect("config-inited", drop_pdf)
    app.connect("build-finished", write_worksheets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
