"""A confirmed span's text is suggested elsewhere; what a person decided is never touched."""

from __future__ import annotations

import pytest

from annotator.core.model import DocumentData, SpanData
from annotator.nlp.propagate import (
    ORIGIN,
    VERSION,
    confirmed_strings,
    propagate_document,
    propagate_span,
    run_propagate,
)

# newmm keeps กรุงเทพมหานคร one word, so the กรุงเทพ inside it is not on a word edge.
TEXT = ("บริษัท สยามดาต้า จำกัด ประกาศผลประกอบการที่กรุงเทพ นายธนกฤต วงศ์ประเสริฐ กล่าวว่า สยามดาต้า"
        " เติบโตในกรุงเทพมหานคร ขณะที่ นายธนกฤต วงศ์ประเสริฐ และ สยามดาต้า จะลงทุนเพิ่มที่กรุงเทพ")


def at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def spans_of(project, doc_id, state=None):
    return {(project.document(doc_id).text[s.start:s.end], s.start, s.label, s.state, s.origin)
            for s in project.spans(doc_id) if state is None or s.state == state}


def test_confirmed_text_is_suggested_elsewhere_in_the_document(project):
    doc = project.add_document(DocumentData(TEXT))
    span = project.add_span(doc, *at(TEXT, "สยามดาต้า"), "ORGANIZATION")
    report = propagate_span(project, span.id)
    open_ = [s for s in project.spans(doc) if s.state == "suggested"]
    assert sorted(s.start for s in open_) == [at(TEXT, "สยามดาต้า", 1)[0], at(TEXT, "สยามดาต้า", 2)[0]]
    assert all(s.label == "ORGANIZATION" and s.origin == ORIGIN and s.model_version == VERSION
               and s.confidence == 0.9 for s in open_)
    assert report.added == 2 and report.documents == 1
    # กรุงเทพ: the last one, not the one inside กรุงเทพมหานคร (not a word edge).
    city = project.add_span(doc, *at(TEXT, "กรุงเทพ"), "LOCATION")
    assert propagate_span(project, city.id).added == 1
    assert at(TEXT, "กรุงเทพ", 2)[0] in {s.start for s in project.spans(doc) if s.label == "LOCATION"}
    # Again: nothing new, nothing doubled.
    assert propagate_span(project, span.id).added == 0
    assert len([s for s in project.spans(doc) if s.state == "suggested"]) == 3


def test_never_over_a_span_a_person_decided(project):
    doc = project.add_document(DocumentData(TEXT))
    second = at(TEXT, "สยามดาต้า", 1)
    fourth = at(TEXT, "สยามดาต้า", 2)
    # A person rejected a suggestion at the second mention and labelled the fourth otherwise.
    project.replace_suggestions(doc, [SpanData(*second, "ORGANIZATION", origin="model", confidence=0.4)], "m")
    project.reject(project.spans(doc)[0].id)
    project.add_span(doc, *fourth, "LOCATION")
    before = {(s.id, s.start, s.end, s.label, s.state) for s in project.spans(doc)}
    span = project.add_span(doc, *at(TEXT, "สยามดาต้า"), "ORGANIZATION")
    assert propagate_span(project, span.id).added == 0
    after = {(s.id, s.start, s.end, s.label, s.state) for s in project.spans(doc) if s.id != span.id}
    assert after == before


def test_open_suggestions_are_replaced_only_when_covered(project):
    doc = project.add_document(DocumentData(TEXT))
    name = "นายธนกฤต วงศ์ประเสริฐ"
    second = at(TEXT, name, 1)
    # An open suggestion inside the second mention (covered: replaced), and one reaching
    # beyond the third company mention (not covered: kept).
    inner = SpanData(second[0] + 3, second[0] + 8, "LOCATION", origin="model", confidence=0.3)
    wide_start = at(TEXT, "และ สยามดาต้า")[0]
    wide = SpanData(wide_start, wide_start + len("และ สยามดาต้า"), "ORGANIZATION", origin="model", confidence=0.3)
    project.replace_suggestions(doc, [inner, wide], "m")
    person = project.add_span(doc, *at(TEXT, name), "PERSON")
    company = project.add_span(doc, *at(TEXT, "สยามดาต้า"), "ORGANIZATION")
    propagate_span(project, person.id)
    propagate_span(project, company.id)
    open_ = {(TEXT[s.start:s.end], s.start, s.label) for s in project.spans(doc) if s.state == "suggested"}
    assert (name, second[0], "PERSON") in open_
    assert ("และ สยามดาต้า", wide_start, "ORGANIZATION") in open_  # left alone
    assert not any(label == "LOCATION" for _, _, label in open_)  # the covered one went
    assert ("สยามดาต้า", at(TEXT, "สยามดาต้า", 1)[0], "ORGANIZATION") in open_


def test_project_scope_reaches_unfinished_documents_only(project):
    doc = project.add_document(DocumentData(TEXT))
    other = project.add_document(DocumentData("ข่าวใหม่ สยามดาต้า ขยายสาขา"))
    finished = project.add_document(DocumentData("ข่าวเก่า สยามดาต้า ปิดงบ"), status="done")
    span = project.add_span(doc, *at(TEXT, "สยามดาต้า"), "ORGANIZATION")
    report = propagate_span(project, span.id, scope="project")
    assert report.documents == 2
    assert [(s.label, s.confidence) for s in project.spans(other)] == [("ORGANIZATION", 0.8)]
    assert project.spans(finished) == []
    with pytest.raises(ValueError):
        propagate_span(project, span.id, scope="everywhere")


def test_suggested_or_short_spans_are_not_propagated(project):
    doc = project.add_document(DocumentData(TEXT))
    project.replace_suggestions(doc, [SpanData(*at(TEXT, "สยามดาต้า"), "ORGANIZATION", origin="model")], "m")
    open_span = project.spans(doc)[0]
    assert propagate_span(project, open_span.id).added == 0  # nobody confirmed it
    short = project.add_span(doc, *at(TEXT, "ขณะที่"), "LOCATION")
    project.update_span(short.id, end=short.start + 1)
    assert propagate_span(project, short.id).added == 0


def test_document_and_project_runs(project):
    doc = project.add_document(DocumentData(TEXT))
    other = project.add_document(DocumentData("ข่าวใหม่ นายธนกฤต วงศ์ประเสริฐ เยือนกรุงเทพมหานคร"))
    project.add_span(doc, *at(TEXT, "สยามดาต้า"), "ORGANIZATION")
    project.add_span(doc, *at(TEXT, "นายธนกฤต วงศ์ประเสริฐ"), "PERSON")
    project.add_span(doc, *at(TEXT, "กรุงเทพ"), "LOCATION")
    assert confirmed_strings(project) == {"สยามดาต้า": "ORGANIZATION", "นายธนกฤต วงศ์ประเสริฐ": "PERSON",
                                          "กรุงเทพ": "LOCATION"}
    assert propagate_document(project, doc).added == 4
    report = run_propagate(project, "project")
    assert report.documents == 1 and report.added == 1  # กรุงเทพมหานคร holds no กรุงเทพ word
    assert {(s.label) for s in project.spans(other)} == {"PERSON"}
    assert run_propagate(project, "document").added == 0


def test_a_string_is_found_after_a_title_in_the_same_word(project):
    """newmm keeps ปลัดกระทรวง one word; the ministry that starts inside it is still the
    ministry. One that runs on inside a longer word is not (กรุงเทพ in กรุงเทพมหานคร)."""
    name = "กระทรวงการค้า อุตสาหกรรม และพลังงาน"
    text = f"{name} จัดงานแถลงข่าว โดยมีปลัด{name} เป็นประธาน และคนไทยร่วมงาน ที่{name}"
    doc = project.add_document(DocumentData(text))
    from annotator.nlp.tokenizer import tokenize

    inner = at(text, name, 1)
    assert not any(s == inner[0] for s, _ in tokenize(text))  # inside the token ปลัดกระทรวง
    span = project.add_span(doc, *at(text, name), "ORGANIZATION")
    propagate_span(project, span.id)
    found = sorted(s.start for s in project.spans(doc) if s.state == "suggested")
    assert found == [inner[0], at(text, name, 2)[0]]


def test_the_overlap_lookup_finds_what_a_pass_over_every_span_finds():
    import random
    from types import SimpleNamespace

    from annotator.store.ranges import overlap_finder

    rng = random.Random(3)
    for _ in range(50):
        spans = []
        for k in range(rng.randrange(0, 60)):
            a = rng.randrange(200)
            spans.append(SimpleNamespace(id=k, start=a, end=a + rng.randrange(1, 30)))
        overlapping = overlap_finder(spans)
        for _ in range(40):
            a = rng.randrange(220)
            b = a + rng.randrange(1, 25)
            assert sorted(s.id for s in overlapping(a, b)) == sorted(
                s.id for s in spans if s.start < b and a < s.end)


def test_can_add_in_document_only_for_a_string_that_stands_there_twice():
    from annotator.nlp.propagate import can_add_in_document

    text = "นายสมชาย ใจดี พบ นายสมชาย ใจดี ที่ ก"
    assert can_add_in_document(text, 0, 13)
    assert not can_add_in_document(text, 14, 16)  # พบ: once
    assert not can_add_in_document(text, len(text) - 1, len(text))  # one letter
