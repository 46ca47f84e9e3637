"""Schema versions as a ladder of migrations. A shipped step is never edited; add a new one.

Each step runs inside the one exclusive transaction that upgrades the file, so a failed
upgrade leaves the file as it was.
"""

from __future__ import annotations

import sqlite3
from typing import Callable

SCHEMA_V1 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE labels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
    color TEXT NOT NULL,
    hotkey TEXT UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    date TEXT,
    url TEXT,
    meta TEXT NOT NULL DEFAULT '{}',
    source TEXT,
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'in_progress', 'done', 'skipped')),
    open_suggestions INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX documents_status ON documents (status);
-- The document list sorts by these; without an index SQLite reads past every article's text.
CREATE INDEX documents_title ON documents (title);
CREATE INDEX documents_date ON documents (date);
CREATE INDEX documents_open ON documents (open_suggestions);
CREATE TABLE spans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    label_id INTEGER NOT NULL REFERENCES labels (id),
    state TEXT NOT NULL
        CHECK (state IN ('suggested', 'accepted', 'rejected', 'edited', 'manual')),
    origin TEXT NOT NULL
        CHECK (origin IN ('model', 'rule', 'gazetteer', 'human', 'import')),
    confidence REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
    author TEXT,
    model_version TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (start >= 0 AND start < "end")
);
CREATE INDEX spans_doc ON spans (doc_id, start);
CREATE INDEX spans_label ON spans (label_id);
-- Open suggestions per document, kept by the database itself so no writer can forget it.
CREATE TRIGGER spans_open_insert AFTER INSERT ON spans WHEN new.state = 'suggested'
BEGIN
    UPDATE documents SET open_suggestions = open_suggestions + 1 WHERE id = new.doc_id;
END;
CREATE TRIGGER spans_open_delete AFTER DELETE ON spans WHEN old.state = 'suggested'
BEGIN
    UPDATE documents SET open_suggestions = open_suggestions - 1 WHERE id = old.doc_id;
END;
CREATE TRIGGER spans_open_update AFTER UPDATE OF state ON spans
    WHEN (old.state = 'suggested') != (new.state = 'suggested')
BEGIN
    UPDATE documents
    SET open_suggestions = open_suggestions + (new.state = 'suggested') - (old.state = 'suggested')
    WHERE id = new.doc_id;
END;
-- Token offsets cache: derived from the text, rebuilt whenever missing.
CREATE TABLE tokens (
    doc_id INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    tokenizer TEXT NOT NULL,
    ends BLOB NOT NULL
);
-- Append-only log of every change: who, when, what before, what after.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    grp INTEGER NOT NULL,
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    action TEXT NOT NULL,
    doc_id INTEGER,
    span_id INTEGER,
    before TEXT,
    after TEXT,
    undo_of INTEGER,
    redo_of INTEGER
);
CREATE INDEX changes_grp ON changes (grp);
CREATE INDEX changes_author ON changes (author, grp);
CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes
BEGIN
    SELECT RAISE(ABORT, 'the change log is append-only');
END;
CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes
BEGIN
    SELECT RAISE(ABORT, 'the change log is append-only');
END;
"""


def _v1(conn: sqlite3.Connection) -> None:
    for statement in _split(SCHEMA_V1):
        conn.execute(statement)


def _split(script: str) -> list[str]:
    """Split a schema script into statements (triggers contain ';' inside BEGIN…END)."""
    out, buf = [], []
    for line in script.splitlines():
        if line.strip().startswith("--") or not line.strip():
            continue
        buf.append(line)
        joined = "\n".join(buf)
        if sqlite3.complete_statement(joined):
            out.append(joined)
            buf = []
    return out


SCHEMA_V2 = """
-- Models trained inside the project, newest used for suggestions.
CREATE TABLE models (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'crf',
    base TEXT NOT NULL DEFAULT 'scratch',
    data BLOB NOT NULL,
    documents INTEGER NOT NULL DEFAULT 0,
    tokens INTEGER NOT NULL DEFAULT 0,
    labels TEXT NOT NULL DEFAULT '[]',
    scores TEXT NOT NULL DEFAULT '{}',
    settings TEXT NOT NULL DEFAULT '{}',
    train_seconds REAL
);
-- Where a span's decision came from beyond its author: agreement between annotators,
-- adjudication (JSON, NULL when there is nothing to say).
ALTER TABLE spans ADD COLUMN provenance TEXT;
"""


def _v2(conn: sqlite3.Connection) -> None:
    for statement in _split(SCHEMA_V2):
        conn.execute(statement)


def _v3(conn: sqlite3.Connection) -> None:
    """Drop the token cache made by nlpo3's ``safe`` mode (tokenizer name ``newmm``), which
    placed repeated and reordered pieces by length on long lines: those offsets are not
    the text's words. Tokens are derived, so nothing is lost; they are rebuilt when next
    needed, under the name ``newmm-2``."""
    conn.execute("DELETE FROM tokens WHERE tokenizer = 'newmm'")


SCHEMA_V4 = """
-- Active review time per document and annotator, in seconds (idle gaps left out). Not an
-- annotation, so not in the change log: undo never touches it.
CREATE TABLE activity (
    doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    author TEXT NOT NULL,
    seconds REAL NOT NULL DEFAULT 0 CHECK (seconds >= 0),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (doc_id, author)
);
"""


def _v4(conn: sqlite3.Connection) -> None:
    for statement in _split(SCHEMA_V4):
        conn.execute(statement)


SCHEMA_V5 = """
-- Open suggestions per document, in a table of their own: SQLite writes a changed row
-- whole, so a count kept in the document's row wrote the document's text again (tens of
-- pages for a long article) at every accept, reject and label that moved it. A document
-- without a row here has none open.
CREATE TABLE document_counts (
    doc_id INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    open_suggestions INTEGER NOT NULL DEFAULT 0
);
INSERT INTO document_counts (doc_id, open_suggestions)
    SELECT doc_id, COUNT(*) FROM spans WHERE state = 'suggested' GROUP BY doc_id;
DROP TRIGGER spans_open_insert;
DROP TRIGGER spans_open_delete;
DROP TRIGGER spans_open_update;
DROP INDEX documents_open;
ALTER TABLE documents DROP COLUMN open_suggestions;
CREATE TRIGGER spans_open_insert AFTER INSERT ON spans WHEN new.state = 'suggested'
BEGIN
    INSERT INTO document_counts (doc_id, open_suggestions) VALUES (new.doc_id, 1)
        ON CONFLICT (doc_id) DO UPDATE SET open_suggestions = open_suggestions + 1;
END;
CREATE TRIGGER spans_open_delete AFTER DELETE ON spans WHEN old.state = 'suggested'
BEGIN
    UPDATE document_counts SET open_suggestions = open_suggestions - 1 WHERE doc_id = old.doc_id;
END;
CREATE TRIGGER spans_open_update AFTER UPDATE OF state ON spans
    WHEN (old.state = 'suggested') != (new.state = 'suggested')
BEGIN
    INSERT INTO document_counts (doc_id, open_suggestions)
        VALUES (new.doc_id, (new.state = 'suggested') - (old.state = 'suggested'))
        ON CONFLICT (doc_id) DO UPDATE
        SET open_suggestions = open_suggestions + (new.state = 'suggested') - (old.state = 'suggested');
END;
"""


def _v5(conn: sqlite3.Connection) -> None:
    for statement in _split(SCHEMA_V5):
        conn.execute(statement)


SCHEMA_V6 = """
-- Each document's review status, in a table of its own, as the open count (schema 5): a
-- status kept in the document's row wrote the document's text again (tens of pages for a
-- long article) when its first label made it in progress, and at every done and skip.
-- Every document has its row, written with the document.
CREATE TABLE document_status (
    doc_id INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'in_progress', 'done', 'skipped')),
    updated_at TEXT NOT NULL
);
INSERT INTO document_status (doc_id, status, updated_at) SELECT id, status, updated_at FROM documents;
CREATE INDEX document_status_status ON document_status (status);
DROP INDEX documents_status;
ALTER TABLE documents DROP COLUMN status;
ALTER TABLE documents DROP COLUMN updated_at;
"""


def _v6(conn: sqlite3.Connection) -> None:
    for statement in _split(SCHEMA_V6):
        conn.execute(statement)


# (version reached, step). Append only.
MIGRATIONS: list[tuple[int, Callable[[sqlite3.Connection], None]]] = [
    (1, _v1),
    (2, _v2),
    (3, _v3),
    (4, _v4),
    (5, _v5),
    (6, _v6),
]

LATEST = MIGRATIONS[-1][0]


def migrate(conn: sqlite3.Connection, current: int, upto: int = LATEST) -> int:
    """Run every step above ``current`` (up to ``upto``) in one exclusive transaction;
    return the new version."""
    steps = [(v, step) for v, step in MIGRATIONS if current < v <= upto]
    if not steps:
        return current
    conn.execute("BEGIN EXCLUSIVE")
    try:
        for version, step in steps:
            step(conn)
            conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return steps[-1][0]
