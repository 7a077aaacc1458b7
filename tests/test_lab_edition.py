"""The lab edition (book/_ext/lab_edition.py): worksheet bodies cut from the chapters' listings.

The fast tests cut the package's own source, as ``literalinclude :pyobject:``
shows it, and every listing the chapters make; the slow one builds a
one-page Sphinx project twice, once per edition, from the real
``functional.py``, and reads the HTML.
"""

import ast
import html
import inspect
import re
import shutil
import textwrap
from pathlib import Path
from types import SimpleNamespace

import build
import pytest
from lab_edition import (
    BODY,
    cut_bodies,
    drop_pdf,
    listed_object,
    worksheet_targets,
    worksheet_url,
)
from sphinx.directives.code import LiteralIncludeReader

from scratchnn import functional, layers
from scratchnn.lab.sheets import SHEETS
from scratchnn.lab.source import resolve

ROOT = Path(__file__).resolve().parents[1]
TARGETS = worksheet_targets()


def body_lines(source: str) -> list[str]:
    """The non-blank lines of a function's body after its docstring, stripped."""
    lines = textwrap.dedent(source).splitlines()
    func = ast.parse("\n".join(lines)).body[0]
    start = func.body[0].end_lineno if ast.get_docstring(func) is not None else 0
    rows = lines[start : func.end_lineno] if start else lines[func.body[0].lineno - 1 :]
    return [row.strip() for row in rows if row.strip()]


def test_every_worksheet_blank_is_a_target_with_its_sheet():
    blanks = {e.blank.target: s.name for s in SHEETS for e in s.exercises}
    assert blanks == TARGETS
    assert (
        "two_layer.loss_and_grads" in TARGETS and TARGETS["layers.Linear.backward"] == "exam_layers"
    )


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_a_target_keeps_signature_and_docstring_and_loses_its_body(target):
    _, func, _ = resolve(target)
    source = inspect.getsource(func)
    text, sheets = cut_bodies(source, target, TARGETS)
    assert sheets == [TARGETS[target]]
    tree = ast.parse(textwrap.dedent(source)).body[0]
    head = (
        tree.body[0].end_lineno if ast.get_docstring(tree) is not None else tree.body[0].lineno - 1
    )
    kept = source.splitlines()[:head]
    pad = " " * (len(kept[-1]) - len(kept[-1].lstrip())) if ast.get_docstring(tree) else None
    assert text.splitlines()[:-1] == kept  # decorators, signature and docstring, as they were
    last = text.splitlines()[-1]
    assert last.strip() == BODY.format(sheet=TARGETS[target])
    if pad is not None:  # the line is indented as the body was
        assert last.startswith(pad) and not last.startswith(pad + " ")
    assert not set(body_lines(source)) & {row.strip() for row in text.splitlines()}
    ast.parse(textwrap.dedent(text))  # still Python


def test_a_class_listing_cuts_only_its_worksheet_method():
    source = inspect.getsource(layers.Linear)
    text, sheets = cut_bodies(source, "layers.Linear", TARGETS)
    assert sheets == ["exam_layers"]
    assert "    def backward(self, grad_out: np.ndarray) -> np.ndarray:" in text
    assert "        ...  # written in the worksheet exam_layers" in text
    for line in body_lines(inspect.getsource(layers.Linear.forward)):
        assert line in text  # forward is not a blank: it stays
    backward = body_lines(inspect.getsource(layers.Linear.backward))
    assert not [line for line in backward if line in text.split("def backward")[1]]


def test_other_listings_are_unchanged():
    source = inspect.getsource(functional.relu_derivative)
    assert cut_bodies(source, "functional.relu_derivative", TARGETS) == (source, [])
    source = inspect.getsource(layers.Layer)
    assert cut_bodies(source, "layers.Layer", TARGETS) == (source, [])


def test_a_blank_missing_from_its_class_listing_is_an_error():
    source = inspect.getsource(layers.Linear).replace("def backward", "def backward_renamed")
    message = "worksheet blank layers.Linear.backward not found in the listing of layers.Linear"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        cut_bodies(source, "layers.Linear", TARGETS)


def test_only_the_package_files_are_listed_objects():
    assert listed_object("../code/scratchnn/layers.py", "Linear") == "layers.Linear"
    assert listed_object("../code/scratchnn/autograd.py", "Tensor.nodes") == "autograd.Tensor.nodes"
    assert listed_object("../benchmarks/layers.py", "Linear") is None
    assert listed_object("../code/scratchnn/resources/exams.csv", "x") is None


def test_worksheet_links_from_the_page_or_the_course():
    config = SimpleNamespace(lab_worksheets_url="")
    assert worksheet_url(config, "book/xor", "xor") == "../worksheets/xor.ipynb"
    assert worksheet_url(config, "book/appendix/a", "xor") == "../../worksheets/xor.ipynb"
    assert worksheet_url(config, "index", "xor") == "worksheets/xor.ipynb"
    config = SimpleNamespace(lab_worksheets_url="https://example.org/labs/")
    assert worksheet_url(config, "book/xor", "xor") == "https://example.org/labs/xor.ipynb"


class Settings(SimpleNamespace):
    """A Sphinx configuration's attribute access and ``in``."""

    def __contains__(self, name: str) -> bool:
        return name in vars(self)


@pytest.mark.parametrize("lab", [False, True])
def test_the_lab_edition_links_no_pdf_and_sets_its_tag(lab):
    app, config = SimpleNamespace(tags=set()), Settings(lab_edition=lab, editions_pdf="book.pdf")
    drop_pdf(app, config)
    assert config.editions_pdf == ("" if lab else "book.pdf")
    assert app.tags == ({"lab_edition"} if lab else set())


def chapter_listings():
    """(chapter, file, pyobject) of every ``literalinclude :pyobject:`` of the package."""
    pattern = re.compile(r"```\{literalinclude\} (\S+)\n((?::.*\n)*)")
    for chapter in sorted((ROOT / "book").glob("*.md")):
        for match in pattern.finditer(chapter.read_text(encoding="utf-8")):
            options = dict(re.findall(r":([\w-]+): *(.*)", match.group(2)))
            if "pyobject" in options:
                yield chapter.name, (chapter.parent / match.group(1)).resolve(), options["pyobject"]


def test_every_chapter_listing_of_a_blank_is_cut():
    cut = set()
    for chapter, path, pyobject in chapter_listings():
        name = listed_object(str(path), pyobject)
        if name is None:
            continue
        reader = LiteralIncludeReader(
            str(path), {"pyobject": pyobject}, SimpleNamespace(source_encoding="utf-8")
        )
        source, _ = reader.read()
        text, sheets = cut_bodies(source, name, TARGETS)
        inside = [t for t in TARGETS if t == name or t.startswith(name + ".")]
        assert bool(sheets) == bool(inside), (chapter, name)
        for target in inside:
            answer = set(body_lines(inspect.getsource(resolve(target)[1])))
            assert not answer & {row.strip() for row in text.splitlines()}, (chapter, target)
            cut.add(target)
    # The chapters list these blanks today; forward and __pow__ are not listed.
    assert cut == set(TARGETS) - {"toy_mlp.forward", "autograd.Tensor.__pow__"}


def test_the_lab_edition_builds_beside_the_book(monkeypatch):
    calls = []

    def build_sphinx(sourcedir, outputdir, **options):
        calls.append((outputdir, options))
        return 0

    monkeypatch.setenv("BOOK_EDITION", "lab")
    run, report = build.in_edition(build_sphinx, lambda *a: calls.append(a), *build.edition())
    run(".", Path("_build/html"), confoverrides={"latex_individualpages": False})
    report(0, "html", Path("_build/html"), "book")
    out, options = calls[0]
    assert out == Path("_build/html-lab")
    assert options["doctreedir"] == Path("_build/.doctrees-html-lab")
    assert options["confoverrides"] == {"latex_individualpages": False, "lab_edition": True}
    assert calls[1] == (0, "html", Path("_build/html-lab"), "book")
    monkeypatch.delenv("BOOK_EDITION")
    assert build.in_edition(build_sphinx, print, *build.edition()) == (build_sphinx, print)


def test_an_unknown_edition_is_a_one_line_error(monkeypatch):
    monkeypatch.setenv("BOOK_EDITION", "labs")
    with pytest.raises(SystemExit) as exit_:
        build.edition()
    assert str(exit_.value) == "BOOK_EDITION must be one of '', 'lab', got 'labs'"


PAGE = """\
Page
====

.. literalinclude:: scratchnn/functional.py
   :language: python
   :pyobject: log_softmax

.. only:: not lab_edition

   The whole book is also one PDF.
"""


def page_text(path: Path) -> str:
    """The page's text as a reader sees it: tags (and so the highlighting) removed."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


@pytest.mark.slow
def test_a_lab_build_shows_no_answer_and_links_the_worksheet(tmp_path, capfd):
    from sphinx.cmd.build import build_main

    (tmp_path / "scratchnn").mkdir()
    shutil.copy(inspect.getsourcefile(functional), tmp_path / "scratchnn" / "functional.py")
    (tmp_path / "index.rst").write_text(PAGE)
    answer = body_lines(inspect.getsource(functional.log_softmax))
    pages = {}
    for lab in (False, True):
        conf = f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        conf += f'extensions = ["lab_edition"]\nlab_edition = {lab}\nexclude_patterns = ["out"]\n'
        (tmp_path / "conf.py").write_text(conf)
        out = tmp_path / "out" / str(lab)
        status = build_main(["-b", "html", "-W", "-q", "-E", str(tmp_path), str(out)])
        assert status == 0, capfd.readouterr().err
        pages[lab] = page_text(out / "index.html")
    assert all(line in pages[False] for line in answer)
    assert "written in the worksheet" not in pages[False]
    assert "one PDF" in pages[False] and "one PDF" not in pages[True]
    assert not (tmp_path / "out" / "False" / "worksheets").exists()
    assert not [line for line in answer if line in pages[True]]
    assert "def log_softmax(z: np.ndarray) -> np.ndarray:" in pages[True]
    assert "...  # written in the worksheet softmax" in pages[True]
    assert (
        "The missing body is written in the lab, in the worksheet Softmax and cross-entropy"
        in pages[True]
    )
    assert 'href="worksheets/softmax.ipynb"' in (out / "index.html").read_text()
    sheet = (out / "worksheets" / "softmax.ipynb").read_text()
    assert "raise NotImplementedError()" in sheet and "BEGIN SOLUTION" not in sheet
    assert sorted(p.stem for p in (out / "worksheets").iterdir()) == sorted(s.name for s in SHEETS)
