"""Suggester output is clean: non-overlapping, in range, trimmed, with provenance."""

from __future__ import annotations

import pickle
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.model import SpanData
from annotator.nlp.rules import RULE_CONFIDENCE
from annotator.nlp.suggest import MergePolicy, Suggester, merge, suggest_tuples
from annotator.nlp.tokenizer import tokenize

ARTICLE = (
    "ข่าวทำเนียบรัฐบาล\n\n"
    "วันพุธที่ 18 ธันวาคม 2566 เวลา 10.00 - 12.00 น. นายสมชาย ใจดี รัฐมนตรีว่าการ"
    "กระทรวงสาธารณสุข เดินทางไปจังหวัดเชียงใหม่ เพื่อมอบเงิน 1,500 บาท ให้ผู้ได้รับผลกระทบ "
    "ซึ่งเพิ่มขึ้นร้อยละ 25 จากปีก่อน \n"
    "  สอบถามโทร 02-123-4567 หรือ https://www.example.go.th/news  \n"
)


@lru_cache(maxsize=1)
def suggester() -> Suggester:
    return Suggester()


def check_clean(text: str, spans: list[SpanData]) -> None:
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        piece = text[s.start:s.end]
        assert piece == piece.strip(), piece
        assert s.state == "suggested"
        assert s.origin in ("model", "rule", "gazetteer")
        assert s.confidence is not None and 0.0 <= s.confidence <= 1.0
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:])), "overlap or unsorted"


def test_article_suggestions():
    spans = suggester().suggest(ARTICLE)
    check_clean(ARTICLE, spans)
    got = {(ARTICLE[s.start:s.end], s.label) for s in spans}
    assert {
        ("18 ธันวาคม 2566", "DATE"),
        ("10.00 - 12.00 น.", "TIME"),
        ("กระทรวงสาธารณสุข", "ORGANIZATION"),
        ("จังหวัดเชียงใหม่", "LOCATION"),
        ("1,500 บาท", "MONEY"),
        ("ร้อยละ 25", "PERCENT"),
        ("02-123-4567", "PHONE"),
        ("https://www.example.go.th/news", "URL"),
    } <= got
    assert any(label == "PERSON" and text.startswith("นายสมชาย") for text, label in got)


def test_given_tokens_give_the_same_result():
    assert suggester().suggest(ARTICLE, tokenize(ARTICLE)) == suggester().suggest(ARTICLE)


def test_version_names_every_source():
    assert suggester().version == "thainer-crf-1.5.1+rules-1+person-1+gaz-2"
    assert Suggester(policy=MergePolicy("off", "off")).version == "thainer-crf-1.5.1"


def test_empty_and_blank_text():
    assert suggester().suggest("") == []
    assert suggester().suggest(" \n\n  ") == []


def test_suggest_tuples_for_process_pools():
    text = "มอบเงิน 1,500 บาท"
    rows = suggest_tuples(text)
    assert (text.index("1,500"), len(text), "MONEY", "rule", RULE_CONFIDENCE["MONEY"]) in rows
    assert pickle.loads(pickle.dumps(suggest_tuples)) is suggest_tuples  # a pool can send it


FRAGMENTS = ["นาย", "สมชาย", " ", "  ", "\n", "กระทรวง", "การคลัง", "วันที่", "5", " ม.ค.",
             "2566", "เวลา", "10.00", " น.", "ร้อยละ", "บาท", "ล้าน", "จังหวัด", "ลำปาง", "abc",
             ".", "-", "0", "02", "https://", "x.go.th", "😀", "\r\n", "๑๒"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_any_text_gives_clean_spans(parts):
    text = "".join(parts)
    check_clean(text, suggester().suggest(text))


def span(start, end, label="X", origin="model"):
    return SpanData(start, end, label, origin=origin)


@pytest.mark.parametrize("mode, expected", [
    ("fill", [(0, 5, "model"), (10, 12, "model"), (20, 25, "rule")]),
    ("cover", [(0, 6, "rule"), (10, 12, "model"), (20, 25, "rule")]),
    ("override", [(0, 6, "rule"), (9, 11, "rule"), (20, 25, "rule")]),
])
def test_merge_modes(mode, expected):
    base = [span(0, 5), span(10, 12)]
    extra = [span(0, 6, origin="rule"),     # covers the first model span
             span(9, 11, origin="rule"),    # overlaps the second without covering it
             span(20, 25, origin="rule")]   # overlaps nothing
    got = merge(base, extra, mode)
    assert [(s.start, s.end, s.origin) for s in got] == expected


def test_merge_cover_or_same_label_fixes_boundaries():
    base = [span(0, 5, "DATE")]
    longer_date, longer_time = span(2, 8, "DATE", "rule"), span(2, 8, "TIME", "rule")
    assert [(s.start, s.end) for s in merge(base, [longer_date], "cover-or-same")] == [(2, 8)]
    assert [(s.start, s.end) for s in merge(base, [longer_time], "cover-or-same")] == [(0, 5)]


def test_merge_replaces_several_covered_spans():
    base = [span(0, 2), span(3, 5), span(8, 9)]
    got = merge(base, [span(0, 5, origin="rule")], "cover")
    assert [(s.start, s.end) for s in got] == [(0, 5), (8, 9)]


def test_unknown_merge_mode():
    with pytest.raises(ValueError):
        MergePolicy(rules="sometimes")
