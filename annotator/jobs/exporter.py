"""Write a project's documents out as a gold dataset, optionally split train/dev/test.

Output is written under a temporary name beside the target and renamed into place, so a
reader never sees a half-written export under the final name. A manifest beside the output
gives counts per split and label, the warnings, and the project's schema version.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Sequence

from annotator import formats
from annotator.core.errors import AnnotatorError, Cancelled
from annotator.core.model import CONFIRMED_STATES, DONE, SUGGESTED, ExportDocument, SpanData
from annotator.core.processes import process_alive
from annotator.core.progress import ProgressFn, never_cancelled, no_progress
from annotator.nlp.tokenizer import split_at
from annotator.store.project import Project

SPLIT_NAMES = ("train", "dev", "test")
CONCATENABLE = ("conll", "jsonl", "hf", "doccano")  # files that are documents one after another
SPLITS_ITSELF = ("conll", "hf")  # token writers that split at span edges themselves
PARALLEL_MIN = 2000  # below this, starting worker processes costs more than it saves
CHUNK_DOCS = 500
EXTENSIONS = {"conll": ".conll", "jsonl": ".jsonl", "hf": ".jsonl", "doccano": ".jsonl", "thainer": ".txt"}


class ExportError(AnnotatorError):
    code = "E040"


@dataclass
class ExportReport:
    documents: dict[str, int] = field(default_factory=dict)
    spans: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    manifest: str = ""

    def summary(self) -> str:
        total = sum(self.documents.values())
        parts = ", ".join(f"{k} {v}" for k, v in self.documents.items())
        lines = [f"exported {total} documents ({parts}) to {', '.join(self.outputs)}"]
        lines.append(f"manifest: {self.manifest}")
        lines.extend(f"  warning: {w}" for w in self.warnings[:50])
        if len(self.warnings) > 50:
            lines.append(f"  … {len(self.warnings) - 50} more warnings in the manifest")
        return "\n".join(lines)


def parse_split(text: str) -> tuple[float, float, float]:
    """'80/10/10' -> (0.8, 0.1, 0.1)."""
    try:
        parts = [float(p) for p in text.split("/")]
    except ValueError:
        raise ExportError(f"--split {text!r}: expected three numbers like 80/10/10") from None
    if len(parts) != 3 or any(p < 0 for p in parts) or sum(parts) <= 0:
        raise ExportError(f"--split {text!r}: expected three non-negative numbers like 80/10/10")
    total = sum(parts)
    return parts[0] / total, parts[1] / total, parts[2] / total


def assign_splits(
    rows: Sequence[tuple[int, str]], ratios: tuple[float, float, float], seed: int
) -> dict[str, list[int]]:
    """Split document ids by a seeded hash of their text's hash: the same documents and seed
    always give the same split, whatever order or ids they have."""
    keyed = sorted(rows, key=lambda r: hashlib.sha1(f"{seed}:{r[1]}".encode()).hexdigest())
    n = len(keyed)
    n_train = round(n * ratios[0])
    n_dev = round(n * ratios[1])
    cut = {"train": keyed[:n_train], "dev": keyed[n_train : n_train + n_dev], "test": keyed[n_train + n_dev :]}
    return {name: sorted(doc_id for doc_id, _ in part) for name, part in cut.items()}


def run_export(
    project: Project,
    out: str | Path,
    fmt: str,
    status: str = "done",
    include_suggestions: bool = False,
    split: tuple[float, float, float] | None = None,
    seed: int = 0,
    scheme: str = "iob2",
    with_authors: bool = False,
    workers: int | None = None,
    progress: ProgressFn = no_progress,
    cancelled: Callable[[], bool] = never_cancelled,
) -> ExportReport:
    if fmt not in formats.WRITERS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(formats.WRITERS)}")
    if scheme not in ("iob2", "bioes"):
        raise ExportError(f"unknown tag scheme {scheme!r}; choose iob2 or bioes")
    if status not in ("done", "any"):
        raise ExportError(f"--status {status!r}: choose done or any")
    out = Path(out)
    writer = formats.get(fmt)
    where = "WHERE status = 'done'" if status == "done" else "WHERE status != 'skipped'"
    rows = [(r[0], r[1]) for r in project.query(f"SELECT id, content_hash FROM documents {where} ORDER BY id")]
    parts = assign_splits(rows, split, seed) if split else {"all": [r[0] for r in rows]}
    states = CONFIRMED_STATES + ((SUGGESTED,) if include_suggestions else ())
    options = formats.WriteOptions(scheme=scheme, labels=[l.name for l in project.labels()], with_authors=with_authors,
                                   annotator=project.annotator if with_authors else None)
    report = ExportReport()
    total = len(rows)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        progress(done, total, "exporting")

    progress(0, total, "exporting")
    is_dir = bool(split) or fmt == "brat"
    workers = workers or os.cpu_count() or 1
    with _staged(out, is_dir) as stage:
        for name, ids in parts.items():
            if split:
                target = stage / (name if fmt == "brat" else name + EXTENSIONS.get(fmt, ""))
            else:
                target = stage
            counter: Counter = Counter()
            if workers > 1 and fmt in CONCATENABLE and len(ids) >= PARALLEL_MIN:
                warnings = _write_parallel(project, fmt, ids, states, options, target, counter, tick,
                                           cancelled, workers)
            else:
                docs = _documents(project, ids, states, counter, tick, cancelled,
                                  split_tokens=fmt not in SPLITS_ITSELF)
                warnings = writer.write(docs, target, options) or []
            report.warnings.extend(warnings)
            report.documents[name] = len(ids)
            report.spans[name] = dict(sorted(counter.items()))
            report.outputs.append(str(out / target.relative_to(stage)) if split else str(out))
        manifest = {
            "format": fmt,
            "scheme": scheme if fmt in ("conll", "hf") else None,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "project": str(project.path),
            "schema_version": project.schema_version,
            "status": status,
            "include_suggestions": include_suggestions,
            "split": dict(zip(SPLIT_NAMES, split)) if split else None,
            "seed": seed if split else None,
            "labels": options.labels,
            "documents": report.documents,
            "spans": report.spans,
            "warnings": report.warnings,
        }
        manifest_path = (stage / "manifest.json") if is_dir else _manifest_beside(stage)
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    report.manifest = str(out / "manifest.json") if is_dir else str(_manifest_beside(out))
    return report


def _documents(
    project: Project,
    ids: Sequence[int],
    states: Sequence[str],
    counter: Counter,
    tick: Callable[[int], None],
    cancelled: Callable[[], bool],
    split_tokens: bool = True,
) -> Iterator[ExportDocument]:
    """The documents to write, with tokens split at every span edge (unless the writer
    does that itself: ``split_tokens`` False)."""
    for n, doc_id in enumerate(ids, 1):
        if cancelled():
            raise Cancelled("export cancelled; nothing was written")
        doc = project.document(doc_id)
        spans = project.span_data(doc_id, states)
        tokens = project.tokens(doc_id, doc.text, cache=not project.readonly)
        if split_tokens:
            tokens = split_at(tokens, {s.start for s in spans} | {s.end for s in spans})
        counter.update(s.label for s in spans)
        meta = {"title": doc.title, "date": doc.date, "url": doc.url, "source": doc.source, **doc.meta}
        meta = {k: v for k, v in meta.items() if v not in (None, "")}
        yield ExportDocument(doc_id, doc.text, meta, spans, tokens, doc.status)
        if n % 50 == 0:
            tick(50)
    tick(len(ids) % 50)


def _write_chunk(args: tuple) -> tuple[list[str], Counter]:
    """In a worker process: write one run of documents to its own part file."""
    path, fmt, ids, states, options, part = args
    counter: Counter = Counter()
    with Project.open(path, readonly=True) as project:
        docs = _documents(project, ids, states, counter, lambda n: None, lambda: False,
                          split_tokens=fmt not in SPLITS_ITSELF)
        warnings = formats.get(fmt).write(docs, part, options) or []
    return warnings, counter


def _write_parallel(project, fmt, ids, states, options, target: Path, counter, tick, cancelled, workers):
    """Render runs of documents in worker processes, then join the part files in order.

    Workers only read the project (read-only connections); this process stays the only
    writer. Only formats whose files are plain concatenations of documents come here.
    """
    import multiprocessing as mp

    parts_dir = Path(tempfile.mkdtemp(prefix=".parts-", dir=target.parent))
    chunks = [ids[i : i + CHUNK_DOCS] for i in range(0, len(ids), CHUNK_DOCS)]
    jobs = [(str(project.path), fmt, chunk, states, options, parts_dir / f"{k:06d}{target.suffix}")
            for k, chunk in enumerate(chunks)]
    warnings: list[str] = []
    try:
        with mp.get_context("spawn").Pool(min(workers, len(chunks))) as pool, _Joiner(fmt, target) as joiner:
            # Parts are appended as they arrive, while the workers render the next ones.
            for (chunk_warnings, chunk_counter), chunk, job in zip(pool.imap(_write_chunk, jobs), chunks, jobs):
                if cancelled():
                    pool.terminate()
                    raise Cancelled("export cancelled; nothing was written")
                joiner.append(job[-1])
                warnings.extend(chunk_warnings)
                counter.update(chunk_counter)
                tick(len(chunk))
    finally:
        shutil.rmtree(parts_dir, ignore_errors=True)
    return warnings


class _Joiner:
    """Appends part files to the target in order, as the format's own writer would."""

    def __init__(self, fmt: str, target: Path):
        self.fmt = fmt
        self.target = target
        self.label_lists: set[bytes] = set()
        self.ends_blank = True

    def __enter__(self) -> "_Joiner":
        self.out = open(self.target, "wb")
        return self

    def append(self, part: Path) -> None:
        size = part.stat().st_size
        if size:
            with open(part, "rb") as fh:
                if self.fmt == "conll" and not self.ends_blank:
                    self.out.write(b"\n")  # the blank line conll.write puts between documents
                shutil.copyfileobj(fh, self.out, 1 << 20)
                fh.seek(max(size - 2, 0))
                self.ends_blank = fh.read() == b"\n\n"
        if self.fmt == "hf":
            from annotator.formats.hf import labels_path

            self.label_lists.add(labels_path(part).read_bytes())
        part.unlink()

    def __exit__(self, exc_type, exc, tb) -> None:
        self.out.close()
        if exc_type is None and self.fmt == "hf":
            if len(self.label_lists) != 1:  # every part uses the project's label list
                raise ExportError("the parts of a Hugging Face export disagree on the label list")
            from annotator.formats.hf import labels_path

            labels_path(self.target).write_bytes(self.label_lists.pop())


def _manifest_beside(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


STAGE_MARKER = ".annotator-export-stage"  # inside every folder an export may remove later


class _staged:
    """Build the output under a temporary name, then move it (and its side files) into place."""

    def __init__(self, out: Path, is_dir: bool):
        self.out = out
        self.is_dir = is_dir
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            _remove_stale_stages(out)
            # The pid in the name tells a later export whether this stage's owner still runs.
            self.tmpdir = Path(tempfile.mkdtemp(prefix=f".{out.name}.{os.getpid()}-", dir=out.parent))
            (self.tmpdir / STAGE_MARKER).write_text(f"{os.getpid()}\n", encoding="ascii")
        except OSError as e:
            raise ExportError(f"cannot write the export {out}: {e.strerror or e}") from None

    def __enter__(self) -> Path:
        # For a folder export the stage is that folder; for a file, the file's name inside a folder.
        if self.is_dir:
            (self.tmpdir / "out").mkdir()
            return self.tmpdir / "out"
        return self.tmpdir / self.out.name

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                staged = self.tmpdir / "out" if self.is_dir else self.tmpdir / self.out.name
                if self.is_dir:
                    staged.mkdir(exist_ok=True)
                    _replace_dir(staged, self.out)
                else:
                    # side files (manifest, label list) first, the data file last
                    for side in sorted(self.tmpdir.iterdir()):
                        if side != staged and side.name != STAGE_MARKER:
                            os.replace(side, self.out.parent / side.name)
                    os.replace(staged, self.out)
        except OSError as e:
            raise ExportError(f"cannot write the export {self.out}: {e.strerror or e}") from e
        finally:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        if exc_type is not None and issubclass(exc_type, OSError):  # full disk, read-only folder …
            raise ExportError(f"cannot write the export {self.out}: {exc.strerror or exc}; nothing was"
                              " written under that name") from exc


def _remove_stale_stages(out: Path) -> None:
    """What an export killed before it finished left beside ``out``: its staging folder
    (``.NAME.PID-xxxx``) or the folder it was replacing (``.NAME.old-PID``), when that
    process is gone. Only folders that carry this program's marker are ever removed: a
    user's own folder that happens to be named alike (``.gold.2024-01-15``) is not."""
    prefix = f".{out.name}."
    for leftover in out.parent.glob(glob.escape(prefix) + "*"):
        rest = leftover.name[len(prefix):]
        pid = rest.removeprefix("old-") if rest.startswith("old-") else rest.split("-", 1)[0]
        if (leftover.is_dir() and not leftover.is_symlink() and pid.isdigit()
                and (leftover / STAGE_MARKER).is_file() and not process_alive(int(pid))):
            shutil.rmtree(leftover, ignore_errors=True)


def _replace_dir(new: Path, target: Path) -> None:
    old = None
    if target.exists():
        if not target.is_dir():
            raise ExportError(f"{target}: exists and is not a folder")
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        # Marked before it is renamed, so a later export may finish removing it if this one dies.
        (target / STAGE_MARKER).write_text(f"{os.getpid()}\n", encoding="ascii")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
