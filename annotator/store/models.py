"""Models trained inside a project: the ``models`` table (schema v2).

Each row is one version: the python-crfsuite model file's bytes, when it was made, what
it started from (``scratch`` or ``bundled``), how much gold it learned from (documents,
tokens), its labels, its scores on held-out documents and the settings that rebuild its
features (JSON). The newest row is the one pre-annotation uses; its version name is
``project-crf-<id>``. Adding a model is one transaction, logged as ``model.create``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from annotator.core.errors import AnnotatorError

from .project import Project, now

VERSION_PREFIX = "project-crf-"
BUNDLED = "bundled"


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
    """Store a new model version; it becomes the one pre-annotation uses."""
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


def resolve(project: Project, which: str | int | None) -> ModelRecord | None:
    """``latest`` (or None), ``bundled``, or a model id -> the record (None: bundled)."""
    if which is None or which == "latest":
        return latest_model(project)
    if which == BUNDLED:
        return None
    try:
        model_id = int(str(which).removeprefix(VERSION_PREFIX))
    except ValueError:
        raise ModelError(f"--model {which!r}: give a model number, 'latest' or 'bundled'") from None
    return get_model(project, model_id)
