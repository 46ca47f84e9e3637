"""`restore` killed at each step between its renames: a re-run (or the next open) finishes
it, the project is the backup, and the replaced file keeps the edits that lived only in
its WAL. The kills are placed, not random: the window between two renames is microseconds."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from annotator.store import backup
from annotator.store.check import check_project
from annotator.store.project import Project

from killing import ROOT, env, make_review_project

STEPS = ["intent", "moved-project", "moved-wal", "moved-sides", "moved-backup"]

# Edits committed into the WAL, then the writer is killed: they exist nowhere else.
EDIT_THEN_DIE = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from annotator.store.project import Project
    p = Project.open({path!r})
    for doc_id in p.document_ids()[:5]:
        p.add_span(doc_id, 0, 1, "PERSON")
    os.kill(os.getpid(), signal.SIGKILL)
""")


def spans_in(path: Path) -> int:
    with Project.open(path, readonly=True) as p:
        return p.query("SELECT COUNT(*) FROM spans")[0][0]


def cli(*argv, crash=None):
    extra = {"ANNOTATOR_TEST_RESTORE_CRASH_AT": crash} if crash else {}
    return subprocess.run([sys.executable, "-m", "annotator", *map(str, argv)], env={**env(), **extra},
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("recovery", ["restore again", "open"])
@pytest.mark.parametrize("step", STEPS)
def test_a_restore_killed_at_any_step_is_finished_and_loses_nothing(tmp_path, step, recovery):
    path = tmp_path / "news.annot"
    make_review_project(path, docs=12, seed=3)
    saved = backup.make_backup(path).path
    in_backup = spans_in(saved)
    subprocess.run([sys.executable, "-c", EDIT_THEN_DIE.format(root=str(ROOT), path=str(path))], env=env(),
                   timeout=120)
    wal = Path(f"{path}-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the edits are in the WAL only

    killed = cli("restore", path, "--from", saved, crash=step)
    assert killed.returncode == 9, killed.stderr
    if recovery == "restore again":
        again = cli("restore", path, "--from", saved)
        assert again.returncode == 0, again.stderr
    else:
        Project.open(path).close()
    assert not backup.intent_path(path).exists()
    report = check_project(path)
    assert report.ok, report.summary()
    assert spans_in(path) == in_backup  # the project is the backup
    (kept,) = sorted(backup.folder(path).glob("*.replaced-*.annot"))
    assert check_project(kept).ok
    assert spans_in(kept) == in_backup + 5  # the WAL's edits went with the file they belong to


def test_a_copy_holds_what_only_the_wal_has_while_a_writer_is_open(tmp_path):
    path = tmp_path / "news.annot"
    make_review_project(path, docs=6, seed=2)
    before = spans_in(path)
    writer = Project.open(path)
    try:
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        for doc_id in writer.document_ids()[:4]:
            writer.add_span(doc_id, 0, 1, "PERSON")
        done = cli("copy", path, tmp_path / "shared.annot")  # while the writer holds the project
        assert done.returncode == 0, done.stderr
    finally:
        writer.close()
    shared = tmp_path / "shared.annot"
    assert not Path(f"{shared}-wal").exists() and check_project(shared).ok
    assert spans_in(shared) == before + 4
    assert cli("copy", path, shared).returncode == 2  # never over an existing file


def test_a_bulk_job_leaves_its_work_in_the_file_itself(tmp_path):
    path = tmp_path / "news.annot"
    make_review_project(path, docs=3, seed=2)
    with Project.open(path) as p:
        with p.bulk():
            for doc_id in p.document_ids():
                p.add_span(doc_id, 0, 1, "PERSON")
        # Checkpointed: a plain copy of the file alone (no WAL) already has the spans.
        import shutil

        shutil.copy(path, tmp_path / "plain.annot")
    assert spans_in(tmp_path / "plain.annot") == spans_in(path)
