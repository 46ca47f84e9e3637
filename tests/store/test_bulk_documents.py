"""bulk.add_documents writes what one add_document per document writes (rows, spans,
open-suggestion counts, the change log), in a few statements."""

import json

import pytest

from annotator.core.model import ACCEPTED, SUGGESTED, DocumentData, SpanData
from annotator.store.bulk import add_documents
from annotator.store.project import Project


def docs():
    return [
        DocumentData("ไปเชียงใหม่ วันนี้", {"title": "ข่าว", "date": "2024-01-08", "url": "https://x.th/1",
                                           "date_text": "8 ม.ค. 67"}, [SpanData(2, 11, "LOCATION")],
                     source="a.jsonl", line=1),
        DocumentData("ข้อความที่สอง", {}, [], source="a.jsonl", line=2),
        DocumentData("ไปเชียงใหม่ วันนี้", {}, [SpanData(0, 2, "PERSON")], source="b.jsonl", line=1),  # repeat
        DocumentData("นายสมชาย ใจดี ที่ขอนแก่น", {"id": 7}, [SpanData(0, 13, "PERSON", origin="human"),
                                                          SpanData(17, 24, "LOCATION", confidence=0.5)],
                     source="b.jsonl", line=2),
    ]


def rows(project):
    documents = [tuple(r) for r in project.query(
        "SELECT id, text, typeof(text), length(text), CAST(text AS BLOB), content_hash, title, date, url, meta,"
        " source, status, COALESCE((SELECT open_suggestions FROM document_counts WHERE doc_id = documents.id), 0)"
        " FROM documents JOIN document_status ON document_status.doc_id = documents.id ORDER BY id")]
    spans = [tuple(r) for r in project.query(
        'SELECT id, doc_id, start, "end", label_id, state, origin, confidence, author, model_version FROM spans'
        " ORDER BY id")]
    log = [(r["grp"], r["author"], r["action"], r["doc_id"], r["span_id"], r["before"], json.loads(r["after"]))
           for r in project.query("SELECT * FROM changes WHERE action = 'doc.import' ORDER BY id")]
    return documents, spans, log


@pytest.mark.parametrize("state", [SUGGESTED, ACCEPTED])
def test_same_rows_as_one_add_document_each(tmp_path, state):
    one = Project.create(tmp_path / "one.annot")
    many = Project.create(tmp_path / "many.annot")
    try:
        with one.transaction():
            ids_one = [one.add_document(d, span_state=state) for d in docs()]
        with many.transaction():
            ids_many = add_documents(many, docs(), span_state=state)
        assert ids_one == ids_many == [1, 2, None, 3]
        assert rows(one) == rows(many)
        documents, spans, log = rows(many)
        assert [d[12] for d in documents] == ([1, 0, 2] if state == SUGGESTED else [0, 0, 0])
        assert [entry[6]["spans"] for entry in log] == [[[1, 2, 11, "LOCATION"]], [],
                                                        [[2, 0, 13, "PERSON"], [3, 17, 24, "LOCATION"]]]
        # the trigger that keeps the counts is back, and counts the next writer's spans
        many.add_span(2, 0, 4, "PERSON", state=SUGGESTED)
        assert many.query("SELECT COALESCE((SELECT open_suggestions FROM document_counts WHERE doc_id = documents.id), 0) FROM documents WHERE id = 2")[0][0] == 1
    finally:
        one.close()
        many.close()


def test_texts_already_stored_are_none(project):
    assert add_documents(project, docs()[:2]) == [1, 2]
    assert add_documents(project, docs()) == [None, None, None, 3]
    assert project.document_count() == 3


def test_a_refused_value_leaves_nothing_of_the_call(project):
    bad = docs()
    bad[3].spans = [SpanData(0, 99, "PERSON")]  # outside the text
    with pytest.raises(Exception):
        with project.transaction():
            add_documents(project, bad)
    assert project.document_count() == 0
    assert project.query("SELECT COUNT(*) FROM changes WHERE action = 'doc.import'")[0][0] == 0


@pytest.mark.parametrize("state", [SUGGESTED, ACCEPTED])
def test_texts_given_as_utf8_are_the_same_rows(tmp_path, state):
    """What the importer does for files read as UTF-8: the bytes are hashed and stored as
    the text (a TEXT value, byte for byte the same), the others encoded here."""
    one = Project.create(tmp_path / "one.annot")
    many = Project.create(tmp_path / "many.annot")
    try:
        with one.transaction():
            ids_one = [one.add_document(d, span_state=state) for d in docs()]
        given = docs()
        utf8 = [d.text.encode("utf-8") if k != 1 else None for k, d in enumerate(given)]
        with many.transaction():
            ids_many = add_documents(many, given, span_state=state, utf8=utf8)
        assert ids_one == ids_many == [1, 2, None, 3]
        assert rows(one) == rows(many)
        assert {r[2] for r in rows(many)[0]} == {"text"}
        assert many.document(1).text == docs()[0].text
        with pytest.raises(ValueError):
            add_documents(many, given, utf8=utf8[:2])
    finally:
        one.close()
        many.close()
