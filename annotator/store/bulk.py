"""Writing a batch of pre-annotated documents in a few statements.

:func:`write_suggestions` does for many documents at once what ``store_tokens`` and
:meth:`Project.replace_suggestions` do for one (nlp/preannotate.py calls it per batch):
one transaction, one read of the batch's statuses, lengths and spans, one ``executemany``
each for tokens, deletions, new spans and the change log. The rules are the same: a
document a reviewer finished meanwhile is left alone (its tokens are still cached), a new
suggestion overlapping a span a person touched (or an annotator's version waiting for
adjudication) is dropped, labels the project does not have are dropped, and each
document gets the same ``doc.suggest`` log entry.

``documents.open_suggestions`` is kept by triggers for every writer; this one sets them
aside within its own transaction and sets each touched document's count once from its
spans instead (a trigger per row rewrote the document's whole row, text included, per
span). tests/nlp/test_fastcrf.py checks the counts against the per-row path and the spans.
"""

from __future__ import annotations

import json
from typing import Sequence

from annotator.core.errors import SpanError
from annotator.core.model import HUMAN_STATES, IN_PROGRESS, NEW, SPAN_ORIGINS, SUGGESTED

from .project import Project, _overlaps_any, _team_version, now

_CHUNK = 500  # ids per IN (...) list
_TRIGGERS = ("spans_open_insert", "spans_open_delete")  # migrations.py: keep documents.open_suggestions


def write_suggestions(
    project: Project,
    batch: Sequence[tuple[int, bytes, Sequence[tuple]]],
    model_version: str,
    author: str = "preannotate",
) -> tuple[int, int, int]:
    """Store ``(doc_id, encoded tokens, [(start, end, label, origin, confidence), …])`` of
    each document. Returns (documents suggested, spans added, suggestions removed)."""
    from annotator.nlp.tokenizer import TOKENIZER

    if len({doc_id for doc_id, _, _ in batch}) != len(batch):
        raise ValueError("a document appears twice in one batch")
    conn = project._conn
    documents = added_total = removed_total = 0
    with project.transaction():
        conn.executemany("INSERT OR REPLACE INTO tokens (doc_id, tokenizer, ends) VALUES (?, ?, ?)",
                         [(doc_id, TOKENIZER, blob) for doc_id, blob, _ in batch])
        ids = [doc_id for doc_id, _, _ in batch]
        info: dict[int, tuple[str, int]] = {}
        spans_of: dict[int, list] = {doc_id: [] for doc_id in ids}
        for part in _chunks(ids):
            marks = ",".join("?" * len(part))
            for r in conn.execute(f"SELECT id, status, length(text) FROM documents WHERE id IN ({marks})", part):
                info[r[0]] = (r[1], r[2])
            for r in conn.execute(
                f'SELECT id, doc_id, start, "end", state, provenance FROM spans WHERE doc_id IN ({marks})', part
            ):
                spans_of[r[1]].append(r)
        label_ids = {label.name: label.id for label in project.labels()}
        t = now()
        old_ids: list[int] = []
        rows: list[tuple] = []
        per_doc: list[tuple[int, list[int], list[list]]] = []  # doc, removed ids, [start, end, label] added
        for doc_id, _, spans in batch:
            if doc_id not in info:
                raise KeyError(f"no document {doc_id}")
            status, size = info[doc_id]
            if status not in (NEW, IN_PROGRESS):
                continue  # finished by a reviewer while we worked: leave it alone
            existing = spans_of[doc_id]
            human = sorted((r[2], r[3]) for r in existing if r[4] in HUMAN_STATES or _team_version(r[5]))
            old = [r[0] for r in existing if r[4] == SUGGESTED and not _team_version(r[5])]
            keep = []
            for start, end, label, origin, confidence in spans:
                if label not in label_ids or _overlaps_any(start, end, human):
                    continue
                if not (0 <= start < end <= size):
                    raise SpanError(f"span {start}-{end} is outside the text (0-{size})")
                keep.append([start, end, label])
                rows.append((doc_id, start, end, label_ids[label], SUGGESTED,
                             origin if origin in SPAN_ORIGINS else "import", confidence, author,
                             model_version, t, t))
            old_ids += old
            per_doc.append((doc_id, old, keep))
        # The open-suggestion triggers rewrite the document's row (text and all) for every
        # span; here they are set aside inside this transaction and each touched document's
        # count is set once from its spans. Committed together, so no reader or other
        # writer ever sees the project without them.
        triggers = [r[0] for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)", _TRIGGERS)]
        for name in _TRIGGERS if len(triggers) == len(_TRIGGERS) else ():
            conn.execute(f"DROP TRIGGER {name}")
        for part in _chunks(old_ids):
            conn.execute(f"DELETE FROM spans WHERE id IN ({','.join('?' * len(part))})", part)
        first = _next_span_id(conn)
        conn.executemany(
            'INSERT INTO spans (doc_id, start, "end", label_id, state, origin, confidence, author,'
            " model_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        if rows and _next_span_id(conn) != first + len(rows):
            raise RuntimeError("span ids of a bulk insert were not consecutive")  # rolls back
        if len(triggers) == len(_TRIGGERS):
            for sql in triggers:
                conn.execute(sql)
            for part in _chunks([doc_id for doc_id, _, _ in per_doc]):
                conn.execute(
                    "UPDATE documents SET open_suggestions = (SELECT COUNT(*) FROM spans"
                    f" WHERE spans.doc_id = documents.id AND spans.state = 'suggested') WHERE id IN ({','.join('?' * len(part))})",
                    part)
        grp = project._group()
        log = []
        span_id = first
        for doc_id, old, keep in per_doc:
            added = []
            for start, end, label in keep:
                added.append([span_id, start, end, label])
                span_id += 1
            log.append((grp, t, author, "doc.suggest", doc_id,
                        json.dumps({"removed": old}, ensure_ascii=False),
                        json.dumps({"model": model_version, "spans": added}, ensure_ascii=False)))
            documents += 1
            added_total += len(added)
            removed_total += len(old)
        conn.executemany("INSERT INTO changes (grp, at, author, action, doc_id, before, after)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)", log)
    return documents, added_total, removed_total


def _next_span_id(conn) -> int:
    """The id SQLite gives the next span (the table is AUTOINCREMENT: one past the largest
    id it ever gave, and one writer at a time, so a batch's ids follow each other)."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'spans'").fetchone()
    return (row[0] if row else 0) + 1


def _chunks(ids: Sequence[int]):
    for i in range(0, len(ids), _CHUNK):
        yield list(ids[i:i + _CHUNK])
