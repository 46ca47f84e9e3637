"""Each rule on sentences that should and should not match."""

from __future__ import annotations

import pytest

from annotator.nlp.rules import RULE_CONFIDENCE, find


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.label) for s in find(text)]


@pytest.mark.parametrize("text, expected", [
    ("ประชุมเมื่อวันที่ 18 ธันวาคม 2566 ที่ผ่านมา", "18 ธันวาคม 2566"),
    ("ประชุมวันพุธที่ 5 มิ.ย. 62 นี้", "5 มิ.ย. 62"),
    ("ประชุมวันที่ 5 ม.ค. พ.ศ. 2567", "5 ม.ค. พ.ศ. 2567"),
    ("ระหว่าง 18-20 ธันวาคม", "18-20 ธันวาคม"),
    ("ส่งภายใน 7ส.ค.61", "7ส.ค.61"),
    ("ลงวันที่ ๓๐ มีนาคม ๒๕๕๘ แล้ว", "๓๐ มีนาคม ๒๕๕๘"),
    ("งบประมาณเดือนพฤศจิกายน 2561", "พฤศจิกายน 2561"),
    ("ตราขึ้นเมื่อ พ.ศ. 2550", "พ.ศ. 2550"),
    ("แผนงานปี 2566 ของกรม", "2566"),
    ("ยื่นภายใน 18/12/2566", "18/12/2566"),
])
def test_dates(text, expected):
    assert found(text) == [(expected, "DATE")]


@pytest.mark.parametrize("text", [
    "สำนักงาน ก.พ. ออกประกาศ",  # ก.พ. is also the Civil Service Commission
    "มีผู้เข้าร่วม 2566 คน",  # a number, not a year, without ปี
    "เดือนมกราคมเป็นเดือนแรก",  # a month alone is not tagged
    "รหัส 123/45/6789",
])
def test_not_dates(text):
    assert [lab for _, lab in found(text)] == []


@pytest.mark.parametrize("text, expected", [
    ("เริ่มเวลา 07.30 น. ตรง", "07.30 น."),
    ("เกิดเหตุเมื่อ 14:49 น.", "14:49 น."),
    ("ประชุมเวลา 10.00 - 12.00 น. ที่ห้องประชุม", "10.00 - 12.00 น."),
    ("เปิดเวลา 16.00-18.00 ทุกวัน", "16.00-18.00"),
    ("ปิดรับ 09.00 นาฬิกา", "09.00 นาฬิกา"),
    ("ผลการแข่งขัน 9:30 ตามเวลาท้องถิ่น", "9:30"),
])
def test_times(text, expected):
    assert found(text) == [(expected, "TIME")]


@pytest.mark.parametrize("text", ["คะแนน 10.00 ถ้วน", "อัตรา 25:00:10", "ค่า 12.5 หน่วย"])
def test_not_times(text):
    assert [lab for _, lab in found(text) if lab == "TIME"] == []


@pytest.mark.parametrize("text, expected", [
    ("ใช้งบ 100 ล้านบาท", "100 ล้านบาท"),
    ("ค่าสมัคร 1,500 บาท ต่อคน", "1,500 บาท"),
    ("มูลค่า 3.5 พันล้านบาท", "3.5 พันล้านบาท"),
    ("ราคา 4-5 หมื่นบาท", "4-5 หมื่นบาท"),
    ("ลงทุน 200 ล้านดอลลาร์สหรัฐ", "200 ล้านดอลลาร์สหรัฐ"),
    ("a deal worth USD 10 million", "USD 10 million"),
    ("ขายได้ ๕๐๐ บาท", "๕๐๐ บาท"),
])
def test_money(text, expected):
    assert found(text) == [(expected, "MONEY")]


@pytest.mark.parametrize("text", ["เสียหายหลายล้านบาท", "เงินบาทแข็งค่า", "จำนวน 100 ล้านคน"])
def test_not_money(text):
    assert found(text) == []


@pytest.mark.parametrize("text, expected", [
    ("เพิ่มขึ้น 25%", "25%"),
    ("ลดลงร้อยละ 12.5 จากปีก่อน", "ร้อยละ 12.5"),
    ("โตขึ้น 3.9 เปอร์เซ็นต์", "3.9 เปอร์เซ็นต์"),
])
def test_percent(text, expected):
    assert found(text) == [(expected, "PERCENT")]


def test_not_percent():
    assert found("ร้อยละของผู้ตอบ") == []


@pytest.mark.parametrize("text, expected", [
    ("อ่านต่อที่ https://www.example.go.th/news/123.", "https://www.example.go.th/news/123"),
    ("ดูที่ www.example.com แล้ว", "www.example.com"),
    ("เว็บไซต์ example.ac.th ครับ", "example.ac.th"),
])
def test_urls(text, expected):
    assert found(text) == [(expected, "URL")]


def test_email_is_not_also_a_url():
    assert found("ส่งมาที่ info@example.or.th ได้") == [("info@example.or.th", "EMAIL")]


@pytest.mark.parametrize("text, expected", [
    ("โทร 02-123-4567 ในเวลาราชการ", "02-123-4567"),
    ("โทร 0 2283 4000", "0 2283 4000"),
    ("มือถือ 081-234-5678", "081-234-5678"),
    ("โทร 0-2590-3333", "0-2590-3333"),
    ("โทร +66 2 123 4567", "+66 2 123 4567"),
    ("โทร ๐๘๑ ๒๓๔ ๕๖๗๘", "๐๘๑ ๒๓๔ ๕๖๗๘"),
])
def test_phones(text, expected):
    assert found(text) == [(expected, "PHONE")]


@pytest.mark.parametrize("text", [
    "สายด่วน 1111",  # hotlines are left to the model
    "เลขที่ 081-234-567",  # one digit short for a mobile number
    "รหัส 02-123-45678",  # one digit too many for a landline
    "ยอด 1,000,000,000 บาท",
])
def test_not_phones(text):
    assert [lab for _, lab in found(text) if lab == "PHONE"] == []


def test_spans_do_not_overlap_and_carry_provenance():
    text = "วันที่ 18 ธันวาคม 2566 เวลา 10.00 - 12.00 น. ค่าบัตร 1,500 บาท โทร 02-123-4567"
    spans = find(text)
    assert [text[s.start:s.end] for s in spans] == [
        "18 ธันวาคม 2566", "10.00 - 12.00 น.", "1,500 บาท", "02-123-4567"]
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))
    assert all(s.origin == "rule" and s.confidence == RULE_CONFIDENCE[s.label] for s in spans)


def test_rewritten_patterns_match_what_the_first_ones_matched():
    """url-scheme and phone were rewritten so the engine can skip to their first
    characters; they find what the first versions found."""
    import random
    import re

    from annotator.nlp.rules import _NOT_BEFORE_DIGIT, _URL_CHARS, D, RULES

    first = {
        "url-scheme": re.compile(rf"(?i:https?://){_URL_CHARS}+"),
        "phone": re.compile(rf"(?:\+66|\+๖๖|[0๐](?<![0-9๐-๙.,/+][0๐]))(?:[ -]?{D}){{8,9}}{_NOT_BEFORE_DIGIT}"),
    }
    now = {r.name: r.pattern for r in RULES}
    rng = random.Random(4)
    pieces = ["0", "๐", "+66", "+๖๖", "8", "๘", " ", "-", ".", ",", "/", "+", "ก", "HTTPS://", "http://", "hTtP://",
              "ftp://", "a", "H", "s", "://", "\n"]
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        for name, pattern in first.items():
            assert [m.span() for m in now[name].finditer(text)] == [m.span() for m in pattern.finditer(text)], text


def test_rules_tried_only_where_a_number_starts_find_what_a_scan_of_the_whole_text_finds(monkeypatch):
    """The rules that begin with a number are matched only at the starts of numbers
    (rules.SKIP_TO_NUMBERS): the same spans as every rule's finditer over the text, on
    random mixtures of digits, separators, units and month names."""
    import random

    from annotator.nlp import rules

    assert sum(r.at_numbers for r in rules.RULES) >= 5
    pieces = ["1", "2", "5", "๒", "๕", "0", ".", ",", ":", "/", "-", " ", "ถึง", "น.", "บาท", "ล้าน", "%", "ร้อยละ",
              "ธันวาคม", "ม.ค.", "พ.ศ.", "2566", "12.30", "1,500", "ก", "x", "\n", "เวลา", "ปี", "66"]
    rng = random.Random(13)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    texts += ["ราคา 1,500.25 บาท เมื่อ 18-20 ธ.ค. 66 เวลา 10.00 - 12.00 น. 25%", "12345", ""]
    monkeypatch.setattr(rules, "SKIP_TO_NUMBERS", True)
    skipping = [rules._found.__wrapped__(t) for t in texts]
    monkeypatch.setattr(rules, "SKIP_TO_NUMBERS", False)
    scanning = [rules._found.__wrapped__(t) for t in texts]
    assert skipping == scanning
    for text in texts:  # and each rule's own matches, before the longest are chosen
        numbers = [m.start() for m in rules._NUMBER_STARTS.finditer(text)]
        for rule in rules.RULES:
            if rule.at_numbers:
                assert [m.span() for m in rules._matches(rule, text, numbers)] == [
                    m.span() for m in rule.pattern.finditer(text)]
    assert sum(len(s) for s in scanning) > 1000 and len({s.label for spans in scanning for s in spans}) >= 4
