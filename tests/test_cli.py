import json
import subprocess
import sys

from annotator.cli import main
from annotator.store.project import Project

ARTICLE = """กระทรวงดิจิทัลฯ เปิดตัวเมืองอัจฉริยะ

วันอังคารที่ 9 มกราคม 2567
นายสมศักดิ์ มีสุข รัฐมนตรี เดินทางไปจังหวัดภูเก็ต เวลา 09.30 น. ลงทุน 250 ล้านบาท
ที่มา : https://www.example.go.th/news/2
"""


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_init_labels_import_preannotate_export_stats(tmp_path, capsys):
    proj = tmp_path / "news.annot"
    assert run(capsys, "init", proj, "--annotator", "malee")[0] == 0
    code, out, _ = run(capsys, "labels", proj)
    assert "PERSON" in out and "#f4a6a6" in out
    assert run(capsys, "labels", proj, "add", "PRODUCT", "--color", "#123456", "--hotkey", "q",
               "--description", "a product")[0] == 0
    assert run(capsys, "labels", proj, "rename", "PRODUCT", "PROD")[0] == 0
    assert run(capsys, "labels", proj, "color", "PROD", "#654321")[0] == 0
    code, _, err = run(capsys, "labels", proj, "hotkey", "PROD", "1")
    assert code == 2 and "already used by PERSON" in err
    assert run(capsys, "labels", proj, "remove", "PROD")[0] == 0

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "in" / "bad.txt").write_bytes(b"")
    code, out, _ = run(capsys, "import", proj, tmp_path / "in")
    assert code == 1  # one file failed: the exit status says so, the good one went in
    assert "imported 1 documents" in out and "1 duplicates" in out and "bad.txt" in out

    code, out, _ = run(capsys, "preannotate", proj, "--workers", "1")
    assert code == 0 and "suggested" in out
    with Project.open(proj) as p:
        spans = p.spans(1)
        assert spans and all(s.state == "suggested" and s.origin in ("model", "rule", "gazetteer") for s in spans)
        assert all(s.confidence is not None for s in spans)
        p.accept_all(1)
        p.set_status(1, "done")
        accepted = len(p.spans(1))
        from annotator.store.activity import add_time

        add_time(p, 1, 1800)  # half an hour of review, as the window records it

    code, out, _ = run(capsys, "export", proj, tmp_path / "out.conll", "--format", "conll")
    assert code == 0 and (tmp_path / "out.conll").exists()
    assert (tmp_path / "out.conll.manifest.json").exists()

    code, out, _ = run(capsys, "stats", proj, "--json")
    stats = json.loads(out)
    assert stats["documents"]["done"] == 1
    assert stats["suggestions"]["acceptance_rate"] == 1.0
    assert stats["pace"]["annotators"]["malee"]["per_hour"] == accepted * 2
    code, out, _ = run(capsys, "stats", proj)
    assert "pace: entities decided per hour" in out and "malee" in out and "30m00s" in out


def test_preannotate_keeps_human_decisions_on_rerun(tmp_path, capsys):
    proj = tmp_path / "p.annot"
    run(capsys, "init", proj)
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    run(capsys, "import", proj, tmp_path / "a.txt")
    run(capsys, "preannotate", proj, "--workers", "2")
    with Project.open(proj) as p:
        first = p.spans(1)
        assert first
        p.reject(first[0].id)
        if len(first) > 1:
            p.update_span(first[1].id, label="LAW")
        before = {(s.id, s.start, s.end, s.label, s.state) for s in p.spans(1) if s.state != "suggested"}
    run(capsys, "preannotate", proj, "--workers", "1")
    with Project.open(proj) as p:
        after = {(s.id, s.start, s.end, s.label, s.state) for s in p.spans(1) if s.state != "suggested"}
        assert after == before
        suggested = [s for s in p.spans(1) if s.state == "suggested"]
        human = [s for s in p.spans(1) if s.state != "suggested"]
        assert not any(a.start < b.end and b.start < a.end for a in suggested for b in human)


def test_not_a_project_message(tmp_path, capsys):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    code, _, err = run(capsys, "stats", bad)
    assert code == 2 and "notes.txt" in err and "not an annotator project" in err


def test_console_script_runs():
    result = subprocess.run([sys.executable, "-m", "annotator", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "preannotate" in result.stdout
