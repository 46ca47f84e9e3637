"""Export and pre-annotation leave out a document too long for one job, before reading its
text, and say so loudly: the export lists it among its errors (summary and manifest) and
exits 1; pre-annotation names it; --max-chars lets it in."""

from __future__ import annotations

import json

from annotator.cli.main import main
from annotator.core.model import DONE, DocumentData, SpanData
from annotator.jobs import huge
from annotator.jobs.exporter import run_export
from annotator.nlp.preannotate import run_preannotate
from annotator.store.project import Project

SMALL = "นายสมชาย ใจดี ไปเชียงใหม่"
BIG = "ข่าวยาว " * 200  # 1,600 characters


def make(tmp_path):
    path = tmp_path / "p.annot"
    with Project.create(path) as p:
        for text in (SMALL, BIG):
            doc_id = p.add_document(DocumentData(text, {"title": "t"}, [SpanData(0, 8, "PERSON", origin="model")]))
            p.accept(p.spans(doc_id)[0].id)
            p.set_status(doc_id, DONE)
    return path


def test_export_leaves_a_too_large_document_out_as_an_error_in_the_manifest(tmp_path, capsys):
    path = make(tmp_path)
    out = tmp_path / "gold.jsonl"
    with Project.open(path) as project:
        report = run_export(project, out, "jsonl", max_chars=1000)
        big_id = project.query("SELECT id FROM documents WHERE length(text) > 1000")[0][0]
    assert [json.loads(l)["text"] for l in out.read_text(encoding="utf-8").splitlines()] == [SMALL]
    assert len(report.errors) == 1 and f"document {big_id}" in report.errors[0]
    assert "1,600 characters" in report.errors[0] and "--max-chars 1600" in report.errors[0]
    manifest = json.loads((tmp_path / "gold.jsonl.manifest.json").read_text(encoding="utf-8")
                          if (tmp_path / "gold.jsonl.manifest.json").exists() else open(report.manifest).read())
    assert manifest["errors"] == report.errors and manifest["too_large"] == [big_id]
    assert "error: document" in report.summary()
    # the command: exit 1, the error on stdout; with --max-chars big enough, both written
    assert main(["export", str(path), str(tmp_path / "cli.jsonl"), "--format", "conll", "--max-chars", "1000"]) == 1
    assert "over the limit of 1,000" in capsys.readouterr().out
    assert main(["export", str(path), str(tmp_path / "all.jsonl"), "--format", "jsonl", "--max-chars", "1600"]) == 0
    assert len((tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()) == 2
    with Project.open(path, readonly=True) as project:
        assert huge.too_large(project, [1, 2], None) == ([1, 2], [])
        # the limit counts characters: Thai text has three times as many UTF-8 bytes
        assert len(SMALL.encode()) > len(SMALL) + 30
        kept, left_out = huge.too_large(project, [1, 2], len(SMALL))
        assert kept == [1] and len(left_out) == 1


def test_preannotate_names_the_document_it_leaves_out(tmp_path, capsys):
    path = tmp_path / "new.annot"
    with Project.create(path) as project:
        for text in (SMALL, BIG):
            project.add_document(DocumentData(text, {}, []))
        ids = project.document_ids()
        report = run_preannotate(project, workers=1, max_chars=1000)
    assert report.documents == 1 and len(report.too_large) == 1
    assert "not suggested in document" in report.summary() and "--max-chars 1600" in report.summary()
    with Project.open(path) as project:
        report = run_preannotate(project, doc_ids=ids, workers=1, max_chars=None)
        texts = {r[0] for r in project.query("SELECT d.text FROM spans s JOIN documents d ON d.id = s.doc_id")}
    assert report.documents == 2 and report.too_large == [] and SMALL in texts
