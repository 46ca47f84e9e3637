"""Two programs on one project: one writer at a time, readers alongside, nothing lost.

The second writer (another window, a command) is told plainly who has the project open
(program, process, since when); commands that only read (stats, export, check) work next
to the writer; a writer killed with SIGKILL leaves no lock behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from annotator.core.errors import ProjectInUseError
from annotator.jobs.exporter import run_export
from annotator.store import lock
from annotator.store.check import check_project
from annotator.store.project import Project

from killing import HERE, ROOT, env, make_review_project, run, verify_conll_export

HOLD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from annotator.store.project import Project
    project = Project.open({path!r})
    print("ready", flush=True)
    time.sleep(120)
""")


def _holder(path):
    proc = subprocess.Popen([sys.executable, "-c", HOLD.format(root=str(ROOT), path=str(path))],
                            stdout=subprocess.PIPE, text=True, env=env())
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_second_writer_is_told_who_has_it_and_readers_work_alongside(tmp_path):
    path = tmp_path / "p.annot"
    make_review_project(path, docs=20, seed=1)
    with Project.open(path) as p:
        p.set_status(1, "done")
    holder = _holder(path)
    try:
        with pytest.raises(ProjectInUseError) as info:
            Project.open(path)
        message = str(info.value)
        assert f"process {holder.pid}" in message and "since" in message and "python" in message
        assert lock.holder_of(path)["pid"] == holder.pid

        result = run(["import", str(path), str(tmp_path)])  # a command that writes: refused, clearly
        assert result.returncode == 2 and "is in use by" in result.stderr and "Traceback" not in result.stderr

        stats = run(["stats", str(path)])  # commands that read: work alongside
        assert stats.returncode == 0 and "documents: 20" in stats.stdout and "read-only" in stats.stderr
        assert run(["check", str(path)]).returncode == 0
        listing = run(["labels", str(path)])  # listing labels only reads
        assert listing.returncode == 0 and "PERSON" in listing.stdout
        renamed = run(["labels", str(path), "rename", "PERSON", "PER"])  # changing them writes: refused
        assert renamed.returncode == 2 and "is in use by" in renamed.stderr
        out = tmp_path / "gold.conll"
        export = run(["export", str(path), str(out), "--format", "conll"])
        assert export.returncode == 0, export.stderr
        assert verify_conll_export(out, 1)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # Killed, the holder's lock went with it: the project opens at once.
    assert lock.holder_of(path) is None
    Project.open(path).close()


def test_one_writer_per_project_inside_one_program_too(tmp_path):
    path = tmp_path / "p.annot"
    Project.create(path).close()
    with Project.open(path) as first:
        with pytest.raises(ProjectInUseError):
            Project.open(path)
        with Project.open(path, readonly=True) as reader:
            first.add_label("NEW")
            assert reader.has_label("NEW")
    assert not lock.lock_path(path).exists()  # closed: the lock file is gone too
    Project.open(path).close()


def test_a_writer_and_readers_at_the_same_time(tmp_path):
    """A burst of edits in one program while another reads, checks and exports, and keeps
    trying to open the project for writing: no edit lost, no corruption, never two writers."""
    path = tmp_path / "p.annot"
    make_review_project(path, docs=30, seed=5)
    with Project.open(path) as p:
        for doc_id in p.document_ids():
            p.set_status(doc_id, "done")
    burst = subprocess.Popen([sys.executable, str(HERE / "edit_burst.py"), str(path), "11", "400"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env())
    refused = reads = 0
    first = burst.stdout.readline()  # it has the project open for writing from now on
    try:
        while burst.poll() is None:
            try:
                Project.open(path).close()
            except ProjectInUseError:
                refused += 1
            with Project.open(path, readonly=True) as reader:
                run_export(reader, tmp_path / f"out{reads % 2}.jsonl", "jsonl", status="any", workers=1)
                reads += 1
            assert check_project(path).ok
    finally:
        out, err = burst.stdout.read(), burst.stderr.read()  # (past what readline buffered)
        burst.wait(timeout=120)
    assert burst.returncode == 0, err
    assert refused and reads
    edits = [json.loads(line) for line in [first, *out.splitlines()]]
    assert len(edits) == 400
    with Project.open(path) as p:
        for edit in edits:
            assert p.query("SELECT grp FROM changes WHERE id = ?", (edit["change"],))[0][0] == edit["group"]
    assert check_project(path).ok


def test_the_lock_names_the_program():
    assert lock.program_name(["/usr/bin/annotator", "import", "p.annot"]) == "annotator import"
    assert lock.program_name(["/x/annotator/__main__.py", "export", "p"]) == "annotator export"
    assert lock.program_name(["/usr/bin/annotator"]) == "annotator window"
    assert lock.program_name(["/usr/bin/annotator", "gui", "p.annot"]) == "annotator window"
    text = lock.describe({"program": "annotator window", "pid": 42, "host": os.uname().nodename,
                          "user": "somying", "since": "2025-01-02T03:04:05+00:00"})
    assert text.startswith("annotator window (process 42, user somying, since 2025-01-02")
    assert "another program" == lock.describe(None)
    assert time.time()  # (no wall-clock assertions here)


@pytest.mark.parametrize("how", ["symlink", "hardlink", "relative", "dotdot"])
def test_one_writer_whatever_the_name_of_the_file(tmp_path, monkeypatch, how):
    """Another name for the same file (a link, a relative path) meets the same lock: a
    second writer through it is refused, so it cannot write beside the first."""
    path = tmp_path / "news.annot"
    make_review_project(path, docs=3, seed=1)
    (tmp_path / "sub").mkdir()
    if how == "symlink":
        other = tmp_path / "sub" / "link.annot"
        other.symlink_to(path)
    elif how == "hardlink":
        other = tmp_path / "sub" / "hard.annot"
        os.link(path, other)
    elif how == "relative":
        monkeypatch.chdir(tmp_path / "sub")
        other = os.path.join("..", "news.annot")
    else:
        other = tmp_path / "sub" / ".." / "news.annot"
    holder = _holder(path)
    try:
        with pytest.raises(ProjectInUseError) as info:
            Project.open(other)
        assert f"process {holder.pid}" in str(info.value)
        result = run(["preannotate", str(other) if how != "relative" else str(tmp_path / "sub" / other)])
        assert result.returncode == 2 and "is in use by" in result.stderr
    finally:
        holder.kill()
        holder.wait()
    with Project.open(other) as p:  # the holder is gone: the other name works
        assert p.document_count() == 3
    assert check_project(path).ok
