import json

import pytest

from annotator.core.model import DocumentData, SpanData
from annotator.jobs.exporter import assign_splits, parse_split, run_export
from annotator.jobs.importer import run_import
from annotator.store.project import Project

def _spans(text, *pieces):
    """(start, end, label) of each (substring, label), found left to right."""
    out, pos = [], 0
    for piece, label in pieces:
        start = text.index(piece, pos)
        out.append((start, start + len(piece), label))
        pos = start + len(piece)
    return out


T1 = "คนไทยรักชาติ นายสมชาย ใจดี ไปเชียงใหม่\nวันที่ 5 มกราคม 2567  เวลา 07.30 น."
T2 = "กระทรวงดิจิทัลฯ ลงทุน 100 ล้านบาท 😀 ที่ https://example.go.th"
DOCS = [
    (T1, _spans(T1, ("ไทย", "LOCATION"), ("นายสมชาย ใจดี", "PERSON"), ("เชียงใหม่", "LOCATION"),
                ("5 มกราคม 2567", "DATE"), ("07.30 น.", "TIME"))),
    (T2, _spans(T2, ("กระทรวงดิจิทัลฯ", "ORGANIZATION"), ("100 ล้านบาท", "MONEY"), ("https://example.go.th", "URL"))),
    ("ไม่มีชื่อเฉพาะในประโยคนี้\n\n", []),
]


@pytest.fixture
def gold(project):
    for text, spans in DOCS:
        project.add_document(DocumentData(text, {"title": text[:5]}, [SpanData(s, e, l) for s, e, l in spans]),
                             status="done", span_state="accepted")
    # a suggestion and an unfinished document that must not be exported by default
    project.add_span(1, 0, 2, "PERSON", state="suggested", origin="model")
    project.add_document(DocumentData("ยังไม่เสร็จ กรุงเทพ", {}, [SpanData(12, 19, "LOCATION")]))
    return project


def spans_of(project):
    out = {}
    for r in project.query("SELECT id, text FROM documents ORDER BY id"):
        out[r[1]] = sorted((s.start, s.end, s.label) for s in project.spans(r[0]))
    return out


@pytest.mark.parametrize("fmt", ["jsonl", "conll", "hf", "doccano", "brat", "thainer"])
def test_round_trip_every_format(gold, tmp_path, fmt):
    out = tmp_path / ("out" if fmt == "brat" else f"out.{fmt}")
    report = run_export(gold, out, fmt)
    assert report.documents == {"all": 3}
    back = Project.create(tmp_path / "back.annot")
    read_fmt = {"thainer": "thainer", "hf": "hf", "doccano": "doccano"}.get(fmt, "auto")
    rep = run_import(back, [out], fmt=read_fmt, as_gold=True)
    expected = {t: sorted(s) for t, s in DOCS}
    if fmt == "thainer":  # one line per paragraph: T1 comes back as its two lines, every entity kept
        line1, line2 = T1.split("\n")
        first = [s for s in expected[T1] if s[1] <= len(line1)]
        second = [(a - len(line1) - 1, b - len(line1) - 1, l) for a, b, l in expected[T1] if a > len(line1)]
        expected = {line1: first, line2: second, T2: expected[T2], "ไม่มีชื่อเฉพาะในประโยคนี้": []}
        assert report.errors == report.warnings == []
    assert rep.failed == []
    assert spans_of(back) == expected
    back.close()


def test_default_exports_done_documents_and_confirmed_spans_only(gold, tmp_path):
    run_export(gold, tmp_path / "d.jsonl", "jsonl")
    rows = [json.loads(l) for l in (tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 3
    assert all(s["state"] == "accepted" for r in rows for s in r["spans"])
    run_export(gold, tmp_path / "all.jsonl", "jsonl", status="any", include_suggestions=True)
    rows = [json.loads(l) for l in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 4
    assert any(s["state"] == "suggested" for r in rows for s in r["spans"])


def test_conll_tokens_join_to_text_and_edges_inside_words_survive(gold, tmp_path):
    run_export(gold, tmp_path / "g.conll", "conll")
    back = Project.create(tmp_path / "b.annot")
    run_import(back, [tmp_path / "g.conll"], as_gold=True)
    assert (2, 5, "LOCATION") in [(s.start, s.end, s.label) for s in back.spans(1)]  # ไทย inside คนไทย
    assert back.document(1).text == DOCS[0][0]
    back.close()


def test_split_is_reproducible_and_manifest_counts(gold, tmp_path):
    for i in range(20):
        text = f"เอกสาร {i} จังหวัดน่าน"
        gold.add_document(DocumentData(text, {}, [SpanData(text.index("จังหวัด"), len(text), "LOCATION")]),
                          status="done", span_state="accepted")
    a = run_export(gold, tmp_path / "a", "conll", split=parse_split("80/10/10"), seed=7)
    b = run_export(gold, tmp_path / "b", "conll", split=parse_split("80/10/10"), seed=7)
    assert a.documents == b.documents == {"train": 17, "dev": 4, "test": 2}
    for name in ("train", "dev", "test"):
        assert (tmp_path / "a" / f"{name}.conll").read_bytes() == (tmp_path / "b" / f"{name}.conll").read_bytes()
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == gold.schema_version
    assert sum(manifest["documents"].values()) == 23
    assert sum(n for split in manifest["spans"].values() for n in split.values()) == 8 + 20
    c = run_export(gold, tmp_path / "c", "conll", split=parse_split("80/10/10"), seed=8)
    assert sum(c.documents.values()) == 23 and c.documents != a.documents  # another seed, another draw
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no staging left


def test_adding_documents_never_moves_the_others():
    rows = [(i, f"{i:040x}") for i in range(200)]
    before = assign_splits(rows, (0.8, 0.1, 0.1), 3)
    after = assign_splits(rows + [(1000 + i, f"{10**6 + i:040x}") for i in range(3)], (0.8, 0.1, 0.1), 3)
    for name in before:
        assert set(before[name]) <= set(after[name])
    assert sum(map(len, after.values())) == 203
    # The sizes follow the ratios as documents add up.
    assert 140 <= len(before["train"]) <= 180 and 8 <= len(before["dev"]) <= 32


def test_assign_splits_ignores_order():
    rows = [(i, f"h{i}") for i in range(100)]
    assert assign_splits(rows, (0.8, 0.1, 0.1), 1) == assign_splits(list(reversed(rows)), (0.8, 0.1, 0.1), 1)


def test_hf_writes_label_list_beside(gold, tmp_path):
    run_export(gold, tmp_path / "h.jsonl", "hf")
    labels = json.loads((tmp_path / "h.labels.json").read_text(encoding="utf-8"))
    assert labels[0] == "O" and "B-PERSON" in labels
    row = json.loads((tmp_path / "h.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert "".join(row["tokens"]) == DOCS[0][0]
    assert len(row["tokens"]) == len(row["ner_tags"])


def test_cancelled_export_leaves_nothing(gold, tmp_path):
    from annotator.core.errors import Cancelled

    with pytest.raises(Cancelled):
        run_export(gold, tmp_path / "x.conll", "conll", cancelled=lambda: True)
    assert list(tmp_path.iterdir()) == [tmp_path / "test.annot", tmp_path / "test.annot-wal",
                                        tmp_path / "test.annot-shm"] or not (tmp_path / "x.conll").exists()
    assert not (tmp_path / "x.conll").exists()


@pytest.mark.parametrize("fmt", ["conll", "hf"])
def test_parallel_export_equals_sequential(gold, tmp_path, monkeypatch, fmt):
    from annotator.jobs import exporter

    for i in range(30):
        text = f"ข่าวที่ {i} นายกฯ ไปจังหวัดน่าน\nวันที่ {i + 1} มีนาคม"
        start = text.index("จังหวัด")
        gold.add_document(DocumentData(text, {}, [SpanData(start, start + 11, "LOCATION")]),
                          status="done", span_state="accepted")
    one = run_export(gold, tmp_path / f"one.{fmt}", fmt, workers=1)
    monkeypatch.setattr(exporter, "PARALLEL_MIN", 1)
    monkeypatch.setattr(exporter, "CHUNK_DOCS", 7)
    two = run_export(gold, tmp_path / f"two.{fmt}", fmt, workers=2)
    assert (tmp_path / f"one.{fmt}").read_bytes() == (tmp_path / f"two.{fmt}").read_bytes()
    assert one.spans == two.spans and one.documents == two.documents
    if fmt == "hf":
        assert (tmp_path / "one.labels.json").read_bytes() == (tmp_path / "two.labels.json").read_bytes()


LONG = ("กระทรวงอุตสาหกรรมร่วมกับสำนักงานคณะกรรมการส่งเสริมการลงทุนจัดงานสัมมนาเรื่องการพัฒนาอุตสาหกรรม"
        "เป้าหมายในเขตพัฒนาพิเศษภาคตะวันออก โดยมีนายสมชาย ใจดี ปลัดกระทรวงอุตสาหกรรม เป็นประธาน"
        "และเชิญผู้ประกอบการกว่าสามร้อยรายจากจังหวัดชลบุรีและระยองมาร่วมแลกเปลี่ยนความคิดเห็น") * 3


@pytest.mark.parametrize("fmt", ["conll", "hf", "jsonl"])
def test_token_exports_hold_words_of_the_text(project, tmp_path, fmt):
    """Every exported token is a word of the text: joined they give it back, and none starts
    with a vowel or tone mark cut off its consonant (อ|ุต|สา… was written before)."""
    from annotator.nlp.tokenizer import broken_boundaries

    start = LONG.index("นายสมชาย ใจดี")
    org = LONG.index("กระทรวงอุตสาหกรรม", start)
    project.add_document(DocumentData(LONG, {}, [SpanData(start, start + 13, "PERSON"),
                                                 SpanData(org, org + 17, "ORGANIZATION")]),
                         status="done", span_state="accepted")
    out = tmp_path / f"out.{fmt}"
    report = run_export(project, out, fmt)
    assert not report.warnings
    if fmt == "conll":
        words = [line.split("\t")[0] for line in out.read_text(encoding="utf-8").splitlines()
                 if line and not line.startswith("-DOCSTART-")]
        words = [w.replace("_", " ") for w in words]
    else:
        record = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
        words = record["tokens"] if fmt == "hf" else [LONG[s:e] for s, e in record["tokens"]]
    assert "".join(words) == LONG
    ends = [sum(map(len, words[: i + 1])) for i in range(len(words))]
    assert broken_boundaries(LONG, list(zip([0, *ends[:-1]], ends))) == []
    assert "อุตสาหกรรม" in words


def test_an_entity_edge_inside_a_syllable_is_kept_and_named(project, tmp_path):
    text = "ปลัดกระทรวงอุตสาหกรรม"
    at = text.index("ุต")  # an edge between อ and its vowel: the token would start with the vowel
    project.add_document(DocumentData(text, {}, [SpanData(at, len(text), "ORGANIZATION")]),
                         status="done", span_state="accepted")
    out = tmp_path / "out.conll"
    report = run_export(project, out, "conll")
    assert "\tB-ORGANIZATION" in out.read_text(encoding="utf-8")  # the entity is not dropped
    assert any("cuts a character cluster" in w for w in report.warnings)


def test_export_never_removes_a_users_folder_named_like_a_stage(gold, tmp_path):
    """Folders this program did not make stay, even when their name reads like a dead
    export's (``.gold.2024-01-15``: "2024" is no process of ours)."""
    out = tmp_path / "gold"
    mine = tmp_path / ".gold.2024-01-15"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    also = tmp_path / ".gold.old-99999999"
    also.mkdir()
    run_export(gold, out, "brat")
    run_export(gold, out, "brat")  # replacing a folder export
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep me" and also.is_dir()
    # A stage this program left (its marker inside, its process gone) is cleared away.
    from annotator.jobs.exporter import STAGE_MARKER

    dead = tmp_path / ".gold.99999999-abc"
    dead.mkdir()
    (dead / STAGE_MARKER).write_text("99999999\n", encoding="ascii")
    run_export(gold, out, "brat")
    assert not dead.exists() and mine.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".gold")) == [mine.name, also.name]


def test_brat_export_says_which_line_ends_it_wrote_as_lf(project, tmp_path):
    from annotator.formats.brat import LINE_END_NOTE

    for text in ["ข่าว\r\nกรุงเทพ", "ข่าว\rกรุงเทพ", "ข่าว\nกรุงเทพ", "ข่าวเชียงใหม่\r\n"]:
        place = "กรุงเทพ" if "กรุงเทพ" in text else "เชียงใหม่"
        start = text.index(place)
        project.add_document(DocumentData(text, {}, [SpanData(start, start + len(place), "LOCATION")]),
                             status="done", span_state="accepted")
    report = run_export(project, tmp_path / "b", "brat", split=parse_split("50/25/25"), seed=3)
    assert report.notes == [f"{LINE_END_NOTE} (3 documents)"]  # counted over the splits
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["notes"] == report.notes
    assert not any(b"\r" in p.read_bytes() for p in (tmp_path / "b").rglob("*.txt"))
    # the manifest lists each document by the project's text, which is never changed
    hashes = dict(project.query("SELECT id, content_hash FROM documents"))
    assert sorted(d["sha1"] for docs in manifest["splits"].values() for d in docs) == sorted(hashes.values())
    assert [t for (t,) in project.query("SELECT text FROM documents ORDER BY id")][0] == "ข่าว\r\nกรุงเทพ"
