"""How good is a model, and how good were the suggestions reviewers saw?

:func:`evaluate_model` runs a model the way pre-annotation does (CRF, then rules and the
place gazetteer; ``model_only`` leaves those out) over gold documents and scores it with
:mod:`annotator.evaluation.metrics`: exact span and label, and partial overlap, per label
and micro-averaged. Gold documents are ``done`` documents, their confirmed spans the
truth, and never ones the model was trained on:

* ``split="dev"``: the documents the model held out when it was trained (for
  ``bundled``, those of the project's newest model, so both are scored on the same text);
* ``split="all"``: every done document whose text the model did not train on;
* ``gold``: another project's done documents (again without any the model trained on).

:func:`evaluate_suggestions` scores the suggestions as they were shown (before anyone
changed them; see :mod:`annotator.evaluation.suggestion_report`) against what reviewers
finally kept, on done documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from annotator.core.model import CONFIRMED_STATES, DONE
from annotator.core.progress import ProgressFn, never_cancelled, no_progress
from annotator.evaluation.metrics import Entity, Scores, exact_scores, format_scores, partial_scores
from annotator.store.models import BUNDLED, ModelError, ModelRecord, latest_model, resolve
from annotator.store.project import WITH_STATUS, Project

SPLITS = ("dev", "all")


@dataclass
class EvalReport:
    """Scores of one model (or of the shown suggestions) on some gold documents."""

    subject: str  # what was scored: a model version, or "suggestions"
    gold: str  # where the gold came from
    documents: int
    left_out: int  # gold documents the model had trained on
    exact: Scores
    partial: Scores

    def to_json(self) -> dict[str, Any]:
        def table(scores: Scores) -> dict[str, Any]:
            return {
                "micro": _counts(scores.micro),
                "per_label": {k: _counts(c) for k, c in scores.per_label.items()},
            }

        return {"subject": self.subject, "gold": self.gold, "documents": self.documents,
                "left_out": self.left_out, "exact": table(self.exact), "partial": table(self.partial)}

    def format(self) -> str:
        head = f"{self.subject} on {self.documents} gold documents of {self.gold}"
        if self.left_out:
            head += f" ({self.left_out} left out: the model was trained on them)"
        lines = [head, "", format_scores(self.exact, "exact span and label"), "",
                 format_scores(self.partial, "partial overlap, same label")]
        return "\n".join(lines)


def _counts(c) -> dict[str, Any]:
    return {"tp": c.tp, "fp": c.fp, "fn": c.fn, "precision": round(c.precision, 4),
            "recall": round(c.recall, 4), "f1": round(c.f1, 4)}


def gold_entities(project: Project, doc_id: int) -> list[Entity]:
    return [(s.start, s.end, s.label) for s in project.span_data(doc_id, CONFIRMED_STATES)]


def score_documents(
    project: Project,
    doc_ids: Sequence[int],
    predict: Callable[[str, list[tuple[int, int]]], list],
    progress: ProgressFn = no_progress,
    cancelled: Callable[[], bool] = never_cancelled,
) -> tuple[Scores, Scores]:
    """Exact and partial scores of ``predict(text, tokens)`` against the documents' gold."""
    from annotator.core.errors import Cancelled

    gold: list[list[Entity]] = []
    pred: list[list[Entity]] = []
    total = len(doc_ids)
    for n, doc_id in enumerate(doc_ids, 1):
        if cancelled():
            raise Cancelled("evaluation cancelled")
        doc = project.document(doc_id)
        tokens = project.tokens(doc_id, doc.text, cache=not project.readonly)
        gold.append(gold_entities(project, doc_id))
        pred.append([(s.start, s.end, s.label) for s in predict(doc.text, tokens)])
        if n % 50 == 0 or n == total:
            progress(n, total, "evaluating")
    return exact_scores(gold, pred), partial_scores(gold, pred)


def _predictor(spec, model_only: bool):
    """``predict(text, tokens)`` and the version of a project model spec (None: bundled)."""
    from annotator.nlp.crf import CrfModel
    from annotator.nlp.suggest import Suggester
    from annotator.nlp.trained import TrainedModel

    model = TrainedModel(spec) if spec is not None else CrfModel()
    if model_only:
        return model.predict, model.version
    suggester = Suggester(model=model)
    return suggester.suggest, suggester.version


def evaluate_spec(project: Project, spec, doc_ids: Sequence[int], model_only: bool = False,
                  progress: ProgressFn = no_progress,
                  cancelled: Callable[[], bool] = never_cancelled) -> EvalReport:
    """Scores of a model (a :class:`~annotator.nlp.model_files.ModelSpec`, None: bundled) on
    ``doc_ids`` of ``project``."""
    predict, version = _predictor(spec, model_only)
    exact, partial = score_documents(project, doc_ids, predict, progress, cancelled)
    return EvalReport(version, project.path.name, len(doc_ids), 0, exact, partial)


def _done_rows(project: Project) -> list[tuple[int, str]]:
    return [(r[0], r[1]) for r in project.query(
        f"SELECT id, content_hash FROM {WITH_STATUS} WHERE status = ? ORDER BY id", (DONE,))]


def _not_trained_on(rows: list[tuple[int, str]], record: ModelRecord | None) -> tuple[list[int], int]:
    ids = [doc_id for doc_id, h in rows if record is None or not record.trained_on(h)]
    return ids, len(rows) - len(ids)


def evaluate_model(
    project: Project,
    model: str | int | None = "latest",
    split: str = "dev",
    gold: Project | None = None,
    model_only: bool = False,
    progress: ProgressFn = no_progress,
    cancelled: Callable[[], bool] = never_cancelled,
) -> EvalReport:
    """Score ``model`` (``latest``, ``bundled`` or an id) of ``project`` on gold documents
    it was not trained on (see the module doc for ``split`` and ``gold``)."""
    from annotator.nlp.model_files import materialize

    if split not in SPLITS:
        raise ModelError(f"--split {split!r}: choose {' or '.join(SPLITS)}")
    record = resolve(project, model)  # None: the bundled model (also while none is trained)
    source = gold if gold is not None else project
    left_out = 0
    if gold is not None or split == "all":
        doc_ids, left_out = _not_trained_on(_done_rows(source), record)
    else:
        holder = record if record is not None else latest_model(project)
        if holder is None:
            raise ModelError("no model trained yet, so no documents held out: score the bundled model"
                             " with --split all (or --gold OTHER.annot), or train one")
        done = {doc_id for doc_id, _ in _done_rows(project)}
        doc_ids = [d for d in holder.settings.get("dev", {}).get("ids", ()) if d in done]
        if not doc_ids:
            raise ModelError(f"model {holder.id} held out no documents (trained with --dev 0):"
                             " use --split all, or --gold OTHER.annot")
    if not doc_ids:
        raise ModelError(f"no gold documents to evaluate on in {source.path.name}"
                         " (done documents the model did not train on)")
    with materialize(project, record.id if record is not None else BUNDLED) as spec:
        report = evaluate_spec(source, spec, doc_ids, model_only, progress, cancelled)
    report.left_out = left_out
    if split == "dev" and gold is None:
        report.gold = f"{project.path.name} (held out by {(record or latest_model(project)).version})"
    return report


def evaluate_suggestions(project: Project) -> EvalReport:
    """The suggestions reviewers saw, as first made, against what they kept (done documents)."""
    from annotator.evaluation.suggestion_report import shown_suggestions

    doc_ids = [doc_id for doc_id, _ in _done_rows(project)]
    shown = shown_suggestions(project, doc_ids)
    gold = [gold_entities(project, doc_id) for doc_id in doc_ids]
    pred = [shown.get(doc_id, []) for doc_id in doc_ids]
    return EvalReport("suggestions as shown", project.path.name, len(doc_ids), 0,
                      exact_scores(gold, pred), partial_scores(gold, pred))
