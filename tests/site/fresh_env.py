"""A reader's Jupyter: a fresh virtual environment that knows nothing of the project.

It has only ipykernel, nbconvert, NumPy and Matplotlib: no myst_nb, no
scratchnn.  The one place a ``pip install scratchnn==<version>`` (the first
cell of every chapter's notebook) can find the package is the wheel built here
from this checkout, offered through ``PIP_FIND_LINKS``; the package index stays
reachable for the package's own dependencies (and the extras: ``torch`` pinned
to the book's version by a constraints file, which installs the CPU build
where ``requirements.txt`` does, scikit-learn).

Built once per test session (:class:`FreshJupyter`), shared by every notebook;
the time each step took is written to ``_build/fresh-env-times.txt``.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "code" / "scratchnn"
# What the reader's Jupyter has before the notebook's first cell runs.
READER_PACKAGES = ["ipykernel", "nbconvert", "numpy", "matplotlib"]
# The book's PyTorch (requirements.txt): a CPU build where the project installs one.
CONSTRAINTS = "torch==2.13.0\n"


def build_wheel(out: Path) -> Path:
    """The wheel of this checkout, built from a copy (the checkout gets no build/ folder)."""
    work = out / "src"
    for rel in ("pyproject.toml", "README.md", "LICENSE"):
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, work / rel)
    shutil.copytree(
        PACKAGE, work / "code" / "scratchnn", ignore=shutil.ignore_patterns("__pycache__")
    )
    wheels = out / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(wheels),
            str(work),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = wheels.glob("scratchnn-*.whl")
    return wheel


def source_digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*.py"))
        if "__pycache__" not in p.parts
    }


class FreshJupyter:
    """One fresh venv under ``root``; :meth:`execute` runs a notebook in it."""

    def __init__(self, root: Path):
        self.root = root
        self.times: list[tuple[str, float]] = []
        started = time.monotonic()
        self.wheel = build_wheel(root)
        self._took("build the wheel of this checkout", started)
        (root / "constraints.txt").write_text(CONSTRAINTS)
        self.env = self._environment()
        started = time.monotonic()
        venv = root / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=self.env)
        self.python = venv / "bin" / "python"
        self.pip(["install", "--quiet", *READER_PACKAGES])
        self._took("create the venv: " + " ".join(READER_PACKAGES), started)
        self.site_packages = Path(
            self.run_python("import sysconfig; print(sysconfig.get_paths()['purelib'])")
        )
        self.env["PATH"] = f"{venv / 'bin'}{os.pathsep}{self.env['PATH']}"

    def _environment(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP"}
        }
        # the project's .venv must not be found on PATH
        env["PATH"] = os.pathsep.join(
            p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(REPO))
        )
        env["PIP_FIND_LINKS"] = " ".join(
            [str(self.wheel.parent), *os.environ.get("PIP_FIND_LINKS", "").split()]
        )
        env["PIP_CONSTRAINT"] = str(self.root / "constraints.txt")
        env["PIP_NO_INPUT"] = "1"
        # Jupyter finds no kernel or setting of this machine's user
        env["JUPYTER_DATA_DIR"] = str(self.root / "jupyter-data")
        env["JUPYTER_CONFIG_DIR"] = str(self.root / "jupyter-config")
        env["IPYTHONDIR"] = str(self.root / "ipython")
        return env

    def _took(self, what: str, started: float) -> None:
        self.times.append((what, time.monotonic() - started))

    def pip(self, args: list[str]) -> None:
        subprocess.run([str(self.python), "-m", "pip", *args], check=True, env=self.env)

    def run_python(self, code: str) -> str:
        done = subprocess.run(
            [str(self.python), "-c", code], check=True, env=self.env, capture_output=True, text=True
        )
        return done.stdout.strip()

    def has(self, module: str) -> bool:
        code = f"import importlib.util as u; print(u.find_spec({module!r}) is not None)"
        return self.run_python(code) == "True"

    def execute(self, notebook: Path, output: str, label: str) -> subprocess.CompletedProcess:
        """``jupyter nbconvert --execute`` in the fresh venv, in the notebook's folder."""
        started = time.monotonic()
        done = subprocess.run(
            [
                str(self.python),
                "-m",
                "jupyter",
                "nbconvert",
                "--to",
                "notebook",
                "--execute",
                "--ExecutePreprocessor.timeout=600",
                "--ExecutePreprocessor.kernel_name=python3",
                "--output",
                output,
                str(notebook),
            ],
            cwd=notebook.parent,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        self._took(f"run {label}", started)
        return done

    def installed_package_mismatches(self) -> list[str]:
        """Files of the installed scratchnn that differ from this checkout's (none: it is ours)."""
        installed = source_digests(self.site_packages / "scratchnn")
        ours = source_digests(PACKAGE)
        return sorted(
            name for name in ours.keys() | installed.keys() if ours.get(name) != installed.get(name)
        )

    def write_times(self, path: Path) -> Path:
        total = sum(seconds for _, seconds in self.times)
        lines = [f"{seconds:7.1f} s  {what}" for what, seconds in self.times]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join([*lines, f"{total:7.1f} s  total"]) + "\n")
        return path
