"""Dictionary matching on word tokens: the compiled loop finds what the Python loop finds."""

from __future__ import annotations

import random

import pytest

from annotator.nlp import matching
from annotator.nlp.matching import _longest_matches, longest_matches
from random_text import text_and_tokens

TEXT = "นายสมชาย ใจดี เดินทางไปจังหวัดเชียงใหม่ และกรุงเทพมหานคร"


def prefixes_of(entries):
    return frozenset(e[:k] for e in entries for k in range(1, len(e) + 1))


def test_longest_entry_wins_and_matches_do_not_overlap():
    tokens = [(0, 3), (3, 8), (8, 9), (9, 11), (11, 13)]  # นาย สมชาย ' ' ใจ ดี
    entries = {"นาย", "นายสมชาย", "นายสมชาย ใจดี", "ใจดี"}
    for compiled in (False, True):
        assert list(longest_matches(TEXT, tokens, prefixes_of(entries), entries, compiled=compiled)) == [(0, 13)]
    entries = {"สมชาย", "ใจดี"}
    assert list(longest_matches(TEXT, tokens, prefixes_of(entries), entries)) == [(3, 8), (9, 13)]


def test_the_compiled_loop_matches_the_python_one_on_random_tokens_and_dictionaries():
    rng = random.Random(7)
    alphabet = "กขคงจนมยรลวสหอะาิีเแโใไ่้ "
    for _ in range(400):
        text, tokens = text_and_tokens(rng, alphabet, 60, 20)
        if rng.random() < 0.2:  # tokens that skip characters, as a tokenizer's gaps
            tokens = tokens[::2]
        pieces = [text[a:b] for a, b in tokens]
        entries = {"".join(pieces[i:i + rng.randint(1, 3)]) for i in rng.sample(range(len(pieces)), min(4, len(pieces)))}
        entries |= {"".join(rng.choice(alphabet) for _ in range(3))}
        container = dict.fromkeys(entries, "X") if rng.random() < 0.5 else frozenset(entries)
        prefixes = prefixes_of(entries)
        want = list(_longest_matches(text, tokens, prefixes, container))
        assert list(longest_matches(text, tokens, prefixes, container, compiled=True)) == want, (text, tokens)


def test_tokens_the_compiled_loop_does_not_take_go_to_the_python_one():
    entries = {"สมชาย"}
    prefixes = prefixes_of(entries)
    assert matching._compiled(TEXT, [(3, 8)], prefixes, entries) == [(3, 8)]
    for tokens in ([[3, 8]], [(-10, 8)], [(3.0, 8)]):
        assert matching._compiled(TEXT, tokens, prefixes, entries) is NotImplemented
    assert list(longest_matches(TEXT, [[3, 8]], prefixes, entries)) == [(3, 8)]
    assert list(longest_matches(TEXT, iter([(3, 8)]), prefixes, entries)) == [(3, 8)]
    with pytest.raises(TypeError):
        matching._compiled(TEXT, 5, prefixes, entries)


def test_the_compiled_loop_is_built_and_used_by_default(monkeypatch):
    """This install built annotator/nlp/_crfc.c (as on CI: see test_fastcrf.py), and the
    gazetteer and entity dictionary go through it."""
    assert matching.COMPILED
    calls = []
    real = matching._compiled
    monkeypatch.setattr(matching, "_compiled", lambda *a: calls.append(a) or real(*a))
    entries = {"ใจดี"}
    assert list(longest_matches(TEXT, [(9, 11), (11, 13)], prefixes_of(entries), entries)) == [(9, 13)]
    assert len(calls) == 1
