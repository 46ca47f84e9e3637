"""Word-list suggestions: place names, and titled person names.

Lists are pythainlp's bundled ones (provinces, countries, given and family names).
Matches must start and end on token boundaries, so a name is not found inside a longer
word that newmm keeps whole. Spans follow ThaiNER 1.5: a place
keeps its ``จังหวัด``/``จ.``/``ประเทศ`` prefix, a person keeps the title
(``[นายสมชาย ใจดี]``).

Which parts are switched on in :class:`annotator.nlp.suggest.Suggester` was decided by
measuring F1 on the ThaiNER 1.5.1 val split (benchmarks/bench_suggestions.py
--compare-merge): places help, titled names do not. Offsets are code points,
end-exclusive.
"""

from __future__ import annotations

import re
from typing import Sequence

from annotator.core.model import SpanData
from annotator.nlp.matching import longest_matches

# Exact-match precision of place matches on ThaiNER 1.5.1 train+val is 0.739
# (benchmarks/bench_suggestions.py --rule-precision), rounded down to 0.05.
CONFIDENCE = 0.7
VERSION = "gaz-2"  # 2: short country names (เกาหลี, สหรัฐฯ), not after ดอลลาร์

# Everyday short forms the bundled province and country lists lack (they have only
# เกาหลีใต้, สหรัฐอเมริกา, พม่า).
EXTRA_PLACES = ("กรุงเทพฯ", "กรุงเทพ", "กทม.", "เกาหลี", "สหรัฐฯ", "อเมริกา", "อังกฤษ", "เมียนมา",
                "เมียนมาร์")
PLACE_PREFIXES = ("จังหวัด", "จ.", "ประเทศ")
# Names that are also everyday words (เลย "at all", แพร่ "spread", ตาก "to dry") or
# mostly adjectives (ไทย in ข้าวไทย): only taken with a prefix, จังหวัดเลย, ประเทศไทย.
NEEDS_PREFIX = frozenset({"เลย", "แพร่", "ตาก", "ไทย"})
# After these a country is a people, a language or a currency, not a place: ชาวจีน,
# ภาษาลาว, ดอลลาร์สหรัฐฯ.
NOT_AFTER = ("ชาว", "คน", "ภาษา", "สัญชาติ", "ดอลลาร์")

# Longest first, so that นางสาว is not read as นาง + สาว.
TITLES = tuple(sorted((
    "นาย", "นาง", "นางสาว", "น.ส.", "ด.ช.", "ด.ญ.", "เด็กชาย", "เด็กหญิง", "คุณ",
    "ดร.", "ศ.", "รศ.", "ผศ.", "ศ.ดร.", "รศ.ดร.", "ผศ.ดร.", "นพ.", "น.พ.", "พญ.", "ทพ.", "ทพญ.",
    "พล.อ.", "พล.ท.", "พล.ต.", "พ.อ.", "พ.ท.", "พ.ต.", "ร.อ.", "ร.ท.", "ร.ต.",
    "พล.ต.อ.", "พล.ต.ท.", "พล.ต.ต.", "พ.ต.อ.", "พ.ต.ท.", "พ.ต.ต.", "ร.ต.อ.", "ร.ต.ท.", "ร.ต.ต.",
    "พล.ร.อ.", "พล.อ.อ.", "พลเอก", "พลโท", "พลตรี", "พลตำรวจเอก", "พลตำรวจโท", "พลตำรวจตรี",
    "ว่าที่ร้อยตรี", "ม.ร.ว.", "ม.ล.", "หม่อมราชวงศ์", "หม่อมหลวง",
), key=len, reverse=True))
_TITLE = re.compile("(?:" + "|".join(re.escape(t) for t in TITLES) + ")+")
_THAI_RUN = re.compile(r"[\u0e01-\u0e4e]+")


class Gazetteer:
    """Finds places and titled names; build once per process (loading the lists).

    ``places``: provinces and countries as LOCATION. ``persons``: title + a given name
    from the list, followed by a space or punctuation (+ a family name from the list
    after one space) as PERSON.
    """

    def __init__(self, places: bool = True, persons: bool = False) -> None:
        from pythainlp.corpus import common

        self.places_on = places
        self.persons_on = persons
        names = set(common.provinces()) | set(common.countries()) | set(EXTRA_PLACES)
        self._places = frozenset(names)
        # Every prefix of every name, so a walk over tokens can stop at the first miss.
        self._place_prefixes = frozenset(n[:k] for n in names for k in range(1, len(n) + 1))
        self._given = frozenset(common.thai_male_names()) | frozenset(common.thai_female_names())
        self._family = frozenset(common.thai_family_names())

    def find(self, text: str, tokens: Sequence[tuple[int, int]]) -> list[SpanData]:
        """Suggestions in ``text`` (tokens: its (start, end) offsets), sorted, non-overlapping."""
        found: list[tuple[int, int, str]] = []
        if self.persons_on:
            found += self._persons(text, tokens)
        if self.places_on:
            found += self._find_places(text, tokens)
        found.sort(key=lambda f: (f[0], -f[1]))
        out: list[SpanData] = []
        last = -1
        for s, e, label in found:
            if s >= last:
                out.append(SpanData(s, e, label, origin="gazetteer", confidence=CONFIDENCE))
                last = e
        return out

    def _find_places(self, text: str, tokens: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
        out = []
        for s, name_end in longest_matches(text, tokens, self._place_prefixes, self._places):
            start = self._with_prefix(text, s)
            if start == s and (text[s:name_end] in NEEDS_PREFIX
                               or any(_ends_with(text, s, w) for w in NOT_AFTER)):
                continue
            out.append((start, name_end, "LOCATION"))
        return out

    @staticmethod
    def _with_prefix(text: str, start: int) -> int:
        """Move ``start`` back over a จังหวัด/จ./ประเทศ written just before the name."""
        for p in PLACE_PREFIXES:
            if _ends_with(text, start, p):
                return start - len(p)
        return start

    def _persons(self, text: str, tokens: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
        starts = {s for s, _ in tokens}
        ends = {e for _, e in tokens}
        out = []
        for m in _TITLE.finditer(text):
            if m.start() not in starts:
                continue  # the title must begin a token: not the คุณ of ประโยชน์คุณ...
            run = _THAI_RUN.match(text, m.end())
            if run is None:
                continue
            given_end = self._longest(run.group(), m.end(), self._given, ends)
            if given_end < 0 or _THAI_RUN.match(text, given_end):
                # A name is followed by a space or punctuation, never by more Thai
                # letters: นายก|รัฐมนตรี is not นาย + กร.
                continue
            end = given_end
            if text.startswith(" ", end):
                family = _THAI_RUN.match(text, end + 1)
                if family is not None:
                    family_end = self._longest(family.group(), end + 1, self._family, ends)
                    end = max(end, family_end)
            out.append((m.start(), end, "PERSON"))
        return out

    @staticmethod
    def _longest(run: str, offset: int, names: frozenset[str], ends: set[int]) -> int:
        """End offset of the longest name that starts ``run`` and ends a token, or -1."""
        for k in range(len(run), 1, -1):
            if run[:k] in names and offset + k in ends:
                return offset + k
        return -1


def _ends_with(text: str, end: int, word: str) -> bool:
    """True if ``word`` is written in ``text`` just before offset ``end``."""
    return end >= len(word) and text.startswith(word, end - len(word))
