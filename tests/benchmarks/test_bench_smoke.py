"""Every benchmark in benchmarks/ runs to the end on a small fixture and prints its figures,
so none can rot unnoticed (the figures themselves are not judged: no timing is asserted).
bench_tokenizer, bench_kfold and bench_review have tests of their own beside this file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "nlp"))

from ner_fixture import training_docs  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))
from loader import load_benchmark, thainer_line  # noqa: E402


@pytest.fixture
def corpus(tmp_path) -> Path:
    """Eight articles in two topic folders, with a BOM as the thaigov files have."""
    folder = tmp_path / "corpus"
    for k, doc in enumerate(training_docs(8)):
        sub = folder / f"topic{k % 2}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{k}.txt").write_text("\ufeff" + doc.text + "\n" + doc.text, encoding="utf-8")
    return folder


@pytest.fixture
def thainer(tmp_path) -> Path:
    data = tmp_path / "thainer"
    data.mkdir()
    lines = [thainer_line(d) for d in training_docs(24)]
    (data / "train.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (data / "val.txt").write_text("\n".join(lines[:6]) + "\n", encoding="utf-8")
    return data


def test_bench_preannotate(tmp_path, corpus, capsys):
    assert load_benchmark("bench_preannotate").main(["--corpus", str(corpus), "--sample", "0", "--repeat", "1",
                                            "--workers", "1", "--workdir", str(tmp_path / "w")]) == 0
    out = capsys.readouterr().out
    assert "8 articles, 1 workers" in out
    assert "raw " in out and "after " in out and "ratio to raw" in out and "peak tree RSS" in out


def test_bench_preannotate_runs_each_revisions_own_workers(tmp_path, corpus, capsys):
    # The phase refuses to report when a worker imported the package from anywhere but its
    # revision's folder (a fork server of Python 3.11 ignores the sys.path it is given).
    assert load_benchmark("bench_preannotate").main(["--corpus", str(corpus), "--sample", "4", "--repeat", "1",
                                            "--workers", "1", "--before", "HEAD",
                                            "--workdir", str(tmp_path / "w")]) == 0
    out = capsys.readouterr().out
    assert "after " in out and "before " in out


def test_bench_preannotate_with_a_trained_model(tmp_path, corpus, capsys):
    """--trained: the articles are added to a copy of a project with a model, and only
    they are pre-annotated (their ids reach each phase in a file)."""
    from ner_fixture import project_with_model

    trained = tmp_path / "trained.annot"
    project_with_model(trained).close()
    assert load_benchmark("bench_preannotate").main(["--corpus", str(corpus), "--sample", "0", "--repeat", "1",
                                            "--workers", "1", "--trained", str(trained),
                                            "--workdir", str(tmp_path / "w")]) == 0
    out = capsys.readouterr().out
    assert "8 articles, 1 workers, 1 rounds, model: newest of trained.annot" in out and "after " in out


def test_bench_core(corpus, capsys):
    assert load_benchmark("bench_core").main(["--corpus", str(corpus), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    for phase in ("import", "preannotate", "export"):
        assert f"{phase:<12}      8 docs" in out
    assert "project file:" in out


def test_bench_import(tmp_path, corpus, capsys):
    assert load_benchmark("bench_import").main(["--corpus", str(corpus), "--sample", "0", "--repeat", "1",
                                               "--jsonl", "--workdir", str(tmp_path / "w")]) == 0
    out = capsys.readouterr().out
    assert "8 articles, 1 rounds" in out
    assert "after " in out and "after-jsonl" in out and "docs/s" in out
    assert "8 imported, 0 duplicates, 0 failed, 0 spans" in out
    assert "8 imported, 0 duplicates, 0 failed, 16 spans" in out


def test_bench_document_list(tmp_path, corpus, capsys):
    assert load_benchmark("bench_document_list").main(["--corpus", str(corpus), "--rule-spans", "--repeat", "1",
                                              "--text", "กรุงเทพ"]) == 0
    out = capsys.readouterr().out
    assert "ms" in out and "กรุงเทพ" in out


def test_bench_window(tmp_path, corpus, capsys):
    assert load_benchmark("bench_window").main(["--corpus", str(corpus), "--out", str(tmp_path / "w" / "c.annot"),
                                       "--sample", "3", "--largest", "1", "--keys", "2",
                                       "--articles", "2", "--highlights", "30", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert "open project + window, first document shown" in out
    assert "label keystroke -> committed and painted" in out and "memory at the end" in out
    # The dense articles, measured in a child process: figures and call counts.
    assert "== this code: 2 articles x 30 highlights" in out
    assert "next article (list's next), painted" in out and "calls per keystroke" in out
    assert "first label in a document -> committed, painted" in out and "later label keystroke" in out
    assert "first label, then its propagation painted" in out


def test_bench_suggestions(thainer, corpus, capsys):
    assert load_benchmark("bench_suggestions").main(["--val", str(thainer / "val.txt"), "--corpus", str(corpus),
                                            "--sample", "4"]) == 0
    out = capsys.readouterr().out
    assert "exact span + label:" in out and "partial overlap, micro" in out and "== speed" in out


def test_bench_training(tmp_path, thainer, corpus, capsys):
    assert load_benchmark("bench_training").main(["--data", str(thainer), "--corpus", str(corpus), "--sample", "4",
                                         "--workdir", str(tmp_path / "bt")]) == 0
    out = capsys.readouterr().out
    assert "F1" in out


def test_check_seeds(corpus, capsys):
    assert load_benchmark("check_seeds").main([str(corpus / "topic0")]) == 0
    assert capsys.readouterr().out.count("chars  date") == 4


def test_check_thainer_roundtrip(thainer, capsys):
    assert load_benchmark("check_thainer_roundtrip").main(["--data", str(thainer / "train.txt")]) == 0
    out = capsys.readouterr().out
    assert "lost" in out or "missing" in out


def test_fuzz_importers(capsys):
    assert load_benchmark("fuzz_importers").main(["--examples", "3", "--folders", "1"]) == 0
    assert capsys.readouterr().out.strip()


def test_kill_runs(capsys):
    assert load_benchmark("kill_runs").main(["--runs", "1", "--seed", "1", "--only", "edits"]) == 0
    assert "every check passed" in capsys.readouterr().out
