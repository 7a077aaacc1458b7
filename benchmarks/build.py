"""Benchmark 5: the book build, against the work it cannot avoid.

A cold build executes every chapter and renders the HTML.  Its floor is the
chapters' own code (each chapter module run as ``python -m``) plus the
rendering alone (a build with execution off).  A no-change rebuild should
execute nothing and re-render nothing.  And the whole cold build is set
against the first edition's (commit ``FIRST_EDITION``), built side by side on
the same machine, alternately: first edition, this one, this one, first
edition, so neither gets the warmer caches.

Everything runs on a snapshot of the project copied to a temporary folder,
with ``PYTHONPATH`` pointing at the snapshot's package, so an edit made to
the working tree meanwhile cannot turn the "no-change" rebuild into a
changed one.  Builds go to the snapshot's ``_build``, never the project's.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from scratchnn import CHAPTERS
from scratchnn.speed.report import Row

ROOT = Path(__file__).resolve().parents[1]
STRICT = ["-n", "-W", "--keep-going"]
# The first edition's last commit, and what its build needs that this one does not.
FIRST_EDITION = "334dcb8"
FIRST_EDITION_EXTRA = "sphinx-mathjax-offline>=0.0.2,<0.1"
TIME = "/usr/bin/time"
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "_build", "node_modules", "__pycache__", ".*_cache", "*.egg-info"
)


@dataclass(frozen=True)
class Run:
    """One timed command: wall seconds, peak memory, exit status, its log."""

    seconds: float
    peak_mib: float
    returncode: int
    log: str

    @property
    def tail(self) -> str:
        return "\n".join(self.log.strip().splitlines()[-3:])

    @property
    def executed(self) -> int:
        """How many notebooks a build executed (from its log)."""
        return self.log.count("Executed notebook in")


def timed(command: list[str], log: Path, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``command`` in ``cwd``; its output goes to ``log``; peak memory from ``wait4``.

    The peak is the largest resident set of the command or of any process it
    started and waited for (a notebook kernel, say), not their sum.  It is
    read by ``/usr/bin/time`` where there is one: a child forked from this
    (large) Python process would otherwise count this process's memory too.
    """
    peak_file = log.with_suffix(".maxrss")
    if Path(TIME).is_file():
        command = [TIME, "-f", "%M", "-o", str(peak_file), *command]
    with log.open("w") as out:
        began = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    kib = usage.ru_maxrss
    if peak_file.is_file():
        kib = int(peak_file.read_text().split()[-1])
    return Run(seconds, kib / 1024, process.returncode, log.read_text())


def snapshot(destination: Path) -> dict[str, str]:
    """Copy the project's sources to ``destination``; the environment that runs them."""
    shutil.copytree(ROOT, destination, ignore=NOT_COPIED)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(destination / "code"), str(destination)])
    return env


def chapter_commands() -> list[tuple[str, list[str]]]:
    """Every chapter's own program (the modules in ``scratchnn.CHAPTERS``), and for
    the performance appendix the short measurements it runs."""
    python = sys.executable
    commands = [(m, [python, "-m", f"scratchnn.{m}"]) for m in CHAPTERS]
    commands.append(
        ("benchmarks --quick", [python, "-m", "benchmarks", "--quick", "--only", "1-4,7,8"])
    )
    return commands


def config_without_execution(root: Path) -> Path:
    """``root/_config_noexec.yml``: ``root/_config.yml`` with ``execute_notebooks: off``.

    Written beside the original (in the snapshot, never the project), since
    Jupyter Book and Sphinx resolve the config's relative paths (local
    extensions, static files) from the config file's folder.
    """
    text = (root / "_config.yml").read_text()
    text, count = re.subn(r"(?m)^(\s*execute_notebooks:\s*)\S+", r"\1off", text)
    if count != 1:
        raise RuntimeError("_config.yml has no single execute_notebooks line to switch off")
    path = root / "_config_noexec.yml"
    path.write_text(text)
    return path


def build(
    root: Path,
    output: Path,
    log: Path,
    env: dict[str, str],
    config: Path | None = None,
    *,
    serial: bool = False,
):
    """The whole book at ``root`` built into ``output``, as ``make book`` builds it.

    That is ``book/_ext/build.py`` (jupyter-book build on every core), or with
    ``serial`` plain ``jupyter-book build`` (the first edition's command).
    With the project's config the build is strict.  With execution off, glued
    numbers are missing by design and each one warns, so that build is timed
    without ``-W``.
    """
    if serial:
        command = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(root)]
    else:
        command = [sys.executable, str(root / "book" / "_ext" / "build.py"), str(root)]
    command += ["--path-output", str(output), "--builder", "html"]
    command += STRICT if config is None else ["--config", str(config)]
    return timed(command, log, root, env)


def first_edition(destination: Path) -> dict[str, str]:
    """The book at ``FIRST_EDITION`` in ``destination`` (from git), and its environment.

    Its one extra package is installed beside it (``destination/extra``), on
    its ``PYTHONPATH``, not into the project's environment.
    """
    destination.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", FIRST_EDITION], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(destination)], input=archive, check=True)
    extra = destination / "extra"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(extra)]
    subprocess.run([*pip, FIRST_EDITION_EXTRA], check=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(destination / "code"), str(extra), str(destination)])
    return env


def against_first_edition(tmp: Path, logs: Path, root: Path, env: dict[str, str]):
    """Cold builds of the first edition and of this one, alternately (ABBA).

    Returns (first edition's runs, this edition's runs), two each.
    """
    old = tmp / "first-edition"
    old_env = first_edition(old)
    runs: dict[str, list[Run]] = {"first": [], "this": []}
    for turn, which in enumerate(("first", "this", "this", "first")):
        here, its_env = (old, old_env) if which == "first" else (root, env)
        shutil.rmtree(here / "_build", ignore_errors=True)
        log = logs / f"build-cold-{which}-{turn}.log"
        runs[which].append(build(here, here, log, its_env, serial=which == "first"))
    return runs["first"], runs["this"]


def run(logs: Path) -> tuple[list[Row], list[str]]:
    """Time everything once; return the table rows and lines of detail."""
    detail, failures = [], []
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        root = Path(tmp) / "src"
        env = snapshot(root)
        own = 0.0
        for name, command in chapter_commands():
            r = timed(command, logs / f"module-{name.split()[0]}.log", root, env)
            own += r.seconds
            detail.append(f"python -m {name}: {r.seconds:.1f} s, peak {r.peak_mib:.0f} MiB")
            if r.returncode != 0:
                failures.append(f"python -m {name} exited {r.returncode}: {r.tail}")
        config = config_without_execution(root)
        render = build(root, Path(tmp) / "noexec", logs / "build-noexec.log", env, config)
        first, this = against_first_edition(Path(tmp), logs, root, env)
        cold = min(this, key=lambda r: r.seconds)
        again = build(root, root, logs / "build-rebuild.log", env)
    named = [("no-execution build", render), ("rebuild", again)]
    for edition, runs in [(f"first edition ({FIRST_EDITION})", first), ("this edition", this)]:
        named += [(f"cold build, {edition}, run {i + 1}", r) for i, r in enumerate(runs)]
    for name, r in named:
        detail.append(
            f"{name}: {r.seconds:.1f} s, peak {r.peak_mib:.0f} MiB, {r.executed} notebooks executed"
        )
        if r.returncode != 0:
            failures.append(f"{name} exited {r.returncode}: {r.tail}")
    if again.executed:
        failures.append(f"the no-change rebuild executed {again.executed} notebooks")
    floor = own + render.seconds
    detail.insert(0, f"chapters' own programs, summed: {own:.1f} s")
    note = f"one run each, not interleaved (minutes per build); logs in {logs}"
    if failures:
        note += "; FAILED: " + " | ".join(failures)
    rows = [
        Row.once(
            "5a", "cold build / (own programs + no-exec build)", cold.seconds / floor, "×", note
        ),
        Row.once("5b", "no-change rebuild / cold build", again.seconds / cold.seconds, "×"),
        Row.once(
            "5e",
            f"cold build / first edition's ({FIRST_EDITION}), side by side",
            sum(r.seconds for r in this) / sum(r.seconds for r in first),
            "×",
            "two cold builds each, alternating (ABBA); this edition on every core",
        ),
        Row.once("5c", "cold build, wall time", cold.seconds, "s"),
        Row.once("5d", "cold build, peak memory (largest process)", cold.peak_mib, "MiB"),
    ]
    return rows, detail
