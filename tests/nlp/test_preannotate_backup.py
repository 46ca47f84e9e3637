"""Pre-annotation and backups: re-suggesting alone does not make a backup due (so a big
project is not copied before every re-tagging), anything a person or an import changes
does; and a backup beside a job runs at the lowest CPU priority."""

from __future__ import annotations

import os
import sys
import threading

from annotator.cli.opening import open_project
from annotator.core.model import DocumentData
from annotator.nlp.preannotate import run_preannotate
from annotator.store import backup
from annotator.store.project import Project


def _wait_backups() -> None:
    for thread in threading.enumerate():
        if thread.name == "backup":
            thread.join()


def test_suggestions_alone_do_not_make_a_backup_due(tmp_path):
    path = tmp_path / "p.annot"
    with Project.create(path) as project:
        project.add_document(DocumentData(text="นายสมชาย ใจดี เดินทางไปจังหวัดเชียงใหม่ เมื่อวันที่ 5 มีนาคม 2567"))
    with open_project(path) as project:  # the first opening backs up
        _wait_backups()
        run_preannotate(project, workers=1, model="bundled")
        assert project.query("SELECT COUNT(*) FROM spans")[0][0] > 0
    assert len(backup.list_backups(path)) == 1
    with open_project(path) as project:  # only suggestions changed: nothing to copy
        _wait_backups()
        run_preannotate(project, workers=1, model="bundled")  # replaced, still nothing due
    assert len(backup.list_backups(path)) == 1
    result = backup.make_backup(path)
    assert "unchanged since the last backup" in result.reason
    with open_project(path) as project:
        _wait_backups()
        doc_id = project.document_ids()[0]
        span = project.spans(doc_id)[0]
        project.accept(span.id)
    with open_project(path) as project:  # a person's change since: backed up
        _wait_backups()
    assert len(backup.list_backups(path)) == 2


def test_backup_thread_runs_at_the_lowest_priority():
    seen = []
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def run():
        backup._lower_priority()
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if sys.platform.startswith("linux"):  # nice is per thread there; elsewhere it is left alone
        assert seen == [19]
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before  # this thread untouched
