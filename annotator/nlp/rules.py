"""Regular-expression suggestions for entities whose shape is a pattern.

Dates, times, money, percentages, URLs, e-mail addresses and Thai phone numbers are
written in a handful of fixed ways, and a pattern finds them more reliably than the CRF,
which often cuts them at the wrong token. Spans follow the ThaiNER 1.5 conventions, so
suggestions agree with the data the model was trained on:

* DATE is the date itself: ``วันที่ [18 ธันวาคม 2566]``, ``ปี [2566]``; weekday and
  ``วันที่`` stay outside; an era inside a date stays in (``[5 ม.ค. พ.ศ. 2566]``).
* TIME keeps ``น.``: ``เวลา [07.30 น.]``; a range is one span: ``[10.00 - 12.00 น.]``.
* MONEY and PERCENT keep their unit words: ``[3.5 พันล้านบาท]``, ``[ร้อยละ 25]``.

Every rule is one small pattern; ``Rule.group`` names the part of the match that is the
entity when the pattern also needs context (``เวลา``, ``ปี``) to be safe.
Offsets are code points, end-exclusive. Thai digits (๐-๙) are accepted wherever Arabic
ones are.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from annotator.core.model import SpanData

# Confidence of a rule suggestion: a pattern has no probability of its own, so each label
# gets a fixed value, its exact-match precision against the ThaiNER 1.5.1 train+val gold
# spans (benchmarks/bench_suggestions.py --rule-precision: DATE 0.917, TIME 0.993,
# MONEY 0.974, PERCENT 0.994, EMAIL 1.0, PHONE 0.923), rounded down to 0.05 and capped
# at 0.95, since that gold misses some real entities and a rule is never certain.
# URL uses its overlap precision (0.991): the gold URLs that do not match exactly are
# ones with stray spaces inserted by the corpus, not rule errors.
RULE_CONFIDENCE = {
    "DATE": 0.9,
    "TIME": 0.95,
    "MONEY": 0.95,
    "PERCENT": 0.95,
    "URL": 0.95,
    "EMAIL": 0.95,
    "PHONE": 0.9,
}
VERSION = "rules-1"

D = "[0-9๐-๙]"
SP = r"[ \t\u00a0]"  # space inside a line: a match never runs across a line break
NUM = rf"{D}+(?:,{D}{{3}})*(?:\.{D}+)?"  # 1,500  3.5  ๒๕
DASH = rf"{SP}*(?:-|–|ถึง){SP}*"
_NOT_BEFORE_DIGIT = r"(?![0-9๐-๙])"
# A digit that does not continue a number (no digit, "." or "," just before it). The
# look-behind comes after the digit so the pattern starts with a character set, which
# lets the regex engine skip ahead to candidate positions: 2-3 times faster on news.
_FIRST_DIGIT = rf"{D}(?<![0-9๐-๙.,]{D})"
_NUM_FROM_FIRST = rf"{D}*(?:,{D}{{3}})*(?:\.{D}+)?"  # the rest of NUM after _FIRST_DIGIT

MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
          "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
MONTH_ABBREVIATIONS = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.",
                       "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
_MONTH = "(?:" + "|".join(MONTHS) + ")"
_MONTH_ABBR = "(?:" + "|".join(re.escape(m) for m in MONTH_ABBREVIATIONS) + ")"
_ERA = rf"(?:พ\.{SP}?ศ\.?|ค\.{SP}?ศ\.?)"
_DAY = rf"{_FIRST_DIGIT}{D}?(?:{DASH}{D}{{1,2}})?"
_YEAR4 = rf"{D}{{4}}{_NOT_BEFORE_DIGIT}"

# Multipliers may chain: ล้านล้าน, หมื่นล้าน, 1 แสน 7 หมื่นล้าน.
_MULT = rf"(?:{SP}*(?:ล้าน|แสน|หมื่น|พัน|ร้อย))+"
_CURRENCY = (r"(?:บาท|สตางค์|ดอลลาร์(?:สหรัฐ(?:ฯ)?)?|เหรียญ(?:สหรัฐ(?:ฯ)?)?|ยูโร|เยน|หยวน|"
             r"ปอนด์|ริงกิต|วอน)")
_AMOUNT = rf"{_FIRST_DIGIT}{_NUM_FROM_FIRST}(?:{DASH}{NUM})?"
_EN_SCALE = rf"(?:{SP}*(?:thousand|million|billion|trillion|[KMB]n?)\b)?"

_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"


@dataclass(frozen=True)
class Rule:
    """One pattern for one label; ``group`` names the entity part of the match.

    ``needs``: the rule is skipped unless the text contains one of these strings, a
    cheap test that spares a regex scan on most articles.
    """

    name: str
    label: str
    pattern: re.Pattern[str]
    group: str | int = 0
    needs: tuple[str, ...] = ()
    at_numbers: bool = False  # a match starts only where a number does (_FIRST_DIGIT)


def _rule(name: str, label: str, pattern: str, needs: tuple[str, ...] = ()) -> Rule:
    compiled = re.compile(pattern)
    return Rule(name, label, compiled, "x" if "x" in compiled.groupindex else 0, needs,
                pattern.startswith(_FIRST_DIGIT))


RULES: tuple[Rule, ...] = (
    # 18 ธันวาคม 2566, 18-20 ธ.ค. 66, 5 ม.ค. พ.ศ. 2566
    _rule("date-day-month", "DATE",
          rf"{_DAY}{SP}*{_MONTH}(?:{SP}*{_ERA}?{SP}*{_YEAR4})?"),
    _rule("date-day-month-abbr", "DATE",
          rf"{_DAY}{SP}*{_MONTH_ABBR}(?:{SP}*{_ERA}?{SP}*(?:{D}{{4}}|{D}{{2}}){_NOT_BEFORE_DIGIT})?"),
    # ธันวาคม 2566 (a month alone is too often not a date to tag)
    _rule("date-month-year", "DATE", rf"{_MONTH}{SP}*{_ERA}?{SP}*{_YEAR4}"),
    # พ.ศ. 2566; ปี 2566 (only the year, as ThaiNER does)
    _rule("date-era-year", "DATE", rf"{_ERA}{SP}*{_YEAR4}"),
    _rule("date-year", "DATE",
          rf"ปี{SP}*(?P<x>(?:25|๒๕|20|๒๐|19|๑๙){D}{{2}}){_NOT_BEFORE_DIGIT}"),
    # 18/12/2566, 18/12/66
    _rule("date-numeric", "DATE",
          rf"{_FIRST_DIGIT}{D}?/{D}{{1,2}}/(?:{D}{{4}}|{D}{{2}}){_NOT_BEFORE_DIGIT}", ("/",)),
    # 07.30 น., 14:49 น., 10.00 - 12.00 น., 10.00 นาฬิกา
    _rule("time-clock", "TIME",
          rf"{_FIRST_DIGIT}{D}?[.:]{D}{{2}}(?:{DASH}{D}{{1,2}}[.:]{D}{{2}})?"
          rf"{SP}*(?:น\.|นาฬิกา)"),
    # เวลา 10.00 / เวลา 10.00-12.00 (the word เวลา makes the bare number safe)
    _rule("time-after-wela", "TIME",
          rf"เวลา{SP}*(?P<x>{D}{{1,2}}[.:]{D}{{2}}(?:{DASH}{D}{{1,2}}[.:]{D}{{2}})?)"
          rf"{_NOT_BEFORE_DIGIT}"),
    # 14:49 (a colon is not a decimal point)
    _rule("time-colon", "TIME",
          rf"[0-9](?<![0-9๐-๙.,:][0-9])(?:(?<=[01])[0-9]|(?<=2)[0-4])?:[0-5][0-9]"
          rf"{_NOT_BEFORE_DIGIT}(?!:)", (":",)),
    # 100 ล้านบาท, 1,500 บาท, 3.5 พันล้านบาท, 4-5 หมื่นบาท (a number is required:
    # "หลายพันล้านบาท" is not an amount)
    _rule("money-thai", "MONEY", rf"{_AMOUNT}(?:{_MULT})?{SP}*{_CURRENCY}"),
    # USD 10 million, US$ 5 billion, $10, 10 USD
    _rule("money-latin", "MONEY",
          rf"(?:USD|US\$|\$|EUR|€|£|¥|THB){SP}?{NUM}{_EN_SCALE}"
          rf"|{_AMOUNT}{_EN_SCALE}{SP}?(?:USD|THB|EUR)\b",
          ("USD", "$", "EUR", "€", "£", "¥", "THB")),
    # 25%, 25 เปอร์เซ็นต์, ร้อยละ 25
    _rule("percent-sign", "PERCENT",
          rf"{_AMOUNT}{SP}*(?:%|เปอร์เซ็นต์|เปอร์เซนต์|เปอร์เซ็น)", ("%", "เปอร์เซ")),
    _rule("percent-roiyla", "PERCENT", rf"ร้อยละ{SP}*{NUM}(?:{DASH}{NUM})?"),
    _rule("email", "EMAIL",
          r"[A-Za-z0-9._%+-](?<![\w.+-][A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*"
          r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", ("@",)),
    # [hH] first (not inside the (?i:)): the engine then skips to candidate characters
    _rule("url-scheme", "URL", rf"[hH](?i:ttps?://){_URL_CHARS}+", ("://",)),
    _rule("url-www", "URL", rf"[wW](?<![\w.@/][wW])(?i:ww\.){_URL_CHARS}+",
          ("www.", "WWW.", "Www.")),
    # Bare domains only under Thai or common generic suffixes: moph.go.th, thaigov.com
    _rule("url-domain", "URL",
          r"[A-Za-z0-9-](?<![\w.@/][A-Za-z0-9-])[A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*"
          r"\.(?:(?:go|ac|co|or|in|mi|net)\.th|com|org|net)\b(?:/" + _URL_CHARS + "*)?",
          (".th", ".com", ".org", ".net")),
    # 02-123-4567, 0 2283 4000, 081-234-5678, +66 2 123 4567: checked by _valid_phone
    _rule("phone", "PHONE",
          # (each branch starts with a literal, so the engine skips to + 0 ๐)
          rf"(?:\+66|\+๖๖|0(?<![0-9๐-๙.,/+]0)|๐(?<![0-9๐-๙.,/+]๐))(?:[ -]?{D}){{8,9}}{_NOT_BEFORE_DIGIT}"),
)

_TRAILING = ".,;:!?)'\"]"
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _valid_phone(text: str) -> bool:
    """A Thai number: 0 + 8 digits (landline) or 0[689] + 9 (mobile), or +66 without 0.

    The pattern allows single spaces or hyphens anywhere between digits; the digit count
    and the prefix are what make the match a phone number.
    """
    digits = "".join(c for c in text if c.isdigit())
    digits = digits.translate(_THAI_DIGITS)
    if text.startswith(("+66", "+๖๖")):
        rest = digits[2:]
        return (len(rest) == 9 and rest[0] in "689") or (len(rest) == 8 and rest[0] not in "0689")
    if digits[1:2] in ("6", "8", "9"):
        return len(digits) == 10
    return len(digits) == 9 and digits[1:2] != "0"


def find(text: str) -> list[SpanData]:
    """Rule suggestions for ``text``: non-overlapping, sorted by start.

    Where rules overlap, the longest match wins (then the earlier rule in RULES), so
    ``เวลา 10.00 - 12.00 น.`` is one TIME, not a TIME and a stray number.
    """
    return list(_found(text))


# Where a number starts: the only places a rule that begins with _FIRST_DIGIT can match.
_NUMBER_STARTS = re.compile(_FIRST_DIGIT)
SKIP_TO_NUMBERS = True  # False: every rule scans the whole text (the reference, for tests)


def _matches(rule: Rule, text: str, numbers: list[int] | None):
    """What ``rule.pattern.finditer(text)`` finds. A rule that starts at a number is only
    tried where one starts (``numbers``): a few dozen places in an article, rather than a
    scan of all of it by each of the six such rules."""
    if numbers is None:
        yield from rule.pattern.finditer(text)
        return
    match = rule.pattern.match
    end = 0
    for at in numbers:
        if at >= end:  # finditer goes on after the end of a match
            m = match(text, at)
            if m is not None:
                yield m
                end = m.end()


# A trained model's rule features and the suggester's rule spans ask for the same texts
# of a batch (48 documents) one after the other: the second asking costs a dict lookup.
@lru_cache(maxsize=64)
def _found(text: str) -> tuple[SpanData, ...]:
    found: list[tuple[int, int, int, str]] = []  # (start, end, rule index, label)
    numbers = None
    for k, rule in enumerate(RULES):
        if rule.needs and not any(n in text for n in rule.needs):
            continue
        if rule.at_numbers and SKIP_TO_NUMBERS and numbers is None:
            numbers = [m.start() for m in _NUMBER_STARTS.finditer(text)]
        for m in _matches(rule, text, numbers if rule.at_numbers and SKIP_TO_NUMBERS else None):
            start, end = m.span(rule.group)
            if rule.label == "URL":
                while end > start and text[end - 1] in _TRAILING:
                    end -= 1  # sentence punctuation after a link is not part of it
                if end - start < 4:
                    continue
            elif rule.label == "PHONE" and not _valid_phone(text[start:end]):
                continue
            found.append((start, end, k, rule.label))
    found.sort(key=lambda f: (-(f[1] - f[0]), f[2], f[0]))
    starts: list[int] = []  # kept spans, sorted by start and non-overlapping
    kept: list[tuple[int, int, str]] = []
    for start, end, _, label in found:
        i = bisect_left(starts, start)
        if (i < len(kept) and kept[i][0] < end) or (i and kept[i - 1][1] > start):
            continue
        starts.insert(i, start)
        kept.insert(i, (start, end, label))
    return tuple(SpanData(s, e, lab, origin="rule", confidence=RULE_CONFIDENCE[lab])
                 for s, e, lab in kept)
