"""Place names on token boundaries; titled person names when asked for."""

from __future__ import annotations

from functools import lru_cache

from annotator.nlp.gazetteer import CONFIDENCE, Gazetteer
from annotator.nlp.tokenizer import tokenize


@lru_cache(maxsize=None)
def gazetteer(persons: bool = False) -> Gazetteer:
    return Gazetteer(places=True, persons=persons)


def found(text: str, persons: bool = False) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.label) for s in gazetteer(persons).find(text, tokenize(text))]


def test_provinces_and_countries_with_their_prefix():
    assert found("เดินทางไปจังหวัดเชียงใหม่ และ จ.ลำปาง") == [
        ("จังหวัดเชียงใหม่", "LOCATION"), ("จ.ลำปาง", "LOCATION")]
    assert found("ความร่วมมือกับญี่ปุ่น และประเทศไทย") == [
        ("ญี่ปุ่น", "LOCATION"), ("ประเทศไทย", "LOCATION")]


def test_everyday_words_need_a_prefix():
    assert found("ไม่ได้ไปเลย เพราะโรคแพร่ระบาด") == []
    assert found("สินค้าไทยขายดี") == []
    assert found("กลับจังหวัดเลย") == [("จังหวัดเลย", "LOCATION")]


def test_peoples_and_languages_are_not_places():
    assert found("นักท่องเที่ยวชาวจีน พูดภาษาญี่ปุ่น") == []


def test_no_match_inside_a_longer_word():
    # newmm keeps ตรังกานู whole, so the province ตรัง is not found inside it.
    text = "รัฐตรังกานู"
    assert all(text[s:e] != "ตรัง" for s, e in tokenize(text))
    assert found(text) == []


def test_titled_person_names_only_when_switched_on():
    text = "นายสมชาย ใจดี กล่าวว่า"
    assert found(text) == []
    assert found(text, persons=True) == [("นายสมชาย ใจดี", "PERSON")]
    # A title glued to a longer word is not a name: นายก|รัฐมนตรี.
    assert found("นายกรัฐมนตรีกล่าวว่า", persons=True) == []


def test_spans_carry_provenance():
    text = "จังหวัดน่าน"
    spans = gazetteer().find(text, tokenize(text))
    assert [(s.origin, s.confidence, s.state) for s in spans] == [
        ("gazetteer", CONFIDENCE, "suggested")]


def test_prefix_check_does_not_wrap_around():
    # Nothing before the name: the text's tail ("จ.") must not be taken as its prefix.
    assert found("ลำปาง จ.") == [("ลำปาง", "LOCATION")]
    assert found("ญี่ปุ่น ชาว") == [("ญี่ปุ่น", "LOCATION")]


def test_short_country_names_are_places_but_not_in_a_currency():
    from annotator.nlp.gazetteer import Gazetteer
    from annotator.nlp.tokenizer import tokenize

    text = "ความร่วมมือกับเกาหลี และสหรัฐฯ มูลค่า 5 ล้านดอลลาร์สหรัฐฯ"
    found = [text[s.start:s.end] for s in Gazetteer().find(text, tokenize(text))]
    assert found == ["เกาหลี", "สหรัฐฯ"]
