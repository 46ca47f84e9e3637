"""Typed reads and writes of a project file.

Every public method that changes something runs in its own transaction and appends what
it changed to the ``changes`` log (who, when, before, after). Undo and redo are rebuilt from
that log, so they survive a restart (:mod:`annotator.store.undo`). One connection per project, guarded by a lock, is the
only writer: background jobs in the window share it rather than opening a second one.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from annotator.store.sqlite_utils_lite import sqlite_utils
from annotator.core.errors import LabelError, OverlapError, ProjectDamagedError, SpanError
from annotator.core.model import (
    ACCEPTED,
    CONFIRMED_STATES,
    DOC_STATUSES,
    EDITED,
    HUMAN_STATES,
    MANUAL,
    NEW,
    REJECTED,
    SPAN_ORIGINS,
    SPAN_STATES,
    SUGGESTED,
    Document,
    DocumentData,
    Label,
    Span,
    SpanData,
)

from . import db as dbmod
from . import migrations, token_cache
from .lock import ProjectLock
from .ranges import RangeSet
from .sqlite_errors import translate as _storage_error
from .inserts import insert_spans
from .timestamps import now
from .undo import UNDOABLE, UndoMixin

DEFAULT_ANNOTATOR = "annotator"
_SPAN_COLUMNS = (
    "s.id, s.doc_id, s.start, s.\"end\", l.name AS label, s.state, s.origin, s.confidence, "
    "s.author, s.model_version"
)
# Actions a person's undo may revert.
BULK_CHECKPOINT_PAGES = 8_000  # see Project.bulk


# A document's open suggestions, as an expression in a query over ``documents`` (the count
# has a table of its own, migrations.py v5; no row there means none).
OPEN_COUNT = "COALESCE((SELECT open_suggestions FROM document_counts WHERE doc_id = documents.id), 0)"
# Documents with their review status (a table of its own, migrations.py v6; every document
# has its row), for ``FROM``: the columns of both, ``status`` among them.
WITH_STATUS = "documents JOIN document_status ON document_status.doc_id = documents.id"
_STATUS = "COALESCE(s.status, 'new') AS status"  # one document's, over documents d LEFT JOIN document_status s


def content_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


OVERLAP_TERMS = 300  # ranges per statement: SQLite refuses an expression nested 1,000 deep


def _overlap_terms(ranges: Sequence[tuple[int, int]], table: str = "s.") -> Iterator[tuple[str, list[int]]]:
    """(SQL condition, its parameters) sharing a character with any of ``ranges``, in
    statements of at most :data:`OVERLAP_TERMS` ranges each (an OR chain is one level of
    SQLite's expression tree per range)."""
    for at in range(0, len(ranges), OVERLAP_TERMS):
        part = ranges[at:at + OVERLAP_TERMS]
        params: list[int] = []
        for start, end in part:
            params += [end, start]
        yield " OR ".join(f'({table}start < ? AND {table}"end" > ?)' for _ in part), params


def _span_from_row(row: sqlite3.Row) -> Span:
    return Span(
        id=row["id"],
        doc_id=row["doc_id"],
        start=row["start"],
        end=row["end"],
        label=row["label"],
        state=row["state"],
        origin=row["origin"],
        confidence=row["confidence"],
        author=row["author"],
        model_version=row["model_version"],
    )


class Project(UndoMixin):
    """An open project file. Use :meth:`create` or :meth:`open`; close it when done."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self._conn = conn
        self.path = Path(path)
        self._lock = threading.RLock()
        self._depth = 0  # nesting of transaction()
        self._bulk = 0  # nesting of bulk()
        self._grp: int | None = None  # change group of the running transaction
        self._labels: list[Label] | None = None
        self._meta: dict[str, str | None] = {}  # settings read so far (_get_meta)
        self._undo: list[int] | None = None
        self._lengths: dict[int, int] = {}  # document id -> length(text) (see _length)
        self._redo: list[int] | None = None
        self.db = sqlite_utils.Database(conn)
        self.readonly = False
        self._writer_lock: ProjectLock | None = None  # held while open for writing (lock.py)

    # ----------------------------------------------------------------- lifecycle
    @classmethod
    def create(
        cls,
        path: str | Path,
        annotator: str | None = None,
        labels: Iterable[dict[str, Any]] | None = None,
    ) -> "Project":
        lock = ProjectLock.acquire(Path(path))
        try:
            conn = dbmod.connect(Path(path), create=True)
            lock.take_identity(path)  # the file exists now: lock it under every name it may get
        except BaseException:
            lock.release()
            raise
        project = cls(conn, Path(path))
        project._writer_lock = lock
        if labels is None:
            labels = default_labels()
        with project.transaction():
            project._set_meta("annotator", annotator or DEFAULT_ANNOTATOR)
            project._set_meta("allow_overlap", "0")
            project._set_meta("created_at", now())
            for label in labels:
                project.add_label(
                    label["name"], label.get("color"), label.get("hotkey"), label.get("description", "")
                )
        return project

    @classmethod
    def open(cls, path: str | Path, readonly: bool = False) -> "Project":
        """Open a project. ``readonly`` connections are for helper processes that only read
        while this program's one writer connection stays open elsewhere."""
        path = Path(path)
        from .backup import finish_interrupted_restore, intent_path

        if intent_path(path).exists() and not readonly:  # a restore was killed half-way: finish it
            with_lock = ProjectLock.acquire(path)
            try:
                finish_interrupted_restore(path)
            finally:
                with_lock.release()
        # A second writer, in this program or another, is refused here (ProjectInUseError).
        lock = None if readonly or not path.is_file() else ProjectLock.acquire(path)
        try:
            project = cls(dbmod.connect(path, readonly=readonly), path)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        project.readonly = readonly
        project._writer_lock = lock
        return project

    def change_stamp(self) -> tuple[int, int]:
        """Changes to the file so far: rows this connection wrote (any table, any caller)
        and SQLite's count of commits by other connections. Two equal stamps mean nothing
        was written in between, so what was read then is still what the file holds."""
        with self._lock:
            return self._conn.total_changes, self._conn.execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            if self._writer_lock is not None:
                self._writer_lock.release()
                self._writer_lock = None

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    # ----------------------------------------------------------- transactions
    @contextmanager
    def transaction(self, savepoint: bool = True, group: int | None = None) -> Iterator[None]:
        """One logical change, committed when the outermost block ends.

        Inside another transaction this is a savepoint, unless ``savepoint`` is False (for
        small steps that the caller's own savepoint already covers). ``group``: log into
        that change group (:meth:`change_group` of an earlier transaction), so that one
        Undo takes back both: the window's propagation after a label (gui/deferred_propagation.py).
        """
        with self._lock:
            if group is not None and self._depth:
                raise ValueError("only an outermost transaction can join a change group")
            if self._depth and not savepoint:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            if self._depth:
                # A nested transaction is a savepoint: if it fails, only its own work is undone.
                name = f"sp{self._depth}"
                self._conn.execute(f"SAVEPOINT {name}")
                self._depth += 1
                try:
                    yield
                except BaseException:
                    # A full disk or an I/O error rolls the whole transaction back by itself:
                    # then there is no savepoint left to return to.
                    if self._conn.in_transaction:
                        self._conn.execute(f"ROLLBACK TO {name}")
                    self._forget_reads()
                    raise
                finally:
                    self._depth -= 1
                    if self._conn.in_transaction:
                        self._conn.execute(f"RELEASE {name}")
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            self._grp = group
            try:
                yield
                self._conn.execute("COMMIT")
            except BaseException as e:
                if self._conn.in_transaction:  # SQLite may have rolled back already (disk full)
                    self._conn.execute("ROLLBACK")
                self._forget_reads()
                self._undo = self._redo = None
                storage = _storage_error(e, self.path)
                if storage is not None:  # disk full, read-only, damaged: a clear message
                    raise storage from e
                raise
            finally:
                self._depth = 0
                self._grp = None

    def _forget_reads(self) -> None:
        """A rollback: what was read inside it may not stand (a rolled-back document's id
        is given again, to another text)."""
        self._labels = None
        self._meta = {}
        self._lengths = {}

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Relax fsync while a bulk job runs: each transaction still commits whole, and a
        killed process loses nothing committed; only a power cut could lose the last ones."""
        with self._lock:
            self._bulk += 1
            if self._bulk == 1:
                self._conn.execute("PRAGMA synchronous = NORMAL")
                # Copy the WAL into the file every BULK_CHECKPOINT_PAGES instead of every
                # 1,000 pages: pages written again and again (indexes, the tree above the
                # rows) are copied once, with fewer fsyncs. What is committed is as safe in
                # the WAL as in the file; the WAL grows to ~32 MB (4 KB pages) between copies.
                self._conn.execute(f"PRAGMA wal_autocheckpoint = {BULK_CHECKPOINT_PAGES}")
        try:
            yield
        finally:
            with self._lock:
                self._bulk -= 1
                if self._bulk == 0:
                    self._conn.execute("PRAGMA synchronous = FULL")
                    self._conn.execute("PRAGMA wal_autocheckpoint = 1000")  # SQLite's default
                    self.checkpoint()

    def checkpoint(self) -> None:
        """Move what the WAL holds into the project file itself (readers alongside are not
        waited for), so the file alone is the project: copied or mailed while the window is
        open, it is not the empty shell a WAL-only project would be."""
        if self.readonly:
            return
        with self._lock:
            try:
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.DatabaseError:
                pass  # busy or full: the WAL keeps it, nothing is lost; the next one catches up

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._conn.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # ------------------------------------------------------------ change log
    def change_group(self) -> int:
        """The change group of the running transaction (see :meth:`transaction`)."""
        if not self._depth:
            raise ValueError("no transaction is running")
        return self._group()

    def _group(self) -> int:
        if self._grp is None:
            row = self._conn.execute("SELECT COALESCE(MAX(grp), 0) + 1 FROM changes").fetchone()
            self._grp = row[0]
        return self._grp

    def _log(
        self,
        action: str,
        doc_id: int | None = None,
        span_id: int | None = None,
        before: Any = None,
        after: Any = None,
        author: str | None = None,
        undo_of: int | None = None,
        redo_of: int | None = None,
    ) -> None:
        grp = self._group()
        self._conn.execute(
            "INSERT INTO changes (grp, at, author, action, doc_id, span_id, before, after, undo_of, redo_of)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                grp,
                now(),
                author or self.annotator,
                action,
                doc_id,
                span_id,
                None if before is None else json.dumps(before, ensure_ascii=False),
                None if after is None else json.dumps(after, ensure_ascii=False),
                undo_of,
                redo_of,
            ),
        )
        if action in UNDOABLE and undo_of is None and redo_of is None and self._undo is not None:
            if not self._undo or self._undo[-1] != grp:
                self._undo.append(grp)
            self._redo = []

    def history(self, doc_id: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
        where, params = ("WHERE doc_id = ?", [doc_id]) if doc_id is not None else ("", [])
        rows = self.query(f"SELECT * FROM changes {where} ORDER BY id DESC LIMIT ?", [*params, limit])
        out = []
        for r in rows:
            d = dict(r)
            d["before"] = json.loads(d["before"]) if d["before"] else None
            d["after"] = json.loads(d["after"]) if d["after"] else None
            out.append(d)
        return out

    # ------------------------------------------------------------- settings
    def _get_meta(self, key: str, default: str | None = None) -> str | None:
        # Read once: the annotator and the overlap setting were read for every imported
        # document. Only this connection writes (one writer per file); a rollback forgets.
        if key not in self._meta or self.readonly:  # a reader beside a writer reads afresh
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            self._meta[key] = row[0] if row else None
        value = self._meta[key]
        return default if value is None else value

    def _set_meta(self, key: str, value: str) -> None:
        self._conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
        self._meta[key] = value

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        with self._lock:
            return self._get_meta(key, default)

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            before = self._get_meta(key)
            self._set_meta(key, value)
            self._log("setting", before={key: before}, after={key: value})

    @property
    def annotator(self) -> str:
        return self.get_setting("annotator", DEFAULT_ANNOTATOR) or DEFAULT_ANNOTATOR

    @annotator.setter
    def annotator(self, name: str) -> None:
        if not name.strip():
            raise ValueError("the annotator name cannot be empty")
        self.set_setting("annotator", name.strip())
        self._undo = self._redo = None  # the undo history is per annotator

    @property
    def allow_overlap(self) -> bool:
        return self.get_setting("allow_overlap", "0") == "1"

    @allow_overlap.setter
    def allow_overlap(self, value: bool) -> None:
        self.set_setting("allow_overlap", "1" if value else "0")

    # ---------------------------------------------------------------- labels
    def labels(self) -> list[Label]:
        with self._lock:
            if self._labels is None:
                rows = self._conn.execute("SELECT * FROM labels ORDER BY position, id").fetchall()
                self._labels = [
                    Label(r["id"], _text(r["name"], "label", r["id"], "name"),
                          _text(r["color"], "label", r["id"], "colour"),
                          None if r["hotkey"] is None else _text(r["hotkey"], "label", r["id"], "hotkey"),
                          _text(r["description"], "label", r["id"], "description"), r["position"])
                    for r in rows
                ]
            return list(self._labels)

    def label(self, name: str) -> Label:
        for label in self.labels():
            if label.name == name:
                return label
        raise LabelError(f"no label named {name!r}")

    def has_label(self, name: str) -> bool:
        return any(label.name == name for label in self.labels())

    def _label_id(self, name: str) -> int:
        return self.label(name).id

    def add_label(
        self,
        name: str,
        color: str | None = None,
        hotkey: str | None = None,
        description: str = "",
    ) -> Label:
        name = self._new_label_name(name)
        hotkey = hotkey or None
        self._check_hotkey(hotkey, None)
        with self.transaction():
            position = self._conn.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM labels").fetchone()[0]
            used = {r[0].lower() for r in self._conn.execute("SELECT color FROM labels")}
            color = color or _auto_color(position, used)
            cur = self._conn.execute(
                "INSERT INTO labels (name, color, hotkey, description, position) VALUES (?, ?, ?, ?, ?)",
                (name, color, hotkey, description, position),
            )
            after = {"id": cur.lastrowid, "name": name, "color": color, "hotkey": hotkey, "description": description}
            self._log("label.create", after=after)
            self._labels = None
        return self.label(name)

    def _new_label_name(self, name: str) -> str:
        """A valid, unused label name (labels become tags like B-NAME: one word)."""
        name = name.strip()
        if not name or any(ch.isspace() for ch in name):
            raise LabelError(f"label name {name!r} must be one word without spaces")
        if self.has_label(name):
            raise LabelError(f"label {name} already exists")
        return name

    def _check_hotkey(self, hotkey: str | None, owner: str | None) -> None:
        if hotkey is None:
            return
        for label in self.labels():
            if label.hotkey == hotkey and label.name != owner:
                raise LabelError(f"hotkey {hotkey!r} is already used by {label.name}")

    def update_label(
        self,
        name: str,
        *,
        new_name: str | None = None,
        color: str | None = None,
        hotkey: str | None = None,
        clear_hotkey: bool = False,
        description: str | None = None,
    ) -> Label:
        """Change a label. Renaming keeps every span (spans refer to the label by id)."""
        old = self.label(name)
        values: dict[str, Any] = {}
        if new_name is not None and new_name != name:
            values["name"] = self._new_label_name(new_name)
        if color is not None:
            values["color"] = color
        if clear_hotkey:
            values["hotkey"] = None
        elif hotkey is not None:
            self._check_hotkey(hotkey, name)
            values["hotkey"] = hotkey
        if description is not None:
            values["description"] = description
        if not values:
            return old
        with self.transaction():
            sets = ", ".join(f"{k} = ?" for k in values)
            self._conn.execute(f"UPDATE labels SET {sets} WHERE id = ?", [*values.values(), old.id])
            before = {k: getattr(old, k) for k in values}
            self._log("label.update", before={"id": old.id, **before}, after={"id": old.id, **values})
            self._labels = None
        return self.label(values.get("name", name))

    def remove_label(self, name: str, force: bool = False) -> int:
        """Remove a label. Refused while spans use it unless ``force`` (then they go too).

        Returns how many spans were removed.
        """
        label = self.label(name)
        with self.transaction():
            used = self._conn.execute("SELECT COUNT(*) FROM spans WHERE label_id = ?", (label.id,)).fetchone()[0]
            if used and not force:
                raise LabelError(f"label {name} is used by {used} spans; remove them too with --force")
            if used:
                for row in self._conn.execute(
                    f"SELECT {_SPAN_COLUMNS} FROM spans s JOIN labels l ON l.id = s.label_id WHERE s.label_id = ?",
                    (label.id,),
                ).fetchall():
                    self._log("span.delete", row["doc_id"], row["id"], before=self._span_json(row["id"]))
                self._conn.execute("DELETE FROM spans WHERE label_id = ?", (label.id,))
            self._conn.execute("DELETE FROM labels WHERE id = ?", (label.id,))
            self._log("label.delete", before={"id": label.id, "name": label.name, "color": label.color,
                                              "hotkey": label.hotkey, "description": label.description})
            self._labels = None
        return used

    # ------------------------------------------------------------- documents
    def add_document(
        self,
        doc: DocumentData,
        status: str = NEW,
        span_state: str = SUGGESTED,
        author: str | None = None,
        action: str = "doc.import",
    ) -> int | None:
        """Insert a document and its spans; None if the same text is already in the project.

        Labels must exist (the importer decides about unknown ones before calling this).
        Runs inside the caller's transaction when there is one.
        """
        if status not in DOC_STATUSES:
            raise ValueError(f"unknown status {status}")
        h = content_hash(doc.text)
        with self.transaction(savepoint=False):
            if self._conn.execute("SELECT 1 FROM documents WHERE content_hash = ?", (h,)).fetchone():
                return None
            meta = dict(doc.meta)
            title = str(meta.pop("title", "") or "")
            date = meta.pop("date", None)
            url = meta.pop("url", None)
            t = now()
            cur = self._conn.execute(
                "INSERT INTO documents (text, content_hash, title, date, url, meta, source, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (doc.text, h, title, date, url, json.dumps(meta, ensure_ascii=False), doc.source or None, t),
            )
            doc_id = cur.lastrowid
            assert doc_id is not None
            self._conn.execute("INSERT INTO document_status (doc_id, status, updated_at) VALUES (?, ?, ?)",
                               (doc_id, status, t))
            added = self._insert_spans(doc_id, doc.spans, span_state, author, None, t)
            self._log(action, doc_id, after={"source": doc.source, "spans": added}, author=author)
        return doc_id

    def _insert_spans(
        self,
        doc_id: int,
        spans: Iterable[SpanData],
        state: str | None,
        author: str | None,
        model_version: str | None,
        t: str,
    ) -> list[list[Any]]:
        """Bulk insert; returns [id, start, end, label] of each for the log."""
        spans = list(spans)
        if not spans:
            return []
        ids = {label.name: label.id for label in self.labels()}
        size = self._length(doc_id)
        rows = []
        for s in spans:
            if not (0 <= s.start < s.end <= size):
                raise SpanError(f"span {s.start}-{s.end} is outside the text (0-{size})")
            rows.append((doc_id, s.start, s.end, ids[s.label], state or s.state,
                         s.origin if s.origin in SPAN_ORIGINS else "import", s.confidence, s.author or author,
                         model_version, t, t))
        first = insert_spans(self._conn, rows)
        return [[first + i, s.start, s.end, s.label] for i, s in enumerate(spans)]

    def document(self, doc_id: int) -> Document:
        with self._lock:
            r = self._conn.execute(f"SELECT d.*, {_STATUS} FROM documents d LEFT JOIN document_status s"
                                   " ON s.doc_id = d.id WHERE d.id = ?", (doc_id,)).fetchone()
        if r is None:
            raise KeyError(f"no document {doc_id}")
        text = _text(r["text"], "document", doc_id, "text")
        if "\x00" not in text:  # then len() is SQLite's length(): the first edit need not read the text again
            self._lengths.setdefault(doc_id, len(text))
        return Document(
            id=r["id"],
            text=text,
            title=_text(r["title"], "document", doc_id, "title"),
            date=r["date"],
            url=r["url"],
            meta=_meta(r["meta"], doc_id),
            status=r["status"],
            content_hash=r["content_hash"],
            source=r["source"],
        )

    def document_count(self, status: str | None = None) -> int:
        if status is None:
            return self.query("SELECT COUNT(*) FROM documents")[0][0]
        return self.query("SELECT COUNT(*) FROM document_status WHERE status = ?", (status,))[0][0]

    def document_ids(self, statuses: Sequence[str] | None = None) -> list[int]:
        if statuses is None:
            return [r[0] for r in self.query("SELECT id FROM documents ORDER BY id")]
        marks = ",".join("?" * len(statuses))
        return [r[0] for r in self.query(
            f"SELECT doc_id FROM document_status WHERE status IN ({marks}) ORDER BY doc_id", statuses)]

    def set_status(self, doc_id: int, status: str) -> None:
        if status not in DOC_STATUSES:
            raise ValueError(f"unknown status {status}")
        with self.transaction():
            before = self._doc_status(doc_id)
            if before == status:
                return
            self._write_status(doc_id, status)
            self._log("doc.status", doc_id, before=before, after=status)

    def document_status(self, doc_id: int) -> str:
        with self._lock:
            return self._doc_status(doc_id)

    def _doc_status(self, doc_id: int) -> str:
        row = self._conn.execute(f"SELECT {_STATUS} FROM documents d LEFT JOIN document_status s ON s.doc_id = d.id"
                                 " WHERE d.id = ?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(f"no document {doc_id}")
        return row[0]

    def _touch(self, doc_id: int) -> None:
        """A person edited this document: a new one becomes in progress."""
        if self._doc_status(doc_id) == NEW:
            self._write_status(doc_id, "in_progress")
            self._log("doc.status", doc_id, before=NEW, after="in_progress")

    def _write_status(self, doc_id: int, status: str) -> None:
        # An upsert: a document whose status row is missing (a damaged or hand-made file;
        # `annotator check` reports it) reads as new, and gets its row here.
        self._conn.execute(
            "INSERT INTO document_status (doc_id, status, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (doc_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at",
            (doc_id, status, now()))

    def next_document(self, after_id: int | None, statuses: Sequence[str] = (NEW, "in_progress")) -> int | None:
        """The next document (by id, wrapping around) whose status is one of ``statuses``."""
        marks = ",".join("?" * len(statuses))
        start = after_id or 0
        row = self.query(f"SELECT doc_id FROM document_status WHERE doc_id > ? AND status IN ({marks})"
                         " ORDER BY doc_id LIMIT 1",
                         (start, *statuses))
        if not row:
            row = self.query(f"SELECT doc_id FROM document_status WHERE doc_id <= ? AND status IN ({marks})"
                             " ORDER BY doc_id LIMIT 1",
                             (start, *statuses))
        return row[0][0] if row else None

    # ----------------------------------------------------------------- spans
    def spans(self, doc_id: int, states: Sequence[str] | None = None) -> list[Span]:
        sql = f"SELECT {_SPAN_COLUMNS} FROM spans s JOIN labels l ON l.id = s.label_id WHERE s.doc_id = ?"
        params: list[Any] = [doc_id]
        if states is not None:
            sql += f" AND s.state IN ({','.join('?' * len(states))})"
            params.extend(states)
        sql += " ORDER BY s.start, s.\"end\", s.id"
        return [_span_from_row(r) for r in self.query(sql, params)]

    def spans_overlapping(self, doc_id: int, ranges: Sequence[tuple[int, int]]) -> list[Span]:
        """A document's spans that share a character with any of ``ranges`` ([start, end)),
        sorted as :meth:`spans` sorts them: what an edit of those places can have changed,
        read without reading the whole document's spans."""
        found: dict[int, Span] = {}
        for where, params in _overlap_terms(ranges):
            for r in self.query(f"SELECT {_SPAN_COLUMNS} FROM spans s JOIN labels l ON l.id = s.label_id"
                                f" WHERE s.doc_id = ? AND ({where})", [doc_id, *params]):
                span = _span_from_row(r)
                found[span.id] = span
        return sorted(found.values(), key=lambda s: (s.start, s.end, s.id))

    def span_data(self, doc_id: int, states: Sequence[str]) -> list[SpanData]:
        """A document's spans in the given states as plain SpanData, sorted: the lean read
        that exports use (no join; label names from the cached label list)."""
        names = {label.id: label.name for label in self.labels()}
        rows = self.query(
            f'SELECT start, "end", label_id, state, origin, confidence, author, provenance FROM spans'
            f" WHERE doc_id = ? AND state IN ({','.join('?' * len(states))}) ORDER BY start, \"end\", id",
            (doc_id, *states),
        )
        return [SpanData(r[0], r[1], names[r[2]], r[3], r[4], r[5], r[6], r[7]) for r in rows]

    def span(self, span_id: int) -> Span:
        rows = self.query(
            f"SELECT {_SPAN_COLUMNS} FROM spans s JOIN labels l ON l.id = s.label_id WHERE s.id = ?", (span_id,)
        )
        if not rows:
            raise SpanError(f"no span {span_id}")
        return _span_from_row(rows[0])

    def _span_json(self, span_id: int) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT * FROM spans WHERE id = ?", (span_id,)).fetchone()
        return dict(row) if row else None

    def _length(self, doc_id: int) -> int:
        """A document's length in code points, as SQLite counts it. Kept: a text never
        changes and no document is deleted, and ``length()`` reads the whole text (tens
        of pages for a long article) at every edit otherwise."""
        size = self._lengths.get(doc_id)
        if size is None:
            row = self._conn.execute("SELECT length(text) FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                raise SpanError(f"no document {doc_id}")
            size = self._lengths[doc_id] = row[0]
        return size

    def _check_range(self, doc_id: int, start: int, end: int) -> None:
        size = self._length(doc_id)
        if not (0 <= start < end <= size):
            raise SpanError(f"span {start}-{end} is outside the text (0-{size})")

    def _resolve_overlaps(self, doc_id: int, start: int, end: int, exclude: int | None) -> None:
        """Refuse an overlap with a confirmed span; reject overlapped suggestions (they lose)."""
        rows = self._conn.execute(
            f"SELECT s.id, s.state, s.start, s.\"end\", l.name FROM spans s JOIN labels l ON l.id = s.label_id"
            f" WHERE s.doc_id = ? AND s.start < ? AND s.\"end\" > ? AND s.state != 'rejected' AND s.id != ?",
            (doc_id, end, start, exclude or -1),
        ).fetchall()
        confirmed = [r for r in rows if r["state"] in CONFIRMED_STATES]
        if confirmed and not self.allow_overlap:
            r = confirmed[0]
            raise OverlapError(
                f"overlaps {r['name']} at {r['start']}-{r['end']}; remove it first or allow overlapping spans"
            )
        for r in rows:
            if r["state"] == SUGGESTED:
                self._update_span_row(r["id"], {"state": REJECTED})

    def _update_span_row(self, span_id: int, values: dict[str, Any]) -> None:
        before = self._span_json(span_id)
        if before is None:
            raise SpanError(f"no span {span_id}")
        values = {**values, "updated_at": now(), "author": self.annotator}
        sets = ", ".join(f'"{k}" = ?' for k in values)
        self._conn.execute(f"UPDATE spans SET {sets} WHERE id = ?", [*values.values(), span_id])
        self._log("span.update", before["doc_id"], span_id, before=before, after=self._span_json(span_id))

    def add_span(
        self,
        doc_id: int,
        start: int,
        end: int,
        label: str,
        state: str = MANUAL,
        origin: str = "human",
        confidence: float | None = None,
    ) -> Span:
        """A person makes a span (state manual). Overlapped suggestions are rejected."""
        if state not in SPAN_STATES:
            raise SpanError(f"unknown state {state}")
        label_id = self._label_id(label)
        with self.transaction():
            self._check_range(doc_id, start, end)
            if state != SUGGESTED and state != REJECTED:
                self._resolve_overlaps(doc_id, start, end, None)
            t = now()
            cur = self._conn.execute(
                "INSERT INTO spans (doc_id, start, \"end\", label_id, state, origin, confidence, author,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc_id, start, end, label_id, state, origin, confidence, self.annotator, t, t),
            )
            span_id = cur.lastrowid
            self._log("span.create", doc_id, span_id, after=self._span_json(span_id))
            self._touch(doc_id)
        return self.span(span_id)

    def update_span(
        self,
        span_id: int,
        *,
        start: int | None = None,
        end: int | None = None,
        label: str | None = None,
    ) -> Span:
        """Move or relabel a span. A suggestion or accepted span that a person changes becomes 'edited'."""
        with self.transaction():
            old = self.span(span_id)
            start = old.start if start is None else start
            end = old.end if end is None else end
            values: dict[str, Any] = {}
            if (start, end) != (old.start, old.end):
                self._check_range(old.doc_id, start, end)
                values.update(start=start, end=end)
            if label is not None and label != old.label:
                values["label_id"] = self._label_id(label)
            if not values:
                return old
            if old.state != REJECTED:
                self._resolve_overlaps(old.doc_id, start, end, span_id)
            if old.state in (SUGGESTED, ACCEPTED, REJECTED):
                values["state"] = EDITED
            self._update_span_row(span_id, values)
            self._touch(old.doc_id)
        return self.span(span_id)

    def set_span_state(self, span_id: int, state: str) -> Span:
        """Accept or reject (or reopen) a span."""
        if state not in SPAN_STATES:
            raise SpanError(f"unknown state {state}")
        with self.transaction():
            old = self.span(span_id)
            if old.state == state:
                return old
            if state in CONFIRMED_STATES and old.state not in CONFIRMED_STATES:
                self._resolve_overlaps(old.doc_id, old.start, old.end, span_id)
            self._update_span_row(span_id, {"state": state})
            self._touch(old.doc_id)
        return self.span(span_id)

    def accept(self, span_id: int) -> Span:
        span = self.span(span_id)
        return span if span.state in CONFIRMED_STATES else self.set_span_state(span_id, ACCEPTED)

    def reject(self, span_id: int) -> Span:
        return self.set_span_state(span_id, REJECTED)

    def delete_span(self, span_id: int) -> None:
        with self.transaction():
            before = self._span_json(span_id)
            if before is None:
                raise SpanError(f"no span {span_id}")
            self._conn.execute("DELETE FROM spans WHERE id = ?", (span_id,))
            self._log("span.delete", before["doc_id"], span_id, before=before)
            self._touch(before["doc_id"])

    def accept_all(self, doc_id: int) -> int:
        """Accept every open suggestion of a document, as one undoable step."""
        with self.transaction():
            ids = [r[0] for r in self._conn.execute(
                "SELECT id FROM spans WHERE doc_id = ? AND state = 'suggested' ORDER BY start", (doc_id,))]
            accepted = 0
            for span_id in ids:
                if self._span_json(span_id)["state"] != SUGGESTED:  # type: ignore[index]
                    continue  # rejected meanwhile by an overlapping accept
                self.set_span_state(span_id, ACCEPTED)
                accepted += 1
        return accepted

    def replace_suggestions(
        self,
        doc_id: int,
        suggestions: Iterable[SpanData],
        model_version: str,
        author: str = "preannotate",
    ) -> tuple[int, int]:
        """Swap a document's open suggestions for new ones. Returns (added, removed).

        Spans a person has touched are never changed: a new suggestion that overlaps any of
        them (including rejected ones) is dropped, so a rejection is not asked again. Open
        annotators' versions waiting for adjudication (store/team.py) count as such.
        """
        with self.transaction():
            rows = self._conn.execute(
                'SELECT id, start, "end", state, provenance FROM spans WHERE doc_id = ?', (doc_id,)
            ).fetchall()
            human = RangeSet((r["start"], r["end"]) for r in rows
                             if r["state"] in HUMAN_STATES or _team_version(r["provenance"]))
            old = [r["id"] for r in rows if r["state"] == SUGGESTED and not _team_version(r["provenance"])]
            if old:
                self._conn.execute(
                    f"DELETE FROM spans WHERE id IN ({','.join('?' * len(old))})", old
                )
            keep = [s for s in suggestions if not human.overlaps(s.start, s.end) and self.has_label(s.label)]
            added = self._insert_spans(doc_id, keep, SUGGESTED, author, model_version, now())
            self._log("doc.suggest", doc_id, before={"removed": old}, after={"model": model_version, "spans": added},
                      author=author)
        return len(added), len(old)

    def add_suggestions(
        self,
        doc_id: int,
        suggestions: Iterable[SpanData],
        model_version: str,
        replace: Sequence[int] = (),
        author: str = "propagate",
    ) -> list[int]:
        """Add suggestions beside the open ones (nlp/propagate.py). Returns the new ids.

        ``replace``: open suggestions to remove first (ids that are no longer open are
        left alone). A new suggestion overlapping a span a person touched, or an open
        suggestion that stays, is dropped, as in :meth:`replace_suggestions`.
        """
        suggestions = list(suggestions)
        with self.transaction():
            # Only the spans that can matter: those the new ones overlap and those to
            # replace (a long article holds hundreds; a propagation adds a few).
            columns = 'SELECT id, start, "end", state, provenance FROM spans WHERE doc_id = ?'
            if len(suggestions) + len(replace) <= OVERLAP_TERMS:
                either, params = [], []
                for where, overlap in _overlap_terms([(s.start, s.end) for s in suggestions], ""):
                    either.append(f"({where})")
                    params += overlap
                if replace:
                    either.append(f"id IN ({','.join('?' * len(replace))})")
                    params += replace
                rows = (self._conn.execute(f"{columns} AND ({' OR '.join(either)})", [doc_id, *params]).fetchall()
                        if either else [])
            else:
                rows = self._conn.execute(columns, (doc_id,)).fetchall()
            wanted = set(replace)
            removed = [r["id"] for r in rows if r["id"] in wanted and r["state"] == SUGGESTED
                       and not _team_version(r["provenance"])]
            gone = set(removed)
            taken = RangeSet((r["start"], r["end"]) for r in rows if r["id"] not in gone)
            removed_rows = self._span_rows(removed)  # whole, so that an undo can put them back
            if removed:
                self._conn.execute(f"DELETE FROM spans WHERE id IN ({','.join('?' * len(removed))})", removed)
            keep: list[SpanData] = []
            for s in suggestions:
                if self.has_label(s.label) and not taken.overlaps(s.start, s.end):
                    keep.append(s)
                    taken.add(s.start, s.end)
            added = self._insert_spans(doc_id, keep, SUGGESTED, author, model_version, now())
            if added or removed:
                self._log("doc.suggest", doc_id, before={"removed": removed, "rows": removed_rows},
                          after={"model": model_version, "spans": added}, author=author)
        return [a[0] for a in added]

    # ---------------------------------------------------------------- tokens
    def tokens(self, doc_id: int, text: str | None = None, cache: bool = True) -> list[tuple[int, int]]:
        """Word tokens of a document, cached in the file the first time they are needed
        (and again when the cached ones were made by another tokenizer)."""
        from annotator.nlp import tokenizer

        with self._lock:
            row = self._conn.execute("SELECT ends FROM tokens WHERE doc_id = ? AND tokenizer = ?",
                                     (doc_id, tokenizer.TOKENIZER)).fetchone()
        if row is not None:
            return token_cache.decode(row[0])
        if text is None:
            text = self.document(doc_id).text
        offsets = tokenizer.tokenize(text)
        if cache:
            self.store_tokens(doc_id, offsets)
        return offsets

    def store_tokens(self, doc_id: int, offsets: list[tuple[int, int]] | bytes) -> None:
        """Cache tokens made by this program's tokenizer (offsets, or their encoded blob)."""
        from annotator.nlp.tokenizer import TOKENIZER

        blob = offsets if isinstance(offsets, bytes) else token_cache.encode(offsets)
        with self.transaction():
            self._conn.execute(
                "INSERT OR REPLACE INTO tokens (doc_id, tokenizer, ends) VALUES (?, ?, ?)",
                (doc_id, TOKENIZER, blob),
            )


def _text(value: Any, kind: str, row_id: int, what: str) -> str:
    """A text column as this program writes it; anything else (a BLOB, a number) means the
    file was made or changed by something else."""
    if isinstance(value, str):
        return value
    raise ProjectDamagedError(
        f"{kind} {row_id}: its {what} is not text ({type(value).__name__}); this program never writes"
        " that. `annotator check PROJECT` lists what is wrong")


def _meta(value: Any, doc_id: int) -> dict[str, Any]:
    try:
        meta = json.loads(_text(value, "document", doc_id, "metadata"))
    except (ValueError, RecursionError) as e:
        raise ProjectDamagedError(f"document {doc_id}: its metadata is not readable JSON ({str(e)[:80]});"
                                  " `annotator check PROJECT` lists what is wrong") from None
    if not isinstance(meta, dict):
        raise ProjectDamagedError(f"document {doc_id}: its metadata is not a JSON object")
    return meta


def _team_version(provenance: str | None) -> bool:
    """Does this provenance name annotators (a version merged by store/team.py)?"""
    return bool(provenance) and "annotators" in json.loads(provenance)  # type: ignore[arg-type]


_PALETTE = ["#f4a6a6", "#9ecbf0", "#a8e0a0", "#f7d08a", "#f2b8e0", "#c5e99b", "#d7c4f2", "#f0c8a0",
            "#b3e5e0", "#e6e29a", "#c9d3dc", "#e3c6b8", "#d9d9d9"]


def _auto_color(position: int, used: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """The first palette colour no label has; past the palette, hues a golden angle apart
    (pale, like the palette), so a new label never takes another's colour."""
    for color in _PALETTE:
        if color not in used:
            return color
    import colorsys

    k = position
    while True:
        r, g, b = colorsys.hls_to_rgb((k * 0.618034) % 1.0, 0.78, 0.55)
        color = f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"
        if color not in used:
            return color
        k += 1


def default_labels() -> list[dict[str, Any]]:
    from annotator.paths import resource

    with open(resource("labels.json"), encoding="utf-8") as fh:
        return json.load(fh)


__all__ = ["OPEN_COUNT", "Project", "content_hash", "default_labels", "migrations"]
