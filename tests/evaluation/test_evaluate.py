"""evaluate and the suggestion report on hand-built cases, against numbers worked out by hand."""

from __future__ import annotations

import pytest

from annotator.core.model import DocumentData, SpanData
from annotator.evaluation import evaluate as evaluation
from annotator.evaluation.evaluate import evaluate_model, evaluate_suggestions
from annotator.evaluation.suggestion_report import decisions, suggestion_report
from annotator.store.models import ModelError, add_model
from annotator.store.project import Project, content_hash

DOC_A = "นายสมชาย ใจดี ทำงานที่บริษัท สยามดาต้า จำกัด ในจังหวัดขอนแก่น"
DOC_B = "นางสาวสุดา ทองดี แถลงข่าวที่กรุงเทพมหานคร"
DOC_C = "ข่าวที่โมเดลเคยเห็นแล้ว นายอนุชา บุญมาก"


def at(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def gold(text: str, *items: tuple[str, str]) -> list[SpanData]:
    return [SpanData(*at(text, needle), label, state="accepted", origin="human") for needle, label in items]


# What the stand-in model predicts for each text (start, end, label).
PREDICTIONS = {
    DOC_A: [(*at(DOC_A, "นายสมชาย ใจดี"), "PERSON"),              # right
            (*at(DOC_A, "สยามดาต้า จำกัด"), "ORGANIZATION"),       # edges wrong: partial only
            (*at(DOC_A, "จังหวัดขอนแก่น"), "ORGANIZATION")],       # label wrong
    DOC_B: [(*at(DOC_B, "นางสาวสุดา ทองดี"), "PERSON"),             # right
            (*at(DOC_B, "แถลงข่าว"), "DATE")],                      # false
    DOC_C: [],
}
# By hand, on A and B. Exact: PERSON tp 2; ORGANIZATION fp 2, fn 1; LOCATION fn 2; DATE fp 1
# -> tp 2, fp 3, fn 3: P 2/5, R 2/5, F1 0.4. Partial: PERSON tp 2; ORGANIZATION tp 1, fp 1;
# LOCATION fn 2; DATE fp 1 -> tp 3, fp 2, fn 2: P 3/5, R 3/5, F1 0.6.


@pytest.fixture
def gold_project(tmp_path, monkeypatch):
    project = Project.create(tmp_path / "gold.annot", annotator="tester")
    with project.transaction():
        a = project.add_document(DocumentData(DOC_A, {}, gold(
            DOC_A, ("นายสมชาย ใจดี", "PERSON"), ("บริษัท สยามดาต้า จำกัด", "ORGANIZATION"),
            ("จังหวัดขอนแก่น", "LOCATION"))), status="done", span_state="accepted")
        b = project.add_document(DocumentData(DOC_B, {}, gold(
            DOC_B, ("นางสาวสุดา ทองดี", "PERSON"), ("กรุงเทพมหานคร", "LOCATION"))),
            status="done", span_state="accepted")
        c = project.add_document(DocumentData(DOC_C, {}, gold(DOC_C, ("นายอนุชา บุญมาก", "PERSON"))),
                                 status="done", span_state="accepted")
    # A stored model that held out A and B and trained on C (its bytes are never read here).
    add_model(project, b"stand-in", base="scratch", documents=1, tokens=9, labels=["PERSON"], scores={},
              settings={"dev": {"ids": [a, b]}, "train_hashes": [content_hash(DOC_C)[:16]]},
              train_seconds=0.1)

    def stand_in(spec, model_only):
        from annotator.core.model import SpanData as S

        name = "stand-in" if spec is not None else "bundled stand-in"
        return (lambda text, tokens: [S(s, e, lab) for s, e, lab in PREDICTIONS[text]]), name

    monkeypatch.setattr(evaluation, "_predictor", stand_in)
    yield project
    project.close()


def check_hand_numbers(report):
    ex, pa = report.exact, report.partial
    assert (ex.micro.tp, ex.micro.fp, ex.micro.fn) == (2, 3, 3)
    assert ex.micro.precision == pytest.approx(0.4) and ex.micro.recall == pytest.approx(0.4)
    assert ex.micro.f1 == pytest.approx(0.4)
    assert (ex.per_label["ORGANIZATION"].fp, ex.per_label["ORGANIZATION"].fn) == (2, 1)
    assert ex.per_label["PERSON"].f1 == pytest.approx(1.0) and ex.per_label["LOCATION"].recall == 0
    assert (pa.micro.tp, pa.micro.fp, pa.micro.fn) == (3, 2, 2)
    assert pa.micro.f1 == pytest.approx(0.6)
    assert pa.per_label["ORGANIZATION"].precision == pytest.approx(0.5)


def test_dev_split_scores_equal_the_hand_computed_ones(gold_project):
    report = evaluate_model(gold_project, "latest", "dev")
    assert report.documents == 2 and report.left_out == 0
    check_hand_numbers(report)
    data = report.to_json()
    assert data["exact"]["micro"]["f1"] == 0.4 and data["partial"]["micro"]["f1"] == 0.6
    assert "exact span and label" in report.format()


def test_all_leaves_out_what_the_model_trained_on(gold_project):
    report = evaluate_model(gold_project, "latest", "all")
    assert report.documents == 2 and report.left_out == 1  # C was training data
    check_hand_numbers(report)


def test_bundled_is_scored_on_the_newest_models_dev_documents(gold_project):
    report = evaluate_model(gold_project, "bundled", "dev")
    assert report.subject == "bundled stand-in" and report.documents == 2
    check_hand_numbers(report)
    assert evaluate_model(gold_project, "bundled", "all").documents == 3  # it trained on none


def test_gold_from_another_project(gold_project, tmp_path):
    with Project.create(tmp_path / "other.annot") as other:
        other.add_document(DocumentData(DOC_A, {}, gold(
            DOC_A, ("นายสมชาย ใจดี", "PERSON"), ("บริษัท สยามดาต้า จำกัด", "ORGANIZATION"),
            ("จังหวัดขอนแก่น", "LOCATION"))), status="done", span_state="accepted")
        other.add_document(DocumentData(DOC_C, {}, []), status="done")
        other.add_document(DocumentData(DOC_B, {}, []), status="new")  # not gold yet
        report = evaluate_model(gold_project, 1, gold=other)
    assert report.documents == 1 and report.left_out == 1 and report.gold == "other.annot"
    assert (report.exact.micro.tp, report.exact.micro.fp, report.exact.micro.fn) == (1, 2, 2)


def test_a_model_without_held_out_documents_says_what_to_do(gold_project):
    add_model(gold_project, b"x", base="scratch", documents=3, tokens=9, labels=[], scores={},
              settings={"dev": {"ids": []}}, train_seconds=1.0)
    with pytest.raises(ModelError, match="--split all"):
        evaluate_model(gold_project, "latest", "dev")
    with pytest.raises(ModelError, match="no model 9"):
        evaluate_model(gold_project, 9)


# ------------------------------------------------------------- suggestions
TEXT = ("นายสมชาย ใจดี จากบริษัท สยามดาต้า จำกัด เดินทางไปจังหวัดขอนแก่น เมื่อวันที่ 5 มกราคม 2568"
        " ใช้เงิน 450 ล้านบาท เวลา 10.00 น. พบนางสาวสุดา ทองดี ตามพระราชบัญญัติการศึกษา")


@pytest.fixture
def reviewed(project):
    """One document reviewed every way there is."""
    doc = project.add_document(DocumentData(TEXT, {}))
    suggested = [("นายสมชาย ใจดี", "PERSON"), ("จังหวัดขอนแก่น", "ORGANIZATION"), ("สยามดาต้า", "LOCATION"),
                 ("5 มกราคม", "DATE"), ("450 ล้าน", "MONEY"), ("10.00 น.", "TIME"), ("นางสาวสุดา", "PERSON")]
    project.replace_suggestions(doc, [SpanData(*at(TEXT, n), lab, origin="model", confidence=0.5)
                                      for n, lab in suggested], "test-model")
    ids = {TEXT[s.start:s.end]: s.id for s in project.spans(doc)}
    project.accept(ids["นายสมชาย ใจดี"])                                   # accepted
    project.update_span(ids["จังหวัดขอนแก่น"], label="LOCATION")             # label changed
    start, end = at(TEXT, "บริษัท สยามดาต้า จำกัด")
    project.update_span(ids["สยามดาต้า"], start=start, end=end)              # boundary changed
    project.reject(ids["5 มกราคม"])                                         # false
    project.add_span(doc, *at(TEXT, "450 ล้านบาท"), "MONEY")                 # drawn over a suggestion
    project.delete_span(ids["นางสาวสุดา"])                                   # false (deleted)
    project.add_span(doc, *at(TEXT, "พระราชบัญญัติการศึกษา"), "LAW")          # missed
    return doc                                                            # 10.00 น. stays open


def test_decisions_read_each_suggestion_as_first_made(project, reviewed):
    found = {d.original: d for d in decisions(project)}
    assert len(found) == 7
    company = found[(*at(TEXT, "สยามดาต้า"), "LOCATION")]
    assert company.state == "edited" and company.final == (*at(TEXT, "บริษัท สยามดาต้า จำกัด"), "LOCATION")
    assert found[(*at(TEXT, "นางสาวสุดา"), "PERSON")].state == "deleted"
    assert found[(*at(TEXT, "450 ล้าน"), "MONEY")].state == "rejected"


def test_suggestion_report_counts_each_kind_per_label(project, reviewed):
    report = suggestion_report(project)
    got = {label: {k: n for k, n in counts.items() if n} for label, counts in report.per_label.items()}
    assert got == {
        "PERSON": {"accepted": 1, "false": 1},
        "ORGANIZATION": {"label": 1},
        "LOCATION": {"boundary": 1},
        "DATE": {"false": 1},
        "MONEY": {"boundary": 1},
        "TIME": {"open": 1},
        "LAW": {"missed": 1},
    }
    assert report.rate(report.total) == pytest.approx(1 / 6)
    assert report.rate(report.per_label["PERSON"]) == pytest.approx(0.5)
    assert report.label_changes == {("ORGANIZATION", "LOCATION"): 1}
    data = report.to_json()
    assert data["total"]["accepted"] == 1 and data["total"]["missed"] == 1
    assert "label changes: ORGANIZATION→LOCATION 1" in report.format()


def test_suggestions_scored_against_what_reviewers_kept(project, reviewed):
    assert evaluate_suggestions(project).documents == 0  # only done documents count
    project.set_status(reviewed, "done")
    report = evaluate_suggestions(project)
    # Shown: 7. Kept: PERSON, LOCATION (relabelled), LOCATION (moved), MONEY (drawn), LAW.
    # Exact: tp 1, fp 6, fn 4 -> P 1/7, R 1/5, F1 1/6.
    ex = report.exact.micro
    assert (ex.tp, ex.fp, ex.fn) == (1, 6, 4) and ex.f1 == pytest.approx(1 / 6)
    # Partial: PERSON, LOCATION (moved) and MONEY overlap -> tp 3, fp 4, fn 2; F1 0.5.
    pa = report.partial.micro
    assert (pa.tp, pa.fp, pa.fn) == (3, 4, 2) and pa.f1 == pytest.approx(0.5)


def test_without_any_model_dev_has_nothing_to_offer(project):
    project.add_document(DocumentData(DOC_B, {}, gold(DOC_B, ("นางสาวสุดา ทองดี", "PERSON"))),
                         status="done", span_state="accepted")
    with pytest.raises(ModelError, match="no model trained yet"):
        evaluate_model(project, "latest", "dev")
