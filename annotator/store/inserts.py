"""Inserting many rows with few statement runs.

``executemany`` runs its statement once per row, and SQLite redoes per run the work it
does once per statement: among it, the lookup table of each ``CHECK (x IN (…))`` list in
the schema (``spans.state``, ``spans.origin``, ``documents.status``). On the spans table
that was more than half of an insert's cost. One ``INSERT … VALUES (…), (…), …`` of many
rows builds them once. benchmarks/bench_preannotate.py measures the difference.
"""

from __future__ import annotations

from typing import Sequence

# SQLite 3.32+ allows 32,766 parameters per statement; far fewer keep each statement's
# text and parameter list small while already sharing the per-run work among many rows.
ROWS_PER_STATEMENT = 100


def insert_rows(conn, head: str, rows: Sequence[Sequence], per_statement: int = ROWS_PER_STATEMENT) -> None:
    """Run ``head`` (``INSERT INTO t (a, b, …)``) with ``VALUES`` for every row, in order,
    ``per_statement`` rows to one statement run. Every row must have the same width."""
    if not rows:
        return
    width = len(rows[0])
    one = "(" + ",".join("?" * width) + ")"
    full = len(rows) - len(rows) % per_statement
    if full:
        statement = f"{head} VALUES " + ",".join([one] * per_statement)
        conn.executemany(statement, (
            [value for row in rows[i:i + per_statement] for value in row] for i in range(0, full, per_statement)
        ))
    if full < len(rows):
        rest = rows[full:]
        conn.execute(f"{head} VALUES " + ",".join([one] * len(rest)), [value for row in rest for value in row])


# The columns of a new span, in the order the callers' rows give them.
INSERT_SPANS = ('INSERT INTO spans (doc_id, start, "end", label_id, state, origin, confidence, author,'
                " model_version, created_at, updated_at)")


def next_id(conn, table: str) -> int:
    """The id SQLite gives the next row of an AUTOINCREMENT table: one past the largest id
    it ever gave (and one writer at a time, so a batch's ids follow each other)."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    return (row[0] if row else 0) + 1


def insert_spans(conn, rows: Sequence[Sequence]) -> int:
    """Insert span rows (:data:`INSERT_SPANS`' columns); returns the first one's id, the
    others' following it. Raises (and the caller's transaction rolls back) if they did not."""
    first = next_id(conn, "spans")
    insert_rows(conn, INSERT_SPANS, rows)
    if rows and next_id(conn, "spans") != first + len(rows):
        raise RuntimeError("span ids of a bulk insert were not consecutive")
    return first
