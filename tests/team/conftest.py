"""Annotators' project files built by hand: each text with the spans its annotator marked."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.model import DONE, DocumentData
from annotator.store.project import Project

# Three short articles; spans are found by searching the text.
T1 = "นายสมชาย ใจดี เดินทางไปจังหวัดเชียงใหม่ เมื่อวันจันทร์"
T2 = "บริษัท สยามดาต้า จำกัด ลงทุนที่ภูเก็ต 250 ล้านบาท"
T3 = "นางสาวมาลี ศรีสุข ทำงานที่กรุงเทพมหานคร"


def span(text: str, needle: str, label: str) -> tuple[int, int, str]:
    start = text.index(needle)
    return start, start + len(needle), label


def make_annotator(path: Path, name: str, work: dict[str, list[tuple[str, str]] | None],
                   labels: list[dict] | None = None) -> Path:
    """A project of annotator ``name``: each text with its spans (needle, label), marked
    done; ``None`` instead of spans leaves the document unfinished."""
    with Project.create(path, annotator=name, labels=labels) as project:
        for text, marks in work.items():
            doc_id = project.add_document(DocumentData(text, {"title": text[:12]}))
            for needle, label in marks or []:
                project.add_span(doc_id, *span(text, needle, label))
            if marks is not None:
                project.set_status(doc_id, DONE)
    return path


def team_rows(project: Project) -> list[tuple]:
    """The merged state, independent of row ids: (text start, start, end, label, state,
    author, provenance) per span, and each document's status."""
    rows = project.query(
        'SELECT d.text, s.start, s."end", l.name, s.state, s.author, s.provenance FROM spans s'
        " JOIN labels l ON l.id = s.label_id JOIN documents d ON d.id = s.doc_id")
    spans = sorted((r[0][:10], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows)
    docs = sorted((r[0][:10], r[1]) for r in project.query("SELECT text, status FROM documents JOIN document_status ON document_status.doc_id = documents.id"))
    return spans + docs


@pytest.fixture
def pair(tmp_path):
    """Annotators a and b: they agree on T1's person, disagree on its place and on T2's
    company; b did not finish T3 (a did)."""
    a = make_annotator(tmp_path / "a.annot", "a", {
        T1: [("นายสมชาย ใจดี", "PERSON"), ("จังหวัดเชียงใหม่", "LOCATION")],
        T2: [("สยามดาต้า", "ORGANIZATION")],
        T3: [("นางสาวมาลี ศรีสุข", "PERSON")],
    })
    b = make_annotator(tmp_path / "b.annot", "b", {
        T2: [("บริษัท สยามดาต้า จำกัด", "ORGANIZATION"), ("ภูเก็ต", "LOCATION")],
        T1: [("นายสมชาย ใจดี", "PERSON"), ("เชียงใหม่", "LOCATION")],
        T3: None,
    })
    return a, b
