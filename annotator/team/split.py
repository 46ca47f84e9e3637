"""One project per annotator, from a project's documents.

A share of the documents (``overlap``) goes to everyone, so agreement can be measured on
it; the others are dealt out in turn, so each is annotated once. Which documents are
shared, and who gets which, follows a seeded hash of each text: the same documents and
seed always give the same split. Skipped documents stay behind.

Each new project has the source's labels (colours, hotkeys), its overlap setting, the
annotator's name, and each document's text, metadata, cached words and open machine
suggestions; decisions already made in the source are not copied, so each annotator
decides independently.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from annotator.core.errors import Cancelled
from annotator.core.model import NEW, SKIPPED, SUGGESTED, DocumentData
from annotator.nlp.tokenizer import TOKENIZER
from annotator.core.progress import ProgressFn, never_cancelled, no_progress
from annotator.store.project import WITH_STATUS, Project
from annotator.team import TeamError

_SAFE_NAME = re.compile(r"[^\s/\\:*?\"<>|]+")


def parse_overlap(text: str | float) -> float:
    """'20%', '20' or '0.2' -> 0.2."""
    raw = str(text).strip()
    try:
        value = float(raw.rstrip("%"))
    except ValueError:
        raise TeamError(f"--overlap {text!r}: expected a share like 20% or 0.2") from None
    if raw.endswith("%") or value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise TeamError(f"--overlap {text!r}: must be from 0% to 100%")
    return value


def parse_names(text: str | Sequence[str]) -> list[str]:
    """'a,b,c' -> ['a', 'b', 'c']; names become file names, so no spaces or slashes."""
    names = [n.strip() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    if not names:
        raise TeamError("name at least one annotator, e.g. --annotators somchai,malee")
    for name in names:
        if not _SAFE_NAME.fullmatch(name):
            raise TeamError(f"annotator name {name!r}: use one word without spaces or / \\ : * ? \" < > |")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise TeamError(f"annotator named twice: {', '.join(duplicates)}")
    return names


def plan(rows: Sequence[tuple[int, str]], names: Sequence[str], overlap: float, seed: int = 0
         ) -> tuple[dict[str, list[int]], list[int]]:
    """Who gets which documents. ``rows`` are (doc_id, content_hash). Returns each
    annotator's document ids and the shared ones (ids in ascending order)."""
    keyed = sorted(rows, key=lambda r: hashlib.sha1(f"{seed}:{r[1]}".encode()).hexdigest())
    n_shared = round(len(keyed) * overlap)
    shared = [doc_id for doc_id, _ in keyed[:n_shared]]
    parts: dict[str, list[int]] = {name: list(shared) for name in names}
    for k, (doc_id, _) in enumerate(keyed[n_shared:]):
        parts[names[k % len(names)]].append(doc_id)
    return {name: sorted(ids) for name, ids in parts.items()}, sorted(shared)


@dataclass
class SplitReport:
    outputs: dict[str, str] = field(default_factory=dict)
    documents: dict[str, int] = field(default_factory=dict)
    shared: int = 0
    total: int = 0

    def summary(self) -> str:
        lines = [f"split {self.total} documents between {len(self.outputs)} annotators;"
                 f" {self.shared} given to everyone"]
        lines += [f"  {name}: {self.documents[name]} documents -> {path}" for name, path in self.outputs.items()]
        return "\n".join(lines)


def run_split(
    project: Project,
    names: Sequence[str],
    overlap: float,
    out_dir: str | Path,
    seed: int = 0,
    suggestions: bool = True,
    progress: ProgressFn = no_progress,
    cancelled: Callable[[], bool] = never_cancelled,
) -> SplitReport:
    names = parse_names(names)
    out_dir = Path(out_dir)
    targets = {name: out_dir / f"{name}.annot" for name in names}
    setting = json.dumps({"from": str(project.path), "annotators": list(names), "overlap": overlap, "seed": seed})
    # A split killed while it renamed its files left some in place: those, untouched, are
    # made again; anything else already there is refused.
    taken = [str(p) for p in targets.values() if p.exists() and not _untouched_output(p, setting)]
    if taken:
        raise TeamError(f"already exists, choose another folder: {', '.join(taken)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = [(r[0], r[1]) for r in project.query(
        f"SELECT id, content_hash FROM {WITH_STATUS} WHERE status != ? ORDER BY id", (SKIPPED,))]
    parts, shared = plan(rows, names, overlap, seed)
    report = SplitReport(shared=len(shared), total=len(rows))
    labels = [{"name": l.name, "color": l.color, "hotkey": l.hotkey, "description": l.description}
              for l in project.labels()]
    total = sum(len(ids) for ids in parts.values())
    done = 0
    progress(0, total, "splitting")
    staged: list[Path] = []
    try:
        for name in names:
            part = targets[name].with_name(f".{name}.annot.part")
            for leftover in (part, Path(f"{part}-wal"), Path(f"{part}-shm")):
                leftover.unlink(missing_ok=True)
            staged.append(part)
            with Project.create(part, annotator=name, labels=labels) as out:
                if project.allow_overlap:
                    out.allow_overlap = True
                out.set_setting("team.split", setting)
                with out.bulk(), out.transaction():
                    for doc_id in parts[name]:
                        if cancelled():
                            raise Cancelled("split cancelled; nothing was written")
                        _copy(project, out, doc_id, suggestions)
                        done += 1
                        progress(done, total, name)
            report.documents[name] = len(parts[name])
        for name, part in zip(names, staged):
            os.replace(part, targets[name])
            report.outputs[name] = str(targets[name])
    except BaseException:
        for part in staged:
            for path in (part, Path(f"{part}-wal"), Path(f"{part}-shm")):
                path.unlink(missing_ok=True)
        raise
    return report


def _untouched_output(path: Path, setting: str) -> bool:
    """Is ``path`` this same split's output, as written and never worked on (no decision,
    no document begun, no review time)?"""
    try:
        with Project.open(path, readonly=True) as p:
            if p.get_setting("team.split") != setting:
                return False
            worked = p.query(
                "SELECT (SELECT COUNT(*) FROM spans WHERE state != 'suggested')"
                " + (SELECT COUNT(*) FROM document_status WHERE status != 'new')"
                " + (SELECT COUNT(*) FROM activity)")[0][0]
            return worked == 0
    except Exception:  # noqa: BLE001 - unreadable, locked, foreign: not ours to replace
        return False


def _copy(source: Project, out: Project, doc_id: int, suggestions: bool) -> None:
    doc = source.document(doc_id)
    meta = {"title": doc.title, "date": doc.date, "url": doc.url, **doc.meta}
    meta = {k: v for k, v in meta.items() if v not in (None, "")}
    spans = source.span_data(doc_id, (SUGGESTED,)) if suggestions else []
    new_id = out.add_document(DocumentData(doc.text, meta, spans, source=doc.source or ""), status=NEW)
    if new_id is None:
        return
    cached = source.query("SELECT ends FROM tokens WHERE doc_id = ? AND tokenizer = ?", (doc_id, TOKENIZER))
    if cached:
        out.store_tokens(new_id, bytes(cached[0][0]))


__all__ = ["SplitReport", "parse_names", "parse_overlap", "plan", "run_split"]
