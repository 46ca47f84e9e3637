"""Active review time: the timer's rules, what reaches the project, and the pace."""

from __future__ import annotations

import pytest

from annotator.core.model import DocumentData, SpanData
from annotator.store.activity import ActiveTimer, add_time, document_time, pace
from annotator.store.project import Project


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def timer_with(clock, **kw):
    written: list[tuple[int, float]] = []
    return ActiveTimer(lambda doc, s: written.append((doc, s)), clock=clock, **kw), written


def test_time_between_interactions_counts_and_long_pauses_do_not():
    clock = Clock()
    timer, written = timer_with(clock, flush_seconds=1e9)
    timer.touch(1)
    for step in (5, 10, 30):  # 45 s of work
        clock.t += step
        timer.touch(1)
    clock.t += 600  # lunch: not review time
    timer.touch(1)
    clock.t += 20
    timer.touch(1)
    timer.stop()
    assert written == [(1, pytest.approx(65.0))]


def test_the_gap_before_a_switch_belongs_to_the_document_left():
    clock = Clock()
    timer, written = timer_with(clock, flush_seconds=1e9)
    timer.touch(1)
    clock.t += 12
    timer.touch(2)  # Ctrl+PgDown: the 12 s were spent on document 1
    clock.t += 7
    timer.touch(2)
    timer.stop()
    assert written == [(1, pytest.approx(12.0)), (2, pytest.approx(7.0))]


def test_pending_time_is_written_every_few_seconds_so_a_crash_loses_little():
    clock = Clock()
    timer, written = timer_with(clock, flush_seconds=10)
    timer.touch(3)
    for _ in range(5):
        clock.t += 4
        timer.touch(3)
    # 20 s gathered: written at 12 s, the rest (8 s) still pending.
    assert [s for _, s in written] == [pytest.approx(12.0)]
    assert timer.pending == pytest.approx(8.0)


def test_time_and_pace_are_kept_in_the_project(tmp_path):
    path = tmp_path / "p.annot"
    with Project.create(path, annotator="somchai") as p:
        text = "นายสมชาย ใจดี ไปจังหวัดเชียงใหม่"
        doc = p.add_document(DocumentData(text, {}, [
            SpanData(0, 13, "PERSON", origin="model"), SpanData(17, 32, "LOCATION", origin="model")]))
        first, second = p.spans(doc)
        p.accept(first.id)
        p.reject(second.id)
        add_time(p, doc, 1800)
        add_time(p, doc, 1800)  # adds up: one hour
        add_time(p, doc, 900, author="somying")
    with Project.open(path) as p:  # survives closing
        assert document_time(p, doc) == {"somchai": 3600.0, "somying": 900.0}
        result = pace(p)
    assert result.decided == {"somchai": {"PERSON": 1, "LOCATION": 1}}
    assert result.per_hour("somchai") == pytest.approx(2.0)
    assert result.per_hour("somchai", "PERSON") == pytest.approx(1.0)
    assert result.per_hour("somying") == 0.0
    # Per label over everyone's time: 1 PERSON in 1.25 hours.
    assert result.label_per_hour("PERSON") == pytest.approx(0.8)
    as_json = result.to_json()
    assert as_json["annotators"]["somchai"]["per_hour"] == 2.0
    assert as_json["annotators"]["somchai"]["documents"] == 1
    assert "somchai" in result.format() and "PERSON" in result.format()


def test_deleting_a_document_deletes_its_time(tmp_path):
    with Project.create(tmp_path / "p.annot") as p:
        doc = p.add_document(DocumentData("ข้อความ", {}, []))
        add_time(p, doc, 5)
        p.execute("DELETE FROM documents WHERE id = ?", (doc,))
        assert p.query("SELECT COUNT(*) FROM activity")[0][0] == 0
