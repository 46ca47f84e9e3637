"""Review order: least confident first, by the lowest marginal of open model suggestions."""

from __future__ import annotations

import pytest

from annotator.core.model import DocumentData, SpanData
from annotator.jobs.queue import order_ids, review_queue, uncertainty


def _doc(project, title, spans, status="new"):
    text = "ข่าว " + title + " นายสมชาย ใจดี ไปจังหวัดตรัง เมื่อ 5 มกราคม"
    doc_id = project.add_document(DocumentData(text, {"title": title}), status=status)
    suggestions = []
    for needle, origin, conf in spans:
        start = text.index(needle)
        suggestions.append(SpanData(start, start + len(needle), "PERSON", origin=origin, confidence=conf))
    project.replace_suggestions(doc_id, suggestions, "test")
    return doc_id


@pytest.fixture
def queued(project):
    ids = {
        "sure": _doc(project, "sure", [("นายสมชาย ใจดี", "model", 0.95), ("จังหวัดตรัง", "model", 0.9)]),
        "doubtful": _doc(project, "doubtful", [("นายสมชาย ใจดี", "model", 0.97), ("จังหวัดตรัง", "model", 0.31)]),
        "middling": _doc(project, "middling", [("นายสมชาย ใจดี", "model", 0.6)]),
        "rules only": _doc(project, "rules only", [("5 มกราคม", "rule", 0.2)]),  # rules do not rank
        "nothing": _doc(project, "nothing", []),
        "finished": _doc(project, "finished", [("จังหวัดตรัง", "model", 0.1)], status="done"),
    }
    return ids


def test_least_confident_first(project, queued):
    items = review_queue(project)
    assert [i.title for i in items] == ["doubtful", "middling", "sure", "rules only", "nothing"]
    assert [i.confidence for i in items] == [0.31, 0.6, 0.9, None, None]
    assert items[0].open_suggestions == 2 and items[0].status == "new"


def test_decided_suggestions_no_longer_count(project, queued):
    weak = [s for s in project.spans(queued["doubtful"]) if s.confidence == 0.31][0]
    project.accept(weak.id)
    assert uncertainty(project)[queued["doubtful"]] == 0.97
    assert [i.title for i in review_queue(project)][:3] == ["middling", "sure", "doubtful"]


def test_document_order_limit_and_statuses(project, queued):
    assert [i.title for i in review_queue(project, "document")] == [
        "sure", "doubtful", "middling", "rules only", "nothing"]
    assert [i.title for i in review_queue(project, limit=2)] == ["doubtful", "middling"]
    assert [i.title for i in review_queue(project, statuses=("done",))] == ["finished"]
    with pytest.raises(ValueError):
        review_queue(project, "random")


def test_order_ids_puts_unscored_last_and_reverses_whole():
    scores = {3: 0.5, 1: 0.2}
    assert order_ids([1, 2, 3, 4], scores) == [1, 3, 2, 4]
    assert order_ids([1, 2, 3, 4], scores, descending=True) == [4, 2, 3, 1]
