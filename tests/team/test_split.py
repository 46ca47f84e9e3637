"""Splitting a project between annotators, with a share of documents for everyone."""

from __future__ import annotations

import pytest

from annotator.cli import main
from annotator.core.model import ACCEPTED, NEW, SUGGESTED, DocumentData, SpanData
from annotator.store.project import Project
from annotator.team import TeamError
from annotator.team.split import parse_names, parse_overlap, plan, run_split


def test_overlap_and_names_are_parsed():
    assert parse_overlap("20%") == pytest.approx(0.2)
    assert parse_overlap("20") == pytest.approx(0.2)
    assert parse_overlap("0.2") == pytest.approx(0.2)
    assert parse_overlap("0") == 0
    for bad in ("lots", "120%", "-5%"):
        with pytest.raises(TeamError):
            parse_overlap(bad)
    assert parse_names(" a, b ,c ") == ["a", "b", "c"]
    for bad in ("a,a", "", "a b", "x/y"):
        with pytest.raises(TeamError):
            parse_names(bad)


def test_plan_shares_some_and_deals_out_the_rest():
    rows = [(i, f"hash{i}") for i in range(1, 11)]
    parts, shared = plan(rows, ["a", "b", "c"], 0.2, seed=1)
    assert len(shared) == 2  # 20% of 10
    for ids in parts.values():
        assert set(shared) <= set(ids)
    once = [d for ids in parts.values() for d in ids if d not in shared]
    assert sorted(once) == sorted(set(range(1, 11)) - set(shared))  # every other one exactly once
    assert sorted(len(ids) - 2 for ids in parts.values()) == [2, 3, 3]
    assert plan(list(reversed(rows)), ["a", "b", "c"], 0.2, seed=1) == (parts, shared)  # order-free
    everyone, _ = plan(rows, ["a", "b"], 1.0)
    assert everyone["a"] == everyone["b"] == list(range(1, 11))


def test_split_writes_one_project_per_annotator(tmp_path):
    source = Project.create(tmp_path / "news.annot", annotator="lead")
    source.add_label("PRODUCT", "#123456", "q")
    for i in range(10):
        text = f"ข่าวที่ {i} นายสมชาย ใจดี"
        doc_id = source.add_document(DocumentData(text, {"title": f"ข่าว {i}"}, [
            SpanData(text.index("นาย"), len(text), "PERSON", origin="model", confidence=0.9)]))
        if i == 0:
            source.accept(source.spans(doc_id)[0].id)  # the lead's own decision stays behind
        source.tokens(doc_id)
    report = run_split(source, ["a", "b"], 0.2, tmp_path / "out", seed=3)
    assert report.shared == 2 and report.total == 10
    assert sorted(report.documents.values()) == [6, 6]
    texts = {}
    for name in ("a", "b"):
        with Project.open(tmp_path / "out" / f"{name}.annot") as p:
            assert p.annotator == name
            assert p.label("PRODUCT").hotkey == "q"
            texts[name] = {p.document(d).text for d in p.document_ids()}
            for doc_id in p.document_ids():
                assert p.document_status(doc_id) == NEW
                if p.document(doc_id).text.startswith("ข่าวที่ 0"):
                    assert p.spans(doc_id) == []  # the lead's decision is not handed out
                    continue
                (s,) = p.spans(doc_id)
                assert (s.state, s.origin, s.confidence) == (SUGGESTED, "model", 0.9)
                assert p.query("SELECT COUNT(*) FROM tokens WHERE doc_id = ?", (doc_id,))[0][0] == 1
    assert len(texts["a"] & texts["b"]) == 2
    assert len(texts["a"] | texts["b"]) == 10
    assert ACCEPTED in {s.state for s in source.spans(1)}  # the source is untouched
    with pytest.raises(TeamError, match="already exists"):
        run_split(source, ["a", "c"], 0.2, tmp_path / "out")
    assert not (tmp_path / "out" / "c.annot").exists()
    source.close()


def test_split_command(tmp_path, capsys):
    path = tmp_path / "p.annot"
    with Project.create(path) as p:
        for i in range(5):
            p.add_document(DocumentData(f"ข่าว {i}"))
    code = main(["split", str(path), "--annotators", "somchai,malee,nok", "--overlap", "40%",
                 "-o", str(tmp_path / "team")])
    out = capsys.readouterr().out
    assert code == 0 and "2 given to everyone" in out
    assert sorted(f.name for f in (tmp_path / "team").iterdir() if f.suffix == ".annot") == [
        "malee.annot", "nok.annot", "somchai.annot"]


def test_a_split_killed_while_renaming_runs_again(tmp_path):
    """Killed after a.annot was renamed into place and before b.annot: a re-run makes both;
    an output somebody has begun working on is never replaced."""
    import os
    import shutil

    source = Project.create(tmp_path / "news.annot", annotator="lead")
    for i in range(6):
        text = f"ข่าวที่ {i} นายสมชาย ใจดี"
        source.add_document(DocumentData(text, {}, [SpanData(text.index("นาย"), len(text), "PERSON",
                                                             origin="model", confidence=0.9)]))
    out = tmp_path / "out"
    run_split(source, ["a", "b"], 0.0, out, seed=1)
    # What the kill leaves: b's file still under its staging name.
    os.replace(out / "b.annot", out / ".b.annot.part")
    report = run_split(source, ["a", "b"], 0.0, out, seed=1)
    assert sorted(report.outputs) == ["a", "b"] and (out / "b.annot").exists()
    assert not (out / ".b.annot.part").exists()
    # Once a has decided something there, the same split is refused rather than wiping it.
    with Project.open(out / "a.annot") as a:
        a.accept(a.spans(a.document_ids()[0])[0].id)
    shutil.move(out / "b.annot", tmp_path / "b-moved.annot")
    with pytest.raises(TeamError, match="already exists"):
        run_split(source, ["a", "b"], 0.0, out, seed=1)
    with Project.open(out / "a.annot") as a:
        assert {s.state for s in a.spans(a.document_ids()[0])} == {ACCEPTED}
    source.close()
