"""Pre-annotation mapped over an existing Dask distributed cluster.

The client (this process) keeps the project's only writer connection. It reads the texts
of a partition of documents, submits it, and as partitions complete writes each one in its
own transaction through the local job's writer (store/bulk.py), so the result is the one
``run_preannotate`` gives. Workers never see the project file: they get texts and return
tokens and spans.

The model reaches each worker once, in a worker plugin (:class:`ModelPlugin`) holding its
bytes: a worker that joins later, or one a nanny restarts after a crash, gets it from the
scheduler on joining. Each worker process builds its Suggester once, when the plugin is
set up (one more for each further thread that tags at the same time), and drops it when the
run removes the plugin.

A worker that dies takes its partitions with it; the scheduler computes them again
elsewhere (and after repeated deaths this job resubmits them). Writing is idempotent per
document: a document is written once per run, and a run cut short (client killed, Ctrl+C,
lost scheduler) resumes where its bookkeeping (store/preannotate_runs.py) says it stopped.

Needs the ``cluster`` extra (``pip install 'thai-ner-annotator[cluster]'``) here and on
the workers, which must also have this program installed.
"""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from annotator.core.errors import ClusterError
from annotator.core.model import IN_PROGRESS, NEW
from annotator.core.progress import ProgressFn, never_cancelled, no_progress
from annotator.jobs.huge import MAX_JOB_CHARS, too_large
from annotator.nlp.preannotate import CHUNK, PreannotateReport, model_version
from annotator.store import preannotate_runs
from annotator.store.project import Project

INSTALL = "pip install 'thai-ner-annotator[cluster]'"
IN_FLIGHT = 3  # partitions queued per worker thread: busy workers, bounded client memory
RESUBMITS = 2  # times a partition is resubmitted after the scheduler gives up on it
POLL = 0.25  # seconds between looks at the cancel flag while waiting for a partition


@dataclass
class ClusterReport(PreannotateReport):
    skipped: int = 0  # written by an earlier run cut short, not suggested again
    partitions: int = 0
    resubmitted: int = 0
    workers: int = 0
    threads: int = 0

    def summary(self) -> str:
        first, *left_out = super().summary().split("\n")
        first += f"; {self.partitions} partitions on {self.workers} workers ({self.threads} threads)"
        if self.skipped:
            first += f"; resumed: {self.skipped} documents written before were left as they were"
        return "\n".join([first, *left_out])


def _dask():
    try:
        import distributed
    except ImportError:
        raise ClusterError(f"--scheduler needs Dask distributed, the 'cluster' extra: {INSTALL}") from None
    return distributed


# ------------------------------------------------------------------ on the workers
try:  # the base class Dask wants; without Dask the module still imports, to say what is missing
    from distributed import WorkerPlugin as _PluginBase
except ImportError:  # pragma: no cover - the test extra has it
    _PluginBase = object

# Suggesters of this worker process, per model hash, not in use right now. A Suggester is
# not thread-safe, so each worker thread borrows one; setup builds the first.
_idle: dict[str, list] = {}
_idle_lock = threading.Lock()


class ModelPlugin(_PluginBase):
    """The model, sent to each worker once (a Dask worker plugin: workers that join
    later, or that a nanny restarts, get it from the scheduler on joining).

    ``data`` is a project model's crfsuite bytes with its version and settings, or None
    for the bundled ThaiNER model that pythainlp ships on every worker."""

    def __init__(self, key: str, data: bytes | None, version: str, settings: dict[str, Any]) -> None:
        self.key = key
        self.data = data
        self.version = version
        self.settings = settings
        self.path: str | None = None

    def setup(self, worker=None) -> None:
        os.environ.setdefault("PYTHAINLP_OFFLINE", "1")  # workers never download either
        if self.data is not None:
            folder = getattr(worker, "local_directory", None) or os.getcwd()
            self.path = os.path.join(folder, f"annotator-model-{self.key}.crfsuite")
            with open(self.path, "wb") as fh:
                fh.write(self.data)
        self.give_back(self.borrow())  # load the model now, not in the first partition

    def teardown(self, worker=None) -> None:
        with _idle_lock:
            _idle.pop(self.key, None)
        if self.path:
            try:
                os.remove(self.path)
            except OSError:
                pass

    def borrow(self):
        with _idle_lock:
            idle = _idle.setdefault(self.key, [])
            if idle:
                return idle.pop()
        from annotator.nlp.preannotate import _make_suggester
        from annotator.nlp.model_files import ModelSpec

        return _make_suggester(None if self.data is None else ModelSpec(self.path, self.version, self.settings))

    def give_back(self, suggester) -> None:
        with _idle_lock:
            _idle.setdefault(self.key, []).append(suggester)


def suggest_partition(plugin_name: str, items: list[tuple[int, str]]) -> list[tuple[int, bytes, list[tuple]]]:
    """A Dask task: tokens and suggestions of each (doc_id, text) of a partition."""
    from distributed import get_worker

    from annotator.nlp.preannotate import suggest_items

    plugin = get_worker().plugins[plugin_name]
    suggester = plugin.borrow()
    try:
        return suggest_items(suggester, items)
    finally:
        plugin.give_back(suggester)


# ------------------------------------------------------------------ in the client
def connect(address: str, timeout: float = 20):
    """A Dask client for a scheduler address (``tcp://host:8786``) or scheduler file."""
    distributed = _dask()
    try:
        if os.path.isfile(address):
            return distributed.Client(scheduler_file=address, timeout=timeout)
        return distributed.Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as e:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {e}") from None


def run_cluster_preannotate(
    project: Project,
    scheduler: str | Any,
    doc_ids: Sequence[int] | None = None,
    partition: int = CHUNK,
    progress: ProgressFn = no_progress,
    cancelled: Callable[[], bool] = never_cancelled,
    model: str | int | None = "suggesting",
    max_chars: int | None = MAX_JOB_CHARS,
) -> ClusterReport:
    """Suggest entities in ``doc_ids`` (default: every new or in-progress document) on the
    cluster at ``scheduler`` (an address, a scheduler file, or a ``distributed.Client``).
    ``model`` and ``max_chars`` as for :func:`run_preannotate`. A run cut short is resumed."""
    _dask()
    own_client = isinstance(scheduler, str)
    client = connect(scheduler) if own_client else scheduler
    try:
        plugin = _model_plugin(project, model)
        return _run(project, client, plugin, doc_ids, max(1, partition), progress, cancelled, max_chars)
    finally:
        if own_client:
            client.close()


def _model_plugin(project: Project, model) -> ModelPlugin:
    from annotator.nlp.model_files import ModelSpec
    from annotator.store import models

    record = models.resolve(project, model)
    if record is None:
        return ModelPlugin("bundled", None, model_version(None), {})
    data = models.model_data(project, record.id)
    version = model_version(ModelSpec("", record.version, record.settings))
    return ModelPlugin(hashlib.sha256(data).hexdigest()[:16], data, version, record.settings)


def _run(project, client, plugin: ModelPlugin, doc_ids, partition, progress, cancelled,
         max_chars: int | None) -> ClusterReport:

    distributed = _dask()
    report = ClusterReport(model_version=plugin.version)
    run = preannotate_runs.start_or_resume(project, plugin.version)
    todo = preannotate_runs.documents_left(project, run, (NEW, IN_PROGRESS))
    if doc_ids is not None:
        wanted = set(doc_ids)
        todo = [d for d in todo if d in wanted]
        report.skipped = len(wanted) - len(todo) if run.resumed else 0
    elif run.resumed:
        report.skipped = len(project.document_ids((NEW, IN_PROGRESS))) - len(todo)
    todo, report.too_large = too_large(project, todo, max_chars)
    total = len(todo)
    progress(0, total, "pre-annotating")
    if not total:
        preannotate_runs.finish(project)
        return report

    # One name per project and model: a run that resumes after its client was killed
    # replaces the plugin that client left on the workers instead of adding another.
    name = f"annotator-model-{plugin.key}-{_project_key(project)}"
    run_key = uuid.uuid4().hex[:8]  # task keys of this attempt only
    try:
        client.register_plugin(plugin, name=name)
    except Exception as e:  # the workers lack this program, or the scheduler went away
        raise ClusterError(f"the cluster's workers could not load the model ({type(e).__name__}: {e});"
                           " do they have thai-ner-annotator installed?") from None
    info = client.scheduler_info()["workers"]
    report.workers = len(info)
    report.threads = sum(w.get("nthreads", 1) for w in info.values()) or 1
    written: set[int] = set()  # idempotent per document, whatever the cluster sends twice
    in_flight: dict[Any, list[int]] = {}  # future -> its documents
    tries: dict[int, int] = {}  # first document of a partition -> resubmissions
    parts = iter(range(0, total, partition))

    def submit(ids: list[int]) -> None:
        marks = ",".join("?" * len(ids))
        rows = project.query(f"SELECT id, text FROM documents WHERE id IN ({marks}) ORDER BY id", ids)
        key = f"annotator-preannotate-{run_key}-{ids[0]}-{tries.get(ids[0], 0)}"
        future = client.submit(suggest_partition, name, [(r[0], r[1]) for r in rows], key=key, pure=False)
        in_flight[future] = ids

    def fill() -> None:
        limit = report.threads * IN_FLIGHT
        for start in parts:
            submit(list(todo[start:start + partition]))
            report.partitions += 1
            if len(in_flight) >= limit:
                return

    try:
        with project.bulk():
            fill()
            while in_flight:
                if cancelled():
                    report.cancelled = True
                    break
                done = _completed(distributed, in_flight)
                for future in done:
                    ids = in_flight.pop(future)
                    if future.status == "error":
                        _retry_or_raise(future, ids, tries, submit, report)
                        continue
                    result = [r for r in future.result() if r[0] not in written]
                    future.release()  # the worker can forget it now
                    if result:
                        _write(project, result, plugin.version, report)
                        written.update(r[0] for r in result)
                    progress(report.documents, total, "pre-annotating")
                fill()
    finally:
        try:
            if in_flight:  # cancelled or failed: nothing more is computed, nothing half-written
                client.cancel(list(in_flight))
            client.unregister_worker_plugin(name)
        except Exception:  # a lost scheduler must not hide the error that stopped the run
            pass
    if not report.cancelled:
        preannotate_runs.finish(project)
    progress(report.documents, total, "pre-annotating")
    return report


def _project_key(project: Project) -> str:
    where = f"{project.path.resolve()}|{project.get_setting('created_at', '')}"
    return hashlib.sha256(where.encode()).hexdigest()[:8]


def _completed(distributed, in_flight) -> list:
    """The partitions finished now, waiting at most POLL seconds (then the cancel flag is
    looked at again)."""
    try:
        done, _ = distributed.wait(list(in_flight), timeout=POLL, return_when="FIRST_COMPLETED")
    except TimeoutError:
        return []
    return list(done)


def _retry_or_raise(future, ids, tries, submit, report) -> None:
    """A partition the scheduler gave up on (its workers kept dying) is submitted again a
    few times; an error of the task itself is raised."""
    from distributed import KilledWorker

    error = future.exception()
    if isinstance(error, KilledWorker) and tries.get(ids[0], 0) < RESUBMITS:
        tries[ids[0]] = tries.get(ids[0], 0) + 1
        report.resubmitted += 1
        submit(ids)
        return
    raise error


def _write(project: Project, batch, version: str, report: ClusterReport) -> None:
    """One partition, one transaction, the local job's writer."""
    from annotator.store.bulk import write_suggestions

    documents, added, removed = write_suggestions(project, batch, version)
    report.documents += documents
    report.added += added
    report.removed += removed
