"""LST20 tags from the bundled lexicons."""

from __future__ import annotations

import pytest

from annotator.nlp.pos import ORCHID_TO_LST20, SCHEMES, UD_TO_LST20, build_tagger, lst20_tags

LST20 = {"AJ", "AV", "AX", "CC", "CL", "FX", "IJ", "NG", "NN", "NU", "PA", "PR", "PS", "PU", "VV", "XX"}


def test_mappings_only_produce_lst20_tags():
    assert set(ORCHID_TO_LST20.values()) <= LST20
    assert set(UD_TO_LST20.values()) <= LST20


def test_default_tags():
    words = ["ความ", "ร่วมมือ", " ", "ไม่", "ได้", "ผล", "3", "คน", ",", "สมชาย"]
    tags = lst20_tags(words)
    assert len(tags) == len(words) and set(tags) <= LST20
    assert tags[0] == "FX" and tags[3] == "NG"
    assert tags[2] == "PU" and tags[8] == "PU"  # whitespace and punctuation
    assert tags[6] == "NU"
    assert tags[7] == "CL"  # classifier, from the ORCHID lexicon
    assert lst20_tags([]) == []


def test_unknown_words_are_nouns():
    assert lst20_tags(["ฟหกดเสว"]) == ["NN"]


@pytest.mark.parametrize("scheme", [s for s in SCHEMES if "perceptron" not in s])
def test_every_lexicon_scheme_loads_offline(scheme):
    tags = build_tagger(scheme)(["กระทรวง", "ประกาศ", " ", "ผล"])
    assert len(tags) == 4 and set(tags) <= LST20 and tags[2] == "PU"


def test_unknown_scheme():
    with pytest.raises(ValueError):
        build_tagger("nope")
