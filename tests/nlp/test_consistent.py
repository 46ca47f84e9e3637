"""A string the model labelled once is labelled wherever else it stands on token
boundaries and nothing was found (trained.make_consistent)."""

from __future__ import annotations

from annotator.core.model import SpanData
from annotator.nlp.trained import make_consistent


def _tokens(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    cuts = [0, *cuts, len(text)]
    return list(zip(cuts, cuts[1:]))


def test_other_mentions_on_token_boundaries_get_the_first_mentions_label():
    text = "นายกขค ไป ลำปาง แล้ว นายกขค กลับ ลำปางใหม่ นายกขค"
    #       0   3  6 7  9    15   20     27   32            45
    tokens = _tokens(text, [3, 6, 7, 9, 10, 15, 16, 20, 21, 24, 27, 28, 32, 33, 38, 42, 43, 46])
    first = SpanData(3, 6, "PERSON", origin="model", confidence=0.7)
    place = SpanData(10, 15, "LOCATION", origin="model", confidence=0.9)
    found = make_consistent(text, tokens, [first, place])
    assert [(text[s.start:s.end], s.label, s.confidence) for s in found] == [
        ("กขค", "PERSON", 0.7), ("ลำปาง", "LOCATION", 0.9), ("กขค", "PERSON", 0.7), ("ลำปาง", "LOCATION", 0.9),
        ("กขค", "PERSON", 0.7)]
    assert all(s.origin == "model" for s in found)


def test_a_mention_inside_a_token_or_over_another_span_or_too_short_is_left_alone():
    text = "กขค กขคง กขค ab ab"
    tokens = _tokens(text, [3, 4, 8, 9, 12, 13, 15, 16])
    spans = [SpanData(0, 3, "ORG", origin="model"), SpanData(9, 15, "LOC", origin="model"),
             SpanData(13, 15, "X", origin="model")]
    found = make_consistent(text, tokens, spans[:2])
    # "กขค" in "กขคง" is no token; at 9 it is inside the LOC span
    assert [(s.start, s.end, s.label) for s in found] == [(0, 3, "ORG"), (9, 15, "LOC")]
    # a two-character string is too short to repeat
    assert make_consistent(text, tokens, [spans[2]]) == [spans[2]]
    assert make_consistent(text, tokens, []) == []
