"""Finer tokens for trained models: the compiled pass gives the Python steps' tokens."""

from __future__ import annotations

import random

from annotator.nlp import refine
from annotator.nlp.refine import SplitTable, split_punctuation
from random_text import text_and_tokens


def python_apply(table, text, tokens):
    return table.apply(text, tokens, compiled=False)


def test_punctuation_and_learned_cuts():
    words = ["(สพฐ.)", " ", "ในประเทศ", "ไทย", " ", "“คนไทย”"]
    text = "".join(words)
    ends = [sum(map(len, words[:k + 1])) for k in range(len(words))]
    tokens = list(zip([0, *ends[:-1]], ends))
    table = SplitTable({"ในประเทศ": (2,), "คนไทย": (2,)})
    got = python_apply(table, text, tokens)
    assert [text[a:b] for a, b in got] == ["(", "สพฐ.", ")", " ", "ใน", "ประเทศ", "ไทย", " ", "“", "คน", "ไทย", "”"]
    assert table.apply(text, tokens, compiled=True) == got
    assert SplitTable().apply(text, tokens, compiled=True) == split_punctuation(text, tokens)


def test_the_compiled_pass_matches_the_python_steps_on_random_texts():
    rng = random.Random(3)
    alphabet = "กขคนมยสอาิเ ()“”\"'«»\ufeff12"
    for _ in range(500):
        text, tokens = text_and_tokens(rng, alphabet, 50, 15)
        words = [text[a:b] for a, b in tokens if b - a > 1]
        table = SplitTable({w: tuple(sorted(rng.sample(range(1, len(w)), 1))) for w in rng.sample(words, min(3, len(words)))}
                           if rng.random() < 0.7 else {})
        assert table.apply(text, tokens, compiled=True) == python_apply(table, text, tokens), (text, tokens)


def test_the_compiled_pass_is_built_and_hands_what_it_does_not_take_to_python():
    assert refine.COMPILED  # built on this install, as on CI (tests/nlp/test_fastcrf.py)
    text = "(ไทย)"
    for tokens in ([[0, 5]], [(0, 9)], [(-1, 5)], [(3, 1)]):
        assert refine._compiled(text, tokens, refine._EDGE_PUNCT_TEXT, None) is NotImplemented
    assert SplitTable().apply(text, [[0, 5]]) == [(0, 1), (1, 4), (4, 5)]
    assert SplitTable().apply(text, iter([(0, 5)])) == [(0, 1), (1, 4), (4, 5)]
