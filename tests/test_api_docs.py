"""The API reference appendix: docstrings turned into reStructuredText, chapters linked to it.

book/_ext/api_docs.py is tested here on its own (a house-style docstring in,
reStructuredText out; an inline mention in, a target out), and the appendix
against the package: every module on the page once, every name of every
``__all__`` given an entry by a strict Sphinx build of the page alone.
"""

import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import scratchnn

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "book" / "appendix").glob("api*.md"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from api_docs import _escape_bars, _target, house_to_rst, public_names  # noqa: E402

MODULES = ["scratchnn"] + [m.name for m in pkgutil.walk_packages(scratchnn.__path__, "scratchnn.")]


def test_a_dashed_heading_becomes_a_rubric_and_entries_a_definition_list():
    doc = [
        "Train.",
        "",
        "Parameters",
        "----------",
        "x : (N, D) inputs",
        "lr, epochs : the step size and",
        "    the number of steps.",
        "",
        "Returns",
        "-------",
        "History: the losses.",
    ]
    assert house_to_rst(doc) == [
        "Train.",
        "",
        "",
        ".. rubric:: Parameters",
        "",
        "``x``",
        "    (N, D) inputs",
        "``lr, epochs``",
        "    the step size and",
        "    the number of steps.",
        "",
        "",
        ".. rubric:: Returns",
        "",
        "``History``",
        "    the losses.",
    ]


def test_an_entry_after_prose_stays_prose_and_a_list_ends_with_a_blank_line():
    doc = ["The loss is", "x : y in the paper's notation.", "", "holds : True", "More text."]
    assert house_to_rst(doc) == [
        "The loss is",
        "x : y in the paper's notation.",
        "",
        "``holds``",
        "    True",
        "",
        "More text.",
    ]


def test_a_continuation_line_is_never_read_as_an_entry():
    doc = ["Both.", "", "live : (S,) live units at the start", "    and after. history : the run"]
    assert house_to_rst(doc)[2:] == [
        "``live``",
        "    (S,) live units at the start",
        "    and after. history : the run",
    ]


def test_the_summary_line_is_never_an_entry():
    doc = ["Layers: the same equations as the model functions.", "", "forward: x -> out"]
    assert house_to_rst(doc) == [doc[0], "", "``forward``", "    x -> out"]


def test_bars_are_absolute_values_outside_inline_code_only():
    assert _escape_bars("the largest |x|, as ``a | b``") == "the largest \\|x\\|, as ``a | b``"


def test_a_mention_links_when_it_names_one_public_function():
    names = public_names()
    assert _target("train.sgd", names) == "scratchnn.train.sgd"
    assert _target("scratchnn.conv.conv2d", names) == "scratchnn.conv.conv2d"
    assert (
        _target("gradient_descent(loss_and_grads, params, x, y)", names)
        == "scratchnn.train.gradient_descent"
    )
    assert _target("numerical_gradient", names) == "scratchnn.gradcheck.numerical_gradient"
    # in many modules' __all__: ambiguous, so no link
    assert _target("forward", names) is None
    assert _target("loss_and_grads(params, x, y)", names) is None
    # not public, or not the module that holds it
    assert _target("x", names) is None
    assert _target("_forward", names) is None
    assert _target("train.conv2d", names) is None
    assert _target("np.mean(x)", names) is None


def test_every_module_has_all_and_is_on_the_page_once():
    text = "\n".join(page.read_text() for page in PAGES)
    listed = re.findall(r"^\.\. automodule:: (\S+)$", text, flags=re.M)
    assert sorted(listed) == sorted(MODULES)
    for module in MODULES:
        assert hasattr(importlib.import_module(module), "__all__"), f"{module} has no __all__"


SPHINX_CONF = """\
import sys
sys.path.insert(0, {ext!r})
extensions = ["myst_parser", "api_docs"]
nitpicky = True
autodoc_typehints = "none"
autodoc_member_order = "bysource"
"""


@pytest.mark.slow
def test_the_page_builds_strictly_with_an_entry_for_every_public_name(tmp_path):
    (tmp_path / "conf.py").write_text(SPHINX_CONF.format(ext=str(ROOT / "book" / "_ext")))
    # The instructors page is not in this one-page project: its reference becomes text.
    page = "\n".join(page.read_text() for page in PAGES)
    page = re.sub(r"^\(sec-[\w-]+\)=$", "", page, flags=re.M)
    page = re.sub(r"^# ", "## ", page, flags=re.M)
    page = "# Reference\n" + re.sub(r"\{(?:ref|doc)\}`([^`<]*?)(?: <[^>]*>)?`", r"\1", page)
    (tmp_path / "index.md").write_text(page)
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-q",
            "-n",
            "-W",
            "--keep-going",
            "-b",
            "html",
            str(tmp_path),
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    ids = set(re.findall(r'id="([^"]+)"', (tmp_path / "out" / "index.html").read_text()))
    missing = [
        f"{m}.{n}"
        for n, modules in public_names().items()
        for m in modules
        if f"{m}.{n}" not in ids
    ]
    assert missing == []
