"""Manifests that count what the files hold, name no machine's paths; imports from the
tools people leave (Label Studio, spaCy DocBin, HF JSONL, space-separated CoNLL)."""

from __future__ import annotations

import json

from annotator.cli import main
from annotator.core.model import DocumentData, SpanData
from annotator.jobs.exporter import parse_split, run_export
from annotator.jobs.importer import run_import
from annotator.store.project import Project

TEXT = "นายสมชาย ใจดี ไป\nเชียงใหม่ 😀"


def add(project, text=TEXT, spans=((0, 13, "PERSON"), (17, 26, "LOCATION")), source="/home/somchai/a.txt"):
    project.add_document(DocumentData(text, {}, [SpanData(*s) for s in spans], source=source),
                         status="done", span_state="accepted")


def spans_of(project):
    return sorted((text[s.start:s.end], s.label) for doc_id, text in
                  project.query("SELECT id, text FROM documents") for s in project.spans(doc_id))


def test_manifest_lists_split_members_label_ids_and_no_absolute_path(project, tmp_path):
    for i in range(6):
        add(project, f"{i} " + TEXT, ((2, 15, "PERSON"),), source=f"/home/somchai/news/{i}.txt")
    out = tmp_path / "g"
    run_export(project, out, "jsonl", split=parse_split("50/25/25"), seed=2, license="CC-BY-3.0",
               attribution="ThaiNER")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    text = json.dumps(manifest) + "".join(p.read_text(encoding="utf-8") for p in out.glob("*.jsonl"))
    assert "/home/somchai" not in text and str(tmp_path) not in text
    assert manifest["project"] == "test.annot" and manifest["license"] == "CC-BY-3.0"
    assert manifest["labels"][0] == {"id": 0, "name": project.labels()[0].name}
    for name in ("train", "dev", "test"):
        records = [json.loads(l) for l in (out / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
        assert [m["id"] for m in manifest["splits"][name]] == [r["id"] for r in records]
        assert manifest["documents"][name] == len(records)
        assert sum(manifest["spans"][name].values()) == sum(len(r["spans"]) for r in records)
        assert all(r["meta"]["source"].endswith(".txt") and "/" not in r["meta"]["source"] for r in records)


def test_thainer_document_that_cannot_be_written_fails_the_export(project, tmp_path, capsys):
    add(project)
    add(project, "ตาม นาย\nสมชาย", ((4, 13, "PERSON"),))  # the entity crosses the line break
    out = tmp_path / "t.txt"
    assert main(["export", str(project.path), str(out), "--format", "thainer"]) == 1
    assert "crosses a line break" in capsys.readouterr().out
    manifest = json.loads((tmp_path / "t.txt.manifest.json").read_text(encoding="utf-8"))
    assert manifest["documents"] == {"all": 1} and manifest["spans"] == {"all": {"LOCATION": 1, "PERSON": 1}}
    assert out.read_text(encoding="utf-8").count("[PERSON]") == 1 and manifest["errors"]


def test_label_studio_export_imports_back_and_is_detected(project, tmp_path):
    add(project)
    out = tmp_path / "ls.json"
    run_export(project, out, "labelstudio")
    tasks = json.loads(out.read_text(encoding="utf-8"))
    region = tasks[0]["annotations"][0]["result"][1]
    assert region["type"] == "labels" and region["value"]["labels"] == ["LOCATION"]
    assert region["value"]["text"] == "เชียงใหม่"
    assert '<Label value="PERSON"/>' in (tmp_path / "ls.labelconfig.xml").read_text(encoding="utf-8")
    back = Project.create(tmp_path / "b.annot")
    report = run_import(back, [out])  # no --format: a JSON array is Label Studio's
    assert report.failed == [] and spans_of(back) == spans_of(project)
    back.close()


def test_label_studio_json_min_and_utf16_offsets(project, tmp_path):
    text = "😀 นายสมชาย"  # the emoji is 2 UTF-16 units: Label Studio's offsets are 1 more
    path = tmp_path / "min.json"
    path.write_text(json.dumps([{"id": 3, "text": text, "label": [
        {"start": 3, "end": 11, "text": "นายสมชาย", "labels": ["PERSON"]}], "annotator": 1}]), encoding="utf-8")
    report = run_import(project, [path])
    assert report.failed == [] and spans_of(project) == [("นายสมชาย", "PERSON")]


def test_hf_jsonl_and_spacy_docbin_are_detected_without_format(project, tmp_path):
    add(project)
    run_export(project, tmp_path / "h.jsonl", "hf")
    run_export(project, tmp_path / "d.spacy", "spacy")
    for name in ("h.jsonl", "d.spacy"):
        back = Project.create(tmp_path / f"{name}.annot")
        report = run_import(back, [tmp_path / name])
        assert report.failed == [] and spans_of(back) == spans_of(project), name
        back.close()


def test_a_json_array_read_as_jsonl_is_refused_once_with_the_format_to_use(project, tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text("[\n" + ",\n".join(json.dumps({"data": {"text": f"ข่าว {i}"}}) for i in range(50)) + "\n]\n",
                    encoding="utf-8")
    report = run_import(project, [path], fmt="jsonl")
    assert len(report.failed) == 1 and "--format labelstudio" in report.failed[0].message


def test_space_separated_conll_is_rebuilt_with_spaces_and_said(project, tmp_path):
    english = tmp_path / "en.conll"
    english.write_text("Somchai\tB-PERSON\nvisited\tO\nNan\tB-LOCATION\n", encoding="utf-8")
    thai = tmp_path / "th.conll"
    thai.write_text("นาย\tB-PERSON\n_\tI-PERSON\nสมชาย\tI-PERSON\nไป\tO\n", encoding="utf-8")
    report = run_import(project, [english, thai], unknown_labels="add")
    assert report.failed == [] and len(report.notices) == 2
    texts = sorted(t for (t,) in project.query("SELECT text FROM documents"))
    assert texts == ["Somchai visited Nan", "นาย สมชายไป"]
    assert ("นาย สมชาย", "PERSON") in spans_of(project)


def test_unknown_file_names_the_formats(project, tmp_path):
    path = tmp_path / "x.xml"
    path.write_text("<a/>", encoding="utf-8")
    (problem,) = run_import(project, [path]).failed
    assert "labelstudio" in problem.message and "--format" in problem.message
