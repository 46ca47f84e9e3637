"""Suggest entities in every document nobody has finished, using all cores.

Worker processes tokenize and tag; this process is the only one that writes, in batches
of documents per transaction. Spans a person has touched are never changed
(:meth:`Project.replace_suggestions` drops new suggestions that overlap them).

The model is the project's newest trained one (``annotator train``), or the bundled
ThaiNER model until one is trained; its file is written to a temporary folder for the
workers, and its version (``project-crf-3+rules-1+person-1+gaz-2``) is stored with each suggestion.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

from annotator.core.errors import Cancelled
from annotator.core.model import IN_PROGRESS, NEW
from annotator.core.progress import ProgressFn, never_cancelled, no_progress
from annotator.jobs.huge import MAX_JOB_CHARS, too_large
from annotator.store import token_cache

if TYPE_CHECKING:  # workers import this module: they need no project code
    from annotator.store.project import Project

CHUNK = 48  # documents per task sent to a worker: one tagging batch (fastcrf's steps shared)
IN_FLIGHT = 4  # tasks queued per worker: enough to keep it busy, little memory
BATCH = 64  # documents per write transaction
TASK_CHARS = 300_000  # at most this many characters per task (but one document)

_suggester = None


@dataclass
class PreannotateReport:
    documents: int = 0
    added: int = 0
    removed: int = 0
    model_version: str = ""
    cancelled: bool = False
    too_large: list[str] = field(default_factory=list)  # documents left out for their size (jobs/huge.py)

    def summary(self) -> str:
        text = (f"suggested {self.added} spans in {self.documents} documents"
                f" (replaced {self.removed} earlier suggestions) with {self.model_version}")
        text += "; cancelled, the rest left as they were" if self.cancelled else ""
        return "\n".join([text, *(f"  not suggested in {m}" for m in self.too_large)])


def split_task(items: list[tuple[int, str]], max_chars: int = TASK_CHARS) -> list[list[tuple[int, str]]]:
    """``items`` in order, as tasks of at most ``max_chars`` characters (a longer document
    is a task alone). A worker's memory grows with its task's tokens: on the corpus, tasks
    of 48 articles have a median of 145 K characters, but 48 long ones reached 1.7 M (half a
    million tokens, their words, features and spans held at once in each worker)."""
    tasks: list[list[tuple[int, str]]] = []
    size = 0
    for item in items:
        n = len(item[1])
        if not tasks or size + n > max_chars:
            tasks.append([])
            size = 0
        tasks[-1].append(item)
        size += n
    return tasks


def _make_suggester(model, bundled=None):
    """A Suggester for a crfsuite file path of the bundled kind (None: the bundled model)
    or a project model's :class:`~annotator.nlp.model_files.ModelSpec`. ``bundled``: a loaded
    bundled CrfModel, for a project model whose features include its labels."""
    from annotator.nlp.suggest import Suggester
    from annotator.nlp.model_files import ModelSpec
    from annotator.nlp.trained import TrainedModel

    if isinstance(model, ModelSpec):
        return Suggester(model=TrainedModel(model, bundled=bundled))
    return Suggester(model)


def _init_worker(model) -> None:
    global _suggester
    preloaded = sys.modules.get("annotator.nlp.worker_preload")  # forked from the server
    shared = preloaded.bundled_suggester if preloaded is not None else None
    if model is None and shared is not None:
        _suggester = shared
    elif model is not None and preloaded is not None and preloaded.trained_spec == model:
        _suggester = preloaded.trained_suggester  # the model this job offered the server
    else:  # a project model takes its bundled features from the server's model: pages shared, not copied
        _suggester = _make_suggester(model, bundled=shared.model if shared is not None else None)


GC_EVERY = 100_000  # a pool worker collects cycles once this many more containers are alive


def _init_pool_worker(model) -> None:
    """A pool worker: the Suggester, and Python's cycle collector off. The collector kept
    walking the worker's growing caches (hundreds of thousands of objects, none of them
    garbage): with it off, 7% less CPU per article (two interleaved pairs of runs on 7,000
    articles). Tagging makes no reference cycles that outlive a task, but in case some
    code does, :func:`_collect_if_due` collects after a task once GC_EVERY more container
    objects are alive than at the last collection."""
    import gc

    _init_worker(model)
    gc.disable()


def _collect_if_due(every: int = GC_EVERY) -> bool:
    import gc

    if gc.isenabled() or gc.get_count()[0] < every:
        return False
    gc.collect()
    return True


def _pool_context():
    """Workers forked from a fork server that has loaded what they share (see
    nlp/worker_preload.py); spawned where there is no fork server. Never a plain fork: the
    window has threads, and fork with threads is unsafe."""
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn"), False
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["annotator.nlp.worker_preload"])
    return ctx, True


def _stop_fork_server() -> None:
    """The server holds the shared dictionary and model: let it go when the job ends
    rather than keep ~100 MB for the program's lifetime. The next job starts a new one."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)  # private; absent: it stays
    if stop is not None:
        try:
            stop()
        except OSError:
            pass


def _work(items: list[tuple[int, str]]) -> list[tuple[int, bytes, list[tuple]]]:
    """In a worker: tokens and suggestions of each (doc_id, text)."""
    assert _suggester is not None
    out = suggest_items(_suggester, items)
    _collect_if_due()
    _give_back_memory()
    return out


_malloc_trim = None


def _give_back_memory() -> None:
    """Return the heap's free pages to the system after a task. A task's temporaries (its
    texts, tokens, state scores) are freed between the caches that outlive it, and glibc
    keeps such pages: on the whole corpus a worker held ~27 MB more without this (one call
    per task of 48 articles, about a millisecond)."""
    global _malloc_trim
    if _malloc_trim is None:
        _malloc_trim = False
        if sys.platform.startswith("linux"):
            import ctypes

            try:
                _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
            except (OSError, AttributeError):  # not glibc
                pass
    if _malloc_trim:
        _malloc_trim(0)


def suggest_items(suggester, items: list[tuple[int, str]]) -> list[tuple[int, bytes, list[tuple]]]:
    """Tokens and suggestions of each (doc_id, text), as :func:`write_suggestions` takes
    them (shared with the Dask job, nlp/cluster_preannotate.py, so both write the same)."""
    from annotator.nlp.tokenizer import tokenize

    tokenized = [(text, tokenize(text)) for _, text in items]
    found = suggester.suggest_many(tokenized)  # one model batch for the whole task
    return [(doc_id, token_cache.encode(tokens), [(s.start, s.end, s.label, s.origin, s.confidence) for s in spans])
            for (doc_id, _), (_, tokens), spans in zip(items, tokenized, found)]


def model_version(model=None) -> str:
    """The version pre-annotation with ``model`` stores, without loading the model (the
    parent process never tags, so it never holds a model)."""
    from annotator.nlp.suggest import suggester_version
    from annotator.nlp.model_files import ModelSpec

    if isinstance(model, ModelSpec):
        return suggester_version(model.version)
    return suggester_version(crf_model_version(model))


def crf_model_version(path: str | None) -> str:
    from annotator.nlp.model_files import BUNDLED_MODEL_FILE, BUNDLED_VERSION

    if path is None or os.path.basename(path) == BUNDLED_MODEL_FILE:
        return BUNDLED_VERSION
    return "crf:" + os.path.basename(path)


def run_preannotate(
    project: Project,
    doc_ids: Sequence[int] | None = None,
    workers: int | None = None,
    model_path: str | None = None,
    progress: ProgressFn = no_progress,
    cancelled: Callable[[], bool] = never_cancelled,
    model: str | int | None = "suggesting",
    max_chars: int | None = MAX_JOB_CHARS,
) -> PreannotateReport:
    """Suggest entities in ``doc_ids`` (default: every document that is new or in progress).

    ``model``: ``suggesting`` (the model the project has chosen to suggest with, see
    :func:`annotator.store.models.use_model`), ``latest``, ``bundled``, or a model id. ``model_path``, a crfsuite file with the bundled model's
    features, overrides it. A document of more than ``max_chars`` characters (default
    :data:`annotator.jobs.huge.MAX_JOB_CHARS`; None: no limit) is left out and named.
    """
    if model_path is not None:
        return _run(project, doc_ids, workers, model_path, progress, cancelled, max_chars)
    from annotator.nlp.model_files import materialize

    with materialize(project, model) as spec:
        return _run(project, doc_ids, workers, spec, progress, cancelled, max_chars)


def _run(project, doc_ids, workers, model_path, progress, cancelled, max_chars) -> PreannotateReport:
    from annotator.nlp.preload_handoff import offered
    from annotator.nlp.model_files import ModelSpec

    if doc_ids is None:
        doc_ids = project.document_ids((NEW, IN_PROGRESS))
    doc_ids = list(dict.fromkeys(doc_ids))  # each once: a batch is written in one go
    workers = workers or max(1, min(os.cpu_count() or 1, 8))
    report = PreannotateReport()
    # the selection: a document too large for one is left out before its text is read
    doc_ids, report.too_large = too_large(project, doc_ids, max_chars)
    total = len(doc_ids)
    progress(0, total, "pre-annotating")
    if not total:
        report.model_version = model_version(model_path)
        return report

    def tasks():
        for i in range(0, total, CHUNK):
            ids = list(doc_ids[i : i + CHUNK])
            marks = ",".join("?" * len(ids))
            rows = project.query(f"SELECT id, text FROM documents WHERE id IN ({marks})", ids)
            yield from split_task([(r[0], r[1]) for r in rows])

    pending: list[tuple[int, bytes, list[tuple]]] = []
    version = model_version(model_path)
    report.model_version = version
    if workers == 1:
        _init_worker(model_path)
        results = (_work(items) for items in tasks())
        with project.bulk():
            _drain(project, results, pending, version, report, total, progress, cancelled)
        return report
    ctx, fork_server = _pool_context()
    try:
        # the server loads a project model once for all workers: offered until they are forked
        with offered(model_path if fork_server and isinstance(model_path, ModelSpec) else None):
            pool = ctx.Pool(workers, initializer=_init_pool_worker, initargs=(model_path,))
        with pool:
            _pooled(project, pool, workers, tasks(), pending, version, report, total, progress, cancelled)
    finally:
        if fork_server:
            _stop_fork_server()
    return report


def _pooled(project, pool, workers, source, pending, version, report, total, progress, cancelled) -> None:
    """Tasks handed out a few per worker ahead, results written in order as they come."""
    queue: deque = deque()

    def results():
        for items in source:
            queue.append(pool.apply_async(_work, (items,)))
            if len(queue) >= workers * IN_FLIGHT:
                yield queue.popleft().get()
        while queue:
            yield queue.popleft().get()

    try:
        with project.bulk():
            _drain(project, results(), pending, version, report, total, progress, cancelled)
    finally:
        pool.terminate()


def _drain(project, results, pending, version, report, total, progress, cancelled) -> None:
    try:
        for chunk in results:
            if cancelled():
                raise Cancelled("pre-annotation cancelled")
            pending.extend(chunk)
            if len(pending) >= BATCH:
                _write(project, pending, version, report)
                progress(report.documents, total, "pre-annotating")
    except Cancelled:
        report.cancelled = True
    if pending:  # finished work is kept, even when cancelled
        _write(project, pending, version, report)
    progress(report.documents, total, "pre-annotating")


def _write(project: Project, pending: list, version: str, report: PreannotateReport) -> None:
    """One transaction for the batch, a few statements in all (annotator/store/bulk.py)."""
    from annotator.store.bulk import write_suggestions

    documents, added, removed = write_suggestions(project, pending, version)
    report.documents += documents
    report.added += added
    report.removed += removed
    pending.clear()
