"""Pre-annotation on a Dask cluster (a LocalCluster of two worker processes here): the same
result as the local job, a worker killed for real mid-run loses and doubles nothing, a run
cut short resumes, Ctrl+C leaves nothing running or half-written, and the command's errors."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from ner_fixture import add_gold, training_docs  # noqa: E402

from annotator.cli.main import main  # noqa: E402
from annotator.core.model import DocumentData  # noqa: E402
from annotator.nlp.cluster_preannotate import run_cluster_preannotate  # noqa: E402
from annotator.nlp.preannotate import run_preannotate  # noqa: E402
from annotator.store import preannotate_runs  # noqa: E402
from annotator.store.project import Project  # noqa: E402

import distributed  # noqa: E402  (the test extra installs it)

DOCS = 36
PARTITION = 3


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       dashboard_address=None, silence_logs=40)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def _texts(n: int = DOCS) -> list[str]:
    """Distinct made-up articles with names, places, dates and phone numbers."""
    return [f"{d.text} เมื่อวันที่ {k % 28 + 1} มีนาคม 2567 ติดต่อ 02-123-{4000 + k} ข่าวฉบับที่ {k}"
            for k, d in enumerate(training_docs(n))]


def _make(path: Path, n: int = DOCS) -> Project:
    project = Project.create(path, annotator="tester")
    with project.transaction():
        for text in _texts(n):
            project.add_document(DocumentData(text))
    return project


def _twins(tmp_path: Path, n: int = DOCS) -> tuple[Project, Project]:
    a = _make(tmp_path / "cluster.annot", n)
    a.close()
    shutil.copy(tmp_path / "cluster.annot", tmp_path / "local.annot")
    return Project.open(tmp_path / "cluster.annot"), Project.open(tmp_path / "local.annot")


def _spans(project: Project) -> list[tuple]:
    return [tuple(r) for r in project.query(
        'SELECT s.doc_id, s.start, s."end", l.name, s.state, s.origin, s.confidence, s.author, s.model_version'
        " FROM spans s JOIN labels l ON l.id = s.label_id ORDER BY s.doc_id, s.start, s.\"end\"")]


def _tokens(project: Project) -> list[tuple]:
    return [tuple(r) for r in project.query("SELECT doc_id, tokenizer, ends FROM tokens ORDER BY doc_id")]


def _suggest_changes_per_document(project: Project) -> dict[int, int]:
    return {r[0]: r[1] for r in project.query(
        "SELECT doc_id, COUNT(*) FROM changes WHERE action = 'doc.suggest' GROUP BY doc_id")}


def _assert_complete_and_single(project: Project) -> None:
    ids = project.document_ids()
    assert _suggest_changes_per_document(project) == {doc_id: 1 for doc_id in ids}  # each written once
    with_spans = {r[0] for r in project.query("SELECT DISTINCT doc_id FROM spans")}
    assert with_spans == set(ids)  # every made-up article has a date and a phone number at least
    doubled = project.query('SELECT doc_id, start, "end", COUNT(*) FROM spans'
                            ' GROUP BY doc_id, start, "end" HAVING COUNT(*) > 1')
    assert doubled == []
    counts = project.query("SELECT id, COALESCE((SELECT open_suggestions FROM document_counts WHERE doc_id = documents.id), 0), (SELECT COUNT(*) FROM spans WHERE doc_id = documents.id"
                           " AND state = 'suggested') FROM documents")
    assert all(r[1] == r[2] for r in counts)
    assert project.get_setting(preannotate_runs.KEY) is None  # finished: no run left to resume


def test_same_result_as_the_local_job(client, tmp_path):
    on_cluster, local = _twins(tmp_path)
    report = run_cluster_preannotate(on_cluster, client, partition=PARTITION, model="bundled")
    expected = run_preannotate(local, workers=1, model="bundled")
    assert (report.documents, report.added, report.model_version) == (
        expected.documents, expected.added, expected.model_version)
    assert report.partitions == DOCS // PARTITION and report.workers == 2
    assert _spans(on_cluster) == _spans(local)
    assert _tokens(on_cluster) == _tokens(local)
    _assert_complete_and_single(on_cluster)


def test_same_result_beside_reviewed_work(client, tmp_path):
    """A person's span, a finished document and earlier suggestions are treated as the
    local job treats them (the same writer): kept, left alone, replaced."""
    a = _make(tmp_path / "cluster.annot", 12)
    ids = a.document_ids()
    a.add_span(ids[0], 0, 10, "PERSON")  # a person's span over the start of a name
    a.set_status(ids[1], "done")
    run_preannotate(a, doc_ids=[ids[2]], workers=1, model="bundled")  # earlier suggestions to replace
    a.close()
    shutil.copy(tmp_path / "cluster.annot", tmp_path / "local.annot")
    on_cluster, local = Project.open(tmp_path / "cluster.annot"), Project.open(tmp_path / "local.annot")
    report = run_cluster_preannotate(on_cluster, client, partition=PARTITION, model="bundled")
    expected = run_preannotate(local, workers=1, model="bundled")
    assert (report.documents, report.added, report.removed) == (expected.documents, expected.added, expected.removed)
    assert report.documents == 11 and report.removed > 0
    assert _spans(on_cluster) == _spans(local)
    assert [r for r in _spans(on_cluster) if r[0] == ids[0] and r[4] == "manual"] == [
        (ids[0], 0, 10, "PERSON", "manual", "human", None, "tester", None)]
    assert not [r for r in _spans(on_cluster) if r[0] == ids[1]]


def test_a_project_model_is_shipped_to_the_workers(client, tmp_path):
    from annotator.jobs.train import TrainParams, run_train

    path = tmp_path / "cluster.annot"
    project = _make(path, 12)
    add_gold(project)
    run_train(project, base="scratch", dev=0, params=TrainParams(max_iterations=30), use="always")
    project.close()
    shutil.copy(path, tmp_path / "local.annot")
    on_cluster, local = Project.open(path), Project.open(tmp_path / "local.annot")
    report = run_cluster_preannotate(on_cluster, client, partition=PARTITION)
    expected = run_preannotate(local, workers=1)
    assert report.model_version.startswith("project-crf-1+") and report.model_version == expected.model_version
    assert report.documents == 12 and _spans(on_cluster) == _spans(local)
    assert {r[8] for r in _spans(on_cluster) if r[4] == "suggested"} == {expected.model_version}


def test_a_worker_killed_mid_run_loses_and_doubles_nothing(client, tmp_path):
    on_cluster, local = _twins(tmp_path)
    pids_before = client.run(os.getpid)
    killed: list[int] = []

    def kill_a_busy_worker(done, total, message):
        if done and not killed:  # a partition has been written
            # partitions in flight: the killed one's must be computed again. (Tagging is fast
            # enough that, when the first is written, none may be in flight yet: the next
            # progress call then tries again.)
            busy = [addr for addr, keys in client.processing().items() if keys]
            if busy:
                pid = pids_before[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    report = run_cluster_preannotate(on_cluster, client, partition=PARTITION, model="bundled",
                                     progress=kill_a_busy_worker)
    assert killed and report.documents == DOCS and not report.cancelled
    client.wait_for_workers(2, timeout=120)  # the nanny restarts it
    assert killed[0] not in client.run(os.getpid).values()  # that process really died
    run_preannotate(local, workers=1, model="bundled")
    assert _spans(on_cluster) == _spans(local)
    _assert_complete_and_single(on_cluster)


class ClientDied(Exception):
    pass


def test_a_run_cut_short_resumes_where_it_stopped(client, tmp_path):
    on_cluster, local = _twins(tmp_path)

    def die_after_two_partitions(done, total, message):
        if done >= 2 * PARTITION:
            raise ClientDied  # as if the client were killed: committed partitions stay

    with pytest.raises(ClientDied):
        run_cluster_preannotate(on_cluster, client, partition=PARTITION, model="bundled",
                                progress=die_after_two_partitions)
    written = set(_suggest_changes_per_document(on_cluster))
    assert 2 * PARTITION <= len(written) < DOCS
    assert on_cluster.get_setting(preannotate_runs.KEY) is not None  # the run is left to resume
    first_spans = {r for r in _spans(on_cluster) if r[0] in written}

    report = run_cluster_preannotate(on_cluster, client, partition=PARTITION, model="bundled")
    assert report.skipped == len(written) and report.documents == DOCS - len(written)
    assert {r for r in _spans(on_cluster) if r[0] in written} == first_spans  # left as they were
    run_preannotate(local, workers=1, model="bundled")
    assert _spans(on_cluster) == _spans(local)
    _assert_complete_and_single(on_cluster)

    again = run_cluster_preannotate(on_cluster, client, partition=PARTITION, model="bundled")
    assert again.skipped == 0 and again.documents == DOCS  # a finished run: a new run re-suggests all


def test_cancel_stops_the_cluster_work_and_keeps_whole_partitions(client, tmp_path):
    project = _make(tmp_path / "p.annot")
    plugins_before = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.worker_plugins))
    flag = []
    report = run_cluster_preannotate(project, client, partition=PARTITION, model="bundled",
                                     progress=lambda done, total, m: flag.append(done) if done else None,
                                     cancelled=lambda: bool(flag))
    assert report.cancelled and 0 < report.documents < DOCS
    written = _suggest_changes_per_document(project)
    assert len(written) == report.documents and set(written.values()) == {1}
    assert report.documents % PARTITION == 0  # whole partitions only
    deadline = time.monotonic() + 30
    while client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) and time.monotonic() < deadline:
        time.sleep(0.1)  # cancelled futures leave the scheduler shortly after
    assert client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0
    plugins = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.worker_plugins))
    assert plugins == plugins_before  # the run's model is unloaded from the workers
    resumed = run_cluster_preannotate(project, client, partition=PARTITION, model="bundled")
    assert resumed.skipped == report.documents and resumed.documents == DOCS - report.documents
    _assert_complete_and_single(project)


def test_cli_on_the_cluster(client, tmp_path, capsys):
    path = tmp_path / "p.annot"
    _make(path, 8).close()
    address = client.scheduler.address
    assert main(["preannotate", str(path), "--scheduler", address, "--partition", "4"]) == 0
    out = capsys.readouterr().out
    assert "in 8 documents" in out and "2 partitions on 2 workers" in out
    with Project.open(path) as project:
        _assert_complete_and_single(project)
    assert main(["preannotate", str(path), "--scheduler", address, "--workers", "2"]) == 2
    assert "--workers is for the local job" in capsys.readouterr().err


def test_cli_without_dask_names_the_extra(tmp_path, capsys, monkeypatch):
    path = tmp_path / "p.annot"
    _make(path, 2).close()
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    assert main(["preannotate", str(path), "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "thai-ner-annotator[cluster]" in err
    with Project.open(path) as project:
        assert project.query("SELECT COUNT(*) FROM spans")[0][0] == 0


def test_cli_unreachable_scheduler_is_a_plain_error(tmp_path, capsys, monkeypatch):
    from annotator.nlp import cluster_preannotate

    path = tmp_path / "p.annot"
    _make(path, 2).close()
    real = cluster_preannotate.connect
    monkeypatch.setattr(cluster_preannotate, "connect", lambda address: real(address, timeout=1))
    assert main(["preannotate", str(path), "--scheduler", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("annotator: cannot reach the Dask scheduler at tcp://127.0.0.1:9")


def _slow_partitions(seconds: float) -> None:
    """In each worker: every partition takes ``seconds`` longer (the real work unchanged)."""
    import time as _time

    from annotator.nlp import preannotate

    real = getattr(preannotate, "_real_suggest_items", preannotate.suggest_items)
    preannotate._real_suggest_items = real

    def slowed(suggester, items):
        _time.sleep(seconds)
        return real(suggester, items)

    preannotate.suggest_items = slowed if seconds else real


def test_the_command_killed_for_real_resumes(client, tmp_path, capsys):
    import sqlite3
    import subprocess

    path = tmp_path / "p.annot"
    _make(path, 24).close()
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import the tests
    client.run(_slow_partitions, 0.6)  # the run lasts seconds: time to kill it in the middle
    try:
        proc = subprocess.Popen([sys.executable, "-m", "annotator", "preannotate", str(path), "--scheduler",
                                 client.scheduler.address, "--partition", "2"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, "PYTHAINLP_OFFLINE": "1"})
        written = 0
        deadline = time.monotonic() + 120
        while not written and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
            try:
                with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                    written = db.execute("SELECT COUNT(*) FROM changes WHERE action = 'doc.suggest'").fetchone()[0]
            except sqlite3.OperationalError:
                pass  # the file is being created or locked for a moment
        proc.kill()  # SIGKILL: no cleanup of any kind in the client
        proc.wait()
    finally:
        client.run(_slow_partitions, 0)
    with Project.open(path) as project:
        done_before = set(_suggest_changes_per_document(project))
        assert 0 < len(done_before) < 24  # killed in the middle of the run
        assert project.get_setting(preannotate_runs.KEY) is not None
    assert main(["preannotate", str(path), "--scheduler", client.scheduler.address, "--partition", "2"]) == 0
    assert f"resumed: {len(done_before)} documents written before" in capsys.readouterr().out
    with Project.open(path) as project:
        _assert_complete_and_single(project)
    plugins = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.worker_plugins))
    assert not [name for name in plugins if name.startswith("annotator-")]  # the killed client's was replaced


def test_a_document_too_long_for_a_job_is_left_out_and_named(client, tmp_path):
    project = _make(tmp_path / "big.annot", 6)
    longest = max(len(project.document(d).text) for d in project.document_ids())
    huge = project.add_document(DocumentData("นายสมชาย ใจดี ไปเชียงใหม่ " * (longest // 10 + 1)))
    report = run_cluster_preannotate(project, client, partition=PARTITION, max_chars=longest)
    assert report.documents == 6 and len(report.too_large) == 1
    assert f"document {huge}" in report.too_large[0] and "--max-chars" in report.summary()
    assert not project.spans(huge)
    project.close()
