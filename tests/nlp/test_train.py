"""Training inside a project: a model learned from a small gold fixture finds its
entities in new text, is stored as a version with its facts, is what pre-annotation then
uses, and never overwrites what a person confirmed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ner_fixture import UNSEEN, UNSEEN_ENTITIES, add_gold, training_docs  # noqa: E402

from annotator.core.model import DocumentData  # noqa: E402
from annotator.jobs.train import TrainParams, run_train, split_documents  # noqa: E402
from annotator.nlp.features import EntityDictionary, FeatureSet, Featurizer, shape, span_tags  # noqa: E402
from annotator.nlp.preannotate import run_preannotate  # noqa: E402
from annotator.nlp.refine import SplitTable, split_punctuation  # noqa: E402
from annotator.nlp.tokenizer import tokenize  # noqa: E402
from annotator.store.models import ModelError, latest_model, list_models  # noqa: E402
from annotator.store.project import Project  # noqa: E402

FAST = TrainParams(max_iterations=60)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A project with the fixture as gold (scratch model, 4 documents held out) and two
    new documents; trained once for the module."""
    path = tmp_path_factory.mktemp("train") / "gold.annot"
    project = Project.create(path, annotator="tester")
    add_gold(project)
    new_id = project.add_document(DocumentData(UNSEEN, {"title": "new"}))
    steps = []
    report = run_train(project, base="scratch", dev=0.1, params=FAST, use="always",
                       progress=lambda d, t, m="": steps.append((d, t, m)))
    project.close()
    return path, report, new_id, steps


def test_trained_model_suggests_the_trained_entities_in_new_text(trained):
    path, report, new_id, _ = trained
    with Project.open(path) as project:
        done = run_preannotate(project, doc_ids=[new_id], workers=1)
        spans = project.spans(new_id)
    assert done.model_version.startswith(f"project-crf-{report.model_id}+")
    found = {(UNSEEN[s.start:s.end], s.label) for s in spans}
    assert UNSEEN_ENTITIES <= found
    assert all(s.model_version == done.model_version and s.state == "suggested" for s in spans)
    model_spans = [s for s in spans if s.origin == "model"]
    assert model_spans and all(0 < s.confidence <= 1 for s in model_spans)


def test_model_is_stored_with_its_facts(trained):
    path, report, _, steps = trained
    assert not report.cancelled and report.version == f"project-crf-{report.model_id}"
    with Project.open(path) as project:
        record = latest_model(project)
        assert record is not None and record.id == report.model_id and len(list_models(project)) == 1
        history = [h for h in project.history(limit=500) if h["action"] == "model.create"]
    assert record.base == "scratch" and record.kind == "crf"
    assert record.documents == report.documents == 36 - report.dev_documents
    assert report.dev_documents == len(record.settings["dev"]["ids"]) == 4
    assert record.tokens > 300 and record.labels == ["LOCATION", "ORGANIZATION", "PERSON"]
    assert record.created_at and record.train_seconds is not None and record.size > 1000
    assert len(record.settings["train_hashes"]) == record.documents
    # Scored on the held-out documents, with the bundled model beside it.
    assert record.scores["exact"]["micro"]["f1"] > 0.5 and "bundled" in record.scores
    assert history and history[0]["after"]["id"] == record.id
    # Progress went through features and every iteration.
    assert any(m.startswith("iteration") for _, _, m in steps)
    assert any(m == "computing features" for _, _, m in steps)


def test_resuggesting_never_overwrites_confirmed_spans(trained, tmp_path):
    path, _, new_id, _ = trained
    copy = tmp_path / "copy.annot"
    copy.write_bytes(path.read_bytes())
    with Project.open(copy) as project:
        start = UNSEEN.index("มหาวิทยาลัย")
        # A reviewer says this is a LOCATION, over part of what the model would suggest.
        mine = project.add_span(new_id, start, start + len("มหาวิทยาลัยราช"), "LOCATION")
        run_preannotate(project, doc_ids=[new_id], workers=1)
        run_preannotate(project, doc_ids=[new_id], workers=1)
        after = project.span(mine.id)
        spans = project.spans(new_id)
    assert (after.start, after.end, after.label, after.state) == (mine.start, mine.end, "LOCATION", "manual")
    # Nothing open over it (the suggestion it replaced was rejected, and is not asked again).
    others = [s for s in spans if s.id != mine.id and s.state != "rejected"]
    assert others and all(s.end <= mine.start or s.start >= mine.end for s in others)


def test_preannotate_uses_the_bundled_model_until_one_is_trained(project):
    doc_id = project.add_document(DocumentData(UNSEEN))
    report = run_preannotate(project, doc_ids=[doc_id], workers=1)
    assert report.model_version.startswith("thainer-crf-1.5.1")


def test_from_bundled_adds_the_bundled_models_labels_as_features(project):
    add_gold(project, training_docs(12))
    report = run_train(project, base="bundled", dev=0, params=TrainParams(max_iterations=10))
    record = latest_model(project)
    assert report.base == record.base == "bundled" and "bundled" in record.settings["features"]["groups"]
    assert record.settings["dev"]["ids"] == [] and record.scores == {}


def test_cancelling_stores_nothing(project):
    add_gold(project, training_docs(12))
    seen = []

    def cancelled():
        return any(m.startswith("iteration") for _, _, m in seen)

    report = run_train(project, base="scratch", dev=0, params=TrainParams(max_iterations=5000),
                       progress=lambda d, t, m="": seen.append((d, t, m)), cancelled=cancelled)
    assert report.cancelled and report.model_id is None
    assert list_models(project) == []


def test_nothing_to_learn_from_is_refused(project):
    project.add_document(DocumentData("ยังไม่มีใครตรวจ"))
    with pytest.raises(ModelError, match="no finished documents"):
        run_train(project)
    with pytest.raises(ModelError, match="--dev"):
        run_train(project, dev=1.0)


def test_dev_split_is_reproducible_and_exclude_leaves_documents_out(project):
    add_gold(project)
    hashes = [r[0] for r in project.query("SELECT content_hash FROM documents ORDER BY id")]
    a = split_documents(project, 0.25, seed=1)
    b = split_documents(project, 0.25, seed=1)
    c = split_documents(project, 0.25, seed=2)
    assert a == b and a[1] != c[1] and len(a[1]) == 9 and a[2] == 0
    train, dev, excluded = split_documents(project, 0, 0, exclude=hashes[:5])
    assert excluded == 5 and dev == [] and len(train) == 31


# ------------------------------------------------------------ the building blocks
def test_punctuation_is_cut_off_token_edges():
    text = "(สพฐ.) “ข่าว”"
    tokens = [(0, 6), (6, 7), (7, 13)]
    got = [text[s:e] for s, e in split_punctuation(text, tokens)]
    assert got == ["(", "สพฐ.", ")", " ", "“", "ข่าว", "”"]


def test_split_table_learns_edges_inside_words():
    text = "อยู่ในประเทศไทย"
    tokens = [(0, 4), (4, 12), (12, 15)]  # อยู่ | ในประเทศ | ไทย
    gold = [(6, 15)]  # [ประเทศไทย]
    table = SplitTable.learn([(text, tokens, gold)] * 2, min_count=2)
    assert table.cuts == {"ในประเทศ": (2,)}
    assert [text[s:e] for s, e in table.apply(text, tokens)] == ["อยู่", "ใน", "ประเทศ", "ไทย"]
    assert SplitTable.from_json(table.to_json()).cuts == table.cuts
    assert SplitTable.learn([(text, tokens, gold)], min_count=2).cuts == {}


def test_features_and_dictionary():
    assert shape("นาย") == "CVC" and shape("2566") == "D" and shape("Bangkok") == "Xx"
    text = "นายสมชาย ใจดี ไปจังหวัดตรัง"
    tokens = tokenize(text)
    dictionary = EntityDictionary.build([("จังหวัดตรัง", "LOCATION"), ("จังหวัดตรัง", "LOCATION"),
                                         ("ใจดี", "PERSON"), ("ใจดี", "ORGANIZATION")])
    assert dictionary.entries == {"จังหวัดตรัง": "LOCATION"}  # a tie is no evidence
    found = dictionary.find(text, tokens)
    assert [(text[s.start:s.end], s.label) for s in found] == [("จังหวัดตรัง", "LOCATION")]
    tags = span_tags(found, tokens)
    assert tags.count("B-LOCATION") == 1 and all(t == "O" or t.endswith("LOCATION") for t in tags)
    featurizer = Featurizer(FeatureSet(), dictionary=dictionary)
    words = [text[s:e] for s, e in tokens]
    attrs = featurizer.attributes(words, featurizer.document_tags(text, tokens))
    assert len(attrs) == len(words)
    first = set(attrs[0])
    assert {"bias", "w=นาย", "lex=title", "-1:BOS"} <= first
    assert any(a.startswith("+1:w=") for a in first)
    last = set(attrs[-1])
    assert "dict=I-LOCATION" in last or "dict=B-LOCATION" in last


# ------------------------------------------------- a new model never takes over unnoticed
def test_judge_adopts_only_a_model_that_is_not_worse_on_enough_gold():
    from annotator.jobs.train import MIN_JUDGE_DOCUMENTS, MIN_JUDGE_ENTITIES, judge

    def judged(new, current, docs=40, ents=400):
        return {"against": "project-crf-1", "documents": docs, "entities": ents,
                "new": {"f1": new}, "current": {"f1": current}}

    assert judge("project-crf-2", judged(0.81, 0.80), 0.1, "auto")[0]
    assert judge("project-crf-2", judged(0.80, 0.80), 0.1, "auto")[0]  # not worse is enough
    adopted, why = judge("project-crf-2", judged(0.70, 0.80), 0.1, "auto")
    assert not adopted and "worse than project-crf-1" in why and "0.700" in why and "0.800" in why
    assert "models PROJECT use 2" in why
    adopted, why = judge("project-crf-2", judged(0.95, 0.50, docs=1, ents=4), 0.1, "auto")
    assert not adopted and "too little held-out gold" in why and "1 documents with 4 entities" in why
    assert f"at least {MIN_JUDGE_DOCUMENTS} documents with {MIN_JUDGE_ENTITIES} entities" in why
    assert "about 50 done documents at --dev 0.1" in why
    adopted, why = judge("project-crf-2", None, 0.0, "auto")
    assert not adopted and "--dev 0" in why
    assert judge("project-crf-2", judged(0.1, 0.9), 0.1, "always")[0]
    assert not judge("project-crf-2", judged(0.9, 0.1), 0.1, "never")[0]


def test_a_worse_model_is_stored_but_does_not_suggest(tmp_path, monkeypatch):
    """The issue's case: a model trained on too little or worse gold must not replace the
    suggesting one, and the bundled model can be chosen back."""
    from annotator.jobs import train as train_job
    from annotator.store.models import suggesting_model, suggesting_version, use_model

    monkeypatch.setattr(train_job, "MIN_JUDGE_DOCUMENTS", 2)  # the fixture is small
    monkeypatch.setattr(train_job, "MIN_JUDGE_ENTITIES", 5)
    project = Project.create(tmp_path / "p.annot")
    add_gold(project)
    good = run_train(project, base="scratch", dev=0.2, params=FAST, use="always")
    assert good.adopted and suggesting_version(project) == good.version
    # One L-BFGS iteration learns next to nothing: on the same held-out documents it loses.
    bad = run_train(project, base="scratch", dev=0.2, params=TrainParams(max_iterations=1))
    judged = bad.scores["judged"]
    assert judged["against"] == good.version and judged["new"]["f1"] < judged["current"]["f1"]
    assert not bad.adopted and bad.suggesting == good.version
    assert suggesting_model(project).id == good.model_id
    assert f"worse than {good.version}" in bad.summary()
    assert [m.id for m in list_models(project)] == [good.model_id, bad.model_id]  # stored all the same
    use_model(project, "bundled")
    assert suggesting_model(project) is None
    done = run_preannotate(project, doc_ids=[], workers=1)
    assert done.model_version.startswith("thainer-crf-1.5.1")
    project.close()


def test_a_full_temporary_folder_is_a_storage_error_and_stores_nothing(project, monkeypatch, tmp_path):
    """crfsuite writes what fits and says nothing: the truncated model must be caught."""
    from annotator.core.errors import StorageError

    add_gold(project, training_docs(12))
    monkeypatch.setenv("ANNOTATOR_TEST_TRAIN_FILE_LIMIT", "2000")  # the training process's files stop there
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR read again
    with pytest.raises(StorageError) as info:
        run_train(project, base="scratch", dev=0, params=FAST)
    assert "temporary folder" in str(info.value) and "TMPDIR" in str(info.value)
    assert list_models(project) == []
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("annotator-train-")]  # cleaned up


def test_folders_of_killed_trainings_are_removed_and_nothing_else(tmp_path):
    from annotator.jobs.train_folder import MARKER, remove_leftovers

    dead = tmp_path / "annotator-train-999999999-abc"  # no such process
    dead.mkdir()
    (dead / MARKER).write_text("999999999", encoding="utf-8")
    (dead / "model.crfsuite").write_bytes(b"x" * 10)
    running = tmp_path / "annotator-train-1-def"  # pid 1 is alive
    running.mkdir()
    (running / MARKER).write_text("1", encoding="utf-8")
    stranger = tmp_path / "annotator-train-notes"  # a user's folder: no marker of ours
    stranger.mkdir()
    assert remove_leftovers(str(tmp_path)) == [str(dead)]
    assert not dead.exists() and running.exists() and stranger.exists()


def test_train_params_keep_the_algorithm_and_read_older_settings():
    params = TrainParams.for_algorithm("ap", max_iterations=7, min_freq=2)
    assert (params.algorithm, params.max_iterations, params.min_freq) == ("ap", 7, 2)
    assert TrainParams.from_json(params.to_json()) == params
    older = params.to_json()
    del older["algorithm"], older["min_freq"]  # settings stored before these existed
    was = TrainParams.from_json(older)
    assert (was.algorithm, was.min_freq, was.max_iterations) == ("lbfgs", 0.0, 7)
    assert TrainParams.for_algorithm(TrainParams().algorithm) == TrainParams()


def test_each_algorithm_gets_only_the_crfsuite_settings_it_takes():
    lbfgs = TrainParams.for_algorithm("lbfgs", c1=0.5, c2=0.25, max_iterations=30).crfsuite()
    assert lbfgs == {"c1": 0.5, "c2": 0.25, "max_iterations": 30, "feature.possible_transitions": True}
    assert set(TrainParams.for_algorithm("l2sgd").crfsuite()) == {"c2", "max_iterations", "feature.possible_transitions"}
    for name in ("ap", "pa", "arow"):
        assert set(TrainParams.for_algorithm(name).crfsuite()) == {"max_iterations", "feature.possible_transitions"}
    assert TrainParams.for_algorithm("lbfgs", min_freq=3).crfsuite()["feature.minfreq"] == 3
    with pytest.raises(ModelError, match="choose lbfgs"):
        TrainParams(algorithm="sgd")
    with pytest.raises(ModelError, match="iterations"):
        TrainParams(max_iterations=0)


@pytest.mark.parametrize("algorithm", ["lbfgs", "ap", "pa", "arow", "l2sgd"])
def test_every_algorithm_learns_the_fixture(project, algorithm):
    """Each of crfsuite's methods, through the app's training, finds the entities it was
    taught in new text (all but at most one of them), and the stored settings say how it
    was trained."""
    from annotator.nlp.model_files import materialize
    from annotator.nlp.trained import TrainedModel

    add_gold(project)
    report = run_train(project, base="scratch", dev=0, params=TrainParams.for_algorithm(algorithm))
    record = latest_model(project)
    assert record.settings["params"]["algorithm"] == algorithm and report.iterations >= 1
    with materialize(project, record.id) as spec:
        found = {(UNSEEN[s.start:s.end], s.label) for s in TrainedModel(spec).predict(UNSEEN, tokenize(UNSEEN))}
    assert len(UNSEEN_ENTITIES & found) >= len(UNSEEN_ENTITIES) - 1
