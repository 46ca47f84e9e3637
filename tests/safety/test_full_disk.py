"""A full disk and a read-only place: a clear error, and the project as it was.

A full disk is made with a file size limit (RLIMIT_FSIZE, what ``ulimit -f`` sets) on the
process that writes: past it, writes fail with EFBIG exactly where a full disk fails with
ENOSPC (SIGXFSZ is ignored so the process gets the error instead of being killed). A
read-only place is a folder and file without write permission, with root's permission
override dropped (readonly_place.py).
"""

from __future__ import annotations

import json
import resource
import signal
import sqlite3
import subprocess
import sys

import pytest

from annotator.cli import main
from annotator.core.errors import StorageError
from annotator.core.model import DocumentData
from annotator.store.check import check_project
from annotator.store.project import Project

from killing import HERE, env, verify_filled_up
from readonly_place import read_only

LIMIT_MARGIN = 256 * 1024


def _limited(limit: int):
    def setup() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return setup


def _dump(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _project(path, docs: int = 3) -> None:
    with Project.create(path, annotator="tester") as project:
        for d in range(docs):
            project.add_document(DocumentData(f"เอกสารที่ {d} นายสมชาย ใจดี ไปเชียงใหม่", {}, []))


def _limit_for(path) -> int:
    sizes = [p.stat().st_size for p in path.parent.iterdir() if p.name.startswith(path.name)]
    return max(sizes) + LIMIT_MARGIN


def test_import_that_does_not_fit_fails_clearly_and_changes_nothing(tmp_path):
    project = tmp_path / "p.annot"
    _project(project)
    before = _dump(project)
    big = tmp_path / "big.jsonl"
    big.write_text("".join(json.dumps({"text": f"ข่าว {i} " + "ก" * 20_000}) + "\n" for i in range(40)),
                   encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "annotator", "import", str(project), str(big)],
                            capture_output=True, text=True, env=env(), preexec_fn=_limited(_limit_for(project)),
                            timeout=120)
    assert result.returncode == 2, result.stderr
    assert "cannot write" in result.stderr and "file size limit" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert check_project(project).ok
    assert _dump(project) == before  # not one document of the file went in


def test_edits_until_the_disk_is_full_keep_every_committed_one(tmp_path):
    project = tmp_path / "p.annot"
    _project(project)
    result = subprocess.run([sys.executable, str(HERE / "fill_up.py"), str(project), str(LIMIT_MARGIN)],
                            capture_output=True, text=True, env=env(), timeout=120)
    verify_filled_up(project, result.stdout + result.stderr, docs_before=3)


def test_export_to_a_full_disk_fails_clearly_and_writes_nothing(tmp_path):
    project = tmp_path / "p.annot"
    with Project.create(project) as p:
        for d in range(60):
            p.add_document(DocumentData(f"เอกสาร {d} " + "ค" * 2000, {}, []), status="done")
    out = tmp_path / "out" / "gold.jsonl"
    out.parent.mkdir()
    result = subprocess.run([sys.executable, "-m", "annotator", "export", str(project), str(out), "--format",
                             "jsonl"], capture_output=True, text=True, env=env(),
                            preexec_fn=_limited(64 * 1024), timeout=120)
    assert result.returncode == 2 and "cannot write the export" in result.stderr, result.stderr
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_read_only_place(tmp_path, capsys):
    folder = tmp_path / "cdrom"
    folder.mkdir()
    project = folder / "p.annot"
    _project(project)
    before = _dump(project)
    with read_only(project, folder):
        with pytest.raises(StorageError, match="lock file .* cannot be created"):
            Project.open(project)
        assert main(["labels", str(project), "add", "NEW"]) == 2
        err = capsys.readouterr().err
        assert "cannot open" in err and "read-only" in err
        # Reading works: stats and check open it read-only.
        assert main(["stats", str(project)]) == 0
        out = capsys.readouterr()
        assert "documents: 3" in out.out and "not writable here" in out.err
        assert main(["check", str(project)]) == 0
    assert _dump(project) == before


def test_read_only_file_in_a_writable_folder(tmp_path):
    project = tmp_path / "p.annot"
    _project(project)
    before = _dump(project)
    with read_only(project):
        with Project.open(project) as p:  # it opens (reading works) …
            assert p.document_count() == 3
            with pytest.raises(StorageError, match="read-only"):  # … and a change says why it cannot be saved
                p.add_label("NEW")
            assert not p.has_label("NEW")
    assert _dump(project) == before and check_project(project).ok
