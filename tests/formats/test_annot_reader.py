"""Another annotator's project file (or its jsonl export) imported into a project: their
finished work merged as theirs, any number of times, in any order, nothing twice."""

from __future__ import annotations

import json

import pytest

from annotator.core.errors import InputFileError
from annotator.core.model import ACCEPTED, DONE, SKIPPED, DocumentData, SpanData
from annotator.formats import annot, guess
from annotator.jobs.exporter import run_export
from annotator.jobs.importer import run_import
from annotator.store.project import Project

T1 = "นายสมชาย ใจดี ไปเชียงใหม่"
T2 = "บริษัท สยามดาต้า จำกัด ลงทุนที่ภูเก็ต"
T3 = "ข่าวที่ยังอ่านไม่จบ"
T4 = "ข่าวที่ข้ามไป"
PLACE = (T1.index("เชียงใหม่"), len(T1))


@pytest.fixture
def somying(tmp_path):
    """somying's project: T1 and T2 done, T3 unfinished, T4 skipped."""
    path = tmp_path / "somying.annot"
    with Project.create(path, annotator="somying") as p:
        d1 = p.add_document(DocumentData(T1, {"title": "หนึ่ง"}, [SpanData(*PLACE, "LOCATION", origin="model")]))
        p.add_span(d1, 0, 13, "PERSON")
        p.accept(p.spans(d1)[-1].id)  # the model's place, accepted
        d2 = p.add_document(DocumentData(T2, {}, [SpanData(len(T2) - 6, len(T2), "LOCATION", origin="model")]))
        p.add_span(d2, 7, 16, "ORGANIZATION")
        p.reject(p.spans(d2)[-1].id)  # rejected: not part of the annotation
        d3 = p.add_document(DocumentData(T3, {}, []))
        p.add_span(d3, 0, 4, "PERSON")
        d4 = p.add_document(DocumentData(T4, {}, []))
        for doc_id in (d1, d2):
            p.set_status(doc_id, DONE)
        p.set_status(d4, SKIPPED)
    return path


def snapshot(project: Project):
    spans = project.query('SELECT doc_id, start, "end", label_id, state, author, provenance FROM spans ORDER BY id')
    docs = project.query("SELECT id, text, status FROM documents JOIN document_status ON document_status.doc_id = documents.id ORDER BY id")
    changes = project.query("SELECT COUNT(*) FROM changes")[0][0]
    return [tuple(r) for r in spans], [tuple(r) for r in docs], changes


def test_reader_gives_finished_work_with_its_annotator(somying):
    assert guess(somying) == "annot"
    docs = list(annot.read(somying))
    assert [d.text for d in docs] == [T1, T2, T3]  # the skipped one stays behind
    d1, d2, d3 = docs
    assert d1.annotator == d2.annotator == "somying" and d3.annotator is None
    assert [(s.start, s.end, s.label) for s in d1.spans] == [(0, 13, "PERSON"), (*PLACE, "LOCATION")]
    assert [(s.start, s.end, s.label) for s in d2.spans] == [(7, 16, "ORGANIZATION")]  # not the rejected one
    assert d3.spans == []  # unfinished work is not an annotation yet
    assert d1.meta == {"title": "หนึ่ง"}


def test_not_a_project_is_refused(tmp_path):
    bad = tmp_path / "bad.annot"
    bad.write_text("hello", encoding="utf-8")
    with pytest.raises(InputFileError, match="cannot read this project"):
        list(annot.read(bad))


def test_importing_the_same_annotator_twice_changes_nothing(somying, project):
    first = run_import(project, [somying])
    assert (first.imported, first.merged, first.unchanged, first.failed) == (3, 2, 0, [])
    gold = {(s.start, s.end, s.label, s.state, s.author) for s in project.spans(1)}
    assert gold == {(0, 13, "PERSON", ACCEPTED, "somying"), (*PLACE, "LOCATION", ACCEPTED, "somying")}
    assert project.document_status(1) == DONE and project.document_status(3) == "new"
    before = snapshot(project)
    second = run_import(project, [somying])
    assert (second.imported, second.merged, second.unchanged, second.duplicates) == (0, 0, 2, 1)
    assert snapshot(project) == before


def test_the_jsonl_export_and_the_project_file_are_the_same_work(somying, project, tmp_path):
    with Project.open(somying, readonly=True) as p:
        run_export(p, tmp_path / "somying.jsonl", "jsonl", status="any", with_authors=True)
    records = [json.loads(x) for x in (tmp_path / "somying.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r.get("annotator") for r in records] == ["somying", "somying", None]  # finished ones only
    run_import(project, [tmp_path / "somying.jsonl"])
    before = snapshot(project)
    for path in (somying, tmp_path / "somying.jsonl", somying):  # any order, any number of times
        report = run_import(project, [path])
        assert report.merged == 0 and report.imported == 0
    assert snapshot(project) == before


def test_two_annotators_merge_into_a_project_that_has_the_texts(somying, project, tmp_path):
    project.add_document(DocumentData(T2, {}, [SpanData(0, 6, "ORGANIZATION", origin="model")]))
    nok = tmp_path / "nok.annot"
    with Project.create(nok, annotator="nok") as p:
        doc = p.add_document(DocumentData(T2, {}, []))
        p.add_span(doc, 0, 22, "ORGANIZATION")
        p.set_status(doc, DONE)
    run_import(project, [nok, somying])
    t2 = project.spans(1)
    # The open machine suggestion gave way; the two readings of the company wait for adjudication.
    assert [(s.start, s.end, s.author, s.state) for s in t2] == [(0, 22, "nok", "suggested"),
                                                                 (7, 16, "somying", "suggested")]
    assert project.document_status(1) == "in_progress"


def test_jsonl_annotator_key(tmp_path):
    from annotator.core.errors import InputProblem
    from annotator.formats import jsonl

    path = tmp_path / "in.jsonl"
    lines = [{"text": "ก ข", "annotator": " nok ", "spans": []}, {"text": "ค", "annotator": "  "},
             {"text": "ง", "annotator": 7}]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    first, blank, number = jsonl.read(path)
    assert first.annotator == "nok" and "annotator" not in first.meta
    assert isinstance(blank, InputProblem) and "annotator" in blank.message
    assert number.annotator is None and number.meta == {"annotator": 7}  # not ours: kept as metadata
