"""Title, date and source URL of a Thai news article, read from its own text.

The articles this was built for (thaigov.go.th pages) look like::

    รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-นายกฯ เปิดงานตลาดชุมชน


    วันพุธที่ 3 มกราคม 2567
    นายกฯ เปิดงานตลาดชุมชน
    ...body...
    ที่มา : https://www.thaigov.go.th/news/contents/details/12345

and press releases put a date line such as ``อังคาร ๒๖ มกราคม ๒๐๑๖ ๑๔:๔๑`` (Thai
digits, here a Gregorian year) under the title. :func:`extract` returns what it finds:

* ``title``: first non-empty line, stripped, without the ``รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-``
  site prefix; absent when that line is a whole paragraph (> 300 characters);
* ``date``: ISO ``YYYY-MM-DD``, Gregorian; ``date_text``: the date line as written.
  A date line is a line holding only a date (optional weekday, optional time), so
  dates inside sentences are never taken. Years >= 2400 are Buddhist Era (minus 543),
  two-digit years are BE (``66`` = 2566 = 2023), other four-digit years are taken as
  Gregorian;
* ``url``: from a ``ที่มา : http...`` line near the end.

Keys are absent when not found. Only the first 40 and the last 20 lines are looked at.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterable, Iterator

HEAD_LINES = 40
TAIL_LINES = 20
MAX_TITLE = 300

# Site prefixes the thaigov corpus puts before every title ("government-news-").
_TITLE_PREFIX = re.compile(r"^รัฐบาลไทย-(?:ข่าวทำเนียบรัฐบาล-)?")
# str.strip() keeps these, but they are invisible and never part of a title.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("มกราคม", "ม.ค."),
            ("กุมภาพันธ์", "ก.พ."),
            ("มีนาคม", "มี.ค."),
            ("เมษายน", "เม.ย."),
            ("พฤษภาคม", "พ.ค."),
            ("มิถุนายน", "มิ.ย."),
            ("กรกฎาคม", "ก.ค."),
            ("สิงหาคม", "ส.ค."),
            ("กันยายน", "ก.ย."),
            ("ตุลาคม", "ต.ค."),
            ("พฤศจิกายน", "พ.ย."),
            ("ธันวาคม", "ธ.ค."),
        ),
        start=1,
    )
    for name in names
}
# Longest first so "มี.ค." is not read as a shorter name; the final dot of an
# abbreviation is often left out ("ธ.ค 66").
_MONTH_ALT = "|".join(
    re.escape(m).removesuffix(r"\.") + (r"\.?" if m.endswith(".") else "")
    for m in sorted(_MONTHS, key=len, reverse=True)
)
_WEEKDAY = "อาทิตย์|จันทร์|อังคาร|พุธ|พฤหัสบดี|พฤหัส|ศุกร์|เสาร์"
_DIGIT = "[0-9๐-๙]"

_THAI_DATE_LINE = re.compile(
    rf"""^
    (?:(?:วัน)?(?:{_WEEKDAY})\s*,?\s*)?      # weekday: วันจันทร์ / จันทร์
    (?:(?:วัน)?ที่\s*)?                      # ...ที่ / วันที่
    (?P<day>{_DIGIT}{{1,2}})\s*
    (?P<month>{_MONTH_ALT})\s*
    (?:(?P<era>พ\.\s?ศ\.|ค\.\s?ศ\.)\s*)?
    (?P<year>{_DIGIT}{{4}}|{_DIGIT}{{2}})
    (?:\s*,?\s*(?:เวลา\s*)?{_DIGIT}{{1,2}}[:.]{_DIGIT}{{2}}(?:\s*น\.)?)?   # time
    $""",
    re.VERBOSE,
)
_NUMERIC_DATE_LINE = re.compile(
    rf"^(?P<day>{_DIGIT}{{1,2}})/(?P<month>{_DIGIT}{{1,2}})/(?P<year>{_DIGIT}{{4}})$"
)
_SOURCE_URL = re.compile(r"^ที่มา\s*:?\s*(https?://\S+)")


def extract(text: str) -> dict[str, Any]:
    """Return whichever of title, date, date_text, url the article text gives."""
    meta: dict[str, Any] = {}
    # The lines are cut from the text and cleaned once, as they are looked at: a title
    # and a date line are on the first lines, the source on the last (not 60 lines each).
    title = found = None
    looking_for_title = True
    for line in _head_lines(text, HEAD_LINES):
        line = _clean(line)
        if not line:
            continue
        if looking_for_title:
            title, looking_for_title = _title_of(line)
        if found is None and len(line) < 80:  # a date line is short; skip paragraphs cheaply
            iso = parse_date(line)
            if iso:
                found = iso, line
        if found is not None and not looking_for_title:
            break
    if title:
        meta["title"] = title
    if found:
        meta["date"], meta["date_text"] = found
    url = _url(_tail_lines(text, TAIL_LINES))
    if url:
        meta["url"] = url
    return meta


def parse_date(line: str) -> str | None:
    """ISO date of a line that holds only a Thai date, else None."""
    line = _clean(line)
    m = _THAI_DATE_LINE.match(line)
    if m:
        month = _MONTHS[_month_key(m.group("month"))]
        era = (m.group("era") or "").replace(" ", "")
    else:
        m = _NUMERIC_DATE_LINE.match(line)
        if not m:
            return None
        month, era = int(m.group("month").translate(_THAI_DIGITS)), ""
    day = int(m.group("day").translate(_THAI_DIGITS))
    year = _gregorian(m.group("year").translate(_THAI_DIGITS), era)
    try:
        return date(year, month, day).isoformat()
    except ValueError:  # 31 February and the like: not a date
        return None


def _head_lines(text: str, n: int) -> Iterator[str]:
    """The first ``n`` lines, one at a time (only \\n ends a line)."""
    pos = 0
    for _ in range(n):
        end = text.find("\n", pos)
        if end < 0:
            yield text[pos:]
            return
        yield text[pos:end]
        pos = end + 1


def _tail_lines(text: str, n: int) -> Iterator[str]:
    """The last ``n`` lines, last first, one at a time."""
    end = len(text)
    for _ in range(n):
        start = text.rfind("\n", 0, end)
        yield text[start + 1 : end]
        if start < 0:
            return
        end = start


def _clean(line: str) -> str:
    return line.strip().strip(_INVISIBLE).strip()


def _title_of(line: str) -> tuple[str | None, bool]:
    """(the title, False) if the non-empty cleaned ``line`` decides it (which may be that
    there is none), else (None, True): look further down."""
    title = _clean(_TITLE_PREFIX.sub("", line, count=1))
    if not title:  # a bare site prefix: the title is further down
        return None, True
    # Speeches are titled by their date ("prefix-19 พฤษภาคม 2560"): a title. A bare
    # date as the first line means the article has no title line.
    if len(title) == len(line) and parse_date(title):
        return None, False
    return (title if len(title) <= MAX_TITLE else None), False


def _url(tail: Iterable[str]) -> str | None:
    for line in tail:
        m = _SOURCE_URL.match(_clean(line))
        if m:
            return m.group(1)
    return None


def _month_key(written: str) -> str:
    """The _MONTHS key for a month as written (abbreviations may lack the final dot)."""
    return written if written in _MONTHS else written + "."


def _gregorian(year_text: str, era: str) -> int:
    year = int(year_text)
    if len(year_text) == 2:  # "ธ.ค.66": two-digit years in Thai text are BE
        year += 2500
    if era == "พ.ศ." or (era != "ค.ศ." and year >= 2400):
        year -= 543
    return year
