"""bench_preannotate_memory runs to the end on a small project and prints its figures
(not judged: memory depends on the machine)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))
from loader import load_benchmark  # noqa: E402

from annotator.core.model import DocumentData  # noqa: E402
from annotator.store.project import Project  # noqa: E402


def test_bench_preannotate_memory(tmp_path, capsys):
    path = tmp_path / "p.annot"
    with Project.create(path) as project:
        for k in range(6):
            project.add_document(DocumentData(text=f"นายสมชาย ใจดี เดินทางไปจังหวัดเชียงใหม่ ครั้งที่ {k}\n"))
    assert load_benchmark("bench_preannotate_memory").main([str(path), "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "in 6 documents" in out and "peak of the tree: sum of RSS" in out
    assert "fork server, or a worker forked from it" in out and "this process (the writer)" in out
    with Project.open(path) as project:  # the benchmark worked on a copy
        assert project.query("SELECT COUNT(*) FROM spans")[0][0] == 0
