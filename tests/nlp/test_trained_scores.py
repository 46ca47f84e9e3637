"""A trained model's state scores made for many sequences at once (trained._FastScores):
the same doubles as each sequence alone, and the sums of the weights of the attributes
crfsuite would be given (Featurizer.attributes)."""

from __future__ import annotations

import numpy as np
import pytest

from annotator.nlp import fastcrf
from annotator.nlp.crf import sequences
from annotator.nlp.features import Featurizer, char_class, char_classes, kind, shape
from annotator.nlp.tokenizer import tokenize
from annotator.store.project import Project
from ner_fixture import UNSEEN, training_docs


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from annotator.nlp.model_files import materialize
    from annotator.nlp.trained import TrainedModel
    from ner_fixture import project_with_model

    with project_with_model(tmp_path_factory.mktemp("trained") / "gold.annot", max_iterations=30) as project:
        with materialize(project, "latest") as spec:
            model = TrainedModel(spec)
            model.predict(UNSEEN, tokenize(UNSEEN))  # builds the fast path
            yield model


def _sequences(model):
    """(words, tags) of every sequence of a few documents, with sequences of one and two
    tokens among them (a lone token is its own first and last)."""
    texts = [UNSEEN, *(d.text for d in training_docs(8)), "ก", "กรุงเทพ ฯ", "ขอนแก่น\nเชียงใหม่"]
    out = []
    for text in texts:
        tokens = tokenize(text)
        if model.table is not None:
            tokens = model.table.apply(text, tokens)
        tags = model.featurizer.document_tags(text, tokens)
        for lo, hi in sequences(text, tokens):
            out.append(([text[s:e] for s, e in tokens[lo:hi]], {k: v[lo:hi] for k, v in tags.items()}))
            if hi - lo > 6:  # and in two: the pair and neighbours across the cut are known to the model
                for a, b in ((lo, lo + 3), (lo + 3, hi)):
                    out.append(([text[s:e] for s, e in tokens[a:b]], {k: v[a:b] for k, v in tags.items()}))
    return out


def test_scores_made_together_are_each_sequences_own(trained):
    fast = trained._fast
    seqs = _sequences(trained)
    assert min(len(w) for w, _ in seqs) == 1 and any(any(t != "O" for t in tags["bundled"]) for _, tags in seqs)
    alone = np.concatenate([fast.scores(words, tags) for words, tags in seqs])
    words = [w for ws, _ in seqs for w in ws]
    tags = {k: [t for _, ts in seqs for t in ts[k]] for k in seqs[0][1]}
    together = fast.scores_many(words, [len(ws) for ws, _ in seqs], tags)
    assert np.array_equal(together, alone)  # bit for bit: the decoding cannot differ


def test_scores_are_the_attributes_weights(trained):
    weights = fastcrf.read_model(trained.path)
    for words, tags in _sequences(trained):
        attrs = trained.featurizer.attributes(words, tags)
        expected = np.array([sum((weights.state[weights.attributes[a]] for a in item if a in weights.attributes),
                                 np.zeros(weights.state.shape[1])) for item in attrs])
        assert np.allclose(trained._fast.scores(words, tags), expected, rtol=0, atol=1e-9)


def test_scores_summed_in_c_are_numpys(trained):
    from annotator.nlp import trained as module

    assert module._SUMMED_IN_C  # the extension is built in CI and by setup: both paths are tested
    seqs = _sequences(trained)
    words = [w for ws, _ in seqs for w in ws]
    tags = {k: [t for _, ts in seqs for t in ts[k]] for k in seqs[0][1]}
    lengths = [len(ws) for ws, _ in seqs]
    fast = trained._fast
    in_c = fast.scores_many(words, lengths, tags, compiled=True)
    assert np.array_equal(in_c, fast.scores_many(words, lengths, tags, compiled=False))
    assert np.abs(in_c).sum() > 0


def test_forgetting_the_kept_words_changes_no_score(trained, monkeypatch):
    from annotator.nlp import fastcrf

    seqs = _sequences(trained)
    words = [w for ws, _ in seqs for w in ws]
    tags = {k: [t for _, ts in seqs for t in ts[k]] for k in seqs[0][1]}
    lengths = [len(ws) for ws, _ in seqs]
    fast = trained._fast
    before = fast.scores_many(words, lengths, tags)
    half = len(seqs) // 2
    first = [w for ws, _ in seqs[:half] for w in ws]
    fast._slots.clear()
    fast.scores_many(first, lengths[:half], {k: v[:len(first)] for k, v in tags.items()})
    # room for every word of one call, not for those kept and the call's new ones: all forgotten
    monkeypatch.setattr(fastcrf, "WORDS_KEPT", len(set(words)) - 1)
    rows = fast._rows
    assert np.array_equal(fast.scores_many(words, lengths, tags), before)
    assert fast._rows is not rows and len(fast._slots) == len(set(words))
    # and a table that must grow while a call fills it
    fast._slots.clear()
    fast._slot_rows = fast._slot_rows[:2].copy()
    assert np.array_equal(fast.scores_many(words, lengths, tags), before)
    assert len(fast._slot_rows) > 2 and len(fast._slots) == len(set(words))


def test_the_kept_words_and_their_rows_stay_bounded(trained, monkeypatch):
    from annotator.nlp import fastcrf

    fast = trained._fast
    monkeypatch.setattr(fastcrf, "WORDS_KEPT", 20)
    roles = fast._slot_rows.shape[1]
    fast._slots.clear()  # from nothing: the earlier tests' words are all kept
    fast._rows = fastcrf.RowCache(fast.weights)
    seqs = _sequences(trained)
    assert len({w for ws, _ in seqs for w in ws}) > 100  # many more words than are kept
    most = max(20, *(len(set(ws)) for ws, _ in seqs))  # a call keeps at least its own words
    for words, tags in seqs:
        before = fast.scores(words, tags)
        # a word adds at most one row per role: rows kept from words forgotten would exceed it
        assert len(fast._slots) <= most
        assert fast._rows._n <= 1 + len(fast._slots) * roles
        assert np.array_equal(fast.scores(words, tags), before)


def test_known_pairs_are_every_split_of_the_models_bigram_names():
    from annotator.nlp.trained import _known_pairs

    ids = {"b-=ก|ข": 3, "b+=ก|ข": 4, "b+=x|y|z": 5, "w=ก": 6, "b-=|": 7}
    index, table = _known_pairs(ids, 99)
    assert set(index) == {("ก", "ข"), ("x", "y|z"), ("x|y", "z"), ("", "")}
    assert table[0].tolist() == [99, 99]  # any other pair: nothing
    assert table[index["ก", "ข"]].tolist() == [3, 4]
    assert table[index["x", "y|z"]].tolist() == [99, 5] == table[index["x|y", "z"]].tolist()
    assert table[index["", ""]].tolist() == [7, 99]


WORDS = ["นาย", "กรุงเทพมหานคร", "ก่อน", "เชียงใหม่", "ABC", "abc", "A.B.", "12345", "๑๒", "ๆ", "…",
         "€", "a😀", "x-y", " ", "\t", "ฯลฯ", "2,500", "COVID-19", "ไทยแลนด์4.0"]


def test_character_classes_of_a_word_are_each_characters():
    for word in WORDS:
        classes = "".join(char_class(c) for c in word)
        assert char_classes(word) == classes
        collapsed = "".join(k for i, k in enumerate(classes) if i == 0 or classes[i - 1] != k)
        assert shape(word) == collapsed[:8]
    assert kind("นาย") == "thai" and kind("12345") == "digit" and kind("abc") == "latin" and kind(" ") == "space"
    assert kind("a😀") == "mixed" and kind("…") == "punct"


def test_word_attributes_group_by_group_in_each_role():
    f = Featurizer()
    for word in WORDS:
        own, *roles = f._pieces(word, "NN", keep=False)
        assert own == f._word_attrs(word, "NN", f._g)
        near = [a for a in f._word_attrs(word, "NN", [g for g in ("word", "shape", "pos", "lex", "flags", "clusters")
                                                       if g in f._g]) if not a.startswith("k=")]
        assert roles[0] == ["-1:" + a for a in near] and roles[1] == ["+1:" + a for a in near]


def test_a_word_is_tagged_once_when_the_tagger_tags_by_word(trained):
    from annotator.nlp.pos import tags_by_word
    from annotator.nlp.trained import _FastScores

    featurizer = trained.featurizer
    assert tags_by_word(featurizer._pos)  # the default lexicon lookup
    asked: list[list[str]] = []
    real = featurizer._pos

    def counting(words):
        asked.append(list(words))
        return real(words)

    fast = _FastScores(featurizer, trained._fast.weights)
    featurizer._pos = counting
    try:
        fast._by_word = True
        seqs = _sequences(trained)
        words = [w for ws, _ in seqs for w in ws]
        tags = {k: [t for _, ts in seqs for t in ts[k]] for k in seqs[0][1]}
        got = fast.scores_many(words, [len(ws) for ws, _ in seqs], tags)
    finally:
        featurizer._pos = real
    assert sorted(w for ws in asked for w in ws) == sorted(set(words))  # each distinct word once
    assert np.array_equal(got, trained._fast.scores_many(words, [len(ws) for ws, _ in seqs], tags))


def test_a_tagger_that_reads_the_neighbours_is_asked_for_whole_sequences(trained):
    """A tag that depends on the word before: the same word gets two tags, and each
    token's scores are still the weights of its own attributes."""
    from annotator.nlp.features import Featurizer
    from annotator.nlp.pos import tags_by_word
    from annotator.nlp.trained import _FastScores

    def by_neighbour(words):
        return ["NN" if i and words[i - 1].isspace() else "VV" for i in range(len(words))]

    assert not tags_by_word(by_neighbour)
    base = trained.featurizer
    featurizer = Featurizer(base.features, dictionary=base.dictionary, clusters=base.clusters)
    featurizer._pos = by_neighbour
    fast = _FastScores(featurizer, trained._fast.weights)
    assert not fast._by_word
    weights = trained._fast.weights
    seqs = _sequences(trained)
    for words, tags in seqs:
        attrs = featurizer.attributes(words, tags)
        expected = np.array([sum((weights.state[weights.attributes[a]] for a in item if a in weights.attributes),
                                 np.zeros(weights.state.shape[1])) for item in attrs])
        assert np.allclose(fast.scores(words, tags), expected, rtol=0, atol=1e-9)
    assert any("\x00NN" in k for k in fast._slots) and any("\x00VV" in k for k in fast._slots)


def test_new_words_rows_made_in_python_are_those_made_in_c(trained, monkeypatch):
    from annotator.nlp.trained import _FastScores

    seqs = _sequences(trained)
    words = [w for ws, _ in seqs for w in ws]
    tags = {k: [t for _, ts in seqs for t in ts[k]] for k in seqs[0][1]}
    lengths = [len(ws) for ws, _ in seqs]
    in_c = _FastScores(trained.featurizer, trained._fast.weights).scores_many(words, lengths, tags)
    monkeypatch.setattr(fastcrf, "_WORD_ROWS_IN_C", False)
    python = _FastScores(trained.featurizer, trained._fast.weights)
    assert np.array_equal(python.scores_many(words, lengths, tags), in_c)
    assert python._rows._by_bytes == {b"": 0} and len(python._rows._by_ids) > 10  # it took the Python path


def _roles_by_group(f, word, tag):
    """Featurizer.roles as it was first written: from _group_attrs, group by group."""
    from annotator.nlp.features import CONTEXT_GROUPS, WORD_GROUPS, _FAR_GROUPS, _in_order

    by_group = f._group_attrs(word, tag, f._g)
    near = [a for a in _in_order(by_group, CONTEXT_GROUPS) if not a.startswith("k=")]
    far = [a for a in _in_order(by_group, _FAR_GROUPS) if not a.startswith("k=")]
    return _in_order(by_group, WORD_GROUPS), near, far


def test_a_words_roles_made_directly_are_those_of_its_groups():
    import random

    from annotator.nlp.features import GROUPS, FeatureSet

    rng = random.Random(5)
    alphabet = "กขคนาย่้๊๋ัิีเแโใไำๆฯ.๑๒12AbZz-_ @%\t"
    words = WORDS + ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(400)]
    words += ["ก" * 30 + "า" + "ข" * 30 + "12", "ab" * 20]  # long runs: a shape of at most 8 letters
    sets = [FeatureSet(), FeatureSet(tuple(g for g in GROUPS if g != "bundled")), FeatureSet(("word",), window=1),
            FeatureSet(("shape", "pos", "lex", "flags", "clusters"), window=3)]
    for features in sets:
        f = Featurizer(features, clusters={w: [k % 3, k % 7] for k, w in enumerate(words[::3])})
        for word in words:
            for tag in ("NN", None):
                assert f.roles(word, tag) == _roles_by_group(f, word, tag), (features.groups, word, tag)


def test_a_trained_model_scores_a_batch_a_bounded_group_at_a_time(trained, monkeypatch):
    """At most STATES_TOKENS tokens' state scores at once (memory: a task of long articles),
    and the same spans as when the whole batch is scored together."""
    from annotator.nlp import crf
    from ner_fixture import training_docs

    texts = [UNSEEN, *(d.text for d in training_docs(8))]
    items = [(t, tokenize(t)) for t in texts]
    whole = trained.predict_many(items)
    assert sum(map(len, whole)) > 10
    sizes = []
    real = trained._fast.scores_many
    monkeypatch.setattr(trained._fast, "scores_many", lambda words, lengths, tags: (sizes.append(len(words)),
                                                                                    real(words, lengths, tags))[1])
    monkeypatch.setattr(crf, "STATES_TOKENS", 40)
    assert trained.predict_many(items) == whole
    assert len(sizes) > 3 and max(sizes) <= max(40, crf.MAX_SEQUENCE)


def test_the_kind_and_shape_of_any_classes_are_those_of_their_definitions():
    import random

    from annotator.nlp.features import _kind_of, _shape_of

    def kind_by_sets(classes: str) -> str:
        found = set(classes)
        for name, allowed in (("space", {"S"}), ("digit", {"D", ".", "P"}), ("thai", set("CLVTM.")),
                              ("latin", {"X", "x", "."}), ("punct", {"P", "."})):
            if found <= allowed and (name != "digit" or "D" in found):
                return name
        return "mixed"

    rng = random.Random(7)
    alphabets = ["S", "D.P", "CLVTM.", "Xx.", "P.", "CLVTMDPXxS.O"]
    seen = set()
    for _ in range(5000):
        letters = rng.choice(alphabets) + rng.choice(["", "", "CDXS"])
        classes = "".join(rng.choice(letters) for _ in range(rng.randint(0, 14)))
        seen.add(kind_by_sets(classes))
        assert _kind_of(classes) == kind_by_sets(classes), classes
        collapsed = "".join(k for i, k in enumerate(classes) if i == 0 or classes[i - 1] != k)
        assert _shape_of(classes) == collapsed[:8], classes
    assert seen == {"space", "digit", "thai", "latin", "punct", "mixed"}
