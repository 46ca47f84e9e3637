"""benchmarks/bench_train_speed.py runs end to end on a tiny made-up ThaiNER file."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "nlp"))

from ner_fixture import training_docs  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))
from loader import load_benchmark, thainer_line  # noqa: E402


def test_train_speed_prints_each_turn_and_the_medians(tmp_path, capsys):
    lines = [thainer_line(d) for d in training_docs(12)]
    (tmp_path / "train.txt").write_text("\n".join(lines + [lines[0]]) + "\n", encoding="utf-8")

    code = load_benchmark("bench_train_speed").main(
        ["--data", str(tmp_path), "--repeats", "2", "--variants", "scratch@old;it=5,scratch@algo=ap;it=3"])

    out = capsys.readouterr().out
    assert code == 0
    assert "12 distinct documents of train.txt (1 repeats" in out
    turns = re.findall(r"turn (\d) (\S+) .*?; (\w+), (\d+) iterations", out)
    assert turns == [("1", "scratch@old;it=5", "lbfgs", "5"), ("1", "scratch@algo=ap;it=3", "ap", "3"),
                     ("2", "scratch@old;it=5", "lbfgs", "5"), ("2", "scratch@algo=ap;it=3", "ap", "3")]
    assert out.count("x1.00") == 2 and out.count(" x") == 4  # wall clock and CPU, each against the first


def test_train_speed_without_data_says_so(tmp_path, capsys):
    assert load_benchmark("bench_train_speed").main(["--data", str(tmp_path / "absent")]) == 0
    assert "not found" in capsys.readouterr().out
