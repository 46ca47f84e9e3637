"""SIGKILL in the middle of the work: nothing committed is lost, nothing is half there.

Each test runs the real program in a subprocess, kills it (the whole process group, so
worker processes too) once the work is under way, and then checks the project: it opens
(the killed writer's lock was released by the kernel), passes `annotator check`, holds
every edit committed before the kill, holds each imported file whole or not at all, and a
plain re-run finishes the job without duplicates. benchmarks/kill_runs.py repeats these
many times (docs/reliability.md).
"""

from __future__ import annotations

import json

from annotator.store import lock
from annotator.store.project import Project

from killing import (
    HERE,
    assert_sound,
    count,
    human_spans,
    make_export_project,
    make_import_corpus,
    make_review_project,
    printed_lines,
    run,
    run_and_kill,
    stale_stages,
    verify_conll_export,
    verify_folder_export,
    verify_import,
    verify_preannotated,
)


def test_kill_during_import_then_rerun(tmp_path):
    project = tmp_path / "p.annot"
    assert run(["init", project]).returncode == 0
    expected = make_import_corpus(tmp_path / "in", files=120, docs_per_file=60, seed=1)
    total = sum(len(t) for t in expected.values())
    result = run_and_kill(["import", str(project), str(tmp_path / "in")],
                          ready=lambda: count(project, "SELECT COUNT(*) FROM documents") > 0)
    assert result.killed, result.stderr
    assert lock.lock_path(project).exists()  # left behind by the killed process, but not held
    assert_sound(project)
    before = count(project, "SELECT COUNT(*) FROM documents")
    assert 0 < before < total
    verify_import(project, expected, complete=False)

    again = run(["import", str(project), str(tmp_path / "in")])
    assert again.returncode == 0, again.stderr
    assert f"{before} duplicates skipped" in again.stdout
    verify_import(project, expected, complete=True)
    assert_sound(project)


def test_kill_during_preannotation_then_rerun(tmp_path):
    project = tmp_path / "p.annot"
    make_review_project(project, docs=400, seed=2)
    with Project.open(project, readonly=True) as p:
        human = human_spans(p)
    result = run_and_kill(["preannotate", str(project), "--workers", "1"],
                          ready=lambda: count(project, "SELECT COUNT(*) FROM changes WHERE action = 'doc.suggest'") > 0)
    assert result.killed, result.stderr
    assert_sound(project)
    done = verify_preannotated(project, human, complete=False)
    assert 0 < done < 400

    again = run(["preannotate", str(project), "--workers", "1"])
    assert again.returncode == 0, again.stderr
    verify_preannotated(project, human, complete=True)
    assert_sound(project)


def test_kill_during_a_burst_of_edits_loses_no_committed_edit(tmp_path):
    project = tmp_path / "p.annot"
    make_review_project(project, docs=30, seed=3)
    printed: list[dict] = []

    def line(text: str) -> bool:
        printed.append(json.loads(text))
        return len(printed) >= 150

    result = run_and_kill([str(project), "3"], ready=lambda: False, script=str(HERE / "edit_burst.py"),
                          on_line=line)
    assert result.killed, result.stderr
    printed = printed_lines(result.stdout)  # all it printed before it died
    assert_sound(project)  # includes: the spans agree with the change log
    with Project.open(project, readonly=True) as p:
        for edit in printed:
            row = p.query("SELECT grp FROM changes WHERE id = ?", (edit["change"],))
            assert row and row[0][0] == edit["group"], f"edit {edit} is missing"
        groups = p.query("SELECT MAX(grp) FROM changes")[0][0]
    # At most the one edit committed between its commit and its line was not printed.
    assert printed[-1]["group"] <= groups <= printed[-1]["group"] + 1


def test_kill_during_export_leaves_the_old_file_or_a_whole_new_one(tmp_path):
    project = tmp_path / "p.annot"
    make_export_project(project, docs=2500)
    out = tmp_path / "out" / "gold.conll"
    first = run(["export", str(project), str(out), "--format", "conll"])
    assert first.returncode == 0, first.stderr
    old = out.read_bytes()
    result = run_and_kill(["export", str(project), str(out), "--format", "conll"],
                          ready=lambda: bool(stale_stages(out)), delay=0.2)
    assert result.killed, result.stderr
    assert verify_conll_export(out, 2500) and out.read_bytes() == old  # untouched by the killed run
    assert stale_stages(out)  # its staging folder is left behind …
    again = run(["export", str(project), str(out), "--format", "conll"])
    assert again.returncode == 0, again.stderr
    assert verify_conll_export(out, 2500)
    assert not stale_stages(out)  # … and the next export clears it away
    assert_sound(project)


def test_kill_during_a_folder_export(tmp_path):
    project = tmp_path / "p.annot"
    make_export_project(project, docs=1500)
    out = tmp_path / "brat"
    result = run_and_kill(["export", str(project), str(out), "--format", "brat"],
                          ready=lambda: bool(stale_stages(out)), delay=0.1)
    assert result.killed, result.stderr
    assert not verify_folder_export(out, 1500)  # a first export killed: no folder at all
    again = run(["export", str(project), str(out), "--format", "brat"])
    assert again.returncode == 0, again.stderr
    assert verify_folder_export(out, 1500) and not stale_stages(out)
