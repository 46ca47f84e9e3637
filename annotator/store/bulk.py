"""Writing a batch of pre-annotated documents in a few statements.

:func:`write_suggestions` does for many documents at once what ``store_tokens`` and
:meth:`Project.replace_suggestions` do for one (nlp/preannotate.py calls it per batch):
one transaction, one read of the batch's statuses, lengths and spans, one statement
each for tokens, deletions and the change log, and new spans a hundred rows to a statement
(store/inserts.py). The rules are the same: a
document a reviewer finished meanwhile is left alone (its tokens are still cached), a new
suggestion overlapping a span a person touched (or an annotator's version waiting for
adjudication) is dropped, labels the project does not have are dropped, and each
document gets the same ``doc.suggest`` log entry.

``document_counts.open_suggestions`` is kept by triggers for every writer; this one sets
them aside within its own transaction and sets each touched document's count once from its
spans instead of once per span. tests/nlp/test_fastcrf.py checks the counts against the
per-row path and the spans.
"""

from __future__ import annotations

import hashlib
import json
from typing import Sequence

from annotator.core.errors import SpanError
from annotator.core.model import DOC_STATUSES, HUMAN_STATES, IN_PROGRESS, NEW, SPAN_ORIGINS, SUGGESTED, DocumentData

from .inserts import insert_spans, next_id
from .project import Project, _team_version, content_hash, now
from .ranges import RangeSet

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
            for r in conn.execute(f"SELECT d.id, s.status, length(d.text) FROM documents d"
                                  f" JOIN document_status s ON s.doc_id = d.id WHERE d.id IN ({marks})", part):
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
            human = RangeSet((r[2], r[3]) for r in existing if r[4] in HUMAN_STATES or _team_version(r[5]))
            old = [r[0] for r in existing if r[4] == SUGGESTED and not _team_version(r[5])]
            keep = []
            overlaps = human.overlaps if len(human) else None  # nobody's spans: the usual case
            for start, end, label, origin, confidence in spans:
                label_id = label_ids.get(label)
                if label_id is None or (overlaps is not None and overlaps(start, end)):
                    continue
                if not (0 <= start < end <= size):
                    raise SpanError(f"span {start}-{end} is outside the text (0-{size})")
                keep.append([start, end, label])
                rows.append((doc_id, start, end, label_id, SUGGESTED,
                             origin if origin in SPAN_ORIGINS else "import", confidence, author,
                             model_version, t, t))
            old_ids += old
            per_doc.append((doc_id, old, keep))
        # The open-suggestion triggers write a count per span; here they are set aside
        # inside this transaction and each touched document's count is set once from its
        # spans. Committed together, so no reader or other writer ever sees the project
        # without them.
        triggers = [r[0] for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)", _TRIGGERS)]
        for name in _TRIGGERS if len(triggers) == len(_TRIGGERS) else ():
            conn.execute(f"DROP TRIGGER {name}")
        for part in _chunks(old_ids):
            conn.execute(f"DELETE FROM spans WHERE id IN ({','.join('?' * len(part))})", part)
        first = insert_spans(conn, rows)
        if len(triggers) == len(_TRIGGERS):
            for sql in triggers:
                conn.execute(sql)
            for part in _chunks([doc_id for doc_id, _, _ in per_doc]):
                set_open_counts(conn, part)
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


def set_open_counts(conn, doc_ids: Sequence[int]) -> None:
    """Set these documents' open-suggestion counts from their spans."""
    marks = ",".join("?" * len(doc_ids))
    conn.execute(f"DELETE FROM document_counts WHERE doc_id IN ({marks})", list(doc_ids))
    conn.execute("INSERT INTO document_counts (doc_id, open_suggestions) SELECT doc_id, COUNT(*) FROM spans"
                 f" WHERE doc_id IN ({marks}) AND state = 'suggested' GROUP BY doc_id", list(doc_ids))


def _chunks(ids: Sequence[int]):
    for i in range(0, len(ids), _CHUNK):
        yield list(ids[i:i + _CHUNK])


_DOCUMENT_CHUNK = 500  # hashes per IN (...) list
# json.dumps(value, ensure_ascii=False), without making an encoder per call
_json = json.JSONEncoder(ensure_ascii=False).encode


def add_documents(
    project: Project,
    docs: Sequence[DocumentData],
    status: str = NEW,
    span_state: str | None = SUGGESTED,
    author: str | None = None,
    action: str = "doc.import",
    utf8: Sequence[bytes | None] | None = None,
) -> list[int | None]:
    """:meth:`Project.add_document` for many documents, in a few statements: each text's
    id, or None where the same text is already in the project (or earlier in ``docs``).

    The same rows as one ``add_document`` per document: the document with its title, date,
    URL and the rest of its metadata, its spans, one ``action`` change per document naming
    its source and spans ([id, start, end, label]). One read of which hashes are already
    stored, one ``executemany`` each for documents, spans and the change log. Runs inside
    the caller's transaction when there is one; a value the database refuses raises, and
    the caller's savepoint undoes the whole call. Labels must exist.

    ``utf8``: each text's UTF-8 bytes where the caller has them (a file read as UTF-8),
    exactly ``text.encode("utf-8")``, else None: they are hashed and stored as the text
    (``CAST(? AS TEXT)``: the same TEXT value, without encoding the text once more).
    """
    if status not in DOC_STATUSES:
        raise ValueError(f"unknown status {status}")
    conn = project._conn
    result: list[int | None] = [None] * len(docs)
    if not docs:
        return result
    with project.transaction(savepoint=False):
        if utf8 is None:
            utf8 = [None] * len(docs)
        elif len(utf8) != len(docs):
            raise ValueError("utf8: one entry per document")
        hashes = [content_hash(d.text) if b is None else hashlib.sha1(b).hexdigest() for d, b in zip(docs, utf8)]
        present: set[str] = set()
        for i in range(0, len(hashes), _DOCUMENT_CHUNK):
            part = hashes[i:i + _DOCUMENT_CHUNK]
            present.update(r[0] for r in conn.execute(
                f"SELECT content_hash FROM documents WHERE content_hash IN ({','.join('?' * len(part))})", part))
        t = now()
        new: list[int] = []  # positions in docs of the texts to insert
        rows: list[tuple] = []
        for i, (doc, h) in enumerate(zip(docs, hashes)):
            if h in present:
                continue
            present.add(h)
            meta = dict(doc.meta)
            title = str(meta.pop("title", "") or "")
            date = meta.pop("date", None)
            url = meta.pop("url", None)
            new.append(i)
            rows.append((doc.text if utf8[i] is None else utf8[i], h, title, date, url, _json(meta), doc.source or None,
                         t))
        if not rows:
            return result
        first = next_id(conn, "documents")
        conn.executemany(
            "INSERT INTO documents (text, content_hash, title, date, url, meta, source, created_at)"
            " VALUES (CAST(? AS TEXT), ?, ?, ?, ?, ?, ?, ?)", rows)
        if next_id(conn, "documents") != first + len(rows):
            raise RuntimeError("document ids of a bulk insert were not consecutive")  # rolls back
        conn.executemany("INSERT INTO document_status (doc_id, status, updated_at) VALUES (?, ?, ?)",
                         [(first + k, status, t) for k in range(len(rows))])
        label_ids = {label.name: label.id for label in project.labels()}
        span_rows: list[tuple] = []
        for k, i in enumerate(new):
            doc = docs[i]
            result[i] = first + k
            size = _stored_length(doc.text)
            for s in doc.spans:
                if not (0 <= s.start < s.end <= size):
                    raise SpanError(f"span {s.start}-{s.end} is outside the text (0-{size})")
                span_rows.append((first + k, s.start, s.end, label_ids[s.label], span_state or s.state,
                                  s.origin if s.origin in SPAN_ORIGINS else "import", s.confidence,
                                  s.author or author, None, t, t))
        span_first = next_id(conn, "spans")
        insert_spans(conn, span_rows)  # the triggers count the open ones, in their own small table
        grp = project._group()
        who = author or project.annotator
        log = []
        span_id = span_first
        for k, i in enumerate(new):
            doc = docs[i]
            added = []
            for s in doc.spans:
                added.append([span_id, s.start, s.end, s.label])
                span_id += 1
            log.append((grp, t, who, action, first + k, _json({"source": doc.source, "spans": added})))
        conn.executemany("INSERT INTO changes (grp, at, author, action, doc_id, after) VALUES (?, ?, ?, ?, ?, ?)",
                         log)
    return result


def _stored_length(text: str) -> int:
    """``length(text)`` as SQLite counts it: code points up to the first NUL."""
    cut = text.find("\x00")
    return len(text) if cut < 0 else cut
