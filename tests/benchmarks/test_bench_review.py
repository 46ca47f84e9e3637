"""benchmarks/bench_review.py reviews a small gold at the keyboard in the real window, and the
database then holds exactly the gold (not a timing)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_review

# Our own sentences. Entities are given by text and found in the sentence, so editing a
# sentence cannot silently move one. Some the bundled model suggests exactly, some with
# other edges (วันที่ is part of the date here), one it cannot know (the cat's name, built
# from nothing), one inside a longer word (ไทย in ซอฟต์แวร์ไทย); a document without entities.
DOCS = [
    ("นายสมชาย ใจดี เดินทางไปจังหวัดเชียงใหม่ เมื่อวันที่ 5 มีนาคม 2567 เพื่อประชุมกับบริษัท ไทยซอฟต์ จำกัด",
     [("นายสมชาย ใจดี", "PERSON"), ("จังหวัดเชียงใหม่", "LOCATION"), ("วันที่ 5 มีนาคม 2567", "DATE"),
      ("บริษัท ไทยซอฟต์ จำกัด", "ORGANIZATION")]),
    ("ธนาคารกรุงเทพให้สินเชื่อ 20 ล้านบาท แก่ผู้ผลิตซอฟต์แวร์ไทย ร้อยละ 3 ต่อปี",
     [("ธนาคารกรุงเทพ", "ORGANIZATION"), ("20 ล้านบาท", "MONEY"), ("ไทย", "LOCATION"), ("ร้อยละ 3", "PERCENT")]),
    ("แมวชื่อส้มโอชอบนอนบนหลังคาบ้านทุกบ่าย", [("ส้มโอ", "PERSON")]),
    ("ฝนตกหนักตลอดคืน ถนนหลายสายมีน้ำท่วมขัง", []),
]


def write_gold(tmp_path: Path) -> tuple[Path, list[list[tuple[int, int, str]]]]:
    """The gold as the project's own jsonl export writes it."""
    from annotator.core.model import DONE, DocumentData, SpanData
    from annotator.jobs.exporter import run_export
    from annotator.store.project import Project

    golds = []
    with Project.create(tmp_path / "gold.annot", annotator="gold") as project:
        for text, entities in DOCS:
            spans = []
            for needle, label in entities:
                start = text.index(needle)
                spans.append(SpanData(start, start + len(needle), label))
            golds.append(sorted((s.start, s.end, s.label) for s in spans))
            project.add_document(DocumentData(text, {}, spans), status=DONE, span_state="accepted")
        run_export(project, tmp_path / "gold.jsonl", "jsonl")
    return tmp_path / "gold.jsonl", golds


def test_bench_review_reaches_the_gold_by_keys(tmp_path, capsys):
    gold, golds = write_gold(tmp_path)
    kept = tmp_path / "kept"
    assert bench_review.main([str(gold), "--keep", str(kept)]) == 0
    out = capsys.readouterr().out
    last = out.strip().splitlines()[-1]
    assert re.fullmatch(r"keys per entity: median \d+(\.\d+)?, mean \d+\.\d\d, max \d+; unreachable 0;"
                        r" documents 4", last), last
    assert "failures: 0" in out

    from annotator.core.model import CONFIRMED_STATES, DONE, SUGGESTED
    from annotator.store.project import Project

    with Project.open(kept / "review.annot", readonly=True) as project:
        ids = project.document_ids()
        assert len(ids) == len(DOCS)
        for doc_id, want in zip(ids, golds):
            spans = project.spans(doc_id)
            assert sorted((s.start, s.end, s.label) for s in spans if s.state in CONFIRMED_STATES) == want
            assert not [s for s in spans if s.state == SUGGESTED]
            assert project.document_status(doc_id) == DONE


def test_verify_names_what_differs(tmp_path):
    from annotator.core.model import DocumentData
    from annotator.store.project import Project

    text = "นายสมชาย ใจดี ไปเชียงใหม่"
    with Project.create(tmp_path / "p.annot") as project:
        doc_id = project.add_document(DocumentData(text, {}, []))
        project.add_span(doc_id, 0, 13, "ORGANIZATION")
        problems = bench_review.verify(project, doc_id, [(0, 13, "PERSON")])
    assert any("missing PERSON" in p for p in problems)
    assert any("extra ORGANIZATION" in p for p in problems)
    assert any("not done" in p for p in problems)
