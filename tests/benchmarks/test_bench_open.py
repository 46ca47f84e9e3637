"""benchmarks/bench_open.py runs on a small project and prints its figure."""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from annotator.core.model import DocumentData  # noqa: E402
from annotator.store.project import Project  # noqa: E402


def test_bench_open_prints_its_figure(tmp_path, capsys, qapp):
    path = tmp_path / "p.annot"
    with Project.create(path) as p:
        for i in range(30):
            p.add_document(DocumentData(f"ข่าวที่ {i} นายสมชาย ใจดี", {}))
    import bench_open

    assert bench_open.main([str(path), "--runs", "2"]) == 0
    out = capsys.readouterr().out
    assert "open to a usable window, 30 documents: median" in out
