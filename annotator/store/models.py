"""Models trained inside a project: the ``models`` table (schema v2).

Each row is one version: the python-crfsuite model file's bytes, when it was made, what
it started from (``scratch`` or ``bundled``), how much gold it learned from (documents,
tokens), its labels, its scores on held-out documents and the settings that rebuild its
features (JSON). Its version name is ``project-crf-<id>``. Adding a model is one
transaction, logged as ``model.create``.

Which model makes the suggestions is the project setting ``model.suggesting``: ``bundled``
or a model id (:func:`use_model`, logged as a setting change). Projects from before it
existed have none, and use their newest model, as they always did.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from annotator.core.errors import AnnotatorError

from .project import Project, now

VERSION_PREFIX = "project-crf-"
BUNDLED = "bundled"
SUGGESTING = "suggesting"  # resolve(): the model that makes the suggestions now
SUGGESTING_SETTING = "model.suggesting"
HASH_CHARS = 16  # of a training document's content hash, kept in the settings to tell it later


class ModelError(AnnotatorError):
    code = "E050"


@dataclass(frozen=True)
class ModelRecord:
    """A stored model, without its bytes."""

    id: int
    created_at: str
    kind: str
    base: str
    documents: int
    tokens: int
    labels: list[str]
    scores: dict[str, Any]
    settings: dict[str, Any] = field(repr=False)
    train_seconds: float | None
    size: int = 0

    @property
    def version(self) -> str:
        return f"{VERSION_PREFIX}{self.id}"

    @cached_property
    def _train_hashes(self) -> frozenset[str]:
        return frozenset(self.settings.get("train_hashes", ()))

    def trained_on(self, content_hash: str) -> bool:
        """Did this model learn from the document with this content hash?"""
        return content_hash[:HASH_CHARS] in self._train_hashes


_COLUMNS = "id, created_at, kind, base, documents, tokens, labels, scores, settings, train_seconds, length(data)"


def _record(row) -> ModelRecord:
    return ModelRecord(
        id=row[0],
        created_at=row[1],
        kind=row[2],
        base=row[3],
        documents=row[4],
        tokens=row[5],
        labels=json.loads(row[6]),
        scores=json.loads(row[7]),
        settings=json.loads(row[8]),
        train_seconds=row[9],
        size=row[10] or 0,
    )


def add_model(
    project: Project,
    data: bytes,
    *,
    base: str,
    documents: int,
    tokens: int,
    labels: list[str],
    scores: dict[str, Any],
    settings: dict[str, Any],
    train_seconds: float | None,
    kind: str = "crf",
) -> ModelRecord:
    """Store a new model version (:func:`use_model` makes it the one that suggests)."""
    if project.get_setting(SUGGESTING_SETTING) is None:
        # Until now the newest model suggested implicitly; keep that one, not this one.
        latest = latest_model(project)
        project.set_setting(SUGGESTING_SETTING, BUNDLED if latest is None else str(latest.id))
    with project.transaction():
        cur = project.execute(
            "INSERT INTO models (created_at, kind, base, data, documents, tokens, labels, scores, settings,"
            " train_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (now(), kind, base, data, documents, tokens, json.dumps(labels, ensure_ascii=False),
             json.dumps(scores, ensure_ascii=False), json.dumps(settings, ensure_ascii=False), train_seconds),
        )
        model_id = cur.lastrowid
        assert model_id is not None
        # The log names the version and its size, not the settings (they can be large).
        project._log("model.create", after={"id": model_id, "base": base, "documents": documents,
                                             "tokens": tokens, "labels": labels, "bytes": len(data)})
    return get_model(project, model_id)


def list_models(project: Project) -> list[ModelRecord]:
    """Every stored model, oldest first."""
    return [_record(r) for r in project.query(f"SELECT {_COLUMNS} FROM models ORDER BY id")]


def get_model(project: Project, model_id: int) -> ModelRecord:
    rows = project.query(f"SELECT {_COLUMNS} FROM models WHERE id = ?", (model_id,))
    if not rows:
        raise ModelError(f"no model {model_id} in {project.path.name}; `annotator models` lists them")
    return _record(rows[0])


def latest_model(project: Project) -> ModelRecord | None:
    """The newest model, or None while none has been trained."""
    rows = project.query(f"SELECT {_COLUMNS} FROM models ORDER BY id DESC LIMIT 1")
    return _record(rows[0]) if rows else None


def model_data(project: Project, model_id: int) -> bytes:
    rows = project.query("SELECT data FROM models WHERE id = ?", (model_id,))
    if not rows:
        raise ModelError(f"no model {model_id} in {project.path.name}")
    return bytes(rows[0][0])


def suggesting_model(project: Project) -> ModelRecord | None:
    """The model that makes the suggestions now (None: the bundled one)."""
    chosen = project.get_setting(SUGGESTING_SETTING)
    if chosen is None:  # a project from before the choice was kept: its newest model
        return latest_model(project)
    if chosen == BUNDLED:
        return None
    rows = project.query(f"SELECT {_COLUMNS} FROM models WHERE id = ?", (int(chosen),))
    return _record(rows[0]) if rows else None


def suggesting_version(project: Project) -> str:
    record = suggesting_model(project)
    return record.version if record is not None else BUNDLED


def use_model(project: Project, which: str | int) -> ModelRecord | None:
    """Make ``which`` (``bundled``, ``latest`` or a model id) the model that suggests."""
    record = resolve(project, which)
    project.set_setting(SUGGESTING_SETTING, BUNDLED if record is None else str(record.id))
    return record


def resolve(project: Project, which: str | int | None) -> ModelRecord | None:
    """``suggesting`` (or None), ``latest``, ``bundled``, or a model id -> the record
    (None: the bundled model)."""
    if which is None or which == SUGGESTING:
        return suggesting_model(project)
    if which == "latest":
        return latest_model(project)
    if which == BUNDLED:
        return None
    try:
        model_id = int(str(which).removeprefix(VERSION_PREFIX))
    except ValueError:
        raise ModelError(f"--model {which!r}: give a model number, 'latest', 'suggesting' or 'bundled'") from None
    return get_model(project, model_id)
