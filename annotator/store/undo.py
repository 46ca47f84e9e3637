"""Undo and redo of one annotator's edits, from the project's change log.

Each transaction's log rows share a change group (``grp``); an annotator's undo stack is
the groups holding an undoable action of theirs, in order, less those undone (``undo_of``)
and with those redone (``redo_of``). Reverting a group applies its rows backwards and logs
the reverse of each, so the log stays append-only and the stacks survive a restart.
Suggestions added in the same group as a person's edit (propagation, ``doc.suggest``) go
and come back with it.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from annotator.core.errors import SpanError
from annotator.core.model import SUGGESTED


UNDOABLE = ("span.create", "span.update", "span.delete", "doc.status")


class UndoMixin:
    """The undo half of :class:`annotator.store.project.Project` (its connection, lock,
    transactions and log are the project's)."""

    def _load_stacks(self) -> None:
        undo: list[int] = []
        redo: list[int] = []
        marks = ",".join("?" * len(UNDOABLE))
        rows = self._conn.execute(
            f"SELECT grp, MAX(undo_of) AS undo_of, MAX(redo_of) AS redo_of FROM changes"
            f" WHERE author = ? AND action IN ({marks}) GROUP BY grp ORDER BY grp",
            (self.annotator, *UNDOABLE),
        ).fetchall()
        for r in rows:
            if r["undo_of"] is not None:
                if r["undo_of"] in undo:
                    undo.remove(r["undo_of"])
                redo.append(r["grp"])
            elif r["redo_of"] is not None:
                if r["redo_of"] in redo:
                    redo.remove(r["redo_of"])
                undo.append(r["grp"])
            else:
                undo.append(r["grp"])
                redo.clear()
        self._undo, self._redo = undo, redo

    def can_undo(self) -> bool:
        with self._lock:
            if self._undo is None:
                self._load_stacks()
            return bool(self._undo)

    def can_redo(self) -> bool:
        with self._lock:
            if self._redo is None:
                self._load_stacks()
            return bool(self._redo)

    def undo(self) -> int | None:
        """Revert this annotator's latest edit. Returns the document it touched, or None."""
        return self._revert(redo=False)

    def redo(self) -> int | None:
        return self._revert(redo=True)

    def _revert(self, redo: bool) -> int | None:
        with self._lock:
            if self._undo is None or self._redo is None:
                self._load_stacks()
            assert self._undo is not None and self._redo is not None
            stack = self._redo if redo else self._undo
            if not stack:
                return None
            grp = stack[-1]
            rows = self._conn.execute("SELECT * FROM changes WHERE grp = ? ORDER BY id DESC", (grp,)).fetchall()
            doc_id = None
            with self.transaction():
                for r in rows:
                    before = json.loads(r["before"]) if r["before"] else None
                    after = json.loads(r["after"]) if r["after"] else None
                    doc_id = r["doc_id"] if r["doc_id"] is not None else doc_id
                    kw = {"redo_of": grp} if redo else {"undo_of": grp}
                    if r["action"] == "doc.status":
                        if self._doc_status(r["doc_id"]) != after:
                            raise SpanError("this document has changed since; cannot undo")
                        self._write_status(r["doc_id"], before)
                        self._log("doc.status", r["doc_id"], before=after, after=before, **kw)
                    elif r["action"] == "doc.suggest":  # suggestions made with a person's edit
                        self._revert_suggestions(r["doc_id"], before, after, r["author"], kw)
                    else:
                        self._restore_span(r["span_id"], current=after, wanted=before)
                        self._log(r["action"], r["doc_id"], r["span_id"], before=after, after=before, **kw)
                new_grp = self._grp
            stack.pop()
            (self._undo if redo else self._redo).append(new_grp)  # type: ignore[arg-type]
            return doc_id

    def _revert_suggestions(self, doc_id: int, before: dict, after: dict, author: str, kw: dict) -> None:
        """Take back a ``doc.suggest`` of :meth:`add_suggestions` (propagation run with an
        edit, in its change group): its suggestions go, the ones it replaced come back.
        Logged the same way round, so that redo takes the undo back alike."""
        if before.get("removed") and "rows" not in before:
            raise SpanError("these suggestions were not logged whole; cannot undo")
        ids = [a[0] for a in after.get("spans", [])]
        rows = self._span_rows(ids)
        if any(row["state"] != SUGGESTED for row in rows):
            raise SpanError("a suggestion made with this edit has been decided since; cannot undo")
        present = [row["id"] for row in rows]  # a later run may have replaced some: gone already
        if present:
            self._conn.execute(f"DELETE FROM spans WHERE id IN ({','.join('?' * len(present))})", present)
        back = [row for row in before.get("rows", []) if self._span_json(row["id"]) is None]
        for row in back:
            self._restore_span(row["id"], current=None, wanted=row)
        names = {label.id: label.name for label in self.labels()}
        self._log("doc.suggest", doc_id, before={"removed": present, "rows": rows},
                  after={"model": after.get("model"),
                         "spans": [[row["id"], row["start"], row["end"], names.get(row["label_id"])] for row in back]},
                  author=author, **kw)

    def _span_rows(self, span_ids: Sequence[int]) -> list[dict[str, Any]]:
        """Whole rows of these spans (those that exist), in id order."""
        if not span_ids:
            return []
        return [dict(r) for r in self._conn.execute(
            f"SELECT * FROM spans WHERE id IN ({','.join('?' * len(span_ids))}) ORDER BY id", list(span_ids))]

    def _restore_span(self, span_id: int, current: dict | None, wanted: dict | None) -> None:
        now_row = self._span_json(span_id)
        if not _same_span(now_row, current):
            raise SpanError("this span has changed since; cannot undo")
        if wanted is None:
            self._conn.execute("DELETE FROM spans WHERE id = ?", (span_id,))
        elif now_row is None:
            cols = ", ".join(f'"{k}"' for k in wanted)
            self._conn.execute(f"INSERT INTO spans ({cols}) VALUES ({','.join('?' * len(wanted))})",
                               list(wanted.values()))
        else:
            sets = ", ".join(f'"{k}" = ?' for k in wanted if k != "id")
            self._conn.execute(f"UPDATE spans SET {sets} WHERE id = ?",
                               [v for k, v in wanted.items() if k != "id"] + [span_id])


def _same_span(row: dict | None, logged: dict | None) -> bool:
    """Is the span still as the log left it? Only the logged columns count (a later schema
    may have added some), and not who touched it last or when."""
    if row is None or logged is None:
        return row is None and logged is None
    return all(row.get(k) == v for k, v in logged.items() if k not in ("updated_at", "author"))
