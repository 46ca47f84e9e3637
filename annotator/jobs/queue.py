"""Which document to review next: in document order, or least confident first.

A document's uncertainty is the lowest CRF marginal among its open model suggestions
(``spans.confidence`` of state suggested, origin model: each is the lowest marginal of
the span's own tokens, see :meth:`annotator.nlp.crf.CrfModel.predict`). Least confident
first puts the documents whose weakest suggestion is weakest at the front; documents
without an open model suggestion come last, in document order. Rules and word lists
have fixed confidences, so they do not rank documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from annotator.core.model import IN_PROGRESS, NEW
from annotator.store.project import OPEN_COUNT, WITH_STATUS, Project

ORDERS = ("least-confident", "document")
LEAST_CONFIDENT, DOCUMENT = ORDERS


@dataclass(frozen=True)
class QueueItem:
    doc_id: int
    title: str
    status: str
    open_suggestions: int
    confidence: float | None  # lowest marginal of its open model suggestions


def uncertainty(project: Project, doc_ids: Sequence[int] | None = None) -> dict[int, float]:
    """Lowest confidence of each document's open model suggestions (documents without
    any are absent). One pass over the spans table."""
    rows = project.query(
        "SELECT doc_id, MIN(confidence) FROM spans WHERE state = 'suggested' AND origin = 'model'"
        " AND confidence IS NOT NULL GROUP BY doc_id"
    )
    scores = {r[0]: r[1] for r in rows}
    if doc_ids is not None:
        wanted = set(doc_ids)
        scores = {k: v for k, v in scores.items() if k in wanted}
    return scores


def order_ids(ids: Sequence[int], scores: dict[int, float], descending: bool = False) -> list[int]:
    """``ids`` least confident first (documents without a score last, by id).
    ``descending``: the whole order reversed."""
    key = sorted(ids, key=lambda d: (d not in scores, scores.get(d, 0.0), d))
    return key[::-1] if descending else key


def review_queue(
    project: Project,
    order: str = LEAST_CONFIDENT,
    limit: int | None = None,
    statuses: Sequence[str] = (NEW, IN_PROGRESS),
) -> list[QueueItem]:
    """Documents with one of ``statuses``, in review order."""
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}; choose {' or '.join(ORDERS)}")
    marks = ",".join("?" * len(statuses))
    rows = project.query(
        f"SELECT id, CASE WHEN title != '' THEN title ELSE substr(ltrim(text), 1, 80) END, status,"
        f" {OPEN_COUNT} FROM {WITH_STATUS} WHERE status IN ({marks}) ORDER BY id",
        tuple(statuses),
    )
    info = {r[0]: r for r in rows}
    ids = list(info)
    scores = uncertainty(project, ids)
    if order == LEAST_CONFIDENT:
        ids = order_ids(ids, scores)
    if limit is not None:
        ids = ids[:limit]
    return [QueueItem(d, info[d][1].split("\n", 1)[0].strip(), info[d][2], info[d][3], scores.get(d))
            for d in ids]
