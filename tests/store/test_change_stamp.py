"""Project.change_stamp(): equal stamps mean nothing was written to the file in between
(the window reuses documents it read in idle time only then)."""

from __future__ import annotations

from annotator.core.model import DocumentData, SpanData
from annotator.store.project import Project

TEXT = "นายสมชาย ใจดี ไปเชียงใหม่\n"


def test_any_write_changes_the_stamp_and_reads_do_not(tmp_path):
    path = tmp_path / "p.annot"
    with Project.create(path, annotator="a") as project:
        doc_id = project.add_document(DocumentData(TEXT, {}, [SpanData(0, 8, "PERSON", origin="model")]))
        stamp = project.change_stamp()
        project.spans(doc_id)
        project.document(doc_id)
        assert project.change_stamp() == stamp  # reading writes nothing
        span = project.spans(doc_id)[0]
        project.accept(span.id)
        after_accept = project.change_stamp()
        assert after_accept != stamp
        project.undo()
        assert project.change_stamp() != after_accept


def test_a_commit_by_another_connection_changes_the_stamp(tmp_path):
    import sqlite3

    path = tmp_path / "p.annot"
    with Project.create(path, annotator="a") as project:
        doc_id = project.add_document(DocumentData(TEXT, {}, []))
        stamp = project.change_stamp()
        other = sqlite3.connect(path)
        other.execute("UPDATE documents SET title = 'x' WHERE id = ?", (doc_id,))
        other.commit()
        other.close()
        assert project.change_stamp() != stamp
