"""Several annotators in one project: their finished annotations merged as theirs, and the
adjudicator's decisions on where they disagree.

Part of the store: writes go through the project's one connection, inside its
transactions, and every change is logged.

* **Contribution.** An annotator's annotation of a document is the set of
  ``(start, end, label)`` of their confirmed spans once they marked it done (an empty set
  says "no entity here" and counts). The latest one of each annotator is kept in the
  project's ``meta`` table under ``team:<content hash>:<name>``; merging the same
  annotation again finds it there unchanged and changes nothing, in any order.
* **Version.** Each distinct ``(start, end, label)`` of a document's contributions is one
  span row (origin ``import``, author the annotator, or ``a+b`` for several) whose
  provenance names who has it: ``{"annotators": [...], "merged_as": STATE, "version":
  [start, end, label]}`` (the version stays with its row if a person edits it). When every
  annotator of the document has it, it is accepted (and ``"agreed_by"`` is added when they
  are two or more); otherwise it is a conflict, an open suggestion until adjudicated.
* **Decided rows keep their state.** A row a person has accepted, rejected, edited or
  adjudicated since the merge (its state is no longer ``merged_as``, or it has
  ``adjudicated_by``) is never changed by a later merge, only its list of annotators.
* A document with no open conflict left is done; one that gets a new conflict is in
  progress again. Open machine suggestions give way to the annotators' decisions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from annotator.core.model import (
    ACCEPTED,
    CONFIRMED_STATES,
    DONE,
    IN_PROGRESS,
    MERGE_ACTION,
    NEW,
    REJECTED,
    SUGGESTED,
    DocumentData,
)
from annotator.store.project import Project, content_hash, now

# MERGE_ACTION (core/model.py) logs one entry per annotation merged (not undoable), like
# "doc.import": its before and after hold the annotation, the span rows removed or changed
# (whole, as they were and became) and those added ([id, start, end, label, state]), and
# the status change.
_PREFIX = "team:"

Version = tuple[int, int, str]


@dataclass(frozen=True)
class TeamSpan:
    """A span row that holds annotators' versions (its provenance names them)."""

    id: int
    doc_id: int
    start: int
    end: int
    label: str
    state: str
    provenance: dict[str, Any]

    @property
    def annotators(self) -> tuple[str, ...]:
        return tuple(self.provenance.get("annotators", ()))

    @property
    def conflict(self) -> bool:
        """Was it a disagreement when merged (whatever has been decided since)?"""
        return self.provenance.get("merged_as") == SUGGESTED


def _key(doc_hash: str, annotator: str) -> str:
    return f"{_PREFIX}{doc_hash}:{annotator}"


def contributions(project: Project, doc_hash: str) -> dict[str, list[Version]]:
    """Each annotator's latest merged annotation of the document with this text hash."""
    low = f"{_PREFIX}{doc_hash}:"
    high = f"{_PREFIX}{doc_hash};"  # ";" follows ":": a range on the meta table's key index
    rows = project.query("SELECT key, value FROM meta WHERE key >= ? AND key < ? ORDER BY key", (low, high))
    return {r[0][len(low):]: [tuple(v) for v in json.loads(r[1])["spans"]] for r in rows}  # type: ignore[misc]


def document_annotators(project: Project, doc_id: int) -> list[str]:
    return sorted(contributions(project, project.document(doc_id).content_hash))


def merge_annotation(project: Project, doc: DocumentData, annotator: str) -> str:
    """Merge ``annotator``'s finished annotation of ``doc`` (its spans). The text is added
    when the project does not have it. Returns "added" (new document), "merged" or
    "unchanged" (this very annotation was merged before: nothing is written).

    Runs inside the caller's transaction when there is one. Labels must exist.
    """
    if not annotator.strip():
        raise ValueError("an annotation needs its annotator's name")
    versions = sorted({(s.start, s.end, s.label) for s in doc.spans})
    h = content_hash(doc.text)
    with project.transaction(savepoint=False):
        row = project.execute("SELECT id FROM documents WHERE content_hash = ?", (h,)).fetchone()
        added = row is None
        if added:
            doc_id = project.add_document(DocumentData(doc.text, dict(doc.meta), [], doc.source, doc.line))
            assert doc_id is not None
        else:
            doc_id = row[0]
        key = _key(h, annotator)
        stored = project.get_setting(key)
        before = json.loads(stored)["spans"] if stored else None
        if not added and before == [list(v) for v in versions]:
            return "unchanged"
        project._set_meta(key, json.dumps({"spans": versions, "source": doc.source, "at": now()},
                                          ensure_ascii=False))
        old_rows, new_rows = _rebuild(project, doc_id, h)
        project._log(MERGE_ACTION, doc_id, before={"annotator": annotator, "spans": before, **old_rows},
                     after={"annotator": annotator, "spans": versions, "source": doc.source, **new_rows})
    return "added" if added else "merged"


def _decided(state: str, provenance: dict[str, Any]) -> bool:
    """Has a person decided this row since the merge made it (or was it theirs to begin with)?"""
    return "adjudicated_by" in provenance or state != provenance.get("merged_as")


def _overlaps(start: int, end: int, ranges: Iterable[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in ranges)


def _rebuild(project: Project, doc_id: int, doc_hash: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Bring the document's span rows in line with its contributions. Returns what was
    there and what is there now, for the log."""
    contrib = contributions(project, doc_hash)
    names = sorted(contrib)
    votes: dict[Version, list[str]] = {}
    for name in names:
        for version in contrib[name]:
            votes.setdefault(version, []).append(name)
    label_ids = {label.name: label.id for label in project.labels()}
    rows = project.query(
        'SELECT s.id, s.start, s."end", l.name AS label, s.state, s.provenance FROM spans s'
        " JOIN labels l ON l.id = s.label_id WHERE s.doc_id = ? ORDER BY s.id", (doc_id,))
    was: dict[str, list] = {"removed": [], "changed": []}
    now_: dict[str, list] = {"added": [], "changed": []}

    def remove(span_id: int) -> None:
        was["removed"].append(project._span_json(span_id))
        project.execute("DELETE FROM spans WHERE id = ?", (span_id,))

    def change(span_id: int, values: dict[str, Any]) -> None:
        before = project._span_json(span_id)
        assert before is not None
        values = {k: v for k, v in values.items() if before.get(k) != v}
        if not values:
            return
        values["updated_at"] = now()
        sets = ", ".join(f'"{k}" = ?' for k in values)
        project.execute(f"UPDATE spans SET {sets} WHERE id = ?", [*values.values(), span_id])
        was["changed"].append(before)
        now_["changed"].append(project._span_json(span_id))

    existing: dict[Version, tuple[int, str, dict[str, Any]]] = {}
    kept = []
    for r in rows:
        provenance = json.loads(r["provenance"]) if r["provenance"] else {}
        team = "annotators" in provenance
        if r["state"] == SUGGESTED and not team:
            remove(r["id"])  # a machine suggestion: the annotators have decided
            continue
        # A version keeps its row even after a person moved its edges or relabelled it.
        key = tuple(provenance["version"]) if team and "version" in provenance else (r["start"], r["end"], r["label"])
        if (team or r["state"] in CONFIRMED_STATES) and (
                key not in existing or (team and "annotators" not in existing[key][2])):
            existing[key] = (r["id"], r["state"], provenance)  # type: ignore[index]
        kept.append((r["id"], r["start"], r["end"], r["state"], provenance))
    # Confirmed rows that stay as they are: a merged version may not be accepted over them.
    confirmed = [(s, e) for _id, s, e, state, prov in kept
                 if state in CONFIRMED_STATES and _decided(state, prov)]
    for version in sorted(votes):
        start, end, label = version
        who = votes[version]
        target = ACCEPTED if len(who) == len(names) and not _overlaps(start, end, confirmed) else SUGGESTED
        provenance = {"annotators": who, "merged_as": target, "version": list(version)}
        if target == ACCEPTED and len(names) > 1:
            provenance["agreed_by"] = who
        if target == ACCEPTED:
            confirmed.append((start, end))
        author = "+".join(who)
        found = existing.pop(version, None)
        if found is None:
            t = now()
            cur = project.execute(
                'INSERT INTO spans (doc_id, start, "end", label_id, state, origin, author, created_at,'
                " updated_at, provenance) VALUES (?, ?, ?, ?, ?, 'import', ?, ?, ?, ?)",
                (doc_id, start, end, label_ids[label], target, author, t, t, _dumps(provenance)))
            now_["added"].append([cur.lastrowid, start, end, label, target])
            continue
        span_id, state, old = found
        if _decided(state, old):
            change(span_id, {"provenance": _dumps({**old, "annotators": who, "version": list(version)})})
        else:
            rest = {k: v for k, v in old.items() if k not in ("annotators", "merged_as", "agreed_by", "version")}
            change(span_id, {"state": target, "author": author, "provenance": _dumps({**rest, **provenance})})
    for version, (span_id, state, old) in existing.items():
        if "annotators" not in old:
            continue  # a person's own span that no annotator has
        if _decided(state, old):
            change(span_id, {"provenance": _dumps({**old, "annotators": []})})
        else:
            remove(span_id)  # nobody has this version any more
    status = _settle_status(project, doc_id)
    if status:
        was["status"], now_["status"] = status
    return was, now_


def _settle_status(project: Project, doc_id: int) -> list[str] | None:
    """Done when no conflict is open; in progress again when one is. Returns [before, after]
    when it changed."""
    status = project.document_status(doc_id)
    open_ = open_versions(project, doc_id)
    wanted = status
    if open_ and status == DONE:
        wanted = IN_PROGRESS
    elif not open_ and status in (NEW, IN_PROGRESS):
        wanted = DONE
    if wanted == status:
        return None
    project._write_status(doc_id, wanted)
    return [status, wanted]


def _dumps(provenance: dict[str, Any]) -> str:
    return json.dumps(provenance, ensure_ascii=False, sort_keys=True)


# ------------------------------------------------------------------------ reading
def _team_spans(project: Project, where: str, params: Sequence[Any]) -> list[TeamSpan]:
    rows = project.query(
        'SELECT s.id, s.doc_id, s.start, s."end", l.name AS label, s.state, s.provenance FROM spans s'
        f" JOIN labels l ON l.id = s.label_id WHERE s.provenance IS NOT NULL AND {where}"
        ' ORDER BY s.doc_id, s.start, s."end", s.id', params)
    out = []
    for r in rows:
        provenance = json.loads(r["provenance"])
        if "annotators" in provenance:
            out.append(TeamSpan(r["id"], r["doc_id"], r["start"], r["end"], r["label"], r["state"], provenance))
    return out


def team_spans(project: Project, doc_id: int) -> list[TeamSpan]:
    """The document's rows that hold annotators' versions, in text order."""
    return _team_spans(project, "s.doc_id = ?", (doc_id,))


def open_versions(project: Project, doc_id: int) -> list[TeamSpan]:
    """Versions still waiting for a decision (open suggestions)."""
    return [s for s in team_spans(project, doc_id) if s.state == SUGGESTED]


def conflict_spans(project: Project, doc_id: int | None = None) -> list[TeamSpan]:
    """Every version that was a disagreement when merged, decided or not, in the project
    (or one document)."""
    where, params = "json_extract(s.provenance, '$.merged_as') = ?", [SUGGESTED]
    if doc_id is not None:
        where, params = "s.doc_id = ? AND " + where, [doc_id, SUGGESTED]
    return _team_spans(project, where, params)


# ------------------------------------------------------------------------ deciding
def decide(
    project: Project,
    doc_id: int,
    chosen: Sequence[int],
    rejected: Sequence[int],
    chosen_from: Sequence[str],
    alternatives: Sequence[dict[str, Any]],
) -> None:
    """The adjudicator takes one version: ``chosen`` rows become accepted gold, ``rejected``
    ones rejected, each noting who adjudicated and whose version won (the chosen ones also
    the alternatives). One undoable step; the document is done when no conflict is left."""
    with project.transaction():
        who = project.annotator
        for span_id, state in [(i, REJECTED) for i in rejected] + [(i, ACCEPTED) for i in chosen]:
            row = project._span_json(span_id)
            if row is None or row["doc_id"] != doc_id:
                raise ValueError(f"span {span_id} is not in document {doc_id}")
            provenance = json.loads(row["provenance"]) if row["provenance"] else {}
            provenance.update(adjudicated_by=who, chosen_from=list(chosen_from))
            if state == ACCEPTED:
                provenance["alternatives"] = list(alternatives)
                project._resolve_overlaps(doc_id, row["start"], row["end"], span_id)
            project._update_span_row(span_id, {"state": state, "provenance": _dumps(provenance)})
        if open_versions(project, doc_id):
            project._touch(doc_id)
        else:
            project.set_status(doc_id, DONE)


__all__ = [
    "MERGE_ACTION",
    "TeamSpan",
    "conflict_spans",
    "contributions",
    "decide",
    "document_annotators",
    "merge_annotation",
    "open_versions",
    "team_spans",
]
