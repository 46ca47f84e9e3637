"""Running the real program and killing it with SIGKILL part-way, then checking what is left.

Shared by tests/safety/test_kill.py (one kill of each kind) and benchmarks/kill_runs.py
(many, recorded in docs/reliability.md).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from annotator.core.errors import InputNotice
from annotator.core.model import DocumentData, SpanData
from annotator.formats import conll
from annotator.store import lock
from annotator.store.check import check_project
from annotator.store.project import Project

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FILLER = "นายสมชาย ใจดี เดินทางไปจังหวัดเชียงใหม่ เพื่อประชุมเรื่องเศรษฐกิจดิจิทัล "


def env() -> dict[str, str]:
    return {**os.environ, "PYTHAINLP_OFFLINE": "1", "PYTHONPATH": str(ROOT)}


@dataclass
class Killed:
    killed: bool  # False: it finished before the moment came
    returncode: int
    stdout: str
    stderr: str


def run_and_kill(argv: list[str], ready: Callable[[], bool], delay: float = 0.0, timeout: float = 120,
                 script: str | None = None, on_line: Callable[[str], bool] | None = None) -> Killed:
    """Start ``python -m annotator ARGV`` (or ``python SCRIPT ARGV``), wait until ``ready()``
    (or ``on_line`` returns True for a line of its output), wait ``delay`` more seconds,
    then SIGKILL its whole process group (worker processes too)."""
    cmd = [sys.executable, script, *argv] if script else [sys.executable, "-m", "annotator", *argv]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(),
                            start_new_session=True)
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        if on_line is not None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line)
                if on_line(line):
                    break
        else:
            while proc.poll() is None and not ready():
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{cmd} never got ready")
                time.sleep(0.005)
        if delay:
            time.sleep(delay)
    finally:
        killed = proc.poll() is None
        if killed:
            os.killpg(proc.pid, signal.SIGKILL)
    # Read on through the same buffered streams (communicate() would skip what they hold).
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.wait(timeout=timeout)
    return Killed(killed, proc.returncode, "".join(lines) + out, err)


def printed_lines(output: str) -> list[dict]:
    """The JSON lines a killed script printed (a line cut short by the kill is left out)."""
    found = []
    for line in output.splitlines():
        try:
            found.append(json.loads(line))
        except ValueError:
            pass
    return found


def run(argv: list[str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "annotator", *argv], capture_output=True, text=True,
                          env=env(), timeout=timeout)


def count(path: Path, sql: str) -> int:
    """A count read through a read-only connection (a reader beside the writer)."""
    if not path.exists():
        return 0
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute(sql).fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def assert_sound(path: Path) -> None:
    """The project opens for writing (so a killed writer's lock was released), and passes check."""
    report = check_project(path)
    assert report.ok, report.summary()
    assert lock.holder_of(path) is None, "the killed program's lock is still held"
    Project.open(path).close()


# --------------------------------------------------------------------- import
def make_import_corpus(folder: Path, files: int, docs_per_file: int, seed: int) -> dict[str, list[str]]:
    """JSONL files of documents with spans, plus single-article txt files; returns each
    file's texts, so a file's documents can be checked all there or all absent."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, list[str]] = {}
    for f in range(files):
        if f % 4 == 3:
            path = folder / f"article-{f:04d}.txt"
            text = f"ข่าวที่ {f}\n\n" + FILLER * rng.randint(2, 6) + f"\nเลขที่ {seed}-{f}\n"
            path.write_text(text, encoding="utf-8")
            expected[str(path)] = [text]
            continue
        path = folder / f"batch-{f:04d}.jsonl"
        texts = []
        with open(path, "w", encoding="utf-8") as out:
            for d in range(docs_per_file):
                text = f"แฟ้ม {f} เอกสาร {d} ชุด {seed}: " + FILLER * rng.randint(1, 3)
                start = text.index("นายสมชาย")
                out.write(json.dumps({"text": text, "spans": [
                    {"start": start, "end": start + len("นายสมชาย ใจดี"), "label": "PERSON"}]},
                    ensure_ascii=False) + "\n")
                texts.append(text)
        expected[str(path)] = texts
    return expected


def verify_import(path: Path, expected: dict[str, list[str]], complete: bool) -> int:
    """Each file's documents all there (with their spans) or none; ``complete``: all files
    there. Returns the number of files found whole."""
    with Project.open(path, readonly=True) as project:
        whole = whole_docs = 0
        for source, texts in expected.items():
            rows = project.query("SELECT id, text FROM documents WHERE source = ?", (source,))
            got = sorted(r["text"] for r in rows)
            assert got in ([], sorted(texts)), f"{source}: {len(got)} of its {len(texts)} documents"
            if got:
                whole += 1
                for r in rows:
                    if source.endswith(".jsonl"):
                        assert [s.label for s in project.spans(r["id"])] == ["PERSON"]
            whole_docs = whole_docs + len(texts) if got else whole_docs
        if complete:
            assert whole == len(expected)
        assert project.document_count() == whole_docs  # nothing twice, nothing from elsewhere
    return whole


# ---------------------------------------------------------------- preannotate
def make_review_project(path: Path, docs: int, seed: int) -> None:
    """Documents to pre-annotate, some with a reviewer's decisions already made."""
    rng = random.Random(seed)
    with Project.create(path, annotator="reviewer") as project:
        with project.transaction():
            for d in range(docs):
                text = f"ข่าว {d}: " + FILLER * rng.randint(1, 2) + f"เมื่อวันที่ 9 มกราคม 2567 งบ {d} ล้านบาท"
                start = text.index("นายสมชาย")
                project.add_document(DocumentData(text, {}, [SpanData(start, start + 13, "PERSON", origin="model")]))
        for doc_id in range(1, docs + 1, 7):  # a reviewer's work the suggestions must not touch
            span = project.spans(doc_id)[0]
            if doc_id % 2:
                project.accept(span.id)
            else:
                project.reject(span.id)


def human_spans(project: Project) -> list[tuple]:
    return [tuple(r) for r in project.query(
        "SELECT id, doc_id, start, \"end\", label_id, state FROM spans WHERE state != 'suggested' ORDER BY id")]


def verify_preannotated(path: Path, human_before: list[tuple], complete: bool) -> int:
    """Human decisions untouched; each document either has this run's suggestions or its
    old ones; no span twice. Returns how many documents have been pre-annotated."""
    with Project.open(path, readonly=True) as project:
        assert human_spans(project) == human_before
        dupes = project.query(
            'SELECT doc_id, start, "end", label_id, COUNT(*) FROM spans GROUP BY doc_id, start, "end", label_id,'
            " state HAVING COUNT(*) > 1")
        assert not dupes, f"spans twice: {[tuple(d) for d in dupes[:3]]}"
        done = project.query("SELECT COUNT(DISTINCT doc_id) FROM changes WHERE action = 'doc.suggest'")[0][0]
        if complete:
            assert done == project.document_count(), (done, project.document_count())
    return done


# --------------------------------------------------------------------- export
def make_export_project(path: Path, docs: int) -> None:
    with Project.create(path, annotator="reviewer") as project:
        with project.transaction():
            for d in range(docs):
                text = f"เอกสาร {d} " + FILLER
                start = text.index("นายสมชาย")
                project.add_document(DocumentData(text, {}, [SpanData(start, start + 13, "PERSON")]),
                                     status="done", span_state="accepted")


def verify_conll_export(out: Path, docs: int) -> bool:
    """The file under the final name is absent or a complete export of ``docs`` documents
    (parsed back whole, and agreeing with its manifest). True if it is there."""
    if not out.exists():
        return False
    read = [d for d in conll.read(out) if not isinstance(d, InputNotice)]  # "_ read as spaces"
    assert all(isinstance(d, DocumentData) for d in read), "a problem in the exported file"
    assert len(read) == docs, f"{len(read)} of {docs} documents under the final name"
    manifest = json.loads(out.with_name(out.name + ".manifest.json").read_text(encoding="utf-8"))
    assert manifest["documents"]["all"] == docs
    return True


def verify_folder_export(out: Path, docs: int) -> bool:
    if not out.exists():
        return False
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sum(manifest["documents"].values()) == docs
    written = sum(1 for _ in out.rglob("*.ann"))
    assert written == docs, f"{written} of {docs} documents in the final folder"
    return True


def stale_stages(out: Path) -> list[Path]:
    return sorted(p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


# ------------------------------------------------------------------ full disk
def verify_filled_up(path: Path, output: str, docs_before: int) -> int:
    """After fill_up.py: the error was clear, every edit it printed is there, the one that
    did not fit is not, and the project passes check. Returns the edits committed."""
    lines = output.splitlines()
    errors = [line for line in lines if line.startswith("ERROR")]
    assert errors and "cannot write" in errors[0] and "Traceback" not in output, output[-2000:]
    committed = [json.loads(line) for line in lines if line.startswith("[")]
    report = check_project(path)
    assert report.ok, report.summary()
    with Project.open(path) as project:
        for doc, span in committed:
            assert project.span(span).doc_id == doc
        assert project.document_count() == docs_before + len(committed)
    return len(committed)
