"""The package as a reader installs it, and the cell every chapter starts with.

A downloaded chapter notebook installs ``scratchnn==<version>`` when it cannot
import it; that pin must be the package's own version, and a chapter that needs
an extra (PyTorch, scikit-learn) must install that extra when its module is
missing.  The wheel and sdist built from this checkout carry every module, the
data file, the license and the metadata.
"""

import ast
import re
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
import yaml

import scratchnn

REPO = Path(__file__).resolve().parents[1]
# The extra each chapter needs beyond numpy and matplotlib, and the module it brings.
EXTRAS = {
    "book/torch_compare": ("torch", "torch"),
    "book/appendix/performance": ("all", ("torch", "sklearn")),
    "book/digits": ("digits", "sklearn"),
    "book/deeper": ("digits", "sklearn"),
    "book/conv": ("all", ("torch", "sklearn")),
}
EXTRA_MODULES = {"torch": "torch", "digits": "sklearn"}


def notebook_pages() -> list[str]:
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    names = [toc["root"]]

    def walk(items):
        for item in items or []:
            if "file" in item:
                names.append(item["file"])
            walk(item.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    pages = []
    for name in names:
        text = (REPO / f"{name}.md").read_text()
        if "kernelspec:" in text.split("\n---", 1)[0]:
            pages.append(name)
    return pages


def first_cell(page: str) -> tuple[list[str], str]:
    """The tags and source of a MyST notebook's first code cell."""
    text = (REPO / f"{page}.md").read_text()
    match = re.search(r"```\{code-cell\}[^\n]*\n(.*?)\n```", text, re.S)
    assert match, f"{page}: no code cell"
    body = match.group(1)
    tags = re.search(r"^:tags: \[([^\]]*)\]", body, re.M)
    source = re.sub(r"^:[a-z_-]+:.*\n", "", body, flags=re.M)
    return ([t.strip() for t in tags.group(1).split(",")] if tags else []), source


@pytest.mark.parametrize("page", notebook_pages())
def test_install_cell_pins_this_version_and_the_extra(page):
    tags, source = first_cell(page)
    assert "remove-cell" in tags, f"{page}: the install cell must be hidden (remove-cell)"
    tree = ast.parse(source)
    pins = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith("scratchnn")
        and "==" in node.value
    ]
    extra, module = EXTRAS.get(page, (None, None))
    wanted = (
        f"scratchnn[{extra}]=={scratchnn.__version__}"
        if extra
        else (f"scratchnn=={scratchnn.__version__}")
    )
    assert pins == [wanted], f"{page}: the install cell installs {pins}, not [{wanted!r}]"
    spec_checks = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") == "find_spec"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    modules = (module,) if isinstance(module, str) else module or ()
    wanted_checks = {"scratchnn", *modules}
    assert spec_checks == wanted_checks, (
        f"{page}: the install cell checks {sorted(spec_checks)}, not {sorted(wanted_checks)}"
    )


def test_the_extras_the_chapters_install_exist():
    from tomllib import loads

    project = loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    for extra, module in EXTRA_MODULES.items():
        assert extra in extras, extra
        assert any(req.split(">")[0].split("=")[0] for req in extras[extra]), module
    assert "version" in project["dynamic"], "the version is scratchnn.__version__, not typed"


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    work = tmp_path_factory.mktemp("src")
    # Build from a copy, so the checkout gets no build/ or egg-info folder.
    for rel in ("pyproject.toml", "README.md", "LICENSE"):
        (work / rel).write_bytes((REPO / rel).read_bytes())
    src = REPO / "code" / "scratchnn"
    for path in src.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            target = work / "code" / "scratchnn" / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(work)],
        check=True,
        capture_output=True,
    )
    return out


@pytest.mark.slow
def test_wheel_has_every_module_the_data_and_the_metadata(dist):
    (wheel,) = dist.glob("*.whl")
    assert wheel.name == f"scratchnn-{scratchnn.__version__}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    src = REPO / "code" / "scratchnn"
    expected = {
        "scratchnn/" + p.relative_to(src).as_posix()
        for p in src.rglob("*")
        if p.is_file() and p.suffix in {".py", ".csv"} and "__pycache__" not in p.parts
    }
    assert expected <= names, sorted(expected - names)
    assert "scratchnn/resources/exams.csv" in names
    info = f"scratchnn-{scratchnn.__version__}.dist-info"
    assert f"{info}/licenses/LICENSE" in names
    meta = Parser().parsestr(zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode())
    assert meta["Version"] == scratchnn.__version__
    assert meta["License-Expression"] == "MIT"
    assert meta["Description-Content-Type"] == "text/markdown"
    requires = meta.get_all("Requires-Dist")
    assert any(r.startswith("numpy") for r in requires), requires
    assert any(r.startswith("torch") and 'extra == "torch"' in r for r in requires), requires
    assert not any(r.startswith("torch") and "extra" not in r for r in requires), requires
    assert {"torch", "digits"} <= set(meta.get_all("Provides-Extra"))


@pytest.mark.slow
def test_sdist_has_the_data_file_and_the_license(dist):
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
    root = f"scratchnn-{scratchnn.__version__}"
    for rel in ("LICENSE", "README.md", "pyproject.toml", "code/scratchnn/resources/exams.csv"):
        assert f"{root}/{rel}" in names, rel


# Modules that need an extra, and the extra's top-level module.
NEEDS = {
    "scratchnn.torch_compare": "torch",
    "scratchnn.torch_compare_claims": "torch",
    "scratchnn.speed.torch_contenders": "torch",
    "scratchnn.speed.digits_sklearn": "sklearn",
}


@pytest.mark.slow
def test_every_other_module_imports_without_torch_or_scikit_learn():
    """One interpreter with torch and scikit-learn blocked imports every module but NEEDS."""
    src = REPO / "code" / "scratchnn"
    modules = sorted(
        "scratchnn." + ".".join(p.relative_to(src).with_suffix("").parts)
        for p in src.rglob("*.py")
        if p.name != "__init__.py" and "__pycache__" not in p.parts
    )
    script = (
        "import importlib, sys\n"
        "sys.modules['torch'] = None\n"
        "sys.modules['sklearn'] = None\n"
        f"for name in {[m for m in modules if m not in NEEDS]!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as error:\n"
        "        sys.exit(f'{name}: {type(error).__name__}: {error}')\n"
        "assert 'torch' not in [m.split('.')[0] for m in sys.modules if sys.modules[m]]\n"
        # and a module that needs an extra says so with an ImportError
        f"for name in {sorted(NEEDS)!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError:\n"
        "        continue\n"
        "    sys.exit(f'{name} imports without its extra')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
