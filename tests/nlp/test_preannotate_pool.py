"""Pre-annotation's worker pool: workers forked from a fork server that has loaded the
dictionary and the bundled model once (nlp/worker_preload.py), the same suggestions as one
process, and no server left behind when the job ends."""

from __future__ import annotations

import sys
from multiprocessing import forkserver

import pytest

from annotator.core.model import DocumentData
from annotator.nlp import preannotate
from annotator.nlp.preannotate import run_preannotate
from annotator.store.project import Project

TEXTS = [
    "นายสมชาย ใจดี รัฐมนตรีว่าการกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม เดินทางไปจังหวัดเชียงใหม่\n"
    "เมื่อวันที่ 5 มีนาคม 2567 เพื่อเปิดศูนย์ข้อมูลเมืองอัจฉริยะ",
    "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล (ดีป้า) ร่วมกับมหาวิทยาลัยเชียงใหม่ จัดงานที่กรุงเทพมหานคร",
    "นางสาวมาลี สุขใจ ผู้ว่าราชการจังหวัดภูเก็ต กล่าวว่า ภูเก็ตจะเป็นเมืองอัจฉริยะภายในปี 2570",
]
TEXTS = [f"{text} (ฉบับที่ {i})" for i in range(20) for text in TEXTS]  # more than one task: both workers get some


def _project(path) -> Project:
    project = Project.create(path)
    with project.transaction():
        for text in TEXTS:
            project.add_document(DocumentData(text=text))
    return project


def _spans(project):
    return [tuple(r) for r in project.query(
        'SELECT doc_id, start, "end", label_id, origin, round(confidence, 9) FROM spans ORDER BY doc_id, start, "end"')]


def _preloaded_in_this_worker(_=None) -> bool:
    module = sys.modules.get("annotator.nlp.worker_preload")
    return module is not None and module.bundled_suggester is not None and (
        preannotate._suggester is module.bundled_suggester)


@pytest.mark.skipif(sys.platform == "win32", reason="no fork server on Windows")
def test_workers_are_forked_with_the_bundled_model_already_loaded():
    ctx, fork_server = preannotate._pool_context()
    assert fork_server
    try:
        with ctx.Pool(2, initializer=preannotate._init_worker, initargs=(None,)) as pool:
            assert pool.apply(_preloaded_in_this_worker)
            assert all(pool.map(_preloaded_in_this_worker, range(4)))
    finally:
        preannotate._stop_fork_server()


def _bundled_features_from_the_server(_=None) -> bool:
    module = sys.modules.get("annotator.nlp.worker_preload")
    model = preannotate._suggester.model
    return (module is not None and module.bundled_suggester is not None and model.featurizer._bundled is not None
            and model.featurizer._bundled is module.bundled_suggester.model and model._tagger is None)


@pytest.mark.skipif(sys.platform == "win32", reason="no fork server on Windows")
def test_a_trained_models_workers_take_its_bundled_features_from_the_servers_model(tmp_path):
    """A model trained on top of the bundled one reads the bundled model's labels as
    features: its workers use the server's loaded model instead of each loading a copy,
    and open no crfsuite tagger of their own (the fast path reads the weights itself)."""
    from annotator.nlp.model_files import materialize
    from ner_fixture import project_with_model

    with project_with_model(tmp_path / "gold.annot") as project:
        with materialize(project, "latest") as spec:
            assert "bundled" in spec.settings["features"]["groups"]
            ctx, fork_server = preannotate._pool_context()
            try:
                with ctx.Pool(2, initializer=preannotate._init_pool_worker, initargs=(spec,)) as pool:
                    assert all(pool.map(_bundled_features_from_the_server, range(4)))
            finally:
                preannotate._stop_fork_server()


def test_two_workers_suggest_what_one_process_does_and_leave_no_server(tmp_path):
    pooled, single = _project(tmp_path / "pooled.annot"), _project(tmp_path / "single.annot")
    try:
        report = run_preannotate(pooled, workers=2, model="bundled")
        run_preannotate(single, workers=1, model="bundled")
        assert report.documents == len(TEXTS) and report.added > len(TEXTS)
        assert _spans(pooled) == _spans(single)
        assert forkserver._forkserver._forkserver_pid is None  # stopped with the job
    finally:
        pooled.close()
        single.close()


def test_tasks_are_split_by_characters_in_order():
    items = [(1, "a" * 10), (2, "b" * 15), (3, "c" * 40), (4, "d" * 5), (5, "e" * 5)]
    tasks = preannotate.split_task(items, max_chars=25)
    assert tasks == [[(1, "a" * 10), (2, "b" * 15)], [(3, "c" * 40)], [(4, "d" * 5), (5, "e" * 5)]]
    assert preannotate.split_task([], max_chars=25) == []
    assert preannotate.split_task(items, max_chars=1000) == [items]


def _gc_enabled(_=None) -> bool:
    import gc

    return gc.isenabled()


def test_pool_workers_run_without_the_cycle_collector_and_collect_when_due():
    import gc

    ctx, fork_server = preannotate._pool_context()
    try:
        with ctx.Pool(1, initializer=preannotate._init_pool_worker, initargs=(None,)) as pool:
            assert pool.apply(_gc_enabled) is False
    finally:
        if fork_server:
            preannotate._stop_fork_server()
    assert gc.isenabled()  # this process keeps it
    assert not preannotate._collect_if_due(every=10)  # on: the collector does its own work

    class Node:
        def __init__(self):
            self.me = self  # a cycle: only the collector frees it

    gc.disable()
    try:
        gc.collect()
        import weakref

        nodes = [Node() for _ in range(50)]
        refs = [weakref.ref(n) for n in nodes]
        del nodes
        assert all(r() is not None for r in refs)  # garbage, not freed
        assert not preannotate._collect_if_due(every=10_000_000)  # not due yet
        assert preannotate._collect_if_due(every=10)
        assert all(r() is None for r in refs)
    finally:
        gc.enable()
