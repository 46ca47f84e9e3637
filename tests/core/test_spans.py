"""Tag codecs over character offsets: IOB2, BIOES, IOB1-style input, refusal, overlaps."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.errors import AlignmentError, FormatError
from annotator.core.model import SpanData
from annotator.core.spans import (
    check_spans,
    overlaps,
    parse_tag,
    spans_to_tags,
    tag_names,
    tags_to_spans,
    token_cuts,
)
from annotator.nlp.tokenizer import split_at, tokenize

# "นาย ก ไป กทม" as tokens: นาย|␠|ก|␠|ไป|␠|กทม
TOKENS = [(0, 3), (3, 4), (4, 5), (5, 6), (6, 8), (8, 9), (9, 12)]


def test_iob2_encoding_and_back():
    spans = [(0, 5, "PER"), (9, 12, "LOC")]
    tags, problems = spans_to_tags(TOKENS, spans)
    assert tags == ["B-PER", "I-PER", "I-PER", "O", "O", "O", "B-LOC"]
    assert problems == []
    assert tags_to_spans(TOKENS, tags) == spans


def test_bioes_encoding_and_back():
    spans = [(0, 5, "PER"), (9, 12, "LOC")]
    tags, _ = spans_to_tags(TOKENS, spans, "bioes")
    assert tags == ["B-PER", "I-PER", "E-PER", "O", "O", "O", "S-LOC"]
    assert tags_to_spans(TOKENS, tags) == spans


def test_span_data_accepted():
    tags, _ = spans_to_tags(TOKENS, [SpanData(4, 5, "PER")], "bioes")
    assert tags[2] == "S-PER"


def test_adjacent_spans_of_one_label_stay_apart():
    spans = [(0, 3, "PER"), (3, 5, "PER")]
    for scheme in ("iob2", "bioes"):
        tags, _ = spans_to_tags(TOKENS, spans, scheme)
        assert tags_to_spans(TOKENS, tags) == spans


@pytest.mark.parametrize(
    "tags, expected",
    [
        # IOB1-style: I- after O starts an entity
        (["O", "O", "I-PER", "I-PER", "O", "O", "O"], [(4, 6, "PER")]),
        # I- of another label starts a new entity
        (["B-PER", "I-LOC", "I-LOC", "O", "O", "O", "O"], [(0, 3, "PER"), (3, 5, "LOC")]),
        # an entity at the very end is closed
        (["O", "O", "O", "O", "O", "O", "I-LOC"], [(9, 12, "LOC")]),
        # BIOES: E- ends, S- is single, and a new B- after E- starts again
        (["B-PER", "E-PER", "S-PER", "O", "B-LOC", "I-LOC", "E-LOC"], [(0, 4, "PER"), (4, 5, "PER"), (6, 12, "LOC")]),
        # a stray E- on its own is a one-token entity
        (["O", "O", "E-PER", "O", "O", "O", "O"], [(4, 5, "PER")]),
        # BILOU spelling
        (["B-PER", "L-PER", "U-LOC", "O", "O", "O", "O"], [(0, 4, "PER"), (4, 5, "LOC")]),
        # B- after B- of the same label: two entities
        (["B-PER", "B-PER", "O", "O", "O", "O", "O"], [(0, 3, "PER"), (3, 4, "PER")]),
    ],
)
def test_decoding_lenient_inputs(tags, expected):
    assert tags_to_spans(TOKENS, tags) == expected


@pytest.mark.parametrize("bad", ["X-PER", "PER", "B-", "b-PER", "", "B_PER"])
def test_unknown_tag_prefix_is_refused(bad):
    with pytest.raises(FormatError):
        tags_to_spans(TOKENS, ["O"] * 6 + [bad])
    with pytest.raises(FormatError):
        parse_tag(bad)


def test_token_and_tag_counts_must_agree():
    with pytest.raises(FormatError):
        tags_to_spans(TOKENS, ["O"])


def test_misaligned_span_is_refused():
    with pytest.raises(AlignmentError):
        spans_to_tags(TOKENS, [(1, 5, "PER")])  # starts inside นาย
    with pytest.raises(AlignmentError):
        spans_to_tags(TOKENS, [(0, 11, "PER")])  # ends inside กทม
    with pytest.raises(AlignmentError):
        spans_to_tags(TOKENS, [(9, 13, "PER")])  # past the last token
    with pytest.raises(AlignmentError):
        spans_to_tags(TOKENS, [(3, 3, "PER")])  # empty


def test_edge_inside_a_newmm_word_needs_a_split_first():
    text = "คนไทยไปกรุงเทพ"
    tokens = tokenize(text)
    assert (0, 5) in tokens  # newmm keeps คนไทย as one word
    spans = [(2, 5, "NORP")]
    with pytest.raises(AlignmentError):
        spans_to_tags(tokens, spans)
    split = split_at(tokens, token_cuts(spans))
    tags, _ = spans_to_tags(split, spans)
    assert tags_to_spans(split, tags) == spans
    assert text[2:5] == "ไทย"


def test_overlaps_keep_earlier_then_longer_and_report_the_rest():
    spans = [(4, 5, "X"), (0, 5, "PER"), (0, 3, "TITLE"), (9, 12, "LOC"), (6, 12, "LOC")]
    tags, problems = spans_to_tags(TOKENS, spans)
    assert tags_to_spans(TOKENS, tags) == [(0, 5, "PER"), (6, 12, "LOC")]
    assert problems == [
        "span 0-3 TITLE overlaps 0-5 PER; left out",
        "span 4-5 X overlaps 0-5 PER; left out",
        "span 9-12 LOC overlaps 6-12 LOC; left out",
    ]
    # the choice does not depend on the order spans come in
    assert spans_to_tags(TOKENS, list(reversed(spans))) == (tags, problems)


def test_same_range_two_labels_keeps_the_first_label_by_name():
    tags, problems = spans_to_tags(TOKENS, [(0, 3, "PER"), (0, 3, "LOC")])
    assert tags[0] == "B-LOC"
    assert problems == ["span 0-3 PER overlaps 0-3 LOC; left out"]


def test_unknown_scheme():
    with pytest.raises(FormatError):
        spans_to_tags(TOKENS, [], "bilou")


def test_check_spans():
    assert check_spans(10, [(0, 10, "A"), SpanData(2, 3, "B")]) == []
    problems = check_spans(10, [(0, 11, "A"), (3, 3, "B"), (-1, 2, "C"), (5, 4, "D")])
    assert len(problems) == 4
    assert problems[0] == "span 0-11 A is outside the text (0-10) or empty"


def test_overlaps_pairs():
    spans = [(0, 5, "A"), (5, 8, "B"), (2, 3, "C"), (4, 9, "D")]
    assert overlaps(spans) == [
        ((0, 5, "A"), (2, 3, "C")),
        ((0, 5, "A"), (4, 9, "D")),
        ((4, 9, "D"), (5, 8, "B")),
    ]
    assert overlaps([(0, 2, "A"), (2, 4, "B")]) == []


def test_token_cuts():
    assert token_cuts([(0, 5, "A"), SpanData(3, 9, "B")]) == {0, 3, 5, 9}


def test_tag_names():
    assert tag_names(["PER", "LOC"]) == ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    assert tag_names(["PER"], "bioes") == ["O", "B-PER", "I-PER", "E-PER", "S-PER"]


@st.composite
def tokens_and_spans(draw):
    lengths = draw(st.lists(st.integers(1, 4), min_size=1, max_size=12))
    tokens, pos = [], 0
    for n in lengths:
        tokens.append((pos, pos + n))
        pos += n
    edges = sorted(draw(st.sets(st.integers(0, len(tokens)), max_size=8)))
    spans = []
    for a, b in zip(edges[::2], edges[1::2]):
        label = draw(st.sampled_from(["PER", "LOC"]))
        spans.append((tokens[a][0], tokens[b - 1][1], label))
    return tokens, spans


@settings(max_examples=150, deadline=None)
@given(tokens_and_spans(), st.sampled_from(["iob2", "bioes"]))
def test_codec_round_trip(case, scheme):
    tokens, spans = case
    tags, problems = spans_to_tags(tokens, spans, scheme)
    assert problems == []
    assert tags_to_spans(tokens, tags) == spans
