"""SIGKILL, again and again, at random moments (docs/reliability.md records the figures).

Each run starts the real program on a fresh project, kills its whole process group at a
random moment once the work is under way, and checks what is left (the checks of
tests/safety/test_kill.py): the project opens (the lock went with the killed process),
passes `annotator check`, holds every edit committed before the kill, each imported file
whole or not at all, an export's final name absent or complete; then a plain re-run
finishes the job with no duplicates.

    .venv/bin/python benchmarks/kill_runs.py --runs 25
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "safety"))

from killing import (  # noqa: E402
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
    verify_import,
    verify_preannotated,
)

from annotator.store.project import Project  # noqa: E402


def kill_import(tmp: Path, rng: random.Random, tally: Counter) -> None:
    project = tmp / "p.annot"
    assert run(["init", project]).returncode == 0
    expected = make_import_corpus(tmp / "in", files=120, docs_per_file=60, seed=rng.randrange(10**6))
    target = rng.randrange(1, sum(len(t) for t in expected.values()))  # kill once this many are in
    result = run_and_kill(["import", str(project), str(tmp / "in")],
                          ready=lambda: count(project, "SELECT COUNT(*) FROM documents") >= target,
                          delay=rng.uniform(0, 0.05))
    assert_sound(project)
    whole = verify_import(project, expected, complete=False)
    tally["killed" if result.killed else "finished first"] += 1
    tally["files whole at the kill"] += whole
    tally["files"] += len(expected)
    again = run(["import", str(project), str(tmp / "in")])
    assert again.returncode == 0, again.stderr
    verify_import(project, expected, complete=True)
    assert_sound(project)


def kill_preannotate(tmp: Path, rng: random.Random, tally: Counter) -> None:
    project = tmp / "p.annot"
    make_review_project(project, docs=400, seed=rng.randrange(10**6))
    with Project.open(project, readonly=True) as p:
        human = human_spans(p)
    workers = rng.choice(["1", "2"])
    target = rng.randrange(1, 400)
    result = run_and_kill(["preannotate", str(project), "--workers", workers],
                          ready=lambda: count(project, "SELECT COUNT(*) FROM changes WHERE action = 'doc.suggest'")
                          >= target, delay=rng.uniform(0, 0.05))
    assert_sound(project)
    tally["documents done at the kill"] += verify_preannotated(project, human, complete=False)
    tally["killed" if result.killed else "finished first"] += 1
    again = run(["preannotate", str(project), "--workers", workers])
    assert again.returncode == 0, again.stderr
    verify_preannotated(project, human, complete=True)
    assert_sound(project)


def kill_edits(tmp: Path, rng: random.Random, tally: Counter) -> None:
    project = tmp / "p.annot"
    make_review_project(project, docs=30, seed=rng.randrange(10**6))
    printed: list[dict] = []
    stop_after = rng.randrange(1, 400)

    def line(text: str) -> bool:
        printed.append(json.loads(text))
        return len(printed) >= stop_after

    result = run_and_kill([str(project), str(rng.randrange(10**6))], ready=lambda: False,
                          script=str(HERE / "edit_burst.py"), on_line=line, delay=rng.choice([0, 0, 0.001, 0.01]))
    assert result.killed
    printed = printed_lines(result.stdout)  # all it printed before it died
    assert_sound(project)
    with Project.open(project, readonly=True) as p:
        assert p.query("SELECT MAX(grp) FROM changes")[0][0] <= printed[-1]["group"] + 1
        for edit in printed:
            row = p.query("SELECT grp FROM changes WHERE id = ?", (edit["change"],))
            assert row and row[0][0] == edit["group"], f"edit {edit} lost"
    tally["edits printed before the kill"] += len(printed)
    tally["killed"] += 1


def kill_export(tmp: Path, rng: random.Random, tally: Counter) -> None:
    project = tmp / "p.annot"
    make_export_project(project, docs=2500)
    out = tmp / "out" / "gold.conll"
    # Half the time an earlier export is under the final name; the other half it is elsewhere
    # (either way it tells how long an export takes, to kill at a random moment inside one).
    keep_old = rng.random() < 0.5
    started = time.monotonic()
    first = run(["export", str(project), str(out if keep_old else tmp / "calibrate.conll"), "--format", "conll"])
    assert first.returncode == 0, first.stderr
    took = time.monotonic() - started
    old = out.read_bytes() if out.exists() else None
    result = run_and_kill(["export", str(project), str(out), "--format", "conll"],
                          ready=lambda: bool(stale_stages(out)) if out.parent.exists() else False,
                          delay=rng.uniform(0, took))
    present = verify_conll_export(out, 2500)
    if old is not None:
        assert present
        tally["old file kept" if out.read_bytes() == old else "new file complete"] += 1
    else:
        tally["complete" if present else "absent"] += 1
    tally["killed" if result.killed else "finished first"] += 1
    again = run(["export", str(project), str(out), "--format", "conll"])
    assert again.returncode == 0 and verify_conll_export(out, 2500) and not stale_stages(out)
    assert_sound(project)


def fill_up(tmp: Path, rng: random.Random, tally: Counter) -> None:
    """Not a kill: the disk fills up (a file size limit) at a random point of a burst of
    edits; then again on the same project with another limit."""
    import subprocess

    from killing import env, verify_filled_up

    project = tmp / "p.annot"
    make_review_project(project, docs=20, seed=rng.randrange(10**6))
    docs = 20
    for _ in range(3):
        margin = rng.randrange(32 * 1024, 2 * 1024 * 1024)
        result = subprocess.run([sys.executable, str(HERE / "fill_up.py"), str(project), str(margin)],
                                capture_output=True, text=True, env=env(), timeout=300)
        committed = verify_filled_up(project, result.stdout + result.stderr, docs_before=docs)
        docs += committed
        tally["edits committed before the disk was full"] += committed
        tally["clear errors"] += 1
    assert_sound(project)


KINDS = {"import": kill_import, "preannotate": kill_preannotate, "edits": kill_edits, "export": kill_export,
         "full-disk": fill_up}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=25, help="kills of each kind")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--only", choices=sorted(KINDS))
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    rng = random.Random(seed)
    print(f"seed {seed}")
    for name, fn in KINDS.items():
        if args.only and name != args.only:
            continue
        tally: Counter = Counter()
        started = time.monotonic()
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                fn(Path(tmp), rng, tally)
        details = ", ".join(f"{k}: {v}" for k, v in sorted(tally.items()))
        print(f"{name:<12} {args.runs} runs ({time.monotonic() - started:.0f} s): {details}; every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
