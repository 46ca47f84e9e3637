"""benchmarks/bench_hostile_inputs.py makes its cases at a tiny scale, runs the real
command on each in a child process and prints time, peak RSS and outcome."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loader import load_benchmark  # noqa: E402


def test_bench_hostile_inputs_prints_its_table(capsys):
    bench = load_benchmark("bench_hostile_inputs")
    assert bench.main(["--scale", "0.0005", "--only", "conll,entities,annot"]) == 0
    out = capsys.readouterr().out
    assert "| case | exit | time (s) | peak RSS (MB) | outcome |" in out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 4  # conll, entities, annot twice
    assert all(" MB" not in r.split("|")[4] and int(r.split("|")[4]) > 0 for r in rows)  # RSS measured
    assert "imported 1 documents" in rows[0] and "imported 10 documents (100 spans)" in rows[2]
