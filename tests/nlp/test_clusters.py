"""Word classes from unlabelled text (annotator.nlp.clusters) and the clusters feature group."""

from __future__ import annotations

import random

from annotator.nlp.clusters import learn
from annotator.nlp.features import FeatureSet, Featurizer


def _documents():
    """Two kinds of words in two kinds of contexts: names after titles, places after จังหวัด."""
    rng = random.Random(0)
    names = [f"ชื่อ{k}" for k in range(40)]
    places = [f"ถิ่น{k}" for k in range(40)]
    docs = []
    for _ in range(400):
        words = []
        for _ in range(10):
            if rng.random() < 0.5:
                words += ["นาย", rng.choice(names), "กล่าว", " "]
            else:
                words += ["จังหวัด", rng.choice(places), "มี", " "]
        docs.append(words)
    return docs, names, places


def test_words_used_alike_share_a_class():
    docs, names, places = _documents()
    classes = learn(docs, sizes=(2, 8), min_count=5, dims=8)
    fine = {w: classes[w][1] for w in names + places}
    assert not {fine[w] for w in names} & {fine[w] for w in places}
    assert all(classes[w][0] == classes[names[0]][0] for w in names)  # the coarse class holds the fine ones
    assert " " not in classes  # whitespace is context only
    assert learn(docs, sizes=(2, 8), min_count=5, dims=8) == classes  # reproducible


def test_too_little_text_gives_no_classes():
    assert learn([["นาย", "สมชาย"]] * 3) == {}


def test_classes_become_features_of_the_word_and_its_neighbours():
    features = FeatureSet(("word", "clusters"), window=1)
    attrs = Featurizer(features, clusters={"สมชาย": [1, 7]}).attributes(["นาย", "สมชาย"])
    assert {"c0=1", "c1=7"} <= set(attrs[1])
    assert {"+1:c0=1", "+1:c1=7"} <= set(attrs[0])
