"""A PERSON span ends with the name, not with the position written after it."""

from annotator.core.model import SpanData
from annotator.nlp.person_spans import name_end, trim_positions


def person(text, string):
    start = text.index(string)
    return SpanData(start, start + len(string), "PERSON", origin="model", confidence=0.6)


def test_a_trailing_position_is_cut_off():
    text = "โดยมีนายสมชาย ใจดี ปลัดกระทรวงอุตสาหกรรม เป็นประธาน"
    spans = trim_positions(text, [person(text, "นายสมชาย ใจดี ปลัดกระทรวงอุตสาหกรรม")])
    assert [text[s.start:s.end] for s in spans] == ["นายสมชาย ใจดี"]
    assert spans[0].confidence == 0.6 and spans[0].origin == "model"
    nbsp = "นายอรุณ\u00a0ใจงาม\u00a0ผู้ช่วยรัฐมนตรี"
    assert nbsp[: name_end(nbsp, 0, len(nbsp))] == "นายอรุณ\u00a0ใจงาม"


def test_names_without_a_position_and_other_labels_stay_whole():
    text = "นายสมชาย รองเมือง และ ประธานกรรมการบริษัท"
    kept = [person(text, "นายสมชาย รองเมือง"),  # รองเมือง is a family name, not a deputy
            SpanData(text.index("ประธาน"), len(text), "ORGANIZATION")]
    assert trim_positions(text, kept) == kept
    # The position alone (nothing before it in the span) is left to the model.
    alone = "ปลัดกระทรวง"
    assert name_end(alone, 0, len(alone)) == len(alone)


def test_gold_style_spans_from_thainer_are_unchanged():
    # Written in the style of ThaiNER 1.5.1, whose PERSON spans never hold the position.
    for text in ("นางสาวสุดา มีสุข", "พล.อ.ประยุทธ์ จันทร์โอชา", "ดร.ณัฐ รังสิ", "นายจอน ซอง ซู"):
        assert name_end(text, 0, len(text)) == len(text)
