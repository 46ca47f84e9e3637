"""LST20-style POS tags for the ThaiNER CRF, from the taggers pythainlp bundles offline.

The bundled ThaiNER 1.5.1 model was trained with LST20 tags (AJ AV AX CC CL FX IJ NG NN
NU PA PR PS PU VV XX). No bundled tagger produces them, so this module maps ORCHID or
Universal Dependencies tags onto LST20. Which tagger is used was decided by measuring
entity F1 of the CRF on the ThaiNER 1.5.1 val split, and speed
(``benchmarks/bench_suggestions.py --compare-pos``): a word -> tag lexicon (the ORCHID
unigram lexicon, gaps filled from the Thai UD one) mapped to LST20 scores as well as
the perceptron taggers, which are 100 times slower, and costs one dict lookup per word.
Leaving POS out altogether wrecks the model (it learned to lean on them).

Whitespace tokens get ``PU``, as in LST20 (the measurement agrees).
"""

from __future__ import annotations

import json
import os
import unicodedata
from functools import lru_cache
from typing import Callable, Sequence

DEFAULT_SCHEME = "orchid+tud-unigram"
SCHEMES = ("nn", "orchid+tud-unigram", "orchid-unigram", "orchid-perceptron", "ud-unigram",
           "ud-perceptron", "tud-unigram", "tud-perceptron", "tdtb-unigram")

# ORCHID -> LST20. ORCHID is finer; LST20 has no proper-noun or determiner tag
# (proper nouns are NN, determiners and quantifiers AJ) but keeps classifiers,
# prefixes and negators apart, like ORCHID.
ORCHID_TO_LST20 = {
    "NPRP": "NN", "NCMN": "NN", "NTTL": "NN",
    "NCNM": "NU", "NLBL": "NU", "NONM": "NU", "DCNM": "NU", "DONM": "NU",
    "VACT": "VV", "VSTA": "VV", "VATT": "AJ",
    "XVBM": "AX", "XVAM": "AX", "XVMM": "AX", "XVBB": "AX", "XVAE": "AX",
    "DDAN": "AJ", "DDAC": "AJ", "DDBQ": "AJ", "DDAQ": "AJ",
    "DIAC": "AJ", "DIBQ": "AJ", "DIAQ": "AJ",
    "ADVN": "AV", "ADVI": "AV", "ADVP": "AV", "ADVS": "AV",
    "PPRS": "PR", "PDMN": "PR", "PNTR": "PR",
    "RPRE": "PS",
    "JCRG": "CC", "JCMP": "CC", "JSBR": "CC", "PREL": "CC",
    "CNIT": "CL", "CLTV": "CL", "CMTR": "CL", "CFQC": "CL", "CVBL": "CL",
    "FIXN": "FX", "FIXV": "FX",
    "EAFF": "PA", "EITT": "PA", "AITT": "PA",
    "NEG": "NG",
    "PUNC": "PU",
    "INT": "IJ",
}

# Universal Dependencies -> LST20. UD folds classifiers, prefixes and negators into
# NOUN/PART; the word overrides below put the commonest ones back.
UD_TO_LST20 = {
    "NOUN": "NN", "PROPN": "NN", "VERB": "VV", "ADJ": "AJ", "ADV": "AV", "AUX": "AX",
    "CCONJ": "CC", "SCONJ": "CC", "NUM": "NU", "PUNCT": "PU", "SYM": "PU",
    "PRON": "PR", "ADP": "PS", "PART": "PA", "DET": "AJ", "INTJ": "IJ", "X": "XX",
}

# Words whose LST20 tag no source tag set gives reliably.
WORD_OVERRIDES = {"ไม่": "NG", "มิ": "NG", "การ": "FX", "ความ": "FX"}

SPACE_TAG = "PU"
UNKNOWN_TAG = "NN"  # out-of-lexicon words in news are mostly names and nouns

Tagger = Callable[[Sequence[str]], list[str]]


def _shape_tag(word: str, space_tag: str) -> str | None:
    """Tag from the characters alone (whitespace, digits, punctuation), or None."""
    if word.isspace():
        return space_tag
    if word.isdigit():
        return "NU"
    if all(unicodedata.category(c)[0] in "PS" for c in word):
        return "PU"
    return None


def _corpus_file(name: str) -> str:
    import pythainlp

    return os.path.join(os.path.dirname(pythainlp.__file__), "corpus", name)


_ORCHID_LEXICON = ("pos_orchid_unigram.json", ORCHID_TO_LST20)
_TUD_LEXICON = ("pos_tud_unigram.json", UD_TO_LST20)
# Lexicons by priority: a word takes its tag from the first lexicon that has it.
_UNIGRAM_FILES = {
    # ORCHID first for its classifiers, prefixes and negators; Thai UD fills its gaps.
    "orchid+tud-unigram": (_ORCHID_LEXICON, _TUD_LEXICON),
    "orchid-unigram": (_ORCHID_LEXICON,),
    "ud-unigram": (("pos_ud_unigram-v0.2.json", UD_TO_LST20),),
    "tud-unigram": (_TUD_LEXICON,),
    "tdtb-unigram": (("tdtb-unigram_tagger.json", UD_TO_LST20),),
}
_PERCEPTRON_CORPUS = {
    "orchid-perceptron": ("orchid", ORCHID_TO_LST20),
    "ud-perceptron": ("pud", UD_TO_LST20),
    "tud-perceptron": ("tud", UD_TO_LST20),
}


def build_tagger(scheme: str = DEFAULT_SCHEME, space_tag: str = SPACE_TAG,
                 unknown_tag: str = UNKNOWN_TAG) -> Tagger:
    """A function words -> LST20 tags. Loads its data now; call once and keep it."""
    if scheme == "nn":
        return _LexiconTagger({}, space_tag, unknown_tag)
    if scheme in _UNIGRAM_FILES:
        lexicon: dict[str, str] = {}
        for name, table in _UNIGRAM_FILES[scheme]:
            with open(_corpus_file(name), encoding="utf-8-sig") as fh:
                raw: dict[str, str] = json.load(fh)
            for word, tag in raw.items():
                tag = tag.split("@")[0]  # a few ORCHID entries carry two tags, "CMTR@PUNC"
                if tag in table:
                    lexicon.setdefault(word, table[tag])
        lexicon.update(WORD_OVERRIDES)
        return _LexiconTagger(lexicon, space_tag, unknown_tag)
    if scheme in _PERCEPTRON_CORPUS:
        corpus, table = _PERCEPTRON_CORPUS[scheme]
        return _PerceptronTagger(corpus, table, space_tag, unknown_tag)
    raise ValueError(f"unknown POS scheme {scheme!r}; known: {', '.join(SCHEMES)}")


class _LexiconTagger:
    """One tag per word type: lexicon, then character shape, then ``unknown_tag``.

    Results are memoised per word, so a warm tagger does one dict lookup per token.
    """

    def __init__(self, lexicon: dict[str, str], space_tag: str, unknown_tag: str) -> None:
        self._lexicon = lexicon
        self._space = space_tag
        self._unknown = unknown_tag
        self._memo: dict[str, str] = {}

    def _tag(self, word: str) -> str:
        tag = _shape_tag(word, self._space) or self._lexicon.get(word)
        if tag is None:
            tag = self._lexicon.get(word.lower(), self._unknown)
        if len(self._memo) > 500_000:
            self._memo.clear()
        self._memo[word] = tag
        return tag

    def __call__(self, words: Sequence[str]) -> list[str]:
        memo = self._memo
        return [memo.get(w) or self._tag(w) for w in words]


class _PerceptronTagger:
    """pythainlp's greedy averaged perceptron, mapped to LST20 (context-dependent)."""

    def __init__(self, corpus: str, table: dict[str, str], space_tag: str, unknown_tag: str) -> None:
        from pythainlp.tag import perceptron

        self._tag = perceptron.tag
        self._corpus = corpus
        self._table = table
        self._space = space_tag
        self._unknown = unknown_tag

    def __call__(self, words: Sequence[str]) -> list[str]:
        tagged = self._tag(list(words), corpus=self._corpus)
        out = []
        for word, tag in tagged:
            shaped = _shape_tag(word, self._space)
            out.append(shaped or WORD_OVERRIDES.get(word)
                       or self._table.get(tag.split("@")[0], self._unknown))
        return out


@lru_cache(maxsize=1)
def _default_tagger() -> Tagger:
    return build_tagger(DEFAULT_SCHEME)


def lst20_tags(words: Sequence[str]) -> list[str]:
    """LST20-style POS tag of each word (the tagger is built on first use)."""
    return _default_tagger()(words)


def tags_by_word(tagger: Tagger) -> bool:
    """Whether ``tagger`` gives a word the same tag whatever its neighbours (a lexicon
    lookup), so that a caller may tag each distinct word once and cache the result."""
    if tagger is lst20_tags:
        tagger = _default_tagger()
    return isinstance(tagger, _LexiconTagger)
