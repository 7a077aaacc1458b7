"""Blanks cut out of the package's own source, in nbgrader's format.

A worksheet's blank is a package function (or method) with its signature
and docstring kept and some of its statements replaced: the instructor's
version wraps them in ``### BEGIN SOLUTION`` / ``### END SOLUTION``, the
student's has, in their place, nbgrader's stub ``raise NotImplementedError()``.
Above each region a comment says what to compute, written from the
statement itself (``delta1 = ...``) and the comments beside it in the
source (``# dL/dz1, the ReLU mask, (N, H)``).  Since everything is read
from the live source with ``inspect`` and ``ast``, a change to the
package function is a change to the worksheet.  Used by
:mod:`scratchnn.lab.build`; nothing here needs nbformat.
"""

import ast
import builtins
import importlib
import inspect
import textwrap
from dataclasses import dataclass

__all__ = ["BEGIN", "END", "STUB", "Blank", "clear_solutions", "imports_for", "solution_code"]

#: The markers around a solution in nbgrader's format.
BEGIN = "### BEGIN SOLUTION"
#: The marker that closes it.
END = "### END SOLUTION"
#: nbgrader's default code stub for Python, which its ClearSolutions puts in each region.
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")


@dataclass(frozen=True)
class Blank:
    """One function of the package with some of its statements blanked.

    target : "module.function" or "module.Class.method" inside scratchnn.
    regions : each a tuple of the names the statements of one region assign
        (``("d_h", "delta1")``), or "return" for a return statement; None
        blanks the whole body after the docstring (and the ``keep`` first
        statements).
    keep : with ``regions=None``, how many statements to leave before the blank.
    """

    target: str
    regions: tuple[tuple[str, ...], ...] | None = None
    keep: int = 0


def resolve(target: str) -> tuple[object, object, object | None]:
    """(module, function, class or None) for "module.function" or "module.Class.method"."""
    parts = target.split(".")
    module = importlib.import_module(f"scratchnn.{parts[0]}")
    owner = getattr(module, parts[1])
    if len(parts) == 2:
        return module, owner, None
    return module, getattr(owner, parts[2]), owner


def _assigned(stmt: ast.stmt) -> set[str]:
    """The names (or "return") a statement assigns, "self.grads" written out."""
    if isinstance(stmt, ast.Return):
        return {"return"}
    targets = getattr(stmt, "targets", None) or [getattr(stmt, "target", None)]
    names = set()
    for target in filter(None, targets):
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                names.add(node.id)
        if isinstance(target, ast.Attribute):
            names.add(ast.unparse(target))
    return names


def _blocks(node: ast.AST):
    """Every list of statements inside ``node`` (bodies of with, if, else, ...)."""
    for child in ast.walk(node):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(child, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block


def _region(func: ast.FunctionDef, names: tuple[str, ...]) -> list[ast.stmt]:
    """The first run of sibling statements that together assign all of ``names``."""
    for block in _blocks(func):
        for start, stmt in enumerate(block):
            if names[0] not in _assigned(stmt):
                continue
            wanted, run = set(names), []
            for later in block[start:]:
                run.append(later)
                wanted -= _assigned(later)
                if not wanted:
                    return run
    raise ValueError(f"no statements assigning {', '.join(names)} in {func.name}")


def _hidden(value: ast.expr) -> list[ast.expr]:
    """The parts of a value a hint writes as ``...``.

    A dict keeps its keys, a lambda its parameters, a tuple its plain names
    (``return dx, dw, ...``), each of its dicts their keys.
    """
    if isinstance(value, ast.Dict):
        return list(value.values)
    if isinstance(value, ast.Tuple):
        return [
            part
            for elt in value.elts
            if not isinstance(elt, ast.Name)
            for part in (elt.values if isinstance(elt, ast.Dict) else [elt])
        ]
    return [n.body for n in ast.walk(value) if isinstance(n, ast.Lambda)] or [value]


def _if_hint(stmt: ast.If, lines: list[str]) -> list[str]:
    """An ``if`` as comment lines: its condition and else as written, each branch's hints."""
    pad = " " * stmt.col_offset

    def branch(block: list[ast.stmt]) -> list[str]:  # "#     loss = ...": one "#" column
        rows = [row for child in block for row in _hint(child, lines)]
        return [pad + "# " + row[len(pad) :].replace("# ", "", 1) for row in rows]

    rows = [pad + "# " + lines[stmt.lineno - 1][len(pad) :], *branch(stmt.body)]
    if stmt.orelse:
        rows += [pad + "# else:", *branch(stmt.orelse)]
    return rows


def _hint(stmt: ast.stmt, lines: list[str]) -> list[str]:
    """The statement with what it computes written as ``...``, as comment lines.

    What stays is said by :func:`_hidden`; an ``if`` keeps its condition;
    comments stay where they are.
    """
    pad = " " * stmt.col_offset
    if isinstance(stmt, ast.If):
        return _if_hint(stmt, lines)
    value = getattr(stmt, "value", None)
    if (
        not isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.Return)
        or value is None
    ):
        return [pad + "# ..."]
    hidden = _hidden(value)
    rows = lines[stmt.lineno - 1 : stmt.end_lineno]
    for node in sorted(hidden, key=lambda n: (n.lineno, n.col_offset), reverse=True):
        i, j = node.lineno - stmt.lineno, node.end_lineno - stmt.lineno
        rows[i : j + 1] = [rows[i][: node.col_offset] + "..." + rows[j][node.end_col_offset :]]
    return [pad + "# " + row[len(pad) :] for row in rows]


def solution_code(blank: Blank) -> str:
    """The function's source with its blanks marked as nbgrader solution regions."""
    module, func, owner = resolve(blank.target)
    source = textwrap.dedent(inspect.getsource(func))
    lines = source.splitlines()
    tree = ast.parse(source).body[0]
    body = tree.body[1:] if ast.get_docstring(tree) is not None else tree.body
    if blank.regions is None:
        regions = [body[blank.keep :]]
    else:
        regions = [_region(tree, ("return",) if r == "return" else r) for r in blank.regions]
    for run in sorted(regions, key=lambda r: r[0].lineno, reverse=True):
        first, last = run[0].lineno - 1, run[-1].end_lineno
        pad = " " * run[0].col_offset
        hints = [row for stmt in run for row in _hint(stmt, lines)]
        lines[first:last] = [*hints, pad + BEGIN, *lines[first:last], pad + END]
    if tree.decorator_list:  # the model contract's checks (scratchnn.model): not the student's
        del lines[tree.decorator_list[0].lineno - 1 : tree.lineno - 1]
    if owner is not None:  # a method: a subclass of the package's class that overrides it
        doc = textwrap.indent(f'"""{inspect.getdoc(owner)}\n"""', "    ")
        base = f"{module.__name__.rsplit('.', 1)[1]}.{owner.__name__}"
        lines = [
            f"class {owner.__name__}({base}):",
            doc,
            "",
            *("    " + r if r else r for r in lines),
        ]
    return "\n".join(lines) + "\n"


def clear_solutions(code: str) -> str:
    """What nbgrader's ClearSolutions makes of ``code``: each region becomes the stub."""
    out, inside = [], False
    for line in code.splitlines():
        if BEGIN in line:
            inside = True
            pad = line[: len(line) - len(line.lstrip())]
            out.extend(pad + row for row in STUB)
        elif END in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out) + "\n"


def _free_names(func_source: str) -> set[str]:
    """Names a function reads but does not bind itself (its module's globals and builtins)."""
    tree = ast.parse(textwrap.dedent(func_source))
    bound, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store) else read).add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.Lambda) and node is not tree.body[0]:
            bound.add(getattr(node, "name", ""))
    return read - bound - set(dir(builtins))


def imports_for(blanks: list[Blank]) -> list[str]:
    """The import lines that make the blanks' free names mean what they mean in the package."""
    lines: dict[str, None] = {}
    for blank in blanks:
        module, func, owner = resolve(blank.target)
        module_tree = ast.parse(inspect.getsource(module))
        imported = {}  # name -> the import line that binds it in the module
        for node in module_tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                source = f"from {node.module} " if isinstance(node, ast.ImportFrom) else ""
                for alias in node.names:
                    line = f"{source}import {alias.name}"
                    line += f" as {alias.asname}" if alias.asname else ""
                    imported[alias.asname or alias.name.split(".")[0]] = line
        if owner is not None:
            lines[f"from scratchnn import {module.__name__.rsplit('.', 1)[1]}"] = None
        for name in sorted(_free_names(inspect.getsource(func))):
            if name in imported:
                lines[imported[name]] = None
            elif hasattr(module, name):
                lines[f"from {module.__name__} import {name}"] = None
    return sorted(lines, key=lambda line: (not line.startswith("import"), line))
