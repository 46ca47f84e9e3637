"""bench_cluster runs to the end on a few made-up articles against a one-worker
LocalCluster beside the local job, and prints its figures (no timing is judged)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).parent))
from loader import load_benchmark  # noqa: E402


def test_bench_cluster(tmp_path, capsys):
    bench = load_benchmark("bench_cluster")
    assert bench.main(["--corpus", str(tmp_path / "no-corpus"), "--sample", "6", "--clusters", "1",
                       "--repeat", "1", "--partition", "2", "--local-workers", "1",
                       "--workdir", str(tmp_path / "w")]) == 0
    out = capsys.readouterr().out
    assert "6 articles, partitions of 2" in out
    assert "cluster-1: LocalCluster of 1 worker processes started" in out
    lines = {line.split()[0]: line for line in out.splitlines() if "docs/s per core" in line}
    assert set(lines) == {"local", "cluster-1"}
    assert "1.00x cluster-1" in lines["cluster-1"]
    assert out.count("CPU s per 1,000 docs: workers") == 2 and "load average at the end" in out
