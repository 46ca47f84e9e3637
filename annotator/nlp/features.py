"""Token features for CRF models trained inside a project.

The bundled ThaiNER model fixes its own attributes (:mod:`annotator.nlp.crf`); models
trained here use this richer set, chosen group by group by measuring entity F1 on the
ThaiNER 1.5.1 val split after training on train (``benchmarks/bench_training.py
--ablation``). A model stores the :class:`FeatureSet` it was trained with, so tagging
always rebuilds the same attributes.

Groups (each adds attributes to a token; context groups also to its neighbours):

* ``word``: the word, and its lower case when that differs.
* ``shape``: the word's character classes with runs collapsed (Thai consonant ``C``,
  leading vowel ``L``, other vowel ``V``, tone mark ``T``, other mark ``M``, digit ``D``,
  Latin ``X``/``x``, ``.``, other punctuation ``P``), and a coarse kind (thai, latin,
  digit, space, punct, mixed).
* ``affix``: first and last one to three characters.
* ``thai``: Thai character-class facts: first and last class, tone mark present,
  abbreviation dot, length bucket.
* ``flags``: the bundled model's flags: stop word, digits, five digits.
* ``pos``: LST20-style POS from the word lookup (:mod:`annotator.nlp.pos`).
* ``lex``: the word is a title, a given or family name, a province or country, or a cue
  word that starts organisations or places (pythainlp's word lists and a short list here).
* ``bigram``: the word with its left and with its right neighbour.
* ``clusters``: the word's class at each granularity, learned from the project's text,
  unlabelled documents included (:mod:`annotator.nlp.clusters`); none for rare words.
* ``gaz``: which token of a multi-word place name the gazetteer found (B/I).
* ``rules``: which token of a rule match (dates, money, …) this is, with the rule's label.
* ``dict``: which token of a string the project's gold holds as an entity this is, with
  that entity's commonest label (:class:`EntityDictionary`). While training, a document's
  dictionary is built from the other folds only, so the CRF learns how far to trust a
  match on text it has not seen.
* ``bundled``: the bundled ThaiNER model's label for the token (``--from bundled``).

Source tags (``gaz``, ``rules``, ``dict``, ``bundled``) are given for the token and its two
neighbours. ``window`` is how many neighbours on each side contribute their word, shape and
POS (the nearest also their word-list, flag facts and classes).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

from annotator.core.model import SpanData
from annotator.nlp.matching import longest_matches

if TYPE_CHECKING:
    from annotator.nlp.crf import CrfModel

VERSION = 1
GROUPS = ("word", "shape", "affix", "thai", "flags", "pos", "lex", "bigram", "clusters", "gaz", "rules",
          "dict", "bundled")
# Groups a neighbour contributes (prefixed with its offset, "-1:" …).
CONTEXT_GROUPS = ("word", "shape", "pos", "lex", "flags", "clusters")
_FAR_GROUPS = ("word", "pos", "shape")  # what neighbours beyond the nearest contribute
# The groups of a word's own attributes, in the order they are listed.
WORD_GROUPS = ("word", "shape", "affix", "thai", "flags", "pos", "lex", "clusters")

# Words that start an organisation or a place name in Thai news.
ORG_CUES = frozenset((
    "บริษัท", "บมจ.", "บจก.", "ห้างหุ้นส่วน", "ธนาคาร", "กระทรวง", "กรม", "สำนักงาน", "สำนัก",
    "กอง", "มหาวิทยาลัย", "โรงเรียน", "วิทยาลัย", "สถาบัน", "มูลนิธิ", "สมาคม", "ชมรม", "สหกรณ์",
    "องค์การ", "องค์กร", "คณะ", "พรรค", "ศาล", "สภา", "ศูนย์", "การไฟฟ้า", "การประปา",
    "การท่องเที่ยว", "สถานี", "กรมการ", "ตำรวจ", "กองทัพ", "ทบวง", "เทศบาล", "อบต.", "อบจ.",
))
PLACE_CUES = frozenset((
    "จังหวัด", "จ.", "อำเภอ", "อ.", "ตำบล", "ต.", "หมู่บ้าน", "บ้าน", "ถนน", "ถ.", "ซอย",
    "ประเทศ", "เมือง", "เขต", "แขวง", "ภาค", "เกาะ", "แม่น้ำ", "ทะเล", "ภูเขา", "ดอย",
))


@dataclass(frozen=True)
class FeatureSet:
    """Which feature groups a model uses, and how wide its context window is."""

    groups: tuple[str, ...] = ("word", "shape", "affix", "thai", "flags", "pos", "lex", "bigram",
                               "gaz", "rules", "dict")
    window: int = 2
    version: int = VERSION

    def __post_init__(self) -> None:
        unknown = set(self.groups) - set(GROUPS)
        if unknown:
            raise ValueError(f"unknown feature groups: {', '.join(sorted(unknown))}")

    def with_groups(self, *add: str, remove: Sequence[str] = ()) -> "FeatureSet":
        groups = tuple(g for g in GROUPS if (g in self.groups or g in add) and g not in remove)
        return FeatureSet(groups, self.window, self.version)

    def to_json(self) -> dict:
        return {"groups": list(self.groups), "window": self.window, "version": self.version}

    @classmethod
    def from_json(cls, data: dict) -> "FeatureSet":
        return cls(tuple(data["groups"]), int(data["window"]), int(data.get("version", VERSION)))


DEFAULT = FeatureSet()


# ---------------------------------------------------------------- characters
def char_class(c: str) -> str:
    """One letter for the class of a character (see the module doc)."""
    o = ord(c)
    if 0x0E01 <= o <= 0x0E2E:
        return "C"
    if 0x0E40 <= o <= 0x0E44:
        return "L"
    if o in (0x0E30, 0x0E31, 0x0E32, 0x0E33, 0x0E45) or 0x0E34 <= o <= 0x0E3A or o == 0x0E47:
        return "V"
    if 0x0E48 <= o <= 0x0E4B:
        return "T"
    if 0x0E4C <= o <= 0x0E4E or o in (0x0E2F, 0x0E46):
        return "M"
    if c.isdigit():
        return "D"
    if c.isspace():
        return "S"
    if c == ".":
        return "."
    if c.isalpha():
        return "X" if c.isupper() else "x"
    return "P" if unicodedata.category(c)[0] in "PS" else "?"


class _ClassTable(dict):
    """code point -> :func:`char_class`, filled as characters are met: ``str.translate``
    with it gives a word's classes in one call."""

    def __missing__(self, code: int) -> str:
        got = self[code] = char_class(chr(code))
        return got


_CLASSES = _ClassTable()


def char_classes(word: str) -> str:
    """:func:`char_class` of each character of ``word``."""
    return word.translate(_CLASSES)


def shape(word: str) -> str:
    """Character classes with runs collapsed, at most 8 letters: ``นาย`` -> ``CVC``."""
    return _shape_of(char_classes(word))


def _shape_of(classes: str) -> str:
    """:func:`shape` of a word whose :func:`char_classes` are ``classes``: a loop that stops
    at 8 letters, 1.2 µs a word, where a regular expression's substitution took 5.7."""
    out = classes[:1]
    for k in classes[1:]:
        if k != out[-1]:
            out += k
            if len(out) == 8:
                break
    return out


def kind(word: str) -> str:
    return _kind_of(char_classes(word))


def _kind_of(classes: str) -> str:
    """:func:`kind` of a word whose :func:`char_classes` are ``classes``: which set of
    classes holds all of them (``strip`` of a set leaves nothing exactly then, and costs
    less than making a set of them)."""
    if not classes.strip("S"):
        return "space"
    if not classes.strip("D.P") and "D" in classes:
        return "digit"
    if not classes.strip("CLVTM."):
        return "thai"
    if not classes.strip("Xx."):
        return "latin"
    if not classes.strip("P."):
        return "punct"
    return "mixed"


def _in_order(by_group: dict[str, list[str]], groups: Sequence[str]) -> list[str]:
    """The attributes of those of ``groups`` present, in the order of :data:`WORD_GROUPS`."""
    return [a for g in WORD_GROUPS if g in groups and g in by_group for a in by_group[g]]


def _length_bucket(n: int) -> str:
    return str(n) if n <= 4 else ("5-6" if n <= 6 else ("7-10" if n <= 10 else "11+"))


# ------------------------------------------------------------------- lexicons
@lru_cache(maxsize=1)
def _lexicons() -> dict[str, frozenset[str]]:
    import annotator.nlp  # noqa: F401  (offline before pythainlp loads)
    from pythainlp.corpus import common

    from annotator.nlp.gazetteer import EXTRA_PLACES, TITLES

    return {
        "title": frozenset(TITLES),
        "given": frozenset(common.thai_male_names()) | frozenset(common.thai_female_names()),
        "family": frozenset(common.thai_family_names()),
        "place": frozenset(common.provinces()) | frozenset(common.countries()) | frozenset(EXTRA_PLACES),
        "orgcue": ORG_CUES,
        "placecue": PLACE_CUES,
    }


# ------------------------------------------------------------------ extractor
@dataclass
class Featurizer:
    """Builds crfsuite attribute lists for token sequences under one :class:`FeatureSet`.

    Word-level attributes are cached per distinct word (news repeats its vocabulary), so
    a token costs a few dict lookups and list joins. Build once per process; not
    thread-safe (the caches).
    """

    features: FeatureSet = DEFAULT
    _cache: dict[str, tuple[list[str], ...]] = field(default_factory=dict, repr=False)
    dictionary: "EntityDictionary | None" = None
    clusters: "dict[str, Sequence[int]] | None" = None  # word -> class per granularity (nlp/clusters.py)
    # the bundled model whose labels are the ``bundled`` features, when the caller has one
    # loaded already (a pre-annotation worker shares its fork server's); None: load one
    bundled_model: "CrfModel | None" = field(default=None, repr=False)

    def __post_init__(self) -> None:
        from annotator.nlp.pos import lst20_tags

        g = set(self.features.groups)
        self._g = g
        self._pos = lst20_tags if "pos" in g else None
        self._lex = _lexicons() if "lex" in g else {}
        self._lex_attrs = [("lex=" + name, words) for name, words in self._lex.items()]
        self._stop = None
        if "flags" in g:
            from annotator.nlp.crf import stopwords

            self._stop = stopwords()
        self._gazetteer = None
        if "gaz" in g:
            from annotator.nlp.gazetteer import Gazetteer

            self._gazetteer = Gazetteer(places=True, persons=False)
        self._bundled = None
        if "bundled" in g:
            from annotator.nlp.crf import CrfModel

            self._bundled = self.bundled_model if self.bundled_model is not None else CrfModel()

    # ---- word-level pieces
    def _word_attrs(self, word: str, tag: str | None, groups: Sequence[str] | set[str]) -> list[str]:
        """The word's attributes of ``groups``, in the order of :data:`WORD_GROUPS`."""
        return _in_order(self._group_attrs(word, tag, groups), WORD_GROUPS)

    def _group_attrs(self, word: str, tag: str | None, groups: Sequence[str] | set[str]) -> dict[str, list[str]]:
        """The word's attributes, group by group, for those of ``groups`` it has."""
        out: dict[str, list[str]] = {}
        if "word" in groups:
            low = word.lower()
            out["word"] = ["w=" + word, "lw=" + low] if low != word else ["w=" + word]
        if "shape" in groups:
            out["shape"] = ["sh=" + shape(word), "k=" + kind(word)]
        if "affix" in groups and len(word) > 1:
            out["affix"] = [f"{side}{n}=" + (word[:n] if side == "p" else word[-n:])
                            for n in (1, 2, 3) if len(word) > n for side in ("p", "s")]
        if "thai" in groups:
            classes = char_classes(word)
            got = ["f=" + classes[0], "l=" + classes[-1], "n=" + _length_bucket(len(word))]
            if "T" in classes:  # a tone mark, U+0E48-U+0E4B
                got.append("tone")
            if "." in word and len(word) > 1:
                got.append("dot")
            out["thai"] = got
        if "flags" in groups and self._stop is not None:
            out["flags"] = self._flag_attrs(word)
        if "pos" in groups and tag is not None:
            out["pos"] = ["pos=" + tag]
        if "lex" in groups:
            out["lex"] = ["lex=" + name for name, words in self._lex.items() if word in words]
        if "clusters" in groups and self.clusters:
            classes = self.clusters.get(word)
            if classes is not None:
                out["clusters"] = [f"c{n}={c}" for n, c in enumerate(classes)]
        return out

    def _pieces(self, word: str, tag: str | None, keep: bool = True) -> tuple[list[str], ...]:
        """The word's own attributes, then what it gives as neighbour -1, +1, -2, +2 …
        (prefixed with the offset), computed once per distinct (word, POS); ``keep`` False:
        not cached (the fast path keeps their summed weights instead)."""
        key = word if tag is None else word + "\x00" + tag
        got = self._cache.get(key)
        if got is not None:
            return got
        if len(self._cache) > 300_000:  # bound memory on endless input
            self._cache.clear()
        own, near, far = self.roles(word, tag)
        pieces = [own]
        for k in range(1, self.features.window + 1):
            attrs = near if k == 1 else far
            pieces.append([f"-{k}:" + a for a in attrs])
            pieces.append([f"+{k}:" + a for a in attrs])
        got = tuple(pieces)
        if keep:
            self._cache[key] = got
        return got

    def _flag_attrs(self, word: str) -> list[str]:
        """The ``flags`` group: a stop word, digits, five digits (a postcode)."""
        got = []
        if word in self._stop:
            got.append("stop")
        if word.isdigit():
            got.append("digit")
            if len(word) == 5:
                got.append("len5")
        return got

    def roles(self, word: str, tag: str | None) -> tuple[list[str], list[str], list[str]]:
        """The word's own attributes, what it gives as its nearest neighbours' (-1, +1) and
        as farther ones' (-2, +2 …), the last two without their prefixes: those of
        :meth:`_group_attrs` in the order of WORD_GROUPS, of all its groups, then of those of
        CONTEXT_GROUPS and of _FAR_GROUPS without the kind ("k="). Made directly, as a new
        word costs this each time a model meets it anew (the same lists: tests/nlp/test_trained_scores.py)."""
        g = self._g
        classes = word.translate(_CLASSES)  # once, for the shape, the kind and the Thai facts
        own: list[str] = []
        words = flags = lex = groups = ()
        sh = None
        if "word" in g:
            low = word.lower()
            words = ["w=" + word, "lw=" + low] if low != word else ["w=" + word]
            own += words
        if "shape" in g:
            sh = "sh=" + _shape_of(classes)
            own += (sh, "k=" + _kind_of(classes))
        n = len(word)
        if "affix" in g and n > 1:
            own += ("p1=" + word[:1], "s1=" + word[-1:])
            if n > 2:
                own += ("p2=" + word[:2], "s2=" + word[-2:])
                if n > 3:
                    own += ("p3=" + word[:3], "s3=" + word[-3:])
        if "thai" in g:
            own += ("f=" + classes[0], "l=" + classes[-1], "n=" + _length_bucket(n))
            if "T" in classes:
                own.append("tone")
            if n > 1 and "." in word:
                own.append("dot")
        if "flags" in g and self._stop is not None:
            flags = self._flag_attrs(word)
            own += flags
        pos = ("pos=" + tag,) if "pos" in g and tag is not None else ()
        own += pos
        if "lex" in g:
            lex = [name for name, members in self._lex_attrs if word in members]
            own += lex
        if "clusters" in g and self.clusters:
            found = self.clusters.get(word)
            if found is not None:
                groups = [f"c{k}={c}" for k, c in enumerate(found)]
                own += groups
        shaped = (sh,) if sh is not None else ()
        return own, [*words, *shaped, *flags, *pos, *lex, *groups], [*words, *shaped, *pos]

    # ---- sequences
    def attributes(self, words: Sequence[str], tags: dict[str, Sequence[str]] | None = None) -> list[list[str]]:
        """Attributes of each word of one sequence. ``tags`` maps a token-tag source
        (``gaz``, ``rules``, ``dict``, ``bundled``) to one B-/I-/O tag per word."""
        n = len(words)
        pos = self._pos(words) if self._pos is not None else [None] * n
        window = self.features.window
        bigram = "bigram" in self._g
        get = self._cache.get
        pieces = [get(w if t is None else w + "\x00" + t) or self._pieces(w, t) for w, t in zip(words, pos)]
        bos = [f"-{k}:BOS" for k in range(1, window + 1)]
        eos = [f"+{k}:EOS" for k in range(1, window + 1)]
        out: list[list[str]] = []
        for i, word in enumerate(words):
            attrs = ["bias", *pieces[i][0]]
            for k in range(1, window + 1):
                j = i - k
                if j >= 0:
                    attrs += pieces[j][2 * k - 1]
                elif j == -1:
                    attrs.append(bos[k - 1])
                j = i + k
                if j < n:
                    attrs += pieces[j][2 * k]
                elif j == n:
                    attrs.append(eos[k - 1])
            if bigram:
                if i > 0:
                    attrs.append("b-=" + words[i - 1] + "|" + word)
                if i + 1 < n:
                    attrs.append("b+=" + word + "|" + words[i + 1])
            if tags:
                for source, seq in tags.items():
                    t = seq[i]
                    if t != "O":
                        attrs.append(f"{source}={t}")
                    if i > 0 and seq[i - 1] != "O":
                        attrs.append(f"{source}-1={seq[i - 1]}")
                    if i + 1 < n and seq[i + 1] != "O":
                        attrs.append(f"{source}+1={seq[i + 1]}")
            out.append(attrs)
        return out

    def document_tags(self, text: str, tokens: Sequence[tuple[int, int]],
                      bundled: Sequence[SpanData] | None = None,
                      bundled_tags: list[str] | None = None) -> dict[str, list[str]]:
        """Token tags of the whole document from the gazetteer, rules and bundled model,
        as the feature set asks. ``bundled``: the bundled model's spans, when the caller
        has already tagged the document with it (in a batch); ``bundled_tags``: their tags
        (``CrfModel.predict_many(..., as_tags=True)``)."""
        tags: dict[str, list[str]] = {}
        starts = [s for s, _ in tokens]
        if self._gazetteer is not None:
            tags["gaz"] = span_tags(self._gazetteer.find(text, tokens), tokens, starts)
        if "rules" in self._g:
            from annotator.nlp import rules

            tags["rules"] = span_tags(rules.find(text), tokens, starts)
        if self.dictionary is not None and "dict" in self._g:
            tags["dict"] = range_tags(self.dictionary.ranges(text, tokens), tokens, starts)
        if self._bundled is not None:
            if bundled_tags is not None:
                tags["bundled"] = bundled_tags
            else:
                found = bundled if bundled is not None else self._bundled.predict(text, tokens)
                tags["bundled"] = span_tags(found, tokens, starts)
        return tags


def span_tags(spans: Sequence[SpanData], tokens: Sequence[tuple[int, int]],
              starts: Sequence[int] | None = None) -> list[str]:
    """One IOB tag per token from character spans: a token that overlaps a span is in it
    (B- for the first such token). Spans must not overlap each other. ``starts``: the
    tokens' starts, when the caller has them (one list for every source of a document)."""
    return range_tags([(span.start, span.end, span.label) for span in spans], tokens, starts)


def range_tags(ranges: Sequence[tuple[int, int, str]], tokens: Sequence[tuple[int, int]],
               starts: Sequence[int] | None = None) -> list[str]:
    """:func:`span_tags` of (start, end, label) ranges, for a caller that has no spans."""
    from bisect import bisect_right

    tags = ["O"] * len(tokens)
    if starts is None:
        starts = [s for s, _ in tokens]
    for start, end, label in ranges:
        i = max(0, bisect_right(starts, start) - 1)
        first = True
        while i < len(tokens) and tokens[i][0] < end:
            if tokens[i][1] > start:
                tags[i] = ("B-" if first else "I-") + label
                first = False
            i += 1
    return tags


class EntityDictionary:
    """Entity strings a project's gold holds, each with its commonest label; finds them
    in a text where they start and end on token boundaries (longest match first)."""

    def __init__(self, entries: dict[str, str]) -> None:
        self.entries = dict(entries)
        self._prefixes = frozenset(k[:n] for k in self.entries for n in range(1, len(k) + 1))

    @classmethod
    def build(cls, items, min_count: int = 1) -> "EntityDictionary":
        """``items``: (string, label) of every gold entity."""
        from collections import Counter, defaultdict

        by: dict[str, Counter] = defaultdict(Counter)
        for text, label in items:
            text = text.strip()
            if text:
                by[text][label] += 1
        entries = {}
        for text, labels in by.items():
            (label, n), = labels.most_common(1)
            if n >= min_count and n * 2 > sum(labels.values()):
                entries[text] = label
        return cls(entries)

    def find(self, text: str, tokens: Sequence[tuple[int, int]]) -> list[SpanData]:
        return [SpanData(s, e, label, origin="gazetteer") for s, e, label in self.ranges(text, tokens)]

    def ranges(self, text: str, tokens: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
        """(start, end, label) of what :meth:`find` finds, without making spans."""
        entries = self.entries
        return [(s, e, entries[text[s:e]]) for s, e in longest_matches(text, tokens, self._prefixes, entries)]
