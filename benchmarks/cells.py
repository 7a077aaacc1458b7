"""Which cells make a chapter slow: ``python -m benchmarks.cells book/<chapter>.md``.

Executes the chapter as the book build does (a fresh kernel, the chapter's
folder as working directory) and prints the slowest code cells with their
seconds and first line: the place to look when benchmark 5 finds a chapter
that takes far longer in the book than its own ``python -m`` program.
"""

import argparse
import sys
from datetime import datetime
from pathlib import Path

import nbclient
from myst_nb.core.read import read_myst_markdown_notebook


def cell_seconds(path: Path, timeout: int = 600) -> list[tuple[float, int, str]]:
    """(seconds, cell number, first line) of every code cell of the chapter at ``path``."""
    notebook = read_myst_markdown_notebook(path.read_text())
    client = nbclient.NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    rows = []
    for number, cell in enumerate(c for c in notebook.cells if c.cell_type == "code"):
        stamps = cell.metadata.get("execution", {})
        began, ended = stamps.get("iopub.execute_input"), stamps.get("shell.execute_reply")
        if began and ended:
            seconds = (
                datetime.fromisoformat(ended) - datetime.fromisoformat(began)
            ).total_seconds()
            lines = [
                line
                for line in cell.source.splitlines()
                if line and not line.startswith(("%", "#", "---", " "))
            ]
            rows.append((seconds, number, lines[0] if lines else ""))
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.cells", description=__doc__.splitlines()[0]
    )
    p.add_argument("chapter", type=Path, help="a chapter's .md file")
    p.add_argument("--top", type=int, default=8, help="how many cells to show")
    args = p.parse_args(argv)
    if not args.chapter.is_file():
        p.error(f"no file {args.chapter}")
    rows = cell_seconds(args.chapter.resolve())
    total = sum(r[0] for r in rows)
    print(f"{args.chapter}: {len(rows)} code cells, {total:.1f} s in all")
    for seconds, number, first in sorted(rows, reverse=True)[: args.top]:
        print(f"  cell {number:2d}  {seconds:6.1f} s  {100 * seconds / total:3.0f} %  {first[:70]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
