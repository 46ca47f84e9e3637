"""benchmarks/bench_kfold.py runs end to end on a tiny made-up ThaiNER file."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "nlp"))

from ner_fixture import training_docs  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))
from loader import load_benchmark, thainer_line  # noqa: E402


def test_kfold_prints_the_figures_of_each_variant(tmp_path, capsys):
    lines = [thainer_line(d) for d in training_docs(24)]
    lines += [lines[0], "[PERSON]broken markup"]  # a repeat and a broken line: both left out
    (tmp_path / "train.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for k, doc in enumerate(training_docs(8)):
        (corpus / f"{k}.txt").write_text("\ufeff" + doc.text, encoding="utf-8")

    code = load_benchmark("bench_kfold").main(["--data", str(tmp_path), "--folds", "2", "--limit", "20", "--corpus", str(corpus),
                          "--unlabelled", "4", "--speed", "4", "--variants", "bundled,scratch,scratch+clusters"])

    out = capsys.readouterr().out
    assert code == 0
    assert "20 distinct documents" in out and "1 broken lines" in out
    for name in ("bundled:", "scratch:", "scratch+clusters:"):
        assert name in out
    assert out.count("\n  F1 ") == 3 and out.count(" ± ") == 1 + 9  # the heading, then F1, P, R of each
    assert "s per fold" in out and "docs/s" in out


def test_kfold_without_data_says_so(tmp_path, capsys):
    assert load_benchmark("bench_kfold").main(["--data", str(tmp_path / "absent")]) == 0
    assert "not found" in capsys.readouterr().out


def test_folds_come_from_the_text():
    bench = load_benchmark("bench_kfold")
    assert bench.fold_of("ข่าววันนี้", 5) == bench.fold_of("ข่าววันนี้", 5)
    assert {bench.fold_of(f"เอกสาร {k}", 5) for k in range(50)} == set(range(5))
