"""Write a project's documents out as a gold dataset, optionally split train/dev/test.

Output is written under a temporary name beside the target and renamed into place, so a
reader never sees a half-written export under the final name. A manifest beside the output
gives, per split, the documents written (id and text hash) and the spans per label, counted
from what the writers wrote; the label and tag ids; the warnings and the errors (documents
that could not be written); the licence and attribution; the project's schema version. It
names no absolute path: the project by its file name, document sources by theirs.
A split export in the hf format is a Hugging Face dataset folder: ``README.md`` (a dataset
card whose YAML header declares the splits and the ``ClassLabel`` features) and one
``labels.json``, so ``datasets.load_dataset(folder)`` loads it as it is.
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
from pathlib import Path, PurePath
from typing import Callable, Iterator, Sequence

from annotator import formats
from annotator.core.errors import AnnotatorError, Cancelled, FormatError
from annotator.core.model import CONFIRMED_STATES, DONE, SUGGESTED, ExportDocument, SpanData
from annotator.core.processes import process_alive
from annotator.core.progress import ProgressFn, never_cancelled, no_progress
from annotator.core.spans import tag_names
from annotator.jobs.huge import MAX_JOB_CHARS, too_large
from annotator.nlp.tokenizer import split_at
from annotator.store.project import WITH_STATUS, Project

SPLIT_NAMES = ("train", "dev", "test")
HF_SPLITS = {"train": "train", "dev": "validation", "test": "test"}  # Hugging Face's split names
CONCATENABLE = ("conll", "jsonl", "hf", "doccano")  # files that are documents one after another
SPLITS_ITSELF = ("conll", "hf", "spacy")  # token writers that split at span edges themselves
TOKEN_FORMATS = ("conll", "hf", "spacy")
PARALLEL_MIN = 2000  # below this, starting worker processes costs more than it saves
CHUNK_DOCS = 500
EXTENSIONS = {"conll": ".conll", "jsonl": ".jsonl", "hf": ".jsonl", "doccano": ".jsonl", "thainer": ".txt",
              "labelstudio": ".json", "spacy": ".spacy"}
BIOES_NOTE = ("BIOES tags: spacy convert reads IOB only and miscounts E-/S- entities; export with"
              " --scheme iob2 for spaCy (or --format spacy)")


class ExportError(AnnotatorError):
    code = "E040"


@dataclass
class ExportReport:
    documents: dict[str, int] = field(default_factory=dict)
    spans: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # documents that could not be written
    notes: list[str] = field(default_factory=list)  # what a consumer of these files must know
    outputs: list[str] = field(default_factory=list)
    manifest: str = ""

    def summary(self) -> str:
        total = sum(self.documents.values())
        parts = ", ".join(f"{k} {v}" for k, v in self.documents.items())
        n_spans = sum(sum(c.values()) for c in self.spans.values())
        lines = [f"exported {total} documents ({parts}), {n_spans} spans, to {', '.join(self.outputs)}"]
        lines.append(f"manifest: {self.manifest}")
        lines.extend(f"  note: {n}" for n in self.notes)
        lines.extend(f"  error: {e}" for e in self.errors)
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


def split_of(text_hash: str, ratios: tuple[float, float, float], seed: int) -> str:
    """The split of one document, from its own text hash and the seed alone: a seeded hash
    read as a number in [0, 1) falls in train, dev or test by the ratios. Adding documents
    to a project never moves the others; the sizes follow the ratios as the count grows."""
    point = int(hashlib.sha1(f"{seed}:{text_hash}".encode()).hexdigest(), 16) / 16**40
    if point < ratios[0]:
        return "train"
    return "dev" if point < ratios[0] + ratios[1] else "test"


def assign_exact(
    rows: Sequence[tuple[int, str]], ratios: tuple[float, float, float], seed: int
) -> dict[str, list[int]]:
    """Split document ids by a seeded hash of their text's hash into parts of exactly the
    ratios' sizes (training's held-out share). Adding documents can move others: exports
    use :func:`assign_splits`, which never does."""
    keyed = sorted(rows, key=lambda r: hashlib.sha1(f"{seed}:{r[1]}".encode()).hexdigest())
    n = len(keyed)
    n_train = round(n * ratios[0])
    n_dev = round(n * ratios[1])
    cut = {"train": keyed[:n_train], "dev": keyed[n_train : n_train + n_dev], "test": keyed[n_train + n_dev :]}
    return {name: sorted(doc_id for doc_id, _ in part) for name, part in cut.items()}


def assign_splits(
    rows: Sequence[tuple[int, str]], ratios: tuple[float, float, float], seed: int
) -> dict[str, list[int]]:
    """Split document ids (``(id, text hash)`` rows) with :func:`split_of`: the same text and
    seed always land in the same split, whatever other documents, order or ids there are."""
    parts: dict[str, list[int]] = {name: [] for name in SPLIT_NAMES}
    for doc_id, text_hash in rows:
        parts[split_of(text_hash, ratios, seed)].append(doc_id)
    return {name: sorted(ids) for name, ids in parts.items()}


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
    space_token: str = "auto",
    docstart: str = "tagged",
    license: str | None = None,
    attribution: str | None = None,
    max_chars: int | None = MAX_JOB_CHARS,
) -> ExportReport:
    """Export the project; see the module docstring. ``space_token`` and ``docstart`` are
    the token formats' choices (:mod:`annotator.formats.conll`); ``license`` (an SPDX id such
    as ``CC-BY-3.0``) and ``attribution`` go to the manifest and the dataset card. A document
    of more than ``max_chars`` characters is not written: it is an error (the manifest's
    ``errors`` and ``too_large``), see :mod:`annotator.jobs.huge`; None writes every one."""
    if fmt not in formats.WRITERS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(formats.WRITERS)}")
    if scheme not in ("iob2", "bioes"):
        raise ExportError(f"unknown tag scheme {scheme!r}; choose iob2 or bioes")
    if status not in ("done", "any"):
        raise ExportError(f"--status {status!r}: choose done or any")
    out = Path(out)
    writer = formats.get(fmt)
    where = "WHERE status = 'done'" if status == "done" else "WHERE status != 'skipped'"
    rows = [(r[0], r[1]) for r in project.query(f"SELECT id, content_hash FROM {WITH_STATUS} {where} ORDER BY id")]
    kept_ids, too_large_docs = too_large(project, [r[0] for r in rows], max_chars)
    kept = set(kept_ids)  # the rest is left out before any text is read; errors, so the export exits 1
    left_out = [r[0] for r in rows if r[0] not in kept]
    rows = [r for r in rows if r[0] in kept]
    parts = assign_splits(rows, split, seed) if split else {"all": [r[0] for r in rows]}
    states = CONFIRMED_STATES + ((SUGGESTED,) if include_suggestions else ())
    labels = [l.name for l in project.labels()]
    options = formats.WriteOptions(scheme=scheme, labels=labels, with_authors=with_authors,
                                   annotator=project.annotator if with_authors else None,
                                   space_token=space_token, docstart=docstart)
    _check_options(fmt, options)
    report = ExportReport()
    report.errors.extend(too_large_docs)
    if fmt == "conll" and scheme == "bioes":
        report.notes.append(BIOES_NOTE)
    if fmt == "conll" and docstart == "conll2003":
        report.notes.append("-DOCSTART- -X- O O lines: Flair's ColumnCorpus({0: 'text', 1: 'ner'}) reads -X- as"
                            " the tag and finds no entities; the default --docstart tagged loads in both")
    listed: dict[str, list[dict]] = {}
    noted: Counter = Counter()  # writers' notes, documents each concerns
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
            options.tally = formats.Tally()
            try:
                if workers > 1 and fmt in CONCATENABLE and len(ids) >= PARALLEL_MIN:
                    warnings = _write_parallel(project, fmt, ids, states, options, target, counter, tick,
                                               cancelled, workers)
                else:
                    docs = _documents(project, ids, states, counter, tick, cancelled,
                                      split_tokens=fmt not in SPLITS_ITSELF)
                    warnings = writer.write(docs, target, options) or []
            except FormatError as e:
                raise ExportError(str(e).rsplit(" [", 1)[0]) from None
            tally = options.tally
            report.warnings.extend(warnings)
            report.errors.extend(tally.refused)
            noted.update(tally.notes)
            report.documents[name] = len(tally.documents)
            report.spans[name] = dict(sorted(tally.spans.items()))
            listed[name] = [{"id": doc_id, "sha1": h} for doc_id, h in tally.documents]
            report.outputs.append(str(out / target.relative_to(stage)) if split else str(out))
        report.notes.extend(f"{text} ({n} document{'s' if n > 1 else ''})" for text, n in noted.items())
        if fmt == "hf" and split:
            _hf_folder(stage, labels, scheme, license, attribution, report)
        names = tag_names(labels, scheme) if fmt in ("conll", "hf") else None
        manifest = {
            "format": fmt,
            "scheme": scheme if fmt in ("conll", "hf") else None,
            "space_token": ("_" if space_token == "auto" else space_token) if fmt == "conll" else None,
            "docstart": docstart if fmt == "conll" else None,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "project": project.path.name,
            "schema_version": project.schema_version,
            "license": license,
            "attribution": attribution,
            "status": status,
            "include_suggestions": include_suggestions,
            "split": dict(zip(SPLIT_NAMES, split)) if split else None,
            "seed": seed if split else None,
            "labels": [{"id": i, "name": n} for i, n in enumerate(labels)],
            "id2label": dict(enumerate(names)) if names else None,
            "documents": report.documents,
            "spans": report.spans,
            "files": {name: Path(o).name for name, o in zip(parts, report.outputs)},
            "splits": listed,
            "notes": report.notes,
            "warnings": report.warnings,
            "errors": report.errors,
            "too_large": left_out,  # ids of documents not written for their size (in errors too)
        }
        manifest_path = (stage / "manifest.json") if is_dir else _manifest_beside(stage)
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    report.manifest = str(out / "manifest.json") if is_dir else str(_manifest_beside(out))
    return report


def _check_options(fmt: str, options: formats.WriteOptions) -> None:
    """Refuse token-format choices that cannot be written, before anything is."""
    from annotator.formats.conll import DOCSTART_STYLES, SPACE_TOKENS

    if fmt == "conll" and options.space_token not in ("auto", *SPACE_TOKENS):
        raise ExportError(f"--space-token {options.space_token!r}: a CoNLL column holds no whitespace;"
                          " choose _ (the default) or \\s")
    if fmt == "hf" and options.space_token not in ("auto", "keep"):
        raise ExportError(f"--space-token {options.space_token!r}: Hugging Face tokens are JSON strings and"
                          " keep their spaces; choose auto or keep")
    if options.docstart not in DOCSTART_STYLES:
        raise ExportError(f"--docstart {options.docstart!r}: choose one of {', '.join(DOCSTART_STYLES)}")


def _hf_folder(folder: Path, labels: list[str], scheme: str, license: str | None,
               attribution: str | None, report: ExportReport) -> None:
    """Make a split hf export a Hugging Face dataset folder: one labels.json (a name with
    no split in it, so loaders do not take it for data) and a README.md dataset card."""
    from annotator.formats.hf import FOLDER_LABELS, labels_path

    lists = {labels_path(folder / f"{name}.jsonl").read_bytes() for name in SPLIT_NAMES}
    if len(lists) != 1:
        raise ExportError("the splits of a Hugging Face export disagree on the label list")
    data = lists.pop()
    (folder / FOLDER_LABELS).write_bytes(data)
    for name in SPLIT_NAMES:
        labels_path(folder / f"{name}.jsonl").unlink()
    names = json.loads(data)
    (folder / "README.md").write_text(dataset_card(names, license, attribution, report), encoding="utf-8")


def dataset_card(names: list[str], license: str | None, attribution: str | None,
                 report: ExportReport) -> str:
    """A Hugging Face dataset card: YAML header (licence, splits, ClassLabel features) and
    a short body with the counts and the attribution."""
    q = lambda text: json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML string
    lines = ["---"]
    if license:
        lines.append(f"license: {q(license.lower())}")
    lines += ["language:", "- th", "task_categories:", "- token-classification", "task_ids:",
              "- named-entity-recognition", "dataset_info:", "  features:", "  - name: id", "    dtype: int64",
              "  - name: tokens", "    sequence: string", "  - name: ner_tags", "    sequence:",
              "      class_label:", "        names:"]
    lines += [f"          {q(str(i))}: {q(n)}" for i, n in enumerate(names)]
    lines += ["configs:", "- config_name: default", "  data_files:"]
    for name in SPLIT_NAMES:
        lines += [f"  - split: {HF_SPLITS[name]}", f"    path: {name}.jsonl"]
    lines += ["---", "", "# Thai named entities", "",
              "Exported by Thai NER Annotator. Load with `datasets.load_dataset(\"path/to/this/folder\")`;",
              "the tokens joined with `\"\"` give each document's text exactly.", ""]
    for name in SPLIT_NAMES:
        spans = sum(report.spans.get(name, {}).values())
        lines.append(f"- {HF_SPLITS[name]}: {report.documents.get(name, 0)} documents, {spans} entities")
    lines.append("")
    if license:
        lines += [f"License: {license}", ""]
    if attribution:
        lines += ["## Attribution", "", attribution, ""]
    return "\n".join(lines)


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
        # The source by its file name only: a full path names the exporting machine's user.
        source = PurePath(doc.source.replace("\\", "/")).name if doc.source else None
        meta = {"title": doc.title, "date": doc.date, "url": doc.url, "source": source, **doc.meta}
        meta = {k: v for k, v in meta.items() if v not in (None, "")}
        yield ExportDocument(doc_id, doc.text, meta, spans, tokens, doc.status)
        if n % 50 == 0:
            tick(50)
    tick(len(ids) % 50)


def _write_chunk(args: tuple) -> tuple[list[str], Counter, formats.Tally]:
    """In a worker process: write one run of documents to its own part file."""
    path, fmt, ids, states, options, part = args
    counter: Counter = Counter()
    options.tally = formats.Tally()
    with Project.open(path, readonly=True) as project:
        docs = _documents(project, ids, states, counter, lambda n: None, lambda: False,
                          split_tokens=fmt not in SPLITS_ITSELF)
        warnings = formats.get(fmt).write(docs, part, options) or []
    return warnings, counter, options.tally


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
            for (chunk_warnings, chunk_counter, tally), chunk, job in zip(pool.imap(_write_chunk, jobs), chunks, jobs):
                if cancelled():
                    pool.terminate()
                    raise Cancelled("export cancelled; nothing was written")
                joiner.append(job[-1])
                warnings.extend(chunk_warnings)
                counter.update(chunk_counter)
                options.tally.add(tally)
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
