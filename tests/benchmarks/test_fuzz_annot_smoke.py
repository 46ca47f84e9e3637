"""benchmarks/fuzz_annot.py runs and prints its figures (a few examples)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "safety"))


def test_fuzz_annot_runs_and_reports(capsys):
    import fuzz_annot

    assert fuzz_annot.main(["--examples", "5"]) == 0
    out = capsys.readouterr().out
    assert "files 5" in out and "invariants held" in out
