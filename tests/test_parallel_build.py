"""The parallel book build: its job count and the extension it vouches for."""

from types import SimpleNamespace

import build
import parallel_build
import pytest


def test_jobs_default_to_the_usable_cores(monkeypatch):
    monkeypatch.delenv("BOOK_JOBS", raising=False)
    monkeypatch.setattr(build.os, "sched_getaffinity", lambda pid: {0, 1, 2})
    assert build.jobs() == 3


def test_jobs_from_the_environment(monkeypatch):
    monkeypatch.setenv("BOOK_JOBS", "1")
    assert build.jobs() == 1


@pytest.mark.parametrize("text", ["0", "two", "-1", "1.5"])
def test_a_bad_job_count_is_a_one_line_error(monkeypatch, text):
    monkeypatch.setenv("BOOK_JOBS", text)
    with pytest.raises(SystemExit) as exit_:
        build.jobs()
    assert str(exit_.value) == f"BOOK_JOBS must be a whole number >= 1, got {text!r}"


def extension(safe):
    return SimpleNamespace(parallel_read_safe=safe, parallel_write_safe=safe)


def test_only_an_undeclared_extension_is_declared_safe():
    multitoc, other = extension(None), extension(None)
    declared_unsafe = extension(False)
    app = SimpleNamespace(extensions={"sphinx_multitoc_numbering": multitoc, "other": other})
    parallel_build.declare_safe(app, None)
    assert multitoc.parallel_read_safe is True and multitoc.parallel_write_safe is True
    assert other.parallel_read_safe is None  # not ours to vouch for
    app = SimpleNamespace(extensions={"sphinx_multitoc_numbering": declared_unsafe})
    parallel_build.declare_safe(app, None)
    assert declared_unsafe.parallel_read_safe is False  # a declaration is never overridden


def test_every_document_is_a_task_of_its_own():
    names = [f"page{i}" for i in range(13)]
    assert build.one_per_task(names, 2) == [[n] for n in names]
