"""Merging annotators' projects: authors kept, agreement marked, nothing twice, any order."""

from __future__ import annotations

import json

import pytest

from annotator.cli import main
from annotator.core.model import ACCEPTED, DONE, IN_PROGRESS, REJECTED, SUGGESTED, SpanData
from annotator.jobs.exporter import run_export
from annotator.store.project import Project
from annotator.store.team import open_versions, team_spans
from annotator.team import TeamError
from annotator.team.adjudicate import document_conflicts, progress, take
from annotator.team.merge import run_merge

from .conftest import T1, T2, T3, make_annotator, span, team_rows


def doc_id_of(project: Project, text: str) -> int:
    return project.query("SELECT id FROM documents WHERE text = ?", (text,))[0][0]


def by_version(project: Project, text: str) -> dict[tuple, object]:
    return {(s.start, s.end, s.label): s for s in team_spans(project, doc_id_of(project, text))}


def test_merge_keeps_authors_marks_agreement_and_leaves_conflicts(pair, tmp_path):
    a, b = pair
    report = run_merge([a, b], tmp_path / "m.annot")
    assert (report.imported, report.merged, report.unchanged, report.failed) == (3, 5, 0, [])
    with Project.open(tmp_path / "m.annot") as m:
        assert m.annotator == "adjudicator"
        t1 = by_version(m, T1)
        person = t1[span(T1, "นายสมชาย ใจดี", "PERSON")]
        assert person.state == ACCEPTED and person.provenance["agreed_by"] == ["a", "b"]
        assert m.span(person.id).author == "a+b"
        # The places differ: two open versions, each with its author.
        a_loc = t1[span(T1, "จังหวัดเชียงใหม่", "LOCATION")]
        b_loc = t1[span(T1, "เชียงใหม่", "LOCATION")]
        assert (a_loc.state, a_loc.annotators, m.span(a_loc.id).author) == (SUGGESTED, ("a",), "a")
        assert (b_loc.state, b_loc.annotators, m.span(b_loc.id).author) == (SUGGESTED, ("b",), "b")
        assert m.document_status(doc_id_of(m, T1)) == IN_PROGRESS
        # T2: b's extra place is a conflict too: a, who finished T2, marked nothing there.
        t2 = by_version(m, T2)
        assert t2[span(T2, "ภูเก็ต", "LOCATION")].state == SUGGESTED
        # T3: only a finished it, so a's reading is the gold (accepted, not "agreed").
        (t3,) = team_spans(m, doc_id_of(m, T3))
        assert t3.state == ACCEPTED and "agreed_by" not in t3.provenance
        assert m.document_status(doc_id_of(m, T3)) == DONE
        state = progress(m)
        # Conflicts: T1's place (one run of two overlapping versions), T2's company, T2's place.
        assert (state.resolved, state.total) == (0, 3)


def test_merging_again_or_in_another_order_changes_nothing(pair, tmp_path):
    a, b = pair
    run_merge([a, b], tmp_path / "ab.annot")
    run_merge([b, a], tmp_path / "ba.annot")
    with Project.open(tmp_path / "ab.annot") as ab, Project.open(tmp_path / "ba.annot") as ba:
        assert team_rows(ab) == team_rows(ba)
        before = (team_rows(ab), ab.query("SELECT COUNT(*) FROM changes")[0][0])
    again = run_merge([a, b, a], tmp_path / "ab.annot")
    assert (again.imported, again.merged, again.unchanged) == (0, 0, 8)  # a's 3 twice, b's 2
    with Project.open(tmp_path / "ab.annot") as ab:
        assert (team_rows(ab), ab.query("SELECT COUNT(*) FROM changes")[0][0]) == before


def test_one_at_a_time_equals_all_at_once(pair, tmp_path):
    a, b = pair
    run_merge([a, b], tmp_path / "together.annot")
    run_merge([b], tmp_path / "steps.annot")
    run_merge([a], tmp_path / "steps.annot")
    with Project.open(tmp_path / "together.annot") as x, Project.open(tmp_path / "steps.annot") as y:
        assert team_rows(x) == team_rows(y)


def test_a_changed_annotation_replaces_the_old_one(pair, tmp_path):
    a, b = pair
    run_merge([a, b], tmp_path / "m.annot")
    with Project.open(a) as p:  # a comes round to b's reading of the place
        doc = doc_id_of(p, T1)
        old = [s for s in p.spans(doc) if s.label == "LOCATION"][0]
        p.update_span(old.id, start=T1.index("เชียงใหม่"))
    report = run_merge([a, b], tmp_path / "m.annot")
    assert (report.merged, report.unchanged) == (1, 4)
    with Project.open(tmp_path / "m.annot") as m:
        t1 = by_version(m, T1)
        assert span(T1, "จังหวัดเชียงใหม่", "LOCATION") not in t1  # nobody has it now
        loc = t1[span(T1, "เชียงใหม่", "LOCATION")]
        assert loc.state == ACCEPTED and loc.provenance["agreed_by"] == ["a", "b"]
        assert m.document_status(doc_id_of(m, T1)) == DONE


def test_adjudication_makes_gold_with_provenance_and_a_remerge_keeps_it(pair, tmp_path):
    a, b = pair
    run_merge([a, b], tmp_path / "m.annot", annotator="judge")
    with Project.open(tmp_path / "m.annot") as m:
        doc = doc_id_of(m, T1)
        (conflict,) = document_conflicts(m, doc)
        assert [r.authors for r in conflict.readings] == [("a",), ("b",)]  # by position
        assert conflict.none is None
        take(m, conflict, conflict.readings[1])  # b's version
        t1 = by_version(m, T1)
        won, lost = t1[span(T1, "เชียงใหม่", "LOCATION")], t1[span(T1, "จังหวัดเชียงใหม่", "LOCATION")]
        assert (won.state, lost.state) == (ACCEPTED, REJECTED)
        assert won.provenance["adjudicated_by"] == "judge" and won.provenance["chosen_from"] == ["b"]
        assert won.provenance["alternatives"] == [{"authors": ["a"], "spans": [[lost.start, lost.end, "LOCATION"]]}]
        assert m.span(won.id).author == "judge"
        assert m.document_status(doc) == DONE  # its last conflict
        assert progress(m).resolved == 1
        # Undo takes the whole decision back.
        assert m.undo() == doc
        assert {s.state for s in open_versions(m, doc)} == {SUGGESTED} and len(open_versions(m, doc)) == 2
        assert m.document_status(doc) == IN_PROGRESS
        m.redo()
        decided = team_rows(m)
    run_merge([a, b], tmp_path / "m.annot")  # nothing new: the decision stands
    with Project.open(tmp_path / "m.annot") as m:
        assert team_rows(m) == decided


def test_no_entity_reading_counts(tmp_path):
    a = make_annotator(tmp_path / "a.annot", "a", {T1: [("นายสมชาย ใจดี", "PERSON")]})
    b = make_annotator(tmp_path / "b.annot", "b", {T1: []})
    run_merge([a, b], tmp_path / "m.annot")
    with Project.open(tmp_path / "m.annot") as m:
        doc = doc_id_of(m, T1)
        (conflict,) = document_conflicts(m, doc)
        assert [r.authors for r in conflict.readings] == [("a",)]
        assert conflict.none is not None and conflict.none.authors == ("b",)
        take(m, conflict, None)  # Alt+0: no entity here
        (version,) = team_spans(m, doc)
        assert version.state == REJECTED and version.provenance["chosen_from"] == ["b"]
        assert m.document_status(doc) == DONE


def test_merge_then_export_keeps_every_author(pair, tmp_path):
    a, b = pair
    run_merge([a, b], tmp_path / "m.annot")
    with Project.open(tmp_path / "m.annot") as m:
        for conflict in document_conflicts(m, doc_id_of(m, T2)):
            take(m, conflict, conflict.readings[0])
        run_export(m, tmp_path / "gold.jsonl", "jsonl", status="any", include_suggestions=True, with_authors=True)
    records = [json.loads(line) for line in (tmp_path / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    spans = [s for r in records for s in r["spans"]]
    assert {s["author"] for s in spans} >= {"a", "b", "a+b", "adjudicator"}
    named = {n for s in spans for n in s["provenance"]["annotators"]}
    assert named == {"a", "b"}  # every annotator's work is there, by name
    agreed = [s for s in spans if "agreed_by" in s["provenance"]]
    assert agreed and all(s["state"] == ACCEPTED for s in agreed)
    # By default only gold is exported: agreed and adjudicated spans of finished documents.
    with Project.open(tmp_path / "m.annot") as m:
        run_export(m, tmp_path / "done.jsonl", "jsonl", with_authors=True)
    done = [json.loads(line) for line in (tmp_path / "done.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["text"] for r in done} == {T2, T3}
    assert all(s["state"] == ACCEPTED for r in done for s in r["spans"])


def test_preannotation_leaves_the_versions_alone(pair, tmp_path):
    a, b = pair
    run_merge([a, b], tmp_path / "m.annot")
    with Project.open(tmp_path / "m.annot") as m:
        doc = doc_id_of(m, T1)
        before = len(open_versions(m, doc))
        s, e, _ = span(T1, "เชียงใหม่", "LOCATION")
        m.replace_suggestions(doc, [SpanData(s, e, "LOCATION", origin="model"),
                                    SpanData(0, 3, "PERSON", origin="model")], "m1")
        assert len(open_versions(m, doc)) == before
        assert [x for x in m.spans(doc) if x.origin == "model"] == []  # both overlap versions


def test_two_files_of_one_annotator_are_refused(tmp_path):
    a = make_annotator(tmp_path / "a.annot", "same", {T1: []})
    b = make_annotator(tmp_path / "b.annot", "same", {T2: []})
    with pytest.raises(TeamError, match="both belong to annotator 'same'"):
        run_merge([a, b], tmp_path / "m.annot")
    assert not (tmp_path / "m.annot").exists()


def test_merge_and_conflicts_commands(pair, tmp_path, capsys):
    a, b = pair
    out = tmp_path / "m.annot"
    assert main(["merge", str(a), str(b), "-o", str(out), "--annotator", "judge"]) == 0
    assert "5 annotations merged" in capsys.readouterr().out
    assert main(["merge", str(b), str(a), "-o", str(out)]) == 0
    assert "0 annotations merged, 5 already here" in capsys.readouterr().out
    assert main(["conflicts", str(out), "--json"]) == 0
    state = json.loads(capsys.readouterr().out)
    assert (state["resolved"], state["total"]) == (0, 3)
    assert [d["open"] for d in state["documents"]] == [1, 2]
    assert main(["name", str(out)]) == 0 and capsys.readouterr().out.strip() == "judge"
    assert main(["name", str(out), "malee"]) == 0
    with Project.open(out) as m:
        assert m.annotator == "malee"


def test_check_finds_merged_projects_whole(pair, tmp_path):
    """A merge logs its versions as [start, end, label] and the rows it made apart: the
    check must read them as such, through merges, a re-merge, adjudication and undo."""
    from annotator.store.check import check_project

    a, b = pair
    merged = tmp_path / "m.annot"
    run_merge([a, b], merged, annotator="judge")
    report = check_project(merged)
    assert report.ok, report.summary()
    with Project.open(merged) as m:
        (conflict,) = document_conflicts(m, doc_id_of(m, T1))
        take(m, conflict, conflict.readings[0])
        m.undo()
        m.redo()
    with Project.open(a) as p:  # a changes their mind, and the merge runs again
        doc = doc_id_of(p, T1)
        loc = [s for s in p.spans(doc) if s.label == "LOCATION"][0]
        p.update_span(loc.id, start=T1.index("เชียงใหม่"))
    run_merge([a, b], merged)
    report = check_project(merged)
    assert report.ok, report.summary()
    # And it still finds real damage in such a file.
    import sqlite3

    with sqlite3.connect(merged) as conn:
        conn.execute('UPDATE spans SET "end" = "end" - 1 WHERE id = (SELECT MIN(id) FROM spans)')
    assert check_project(merged).totals["log"] >= 1
