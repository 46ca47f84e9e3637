"""The model commands: train, models, evaluate, queue, propagate, and stats' suggestion report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "nlp"))

from ner_fixture import UNSEEN, training_docs  # noqa: E402

from annotator.cli import main  # noqa: E402
from annotator.formats.thainer import format_line  # noqa: E402
from annotator.store.project import Project  # noqa: E402


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _gold_file(path: Path, docs) -> Path:
    path.write_text("".join(format_line(d.text, d.spans) + "\n" for d in docs), encoding="utf-8")
    return path


def test_train_evaluate_models_queue(tmp_path, capsys):
    proj = tmp_path / "news.annot"
    docs = training_docs()
    assert run(capsys, "init", proj)[0] == 0
    assert run(capsys, "import", proj, _gold_file(tmp_path / "gold.txt", docs), "--format", "thainer",
               "--as", "gold")[0] == 0
    (tmp_path / "new.txt").write_text(UNSEEN + "\n", encoding="utf-8")
    assert run(capsys, "import", proj, tmp_path / "new.txt", "--format", "txt")[0] == 0

    code, out, _ = run(capsys, "models", proj)
    assert code == 0 and "no model trained yet" in out

    code, out, err = run(capsys, "train", proj, "--from", "scratch", "--dev", "0.2", "--iterations", "40",
                         "--resuggest", "--workers", "1")
    assert code == 0, err
    assert "trained project-crf-1 (from scratch) on 29 documents" in out
    assert "on 7 held-out documents" in out and "the bundled model there" in out
    # 7 held-out documents are too few to tell whether it beats the bundled model: it is
    # stored, says so with the numbers, and does not take over or re-suggest.
    assert "too little held-out gold to judge the new model: 7 documents with" in out
    assert "not re-suggesting: suggestions still come from bundled" in out

    code, out, _ = run(capsys, "models", proj, "--json")
    listed = json.loads(out)
    assert listed["suggesting"] == "bundled"
    assert [m["version"] for m in listed["models"]] == ["project-crf-1"] and listed["models"][0]["documents"] == 29
    code, out, _ = run(capsys, "models", proj, "use", "1")
    assert code == 0 and "suggestions now come from project-crf-1" in out
    code, out, _ = run(capsys, "models", proj)
    assert "* project-crf-1" in out and "suggestions come from project-crf-1" in out
    code, out, _ = run(capsys, "preannotate", proj, "--workers", "1")
    assert code == 0 and "project-crf-1+rules-1+person-1+gaz-2" in out

    code, out, _ = run(capsys, "evaluate", proj, "--json")
    dev = json.loads(out)
    assert code == 0 and dev["documents"] == 7 and dev["subject"].startswith("project-crf-1")
    assert dev["exact"]["micro"]["f1"] > 0.5 and "PERSON" in dev["exact"]["per_label"]
    code, out, _ = run(capsys, "evaluate", proj, "--model", "bundled")
    assert code == 0 and out.startswith("thainer-crf-1.5.1") and "on 7 gold documents" in out
    code, out, _ = run(capsys, "evaluate", proj, "--split", "all", "--model-only")
    assert code == 0 and "on 7 gold documents" in out  # the 29 it trained on are left out
    assert "29 left out" in out

    # Another project as gold: a copy of the first documents, of which the model saw most.
    other = tmp_path / "other.annot"
    run(capsys, "init", other)
    run(capsys, "import", other, _gold_file(tmp_path / "o.txt", docs[:10]), "--format", "thainer", "--as", "gold")
    code, out, _ = run(capsys, "evaluate", proj, "--gold", other, "--json")
    report = json.loads(out)
    assert report["gold"] == "other.annot" and report["documents"] + report["left_out"] == 10

    code, out, _ = run(capsys, "queue", proj, "--json")
    items = json.loads(out)
    assert code == 0 and [i["title"][:5] for i in items] == [UNSEEN[:5]]
    assert items[0]["confidence"] is not None
    code, out, _ = run(capsys, "queue", proj, "--order", "document", "--status", "done", "--limit", "3")
    assert len(out.strip().splitlines()) == 3

    code, _, err = run(capsys, "evaluate", proj, "--model", "7")
    assert code == 2 and "no model 7" in err


def test_propagate_and_stats_report(tmp_path, capsys):
    proj = tmp_path / "p.annot"
    run(capsys, "init", proj)
    text = "นายสมชาย ใจดี พบกับ นายสมชาย ใจดี อีกครั้ง"
    (tmp_path / "a.txt").write_text(text + "\n", encoding="utf-8")
    run(capsys, "import", proj, tmp_path / "a.txt")
    with Project.open(proj) as project:
        span = project.add_span(1, 0, len("นายสมชาย ใจดี"), "PERSON")
    code, out, _ = run(capsys, "propagate", proj, "--span", span.id)
    assert code == 0 and "suggested 1 more spans in 1 documents" in out
    code, out, _ = run(capsys, "propagate", proj)
    assert code == 0 and "suggested 0 more spans" in out
    with Project.open(proj) as project:
        suggested = [s for s in project.spans(1) if s.state == "suggested"]
        project.reject(suggested[0].id)

    code, out, _ = run(capsys, "stats", proj)
    assert code == 0 and "suggestions by what reviewers did with them" in out
    report = out[out.index("suggestions by what reviewers did"):]
    row = next(line for line in report.splitlines() if line.startswith("PERSON "))
    # The propagated suggestion was false (rejected); the span the person made was missed
    # (no suggestion had been made there).
    assert row.split()[1:8] == ["0", "0", "0", "0", "1", "1", "0"]
    code, out, _ = run(capsys, "stats", proj, "--json")
    data = json.loads(out)
    assert data["suggestion_report"]["per_label"]["PERSON"]["false"] == 1
    assert data["suggestion_report"]["total"]["acceptance_rate"] == 0


def test_train_chooses_the_algorithm_by_base_unless_told(tmp_path, capsys):
    from annotator.store.models import list_models

    proj = tmp_path / "news.annot"
    assert run(capsys, "init", proj)[0] == 0
    assert run(capsys, "import", proj, _gold_file(tmp_path / "gold.txt", training_docs()), "--format", "thainer",
               "--as", "gold")[0] == 0
    runs = [(["--from", "bundled"], "ap", 10), (["--from", "scratch", "--iterations", "30"], "lbfgs", 30),
            (["--from", "bundled", "--algorithm", "lbfgs", "--iterations", "20", "--min-freq", "2"], "lbfgs", 20),
            (["--from", "scratch", "--algorithm", "pa"], "pa", 10)]
    for extra, _, _ in runs:
        code, _, err = run(capsys, "train", proj, "--dev", "0", *extra)
        assert code == 0, err
    with Project.open(proj, readonly=True) as project:
        stored = [m.settings["params"] for m in sorted(list_models(project), key=lambda m: m.id)]
    assert [(p["algorithm"], p["max_iterations"]) for p in stored] == [(a, n) for _, a, n in runs]
    assert [p["min_freq"] for p in stored] == [0, 0, 2, 0]
    with pytest.raises(SystemExit) as refused:
        run(capsys, "train", proj, "--algorithm", "sgd")
    assert refused.value.code == 2 and "invalid choice: 'sgd'" in capsys.readouterr().err
