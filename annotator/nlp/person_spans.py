"""PERSON spans end with the name: the position that follows it is not part of them.

Thai news writes a person's position right after the name, after one space:
``นายสมชาย ใจดี ปลัดกระทรวงอุตสาหกรรม``. ThaiNER 1.5.1 marks only the name
(``[นายสมชาย ใจดี] ปลัดกระทรวง…``: 670 of its 2,619 train PERSON spans are followed by a
position, none includes one), but the CRF often runs on into the position. A PERSON span
is cut before its first space-separated part (no-break spaces count), after the first,
that starts with a position word. Checked on the gold: applied to ThaiNER train's own PERSON spans it
changes none (tests/nlp/test_person_spans.py keeps a sample).
"""

from __future__ import annotations

import dataclasses
import re

from annotator.core.model import SpanData

VERSION = "person-1"

# Words that start a position or office. Plain รอง ("deputy") is also a family name, so only
# its compounds are listed.
POSITIONS = (
    "ปลัด", "รัฐมนตรี", "รมว.", "รมต.", "รมช.", "ผู้อำนวยการ", "ผอ.", "อธิบดี", "เลขาธิการ",
    "ประธาน", "ผู้ว่าราชการ", "ผู้ว่าฯ", "ผู้ว่า", "นายกรัฐมนตรี", "นายกฯ", "นายกเทศมนตรี",
    "รองนายกรัฐมนตรี", "รองนายกฯ", "รองปลัด", "รองผู้ว่า", "รองอธิบดี", "รองประธาน",
    "รองเลขาธิการ", "รองผู้อำนวยการ", "รองโฆษก", "โฆษก", "ผู้บัญชาการ", "ผบ.", "หัวหน้า",
    "ผู้จัดการ", "อธิการบดี", "คณบดี", "ผู้ช่วยรัฐมนตรี", "ผู้ช่วยเลขาธิการ", "ที่ปรึกษา",
    "เอกอัครราชทูต", "ประธานาธิบดี", "นายอำเภอ", "ผู้กำกับ", "ผกก.", "สมาชิกสภา", "ส.ส.",
    "ส.ว.", "กรรมการผู้จัดการ", "ประธานกรรมการ", "อดีตรัฐมนตรี", "อดีตนายก",
)
_GAP = re.compile("[ \u00a0]+")  # news pages also separate with no-break spaces
_POSITION = re.compile("|".join(re.escape(p) for p in sorted(POSITIONS, key=len, reverse=True)))


def name_end(text: str, start: int, end: int) -> int:
    """Where the name in the PERSON span ``text[start:end]`` ends (``end`` if nothing trails)."""
    for gap in _GAP.finditer(text, start, end):
        if gap.start() > start and _POSITION.match(text, gap.end(), end):
            return gap.start()
    return end


def trim_positions(text: str, spans: list[SpanData]) -> list[SpanData]:
    """``spans`` with every PERSON span cut before a trailing position (see the module doc)."""
    out = []
    for span in spans:
        if span.label == "PERSON":
            cut = name_end(text, span.start, span.end)
            if cut != span.end:
                span = dataclasses.replace(span, end=cut)
        out.append(span)
    return out
