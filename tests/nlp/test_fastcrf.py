"""The fast pre-annotation path gives what the crfsuite path gave: the same spans, labels and
confidences (within float noise), and the same rows, counts and log in the project."""

from __future__ import annotations

import json

import pycrfsuite
import pytest

from annotator.core.model import DONE, DocumentData, SpanData
from annotator.nlp import fastcrf
from annotator.nlp.crf import CrfModel, bundled_model_path
from annotator.nlp.preannotate import run_preannotate
from annotator.nlp.suggest import Suggester
from annotator.nlp.tokenizer import tokenize
from annotator.store.project import Project
from ner_fixture import training_docs

ARTICLES = [
    "นายกรัฐมนตรี พลเอกประยุทธ์ จันทร์โอชา เป็นประธานการประชุมคณะรัฐมนตรี ณ ทำเนียบรัฐบาล กรุงเทพมหานคร"
    " เมื่อวันที่ 18 ธันวาคม 2561 เวลา 09.30 น. โดยกระทรวงการคลังเสนองบประมาณ 3.5 พันล้านบาท\n"
    "ทั้งนี้ สำนักงานสถิติแห่งชาติรายงานว่าอัตราการว่างงานอยู่ที่ร้อยละ 1.2 ติดต่อ 02-123-4567\n\n"
    "ที่มา : http://www.thaigov.go.th/news/contents/details/12345",
    "ดร.สมศักดิ์ ใจดี รัฐมนตรีว่าการกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม เดินทางไปจังหวัดเชียงใหม่"
    " เพื่อเปิดศูนย์ดิจิทัลชุมชน ร่วมกับบริษัท ทีโอที จำกัด (มหาชน)",
    "ก",
    "",
    "   \n\n  ",
    "ประเทศไทย " * 400,  # one long line: cut into sequences of at most 300 tokens
] + [d.text for d in training_docs(12)]


def key(spans):
    return [(s.start, s.end, s.label, s.origin) for s in spans]


CHECKED = {"viterbi": 0, "marginals": 0}


@pytest.fixture(autouse=True)
def compiled_and_numpy_agree(monkeypatch):
    """Every decoding in these tests runs both the compiled Viterbi and marginals and the
    numpy ones on the same state scores: identical best paths, marginals within 1e-12."""
    import numpy as np

    best_paths, flat_marginals = fastcrf.best_paths, fastcrf.flat_marginals

    def both_paths(states, lengths, transition, compiled=None):
        ref = best_paths(states, lengths, transition, compiled=False)
        if fastcrf.COMPILED:
            got = best_paths(states, lengths, transition, compiled=True)
            assert got.dtype == ref.dtype and np.array_equal(got, ref)
            CHECKED["viterbi"] += len(lengths)
            return got
        return ref

    def both_marginals(states, lengths, transition, compiled=None):
        ref = flat_marginals(states, lengths, transition, compiled=False)
        if fastcrf.COMPILED:
            got = flat_marginals(states, lengths, transition, compiled=True)
            assert got.shape == ref.shape
            assert np.abs(got - ref).max(initial=0.0) <= 1e-12
            CHECKED["marginals"] += len(lengths)
            return got
        return ref

    monkeypatch.setattr(fastcrf, "best_paths", both_paths)
    monkeypatch.setattr(fastcrf, "flat_marginals", both_marginals)


def test_the_compiled_viterbi_and_marginals_are_built_and_used(monkeypatch):
    """This install built annotator/nlp/_crfc.c (pip install -e . with gcc and Python's
    headers, as on CI), and decoding goes through it, not through numpy."""
    from annotator.nlp import _crfc  # noqa: F401  (fails if the extension was not built)

    assert fastcrf.COMPILED
    monkeypatch.undo()  # the real functions, not the comparing ones of the fixture
    calls = []
    for name in ("viterbi", "marginals"):
        real = getattr(fastcrf._crfc, name)
        monkeypatch.setattr(fastcrf._crfc, name, lambda *a, real=real, name=name: (calls.append(name), real(*a))[1])
    monkeypatch.setattr(fastcrf, "viterbi", lambda *a: pytest.fail("numpy Viterbi used"))
    monkeypatch.setattr(fastcrf, "marginals", lambda *a: pytest.fail("numpy marginals used"))
    text = ARTICLES[0]
    assert CrfModel().predict(text, tokenize(text))
    assert calls == ["viterbi", "marginals"]


def test_compiled_and_numpy_decoding_agree_on_made_up_scores(monkeypatch):
    """Random scores and ties, sequences of one token among them."""
    import numpy as np

    if not fastcrf.COMPILED:
        pytest.skip("the C extension is not built")
    monkeypatch.undo()  # each path by itself
    rng = np.random.default_rng(7)
    for n_labels in (1, 2, 5, 26):
        lengths = [1, 3, 17, 1, 300, 2, 40]  # (callers never make empty sequences)
        states = rng.normal(0, 3, (sum(lengths), n_labels))
        trans = rng.normal(0, 2, (n_labels, n_labels))
        for s, t in ((states, trans), (np.round(states), np.round(trans)), (np.zeros_like(states), np.zeros_like(trans))):
            assert np.array_equal(fastcrf.best_paths(s, lengths, t, compiled=True),
                                  fastcrf.best_paths(s, lengths, t, compiled=False))
            assert np.abs(fastcrf.flat_marginals(s, lengths, t, compiled=True)
                          - fastcrf.flat_marginals(s, lengths, t, compiled=False)).max() <= 1e-12
    assert fastcrf.best_paths(np.zeros((0, 3)), [], np.zeros((3, 3)), compiled=True).tolist() == []
    with pytest.raises(ValueError):
        fastcrf.best_paths(np.zeros((4, 3)), [5], np.zeros((3, 3)), compiled=True)


def test_weights_read_from_the_file_are_crfsuites():
    weights = fastcrf.read_model(bundled_model_path())
    tagger = pycrfsuite.Tagger()
    tagger.open(bundled_model_path())
    info = tagger.info()
    assert weights.labels == tagger.labels()
    assert {a: str(i) for a, i in weights.attributes.items()} == info.attributes
    labels = {name: i for i, name in enumerate(weights.labels)}
    for (attr, label), w in list(info.state_features.items())[:2000]:
        assert weights.state[weights.attributes[attr], labels[label]] == pytest.approx(w, abs=1e-6)  # dump prints 6 places
    for (a, b), w in info.transitions.items():
        assert weights.transition[labels[a], labels[b]] == pytest.approx(w, abs=1e-6)


def test_fast_tagging_equals_crfsuite():
    model = CrfModel()
    items = [(t, tokenize(t)) for t in ARTICLES]
    many = model.predict_many(items)
    spans = 0
    for (text, tokens), fast in zip(items, many):
        ref = model.predict_crfsuite(text, tokens)
        assert key(fast) == key(ref)
        assert [s.confidence for s in fast] == pytest.approx([s.confidence for s in ref], abs=1e-4)
        assert key(model.predict(text, tokens)) == key(ref)  # one document alone: the same
        spans += len(ref)
    assert spans > 40  # the fixture gives the model plenty to find


def test_decoding_in_several_batches_changes_nothing(monkeypatch):
    from annotator.nlp import crf

    model = CrfModel()
    items = [(t, tokenize(t)) for t in ARTICLES]
    whole = model.predict_many(items)
    monkeypatch.setattr(crf, "DECODE_TOKENS", 50)  # many small batches, sequences split across none
    assert [key(s) for s in model.predict_many(items)] == [key(s) for s in whole]
    assert [[x.confidence for x in s] for s in model.predict_many(items)] == [[x.confidence for x in s] for s in whole]
    # and no more than STATES_TOKENS tokens' state scores are made at a time (memory; a
    # sequence is at most 300 tokens, so a group holds at least one whole sequence)
    monkeypatch.setattr(crf, "STATES_TOKENS", 600)
    sizes = []
    states = model._states
    monkeypatch.setattr(model, "_states", lambda words, lengths: (sizes.append(len(words)), states(words, lengths))[1])
    model.predict_many(items)
    assert len(sizes) > 1 and max(sizes) <= 600


def test_tags_instead_of_spans_are_the_spans_tags_in_every_batching(monkeypatch):
    from annotator.nlp import crf
    from annotator.nlp.features import span_tags

    model = CrfModel()
    items = [(t, tokenize(t)) for t in ARTICLES]
    expected = [span_tags(spans, tokens) for spans, (_, tokens) in zip(model.predict_many(items), items)]
    assert sum(t != "O" for tags in expected for t in tags) > 50
    assert model.predict_many(items, as_tags=True) == expected
    monkeypatch.setattr(crf, "DECODE_TOKENS", 50)
    monkeypatch.setattr(crf, "STATES_TOKENS", 600)  # a document's sequences in several groups
    assert model.predict_many(items, as_tags=True) == expected


def test_spans_without_confidences_are_the_same_spans(monkeypatch):
    from annotator.nlp import fastcrf as fc

    model = CrfModel()
    items = [(t, tokenize(t)) for t in ARTICLES]
    whole = model.predict_many(items)
    called = []
    marginals = fc.flat_marginals
    monkeypatch.setattr(fc, "flat_marginals", lambda *a, **k: (called.append(1), marginals(*a, **k))[1])
    bare = model.predict_many(items, confidences=False)
    assert called == []  # no forward-backward at all
    assert [key(s) for s in bare] == [key(s) for s in whole] and sum(map(len, whole)) > 40
    assert {x.confidence for s in bare for x in s} == {None}


def test_the_version_is_known_without_loading_a_model():
    from annotator.nlp.preannotate import model_version

    assert model_version(None) == Suggester().version == "thainer-crf-1.5.1+rules-1+person-1+gaz-2"


def test_fast_tagging_with_pos_given_per_sequence():
    """A model built with its own POS function takes the per-(word, tag) route."""
    from annotator.nlp.pos import lst20_tags

    model = CrfModel(pos=lambda words: lst20_tags(words))
    items = [(t, tokenize(t)) for t in ARTICLES[:2]]
    for (text, tokens), fast in zip(items, model.predict_many(items)):
        assert key(fast) == key(model.predict_crfsuite(text, tokens))


def test_viterbi_breaks_ties_as_crfsuite():
    import numpy as np

    states = np.zeros((4, 3))  # all equal: crfsuite keeps label 0 everywhere
    best = fastcrf.viterbi(fastcrf.Batch(states, [4]), np.zeros((3, 3)))
    assert best.tolist() == [0, 0, 0, 0]
    assert fastcrf.best_paths(states, [4], np.zeros((3, 3))).tolist() == [0, 0, 0, 0]


def _old_path(project: Project, suggester: Suggester) -> None:
    """What pre-annotation did before: crfsuite tagging, one document and INSERT at a time."""
    model = suggester.model
    for doc_id in project.document_ids(("new", "in_progress")):
        text = project.document(doc_id).text
        tokens = tokenize(text)
        spans = suggester._merge(text, tokens, model.predict_crfsuite(text, tokens))
        with project.transaction():
            project.store_tokens(doc_id, tokens)
            project.replace_suggestions(doc_id, [SpanData(s.start, s.end, s.label, origin=s.origin,
                                                          confidence=s.confidence) for s in spans], suggester.version)


def _project(path) -> Project:
    project = Project.create(path)
    with project.transaction():
        for text in ARTICLES:
            if text.strip():
                project.add_document(DocumentData(text=text))
    first, second, third = project.document_ids()[:3]
    project.add_span(first, 0, 5, "PERSON")  # a person's span: overlapping suggestions dropped
    project.set_status(third, DONE)  # finished: left alone
    run_preannotate(project, doc_ids=[second], workers=1, model="bundled")  # earlier suggestions to replace
    return project


def _snapshot(project: Project):
    spans = project.query('SELECT doc_id, start, "end", label_id, state, origin, confidence, author, model_version'
                          " FROM spans ORDER BY doc_id, start, \"end\"")
    counts = project.query("SELECT d.id, COALESCE((SELECT open_suggestions FROM document_counts WHERE doc_id = d.id), 0), (SELECT COUNT(*) FROM spans s WHERE s.doc_id = d.id"
                           " AND s.state = 'suggested') FROM documents d ORDER BY d.id")
    log = []
    for r in project.query("SELECT action, doc_id, author, before, after FROM changes WHERE action = 'doc.suggest'"
                           " ORDER BY id"):
        after = json.loads(r["after"])
        log.append((r["action"], r["doc_id"], r["author"], len(json.loads(r["before"])["removed"]),
                    after["model"], [s[1:] for s in after["spans"]]))
    tokens = project.query("SELECT doc_id, ends FROM tokens ORDER BY doc_id")
    return [tuple(r) for r in spans], [tuple(r) for r in counts], log, [tuple(r) for r in tokens]


def test_preannotate_writes_what_the_old_path_wrote(tmp_path):
    fast = _project(tmp_path / "fast.annot")
    old = _project(tmp_path / "old.annot")
    report = run_preannotate(fast, workers=1, model="bundled")
    _old_path(old, Suggester())
    spans_f, counts_f, log_f, tokens_f = _snapshot(fast)
    spans_o, counts_o, log_o, tokens_o = _snapshot(old)
    assert [r[:6] + r[7:] for r in spans_f] == [r[:6] + r[7:] for r in spans_o]
    assert [r[6] for r in spans_f] == pytest.approx([r[6] for r in spans_o], abs=1e-4)
    assert log_f == log_o and tokens_f == tokens_o
    assert counts_f == counts_o
    assert all(stored == actual for _, stored, actual in counts_f)  # open_suggestions right after bulk writes
    assert report.documents == len(ARTICLES) - 2 - 1  # two empty texts not imported, one finished
    # The log's span ids are the ids the spans got.
    for r in fast.query("SELECT after FROM changes WHERE action = 'doc.suggest'"):
        for span_id, start, end, label in json.loads(r[0])["spans"]:
            row = fast.query('SELECT start, "end" FROM spans WHERE id = ?', (span_id,))
            assert not row or tuple(row[0]) == (start, end)  # replaced ones are gone
    fast.close()
    old.close()


def test_a_span_outside_the_text_fails_the_whole_batch(tmp_path):
    from annotator.core.errors import SpanError
    from annotator.store import token_cache
    from annotator.store.bulk import write_suggestions

    with Project.create(tmp_path / "p.annot") as project:
        doc_id = project.add_document(DocumentData(text="กรุงเทพมหานคร"))
        blob = token_cache.encode(tokenize("กรุงเทพมหานคร"))
        with pytest.raises(SpanError):
            write_suggestions(project, [(doc_id, blob, [(0, 99, "LOCATION", "model", 0.9)])], "v")
        assert project.query("SELECT COUNT(*) FROM spans")[0][0] == 0
        assert write_suggestions(project, [(doc_id, blob, [(0, 7, "LOCATION", "model", 0.9)])], "v") == (1, 1, 0)
        assert project.query("SELECT open_suggestions FROM document_counts")[0][0] == 1


@pytest.mark.parametrize("base, algorithm", [("scratch", "lbfgs"), ("bundled", "lbfgs"), ("bundled", "ap"),
                                             ("scratch", "ap"), ("scratch", "pa")])
def test_trained_model_fast_path_equals_crfsuite(tmp_path, base, algorithm):
    """Models of every base and of the averaged perceptron and passive-aggressive methods
    too (their weights are dense, not L1-sparse) tag the same through numpy."""
    from ner_fixture import UNSEEN, add_gold

    from annotator.jobs.train import TrainParams, run_train
    from annotator.nlp.model_files import materialize
    from annotator.nlp.trained import TrainedModel

    params = TrainParams(max_iterations=40) if algorithm == "lbfgs" else TrainParams.for_algorithm(algorithm)
    with Project.create(tmp_path / "gold.annot") as project:
        add_gold(project)
        run_train(project, base=base, dev=0, params=params, use="always")
        with materialize(project, "latest") as spec:
            model = TrainedModel(spec)
            from annotator.nlp.preannotate import model_version

            assert model_version(spec) == Suggester(model=model).version
            texts = [UNSEEN, *ARTICLES, *(d.text + "\n" + d.text for d in training_docs(6))]
            items = [(t, tokenize(t)) for t in texts]
            many = model.predict_many(items)
            found = 0
            for (text, tokens), fast in zip(items, many):
                ref = model.predict_crfsuite(text, tokens)
                assert key(fast) == key(ref)
                assert [s.confidence for s in fast] == pytest.approx([s.confidence for s in ref], abs=1e-4)
                found += len(ref)
            assert found > 20


def test_bulk_writes_leave_the_triggers_working(tmp_path):
    from annotator.store import token_cache
    from annotator.store.bulk import write_suggestions

    with Project.create(tmp_path / "p.annot") as project:
        doc_id = project.add_document(DocumentData(text="กรุงเทพมหานคร และเชียงใหม่"))
        blob = token_cache.encode(tokenize("กรุงเทพมหานคร และเชียงใหม่"))
        spans = [(0, 13, "LOCATION", "model", 0.9), (17, 26, "LOCATION", "model", 0.8)]
        assert write_suggestions(project, [(doc_id, blob, spans)], "v") == (1, 2, 0)
        assert write_suggestions(project, [(doc_id, blob, spans)], "v") == (1, 2, 2)  # replaced
        names = {r[0] for r in project.query("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {"spans_open_insert", "spans_open_delete", "spans_open_update"} <= names
        count = lambda: project.query("SELECT open_suggestions FROM document_counts")[0][0]  # noqa: E731
        assert count() == 2
        project.accept(project.spans(doc_id)[0].id)  # the per-row triggers keep counting
        assert count() == 1
        project.add_span(doc_id, 14, 16, "PERSON")
        project.execute("DELETE FROM spans WHERE state = 'suggested'")
        assert count() == 0


def test_every_case_above_compared_both_paths():
    """Runs after the tagging tests (pytest keeps file order): they went through both."""
    if fastcrf.COMPILED:
        assert CHECKED["viterbi"] > 100 and CHECKED["marginals"] > 20


def test_spans_from_label_ids_are_label_spans_of_decode_iob():
    """decode_spans finds decode_iob's runs with numpy among the entity tokens; the spans
    and confidences are label_spans' of the labels (I- after O or after another kind,
    B- inside a run, odd labels, whitespace at the edges, sequences end to end), and the
    tags it gives instead are span_tags' of those spans."""
    import numpy as np

    from annotator.nlp import crf
    from annotator.nlp.crf import label_spans, sequences
    from annotator.nlp.features import span_tags

    labels = ["O", "B-A", "I-A", "B-B", "I-B", "X", "I-C"]
    rng = np.random.default_rng(3)
    weights = fastcrf.CrfWeights(labels, {}, np.zeros((1, len(labels))), rng.normal(0, 1, (len(labels), len(labels))))
    words = ["ก", " ", "ขค", "\n", "ง", "  ", "จ", "ฉ", "\t", "ช"]
    found = 0
    for trial in range(40):
        text = "".join(rng.choice(words, size=int(rng.integers(1, 60))))
        tokens = tokenize(text)
        parts = [(0, lo, hi) for lo, hi in sequences(text, tokens, max_len=7)]
        if not parts:
            continue
        lengths = [hi - lo for _, lo, hi in parts]
        states = rng.normal(0, 2, (sum(lengths), len(labels)))
        states[:, 0] += rng.choice([-3.0, 0.0, 3.0])
        got = crf.decode_spans([(text, tokens)], parts, lengths, states, weights, 0)
        tags = crf.decode_spans([(text, tokens)], parts, lengths, states, weights, 0, tags=True)
        best = fastcrf.best_paths(states, lengths, weights.transition)
        margins = fastcrf.flat_marginals(states, lengths, weights.transition)
        ref, at = [], 0
        for (_, lo, hi), n in zip(parts, lengths):
            ids = best[at:at + n].tolist()
            if any(i != 0 for i in ids):
                probs = [margins[at + t, i] if i != 0 else 0.0 for t, i in enumerate(ids)]
                ref += label_spans(text, tokens[lo:hi], [labels[i] for i in ids], probs)
            at += n
        assert got[0] == ref
        assert tags[0] == span_tags(ref, tokens)  # the tags of the spans, without making them
        found += len(ref)
    assert found > 50


def test_rows_made_together_are_the_rows_made_one_at_a_time():
    """RowCache.rows_for sums the new rows with one numpy call: the same doubles, bit for
    bit, as row() adding them one attribute at a time, and the same row numbers."""
    import numpy as np

    from annotator.nlp.crf import _FLAG_NAMES, _POS_NAMES, _WORD_NAMES

    weights = fastcrf.read_model(bundled_model_path())
    words = [t[s:e] for t in ARTICLES for s, e in tokenize(t)]
    lists = []
    for k, word in enumerate(words):
        role = k % 3
        attrs = [f"{_WORD_NAMES[role]}:{word}", _FLAG_NAMES[k % 4][role], f"{_POS_NAMES[role]}:NN"]
        lists.append(attrs[: 1 + k % 3])
    lists += [[], ["no such attribute"], lists[0]]
    one, many = fastcrf.RowCache(weights), fastcrf.RowCache(weights)
    expected = [one.row(a) for a in lists]
    got = many.rows_for(lists[:7]) + many.rows_for(lists[7:])
    assert got == expected
    assert np.array_equal(one.rows[:one._n], many.rows[:many._n])
    assert len(set(expected)) > 100


@pytest.mark.parametrize("compiled", [True, False])
def test_a_words_rows_in_every_role_are_the_rows_of_its_prefixed_attributes(compiled):
    """RowCache.word_rows looks each role's attributes up without their prefixes, in C or
    in Python: the rows row() makes of the prefixed names, bit for bit, shared by words
    whose known attributes are the same."""
    import numpy as np

    assert fastcrf._WORD_ROWS_IN_C  # built in CI and by setup: both paths are tested
    weights = fastcrf.read_model(bundled_model_path())
    names = list(weights.attributes)
    prefixes = ["", "-1:", "+1:"]
    role_ids = ({**weights.attributes}, {}, {})
    for p, ids in zip(prefixes[1:], role_ids[1:]):  # made-up roles: every name, prefixed
        ids.update({n: i for i, n in enumerate(names)})
    prefixed = {p + n: i for p in prefixes for i, n in enumerate(names)}
    one = fastcrf.RowCache(fastcrf.CrfWeights(weights.labels, prefixed, weights.state, weights.transition))
    cache = fastcrf.RowCache(weights)
    words = []
    for k in range(400):
        own = [names[(k * 7919 + j * 104729) % len(names)] for j in range(k % 9)]
        if k % 5 == 0:
            own += ["no such attribute", own[0] if own else "w=x"]  # unknown, and a repeat
        words.append((own, own[: k % 4], list(reversed(own))))
    words += [([], [], []), words[3], words[40]]
    slots = np.zeros((len(words) + 1, 3), dtype=np.intp)
    for n, lists in enumerate(words, 1):
        cache.word_rows(lists, role_ids, slots, n, compiled=compiled)
    for n, lists in enumerate(words, 1):
        expected = [one.row([p + a for a in attrs]) for p, attrs in zip(prefixes, lists)]
        assert np.array_equal(cache.rows[slots[n]], one.rows[expected])
    assert slots[len(words) - 2].tolist() == [0, 0, 0]  # nothing known: the zero row
    assert slots[len(words) - 1].tolist() == slots[4].tolist() and slots[len(words)].tolist() == slots[41].tolist()
    assert len(np.unique(slots)) > 300 and cache._n == len(np.unique(slots))


def test_word_rows_in_c_refuse_what_they_cannot_use():
    import numpy as np

    weights = fastcrf.read_model(bundled_model_path())
    rows = np.zeros((4, weights.state.shape[1]))
    slots = np.zeros((2, 1), dtype=np.intp)
    args = ((["w=x"],), ({"w=x": 1},), {b"": 0}, rows, 1, weights.state, weights.state.shape[1], slots)
    assert fastcrf._crfc.word_rows(*args, 1) == 2 and slots[1, 0] == 1
    with pytest.raises(IndexError):
        fastcrf._crfc.word_rows(*args, 2)  # no such slot
    with pytest.raises(IndexError):
        fastcrf._crfc.word_rows((["w=x"],), ({"w=x": len(weights.state)},), *args[2:], 1)
    with pytest.raises(TypeError):
        fastcrf._crfc.word_rows((["w=x"],), ({"w=x": "1"},), *args[2:], 1)
    with pytest.raises(IndexError):  # no room for a new row
        fastcrf._crfc.word_rows((["w=y"],), ({"w=y": 2},), {b"": 0}, rows, 4, *args[5:], 1)


def test_bundled_state_scores_summed_in_c_are_numpys():
    import numpy as np

    from annotator.nlp import crf
    from annotator.nlp.crf import sequenced_words

    assert crf._SUMMED_IN_C
    model = CrfModel()
    items = [(t, tokenize(t)) for t in ARTICLES]
    parts, words = sequenced_words(items)
    lengths = [hi - lo for _, lo, hi in parts]
    assert min(lengths) == 1  # a lone token: its own first and last
    in_c = model._states(words, lengths, compiled=True)
    assert np.array_equal(in_c, model._states(words, lengths, compiled=False)) and np.abs(in_c).sum() > 0


def test_sequences_and_words_made_in_c_are_pythons():
    """crf.sequenced_words in C: the same (item, lo, hi) and words as the Python loop, on
    random texts of words, spaces and newlines cut into random tokens, lines longer than the
    limit among them; tokens it does not take are handed back to Python."""
    import random

    from annotator.nlp import crf
    from random_text import text_and_tokens

    assert crf._SEQUENCED_IN_C
    rng = random.Random(11)
    for trial in range(300):
        items = [text_and_tokens(rng, "กข \n\n\t a", 400, 250) for _ in range(rng.randint(0, 4))]
        got = crf.sequenced_words(items, compiled=True)
        assert got == crf.sequenced_words(items, compiled=False)
        max_len = rng.randint(1, 12)  # short lines cut, after a space when there is one
        ref_parts = [(k, lo, hi) for k, (t, toks) in enumerate(items) for lo, hi in crf.sequences(t, toks, max_len)]
        ref_words = [t[s:e] for k, lo, hi in ref_parts for t, toks in [items[k]] for s, e in toks[lo:hi]]
        assert fastcrf._crfc.sequenced_words(items, max_len) == (ref_parts, ref_words)
    items = [(t, tokenize(t)) for t in ARTICLES]
    parts, words = crf.sequenced_words(items, compiled=True)
    assert (parts, words) == crf.sequenced_words(items, compiled=False)
    assert max(hi - lo for _, lo, hi in parts) == crf.MAX_SEQUENCE  # the long line is cut
    for odd in ([("ab", [(1, 2), (0, 1)])], [("ab", [(0, 2), (1, 2)])], [("ab", [[0, 1]])], [("ab", [(0, 3)])]):
        assert crf.sequenced_words(odd, compiled=True) == crf.sequenced_words(odd, compiled=False)


def test_known_words_are_the_lookups_of_the_prefixed_names():
    from annotator.nlp.crf import _known_words

    ids = {"word.word:ก": 1, "word.nextword:ก": 2, "word.prevword:ข": 3, "word.word:": 4, "postag:NN": 5,
           "word.word:word.word:x": 6}
    found = _known_words(ids)
    assert found == {"ก": (1, None, 2), "ข": (None, 3, None), "word.word:x": (6, None, None)}
    weights = fastcrf.read_model(bundled_model_path())
    table = _known_words(weights.attributes)
    for word in list(table)[:500] + ["ไม่มีคำนี้", "ประเทศ"]:
        expected = tuple(weights.attributes.get(f"{name}:{word}") for name in ("word.word", "word.prevword",
                                                                              "word.nextword"))
        assert table.get(word, (None, None, None)) == expected
