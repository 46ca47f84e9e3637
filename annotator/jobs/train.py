"""Train a CRF on the project's finished documents and store it as a new model version.

What it learns from: every ``done`` document's confirmed spans (accepted, edited, manual,
or imported as gold). A reproducible share of them is held out (``dev``, chosen by a
seeded hash of the text as in :func:`annotator.jobs.exporter.assign_exact`) and scored
after training; ``exclude`` leaves out documents whose text is also in another project,
for instance the gold you mean to evaluate on.

How: python-crfsuite over the features of :mod:`annotator.nlp.features`, on tokens
refined by :mod:`annotator.nlp.refine`: by default the averaged perceptron from
``bundled`` and L-BFGS (L1 and L2 terms) from ``scratch`` (``DEFAULT_ALGORITHM``;
:class:`TrainParams` chooses any of crfsuite's methods). The
training runs in a child process: crfsuite holds the GIL for the whole run, so in a
thread it would freeze the window, and a process can be stopped at once. It reports each
iteration back; cancelling terminates it and stores nothing.

``base``: ``bundled`` (the default) also gives the CRF, as features, what the bundled
ThaiNER model says about each token, so a small project starts from that model's
knowledge and learns where to overrule it (crfsuite cannot continue training an existing
model); ``scratch`` learns from the project's gold alone. The held-out documents are
scored with the new model and, for comparison, with the bundled one.

A new model never takes over unnoticed. It is judged against the model that makes the
suggestions now, on the held-out documents neither trained on (:func:`judge`), and
becomes the suggesting model only when it is not worse there and the held-out gold is
big enough to tell (``MIN_JUDGE_DOCUMENTS``, ``MIN_JUDGE_ENTITIES``); ``use="always"``
makes it suggest regardless, ``use="never"`` only stores it. The report says which
happened and why, in numbers.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
import traceback
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Sequence

from annotator.core.model import CONFIRMED_STATES, DONE
from annotator.core.progress import ProgressFn, never_cancelled, no_progress
from annotator.nlp.clusters import VERSION as CLUSTERS_VERSION
from annotator.nlp.features import DEFAULT, FeatureSet
from annotator.store.models import (
    HASH_CHARS,
    ModelError,
    add_model,
    suggesting_model,
    suggesting_version,
    use_model,
)
from annotator.jobs.train_folder import check_model_file, make_folder
from annotator.store.project import WITH_STATUS, Project

BASES = ("bundled", "scratch")
DEFAULT_DEV = 0.1
USES = ("auto", "always", "never")  # when a new model becomes the one that suggests
# Below these a held-out F1 says little (one entity moves it by several points).
MIN_JUDGE_DOCUMENTS = 5
MIN_JUDGE_ENTITIES = 50

Example = tuple[str, list[tuple[int, int]], list[tuple[int, int, str]]]  # text, tokens, gold
Unlabelled = tuple[str, list[tuple[int, int]]]  # text, tokens
MAX_UNLABELLED = 20_000  # documents the word classes learn from besides the gold; bounds time
BUNDLED_BATCH = 64  # training documents the bundled model tags at once (--from bundled)


ALGORITHMS = ("lbfgs", "l2sgd", "ap", "pa", "arow")  # crfsuite's training algorithms
_PENALTIES = {"lbfgs": ("c1", "c2"), "l2sgd": ("c2",)}  # the others take neither
# (iterations, min_freq) of each algorithm when it is chosen without them
ALGORITHM_DEFAULTS = {"lbfgs": (100, 0.0), "l2sgd": (10, 0.0), "ap": (10, 0.0), "pa": (10, 0.0), "arow": (10, 0.0)}
# The algorithm each base trains with unless told otherwise (k-fold on ThaiNER, docs/benchmarks.md):
# with the bundled model's labels as features the averaged perceptron scores as well as
# L-BFGS in a fraction of the time; from scratch it does not, and L-BFGS stays.
DEFAULT_ALGORITHM = {"bundled": "ap", "scratch": "lbfgs"}


@dataclass(frozen=True)
class TrainParams:
    """Training settings. The defaults were chosen on ThaiNER 1.5.1 (docs/benchmarks.md).

    ``algorithm``: crfsuite's ``lbfgs`` (L1 ``c1`` and L2 ``c2`` terms), ``l2sgd`` (``c2``
    only), ``ap`` (averaged perceptron), ``pa`` (passive-aggressive) or ``arow``; the
    penalties a method does not take are ignored. ``max_iterations`` counts L-BFGS
    iterations or the other methods' passes over the data. ``min_freq``: attributes seen
    fewer times than this in the training data are left out of the model."""

    c1: float = 0.05
    c2: float = 0.1
    max_iterations: int = 100  # k-fold: F1 as good as 150 (+0.001), a quarter less training time
    features: FeatureSet = DEFAULT
    folds: int = 5  # the dictionary feature of a training document comes from the other folds
    consistent: bool = True  # label every mention of a string found once (trained.make_consistent)
    split_gold_edges: bool = True  # cut training tokens at gold entity edges
    refine: bool = True  # finer tokens where the gold puts edges inside words (nlp/refine.py)
    algorithm: str = "lbfgs"
    min_freq: float = 0.0

    def __post_init__(self) -> None:
        if self.algorithm not in ALGORITHMS:
            raise ModelError(f"training algorithm {self.algorithm!r}: choose {', '.join(ALGORITHMS)}")
        if self.max_iterations < 1:
            raise ModelError(f"iterations {self.max_iterations}: at least 1")
        if self.min_freq < 0:
            raise ModelError(f"minimum attribute frequency {self.min_freq:g}: not below 0")

    @classmethod
    def default(cls, base: str) -> "TrainParams":
        """The default settings of training from ``base`` (``DEFAULT_ALGORITHM``)."""
        return cls.for_algorithm(DEFAULT_ALGORITHM[base])

    @classmethod
    def for_algorithm(cls, algorithm: str, **changes: Any) -> "TrainParams":
        """The default settings of ``algorithm`` (its iterations, pruning), with ``changes``."""
        if algorithm not in ALGORITHMS:
            raise ModelError(f"training algorithm {algorithm!r}: choose {', '.join(ALGORITHMS)}")
        iterations, min_freq = ALGORITHM_DEFAULTS[algorithm]
        return replace(cls(algorithm=algorithm, max_iterations=iterations, min_freq=min_freq), **changes)

    def crfsuite(self) -> dict[str, Any]:
        """The settings handed to crfsuite's trainer for this algorithm."""
        out: dict[str, Any] = {name: getattr(self, name) for name in _PENALTIES.get(self.algorithm, ())}
        out["max_iterations"] = self.max_iterations
        out["feature.possible_transitions"] = True
        if self.min_freq:
            out["feature.minfreq"] = self.min_freq
        return out

    def to_json(self) -> dict[str, Any]:
        return {"c1": self.c1, "c2": self.c2, "max_iterations": self.max_iterations,
                "features": self.features.to_json(), "folds": self.folds,
                "consistent": self.consistent, "split_gold_edges": self.split_gold_edges,
                "refine": self.refine, "algorithm": self.algorithm, "min_freq": self.min_freq}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "TrainParams":
        # models stored before ``algorithm`` and ``min_freq`` existed were trained with L-BFGS, unpruned
        return cls(float(data["c1"]), float(data["c2"]), int(data["max_iterations"]),
                   FeatureSet.from_json(data["features"]), int(data["folds"]),
                   bool(data["consistent"]), bool(data["split_gold_edges"]), bool(data.get("refine", True)),
                   str(data.get("algorithm", "lbfgs")), float(data.get("min_freq", 0.0)))


@dataclass
class TrainReport:
    model_id: int | None = None
    version: str = ""
    base: str = "bundled"
    documents: int = 0
    tokens: int = 0
    dev_documents: int = 0
    excluded: int = 0
    labels: list[str] = field(default_factory=list)
    scores: dict[str, Any] = field(default_factory=dict)
    iterations: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # features, crfsuite (in the child)
    cancelled: bool = False
    adopted: bool = False  # the new model now makes the suggestions
    suggesting: str = "bundled"  # the version that makes the suggestions after this run
    verdict: str = ""  # why it was (not) adopted, in words and numbers

    def summary(self) -> str:
        if self.cancelled:
            return "training cancelled; no model stored"
        text = (f"trained {self.version} (from {self.base}) on {self.documents} documents,"
                f" {self.tokens:,} tokens, {len(self.labels)} labels, in {self.seconds:.1f} s")
        if self.excluded:
            text += f"; left out {self.excluded} documents also in the excluded project"
        micro = self.scores.get("exact", {}).get("micro")
        if micro:
            text += (f"\non {self.dev_documents} held-out documents: P {micro['precision']:.3f}"
                     f" R {micro['recall']:.3f} F1 {micro['f1']:.3f} (exact span and label)")
            bundled = self.scores.get("bundled", {}).get("micro")
            if bundled:
                text += f"; the bundled model there: F1 {bundled['f1']:.3f}"
        elif not self.dev_documents:
            text += "\nno documents held out (--dev 0): score it with `annotator evaluate --gold`"
        if self.verdict:
            text += "\n" + self.verdict
        return text


# --------------------------------------------------------------- the gold
def gold_example(project: Project, doc_id: int) -> Example:
    """A document's text, newmm tokens and confirmed spans (non-overlapping: where a
    project allows overlaps, the longer of two overlapping spans is kept)."""
    doc = project.document(doc_id)
    tokens = project.tokens(doc_id, doc.text, cache=not project.readonly)
    spans = sorted(project.span_data(doc_id, CONFIRMED_STATES), key=lambda s: (s.start - s.end, s.start))
    kept: list[tuple[int, int, str]] = []
    for s in spans:
        if not any(a < s.end and s.start < b for a, b, _ in kept):
            kept.append((s.start, s.end, s.label))
    return doc.text, tokens, sorted(kept)


def split_documents(project: Project, dev: float, seed: int, exclude: Iterable[str] = ()
                    ) -> tuple[list[tuple[int, str]], list[int], int]:
    """(train rows (id, content hash), dev ids, how many were excluded) of the done documents."""
    from annotator.jobs.exporter import assign_exact

    if not 0 <= dev < 1:
        raise ModelError(f"--dev {dev}: give a share of documents to hold out, from 0 to below 1")
    excluded = set(exclude)
    rows = [(r[0], r[1]) for r in project.query(
        f"SELECT id, content_hash FROM {WITH_STATUS} WHERE status = ? ORDER BY id", (DONE,))]
    kept = [r for r in rows if r[1] not in excluded]
    if dev > 0:
        parts = assign_exact(kept, (1 - dev, dev, 0.0), seed)
        dev_ids = parts["dev"]
    else:
        dev_ids = []
    dev_set = set(dev_ids)
    train = [r for r in kept if r[0] not in dev_set]
    return train, dev_ids, len(rows) - len(kept)


# ------------------------------------------------------------- the child
def prepare(examples: Sequence[Example], base: str, params: TrainParams,
            progress: Callable[[int, int, str], None] = lambda d, t, m: None,
            unlabelled: Sequence[Unlabelled] = ()):
    """Refine tokens, build the dictionaries (and word classes from the gold's and
    ``unlabelled``'s text), and yield (attributes, labels) sequences.

    Returns (settings for the model, a generator of sequences, token counter). Runs where
    the training runs (the child process)."""
    from annotator.core.model import SpanData
    from annotator.nlp.crf import sequences
    from annotator.nlp.features import EntityDictionary, Featurizer, span_tags
    from annotator.nlp.refine import SplitTable
    from annotator.nlp.tokenizer import split_at

    features = params.features
    if base == "bundled" and "bundled" not in features.groups:
        features = features.with_groups("bundled")
    table = (SplitTable.learn((text, tokens, [(s, e) for s, e, _ in gold]) for text, tokens, gold in examples)
             if params.refine else None)
    use_dict = "dict" in features.groups
    full = EntityDictionary.build((text[s:e], lab) for text, _, gold in examples for s, e, lab in gold)
    folds = max(1, params.folds)
    fold_dicts = [
        EntityDictionary.build((text[s:e], lab) for k, (text, _, gold) in enumerate(examples)
                               if k % folds != f for s, e, lab in gold)
        for f in range(folds)
    ] if use_dict else []
    featurizer = Featurizer(features)
    word_classes = None
    if "clusters" in features.groups:
        progress(0, 1, "word classes")
        word_classes = learn_word_classes([(t, tk) for t, tk, _ in examples] + list(unlabelled), table)
        featurizer.clusters = word_classes
    settings = {
        "features": features.to_json(),
        "split_table": table.to_json() if table is not None else None,
        "dictionary": full.entries if use_dict else None,
        "consistent": params.consistent,
        "clusters": {"version": CLUSTERS_VERSION, "words": word_classes} if word_classes is not None else None,
    }
    counter = {"tokens": 0}

    def training_tokens(text, tokens, gold):
        toks = table.apply(text, tokens) if table is not None else list(tokens)
        if params.split_gold_edges:
            toks = split_at(toks, {s for s, _, _ in gold} | {e for _, e, _ in gold})
        return toks

    def generate():
        total = len(examples)
        batch: dict[int, tuple[list, list]] = {}  # k -> (tokens, bundled spans) of the current batch
        for k, (text, tokens, gold) in enumerate(examples):
            if k not in batch:  # the bundled model tags a batch of documents at once (much faster)
                ks = range(k, min(k + BUNDLED_BATCH, total))
                toks_of = [training_tokens(*examples[j]) for j in ks]
                found_of = (featurizer._bundled.predict_many([(examples[j][0], t) for j, t in zip(ks, toks_of)])
                            if featurizer._bundled is not None else [None] * len(toks_of))
                batch = {j: (t, f) for j, t, f in zip(ks, toks_of, found_of)}
            toks, found = batch[k]
            if use_dict:
                featurizer.dictionary = fold_dicts[k % folds]
            tags = featurizer.document_tags(text, toks, bundled=found)
            y = span_tags([SpanData(s, e, lab) for s, e, lab in gold], toks)
            for lo, hi in sequences(text, toks):
                words = [text[s:e] for s, e in toks[lo:hi]]
                counter["tokens"] += hi - lo
                yield featurizer.attributes(words, {k2: v[lo:hi] for k2, v in tags.items()}), y[lo:hi]
            if k % 100 == 99 or k == total - 1:
                progress(k + 1, total, "features")

    return settings, generate(), counter


def learn_word_classes(documents: Sequence[Unlabelled], table) -> dict[str, list[int]]:
    """Word classes (nlp/clusters.py) over the tokens the CRF will see (refined by ``table``)."""
    from annotator.nlp.clusters import learn

    def words():
        for text, tokens in documents:
            toks = table.apply(text, tokens) if table is not None else tokens
            yield [text[s:e] for s, e in toks]

    return learn(words())


def train_model(examples: Sequence[Example], base: str, params: TrainParams, model_path: str,
                send: Callable[[tuple], None], unlabelled: Sequence[Unlabelled] = ()) -> dict[str, Any]:
    """Train and write the crfsuite file. ``send`` gets ("progress", done, total, message).
    ``unlabelled``: more of the project's text for the word classes (``clusters`` group)."""
    import pycrfsuite

    class Trainer(pycrfsuite.Trainer):
        """Reports each iteration (L-BFGS step or pass over the data); prints nothing."""

        def on_iteration(self, log, info):
            loss = info.get("loss")
            message = f"iteration {info.get('num')}" + (f", loss {loss:,.0f}" if loss is not None else "")
            send(("progress", int(info.get("num", 0)), params.max_iterations, message))

        def on_start(self, log): pass
        def on_featgen_progress(self, log, percent): pass
        def on_featgen_end(self, log): pass
        def on_prepared(self, log): pass
        def on_prepare_error(self, log): pass
        def on_optimization_end(self, log): pass
        def on_end(self, log): pass

    started = time.perf_counter()
    settings, seqs, counter = prepare(
        examples, base, params, lambda d, t, m: send(("progress", d, t, "computing features")), unlabelled)
    trainer = Trainer(params.algorithm, verbose=True)
    labels: set[str] = set()
    for x, y in seqs:
        trainer.append(x, y)
        labels.update(t[2:] for t in y if t != "O")
    if not labels:
        raise ModelError("the finished documents hold no entities to learn from")
    trainer.set_params(params.crfsuite())
    features_done = time.perf_counter()
    trainer.train(model_path)
    iterations = trainer.logparser.last_iteration.get("num", 0) if trainer.logparser.last_iteration else 0
    timings = {"features": round(features_done - started, 1),
               "crfsuite": round(time.perf_counter() - features_done, 1)}
    return {"settings": settings, "tokens": counter["tokens"], "labels": sorted(labels),
            "iterations": iterations, "timings": timings}


def _child(conn, examples: list[Example], base: str, params: dict, model_path: str,
           unlabelled: list[Unlabelled]) -> None:
    """Entry point of the training process."""
    import annotator.nlp  # noqa: F401  (offline pythainlp)

    limit = os.environ.get("ANNOTATOR_TEST_TRAIN_FILE_LIMIT")  # tests: a full temporary folder
    if limit:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), int(limit)))

    try:
        result = train_model(examples, base, TrainParams.from_json(params), model_path, conn.send, unlabelled)
        conn.send(("done", result))
    except BaseException as e:  # everything goes back to the parent, which reports it
        message = str(e) if isinstance(e, ModelError) else "".join(traceback.format_exception(e))
        conn.send(("error", message, isinstance(e, ModelError)))
    finally:
        conn.close()


# -------------------------------------------------------------- the job
def run_train(
    project: Project,
    base: str = "bundled",
    dev: float = DEFAULT_DEV,
    seed: int = 0,
    exclude: Iterable[str] = (),
    params: TrainParams | None = None,
    progress: ProgressFn = no_progress,
    cancelled: Callable[[], bool] = never_cancelled,
    use: str = "auto",
) -> TrainReport:
    """Train on the done documents and store the model (see the module doc).

    ``exclude``: content hashes of documents not to train on. ``use``: ``auto`` (the new
    model suggests only when :func:`judge` finds it not worse), ``always`` or ``never``.
    Returns a report; when cancelled, ``report.cancelled`` is set and nothing is stored.
    """
    if base not in BASES:
        raise ModelError(f"--from {base!r}: choose {' or '.join(BASES)}")
    if params is None:
        params = TrainParams.default(base)
    if use not in USES:
        raise ModelError(f"--use {use!r}: choose {', '.join(USES)}")
    started = time.perf_counter()
    report = TrainReport(base=base)
    exclude = set(exclude)  # read twice: for the gold and for the unlabelled text
    train_rows, dev_ids, report.excluded = split_documents(project, dev, seed, exclude)
    if not train_rows:
        raise ModelError("no finished documents to learn from: mark reviewed documents done"
                         " (Ctrl+Enter) or import gold with --as gold")
    progress(0, len(train_rows), "reading the gold")
    examples: list[Example] = []
    for n, (doc_id, _) in enumerate(train_rows, 1):
        if cancelled():
            report.cancelled = True
            return report
        examples.append(gold_example(project, doc_id))
        if n % 200 == 0:
            progress(n, len(train_rows), "reading the gold")
    unlabelled = unlabelled_documents(project, dev_ids, exclude) if "clusters" in params.features.groups else []
    folder = make_folder()
    model_path = os.path.join(folder, "model.crfsuite")
    try:
        result = _train_in_child(examples, base, params, model_path, report, progress, cancelled, unlabelled)
        if result is None:
            return report
        check_model_file(model_path)
        with open(model_path, "rb") as fh:
            data = fh.read()
        settings = {
            **result["settings"],
            "base": base,
            "params": params.to_json(),
            "dev": {"fraction": dev, "seed": seed, "ids": dev_ids},
            "train_hashes": sorted(h[:HASH_CHARS] for _, h in train_rows),
            "excluded": report.excluded,
        }
        current = suggesting_model(project)
        scores: dict[str, Any] = {}
        if dev_ids:
            scores = _score_dev(project, model_path, settings, dev_ids, current, progress, cancelled)
            if report.cancelled or cancelled():
                report.cancelled = True
                return report
        report.seconds = round(time.perf_counter() - started, 1)
        record = add_model(project, data, base=base, documents=len(train_rows), tokens=result["tokens"],
                           labels=result["labels"], scores=scores, settings=settings,
                           train_seconds=report.seconds)
        adopt, report.verdict = judge(record.version, scores.get("judged"), dev, use)
        report.adopted = adopt
        if adopt:
            use_model(project, record.id)
        report.suggesting = record.version if adopt else suggesting_version(project)
    finally:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    report.model_id, report.version = record.id, record.version
    report.documents, report.tokens, report.labels = record.documents, record.tokens, record.labels
    report.dev_documents, report.scores = len(dev_ids), scores
    report.iterations = result["iterations"]
    report.timings = result["timings"]
    return report


def unlabelled_documents(project: Project, dev_ids: Sequence[int], exclude: Iterable[str] = ()
                         ) -> list[Unlabelled]:
    """Text and tokens of the documents not done (nor held out or excluded: those are for
    scoring), newest first, at most ``MAX_UNLABELLED``: what the word classes learn from
    besides the gold."""
    held, excluded = set(dev_ids), set(exclude)
    rows = project.query(f"SELECT id, content_hash FROM {WITH_STATUS} WHERE status != ? ORDER BY id DESC", (DONE,))
    out: list[Unlabelled] = []
    for doc_id, content_hash in rows:
        if doc_id in held or content_hash in excluded:
            continue
        text = project.document(doc_id).text
        out.append((text, project.tokens(doc_id, text, cache=not project.readonly)))
        if len(out) >= MAX_UNLABELLED:
            break
    return out


def _train_in_child(examples, base, params, model_path, report, progress, cancelled, unlabelled=()):
    """Run :func:`train_model` in a spawned process; relay progress; stop it on cancel."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, examples, base, params.to_json(), model_path, list(unlabelled)),
                       name="annotator-train", daemon=True)
    proc.start()
    child.close()
    try:
        while True:
            if cancelled():
                report.cancelled = True
                return None
            if parent.poll(0.1):
                try:
                    message = parent.recv()
                except EOFError:
                    proc.join(5)
                    raise ModelError(f"the training process stopped unexpectedly (exit code {proc.exitcode})")
                if message[0] == "progress":
                    progress(message[1], message[2], message[3])
                elif message[0] == "done":
                    return message[1]
                else:
                    if message[2]:
                        raise ModelError(message[1])
                    raise RuntimeError(f"training failed:\n{message[1]}")
            elif not proc.is_alive() and not parent.poll():
                raise ModelError(f"the training process stopped unexpectedly (exit code {proc.exitcode})")
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join(10)
        parent.close()


def _score_dev(project, model_path, settings, dev_ids, current, progress, cancelled) -> dict[str, Any]:
    """Scores of the new model on the held-out documents, as `annotator evaluate` gives them,
    with the bundled model's micro scores on the same documents beside them, and under
    ``judged`` the new and the suggesting (``current``) model on the held-out documents
    ``current`` did not train on."""
    from annotator.evaluation.evaluate import evaluate_spec
    from annotator.nlp.model_files import ModelSpec, materialize

    spec = ModelSpec(model_path, "new model", settings)
    scores = evaluate_spec(project, spec, dev_ids, progress=progress, cancelled=cancelled).to_json()
    bundled = evaluate_spec(project, None, dev_ids, progress=progress, cancelled=cancelled).to_json()
    scores["bundled"] = {"subject": bundled["subject"], "micro": bundled["exact"]["micro"]}
    if current is None:
        fair, new_micro, current_micro = dev_ids, scores["exact"]["micro"], bundled["exact"]["micro"]
    else:
        hashes = dict(project.query(
            f"SELECT id, content_hash FROM documents WHERE id IN ({','.join('?' * len(dev_ids))})", dev_ids))
        fair = [d for d in dev_ids if not current.trained_on(hashes[d])]
        new_micro = evaluate_spec(project, spec, fair, progress=progress, cancelled=cancelled).to_json()["exact"]["micro"]
        with materialize(project, current.id) as current_spec:
            current_micro = evaluate_spec(project, current_spec, fair, progress=progress,
                                          cancelled=cancelled).to_json()["exact"]["micro"]
    scores["judged"] = {"against": current.version if current is not None else "bundled",
                        "documents": len(fair), "entities": new_micro["tp"] + new_micro["fn"],
                        "new": new_micro, "current": current_micro}
    return scores


def judge(version: str, judged: dict[str, Any] | None, dev: float, use: str) -> tuple[bool, str]:
    """Should the new model ``version`` make the suggestions? (yes or no, and why)."""
    if judged is None:
        held = "no documents were held out (--dev 0), so it could not be compared"
        docs = ents = 0
        against = None
    else:
        docs, ents, against = judged["documents"], judged["entities"], judged["against"]
        held = (f"on {docs} held-out documents ({ents} entities) it scores F1 {judged['new']['f1']:.3f},"
                f" {against} (suggesting until now) {judged['current']['f1']:.3f}")
    switch = f"`annotator models PROJECT use {version.removeprefix('project-crf-')}` (or Model → Suggest with…)"
    if use == "always":
        return True, f"{version} now makes the suggestions, as asked; {held}"
    if use == "never":
        return False, f"{version} is stored; suggestions still come from the same model as asked. {held}"
    if judged is None or docs < MIN_JUDGE_DOCUMENTS or ents < MIN_JUDGE_ENTITIES:
        done_needed = int(-(-MIN_JUDGE_DOCUMENTS // dev)) if dev > 0 else None
        more = (f" (about {done_needed} done documents at --dev {dev:g})" if done_needed else "")
        return False, (f"too little held-out gold to judge the new model: {docs} documents with {ents} entities,"
                       f" and at least {MIN_JUDGE_DOCUMENTS} documents with {MIN_JUDGE_ENTITIES} entities are"
                       f" needed{more}. Suggestions still come from {against or 'the same model'}; {held}."
                       f" To use it anyway: {switch}")
    new_f1, current_f1 = judged["new"]["f1"], judged["current"]["f1"]
    if new_f1 >= current_f1:
        return True, f"{version} now makes the suggestions: {held}"
    return False, (f"{version} is worse than {against}, which keeps making the suggestions: {held}."
                   f" To use it anyway: {switch}")
