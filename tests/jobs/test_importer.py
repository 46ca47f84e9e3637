import json
from pathlib import Path

from annotator.jobs.importer import run_import
from annotator.store.project import Project

ARTICLE = """ดีอีเปิดศูนย์ข้อมูลเมืองอัจฉริยะ

วันจันทร์ที่ 8 มกราคม 2567
ดีอีเปิดศูนย์ข้อมูลเมืองอัจฉริยะ
นายวิชัย ศรีสุข ปลัดกระทรวง เปิดศูนย์ข้อมูลที่จังหวัดขอนแก่น งบประมาณ 120 ล้านบาท
ที่มา : https://www.example.go.th/news/1
"""


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def texts(project):
    return [r[0] for r in project.query("SELECT text FROM documents ORDER BY id")]


def test_folder_of_articles_with_bom_and_cp874(project, tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    write(src / "a.txt", ARTICLE)
    write(src / "sub" / "b.txt", "\ufeff" + ARTICLE.replace("120", "130"))
    write(src / "c.txt", ARTICLE.replace("120", "140"), "cp874")
    report = run_import(project, [src])
    assert (report.imported, report.duplicates, report.failed) == (3, 0, [])
    stored = texts(project)  # files are taken in path order: a.txt, c.txt, sub/b.txt
    assert stored[0] == ARTICLE  # kept exactly
    assert "140 ล้านบาท" in stored[1]
    assert stored[2] == ARTICLE.replace("120", "130")  # the BOM is an encoding mark, not text
    doc = project.document(1)
    assert doc.title == "ดีอีเปิดศูนย์ข้อมูลเมืองอัจฉริยะ"
    assert doc.date == "2024-01-08"
    assert doc.url == "https://www.example.go.th/news/1"


def test_duplicates_skipped_and_counted_rerun_is_harmless(project, tmp_path):
    write(tmp_path / "a.txt", ARTICLE)
    write(tmp_path / "b.txt", ARTICLE)
    report = run_import(project, [tmp_path / "*.txt"])
    assert (report.imported, report.duplicates) == (1, 1)
    again = run_import(project, [tmp_path])
    assert (again.imported, again.duplicates) == (0, 2)
    assert project.document_count() == 1


def test_bad_files_named_with_line_and_good_ones_still_go_in(project, tmp_path):
    write(tmp_path / "good.txt", ARTICLE)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    (tmp_path / "broken.txt").write_bytes("สวัสดี\nบรรทัดสอง\n".encode() + b"\xff\xfe\xfa\n")
    (tmp_path / "huge.txt").write_bytes(("ก" * 1000 + "\n").encode() * 1800)  # ~5.4 MB
    report = run_import(project, [tmp_path])
    assert report.imported == 1
    failed = {p.path.rsplit("/", 1)[-1]: p for p in report.failed}
    assert set(failed) == {"empty.txt", "binary.txt", "broken.txt", "huge.txt"}
    assert "empty" in failed["empty.txt"].message
    assert "binary" in failed["binary.txt"].message
    assert failed["broken.txt"].line == 3
    assert "MB" in failed["huge.txt"].message or "bytes" in failed["huge.txt"].message
    assert project.document_count() == 1


def test_jsonl_malformed_line_named_and_others_imported(project, tmp_path):
    lines = [
        json.dumps({"text": "กรุงเทพมหานคร", "spans": [{"start": 0, "end": 13, "label": "LOCATION"}]}, ensure_ascii=False),
        "{not json",
        json.dumps({"text": "ภูเก็ต", "spans": [{"start": 0, "end": 60, "label": "LOCATION"}]}, ensure_ascii=False),
        json.dumps({"text": "เชียงราย เชียงใหม่", "label": [[0, 8, "LOCATION"], [4, 12, "LOCATION"]]}, ensure_ascii=False),
        json.dumps({"text": "นครพนม"}, ensure_ascii=False),
    ]
    write(tmp_path / "d.jsonl", "\n".join(lines) + "\n")
    report = run_import(project, [tmp_path / "d.jsonl"])
    assert report.imported == 2
    lines_failed = sorted(p.line for p in report.failed)
    assert lines_failed == [2, 3, 4]
    assert all(p.path.endswith("d.jsonl") for p in report.failed)
    assert any("overlap" in p.message for p in report.failed)
    assert any("outside" in p.message for p in report.failed)


def test_conll_wrong_column_count_named(project, tmp_path):
    write(tmp_path / "x.conll", "-DOCSTART-\nนาย\tB-PERSON\nสมชาย\tI-PERSON\n\n-DOCSTART-\nไป\tO\tX\n")
    report = run_import(project, [tmp_path / "x.conll"])
    assert report.imported == 1
    assert [(p.line) for p in report.failed] == [6]
    assert project.spans(1)[0].label == "PERSON"


def test_gold_import_and_unknown_labels(project, tmp_path):
    write(tmp_path / "ner.txt",
          "[PERSON]นายสมชาย[/PERSON] ไป[FACILITY]สนามบินดอนเมือง[/FACILITY]\n[AGO]3 วันก่อน[/AGO] ฝนตก\n")
    report = run_import(project, [tmp_path / "ner.txt"], fmt="thainer", as_gold=True,
                        label_map={"FACILITY": "LOCATION"})
    assert report.imported == 1
    assert report.failed[0].line == 2 and "AGO" in report.failed[0].message
    assert project.document(1).status == "done"
    assert [(s.label, s.state) for s in project.spans(1)] == [("PERSON", "accepted"), ("LOCATION", "accepted")]
    report = run_import(project, [tmp_path / "ner.txt"], fmt="thainer", as_gold=True,
                        unknown_labels="add", label_map={"FACILITY": "LOCATION"})
    assert (report.imported, report.duplicates, report.labels_added) == (1, 1, ["AGO"])
    assert project.has_label("AGO")


def test_file_refused_whole_when_it_breaks_midway(project, tmp_path):
    good = json.dumps({"text": "ขอนแก่น"}, ensure_ascii=False).encode()
    (tmp_path / "mixed.jsonl").write_bytes(good + b"\n" + b"\xff\xff not utf8\n")
    report = run_import(project, [tmp_path / "mixed.jsonl"])
    assert report.imported == 0 and project.document_count() == 0
    assert report.failed and report.failed[0].path.endswith("mixed.jsonl")


def test_missing_path_reported(project, tmp_path):
    report = run_import(project, [tmp_path / "nope" / "*.txt"])
    assert report.imported == 0
    assert "no such file" in report.failed[0].message


def test_cancel_stops_between_files(project, tmp_path):
    for i in range(5):
        write(tmp_path / f"{i}.txt", ARTICLE + str(i))
    seen = []
    report = run_import(project, [tmp_path], progress=lambda d, t, m="": seen.append(d),
                        cancelled=lambda: len(seen) > 2)
    assert report.cancelled
    assert project.document_count() == 2


def test_links_inside_an_imported_folder_are_not_followed(project, tmp_path):
    """A folder from someone else may hold links to anything on this machine: they are
    skipped and named, unless asked for."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "real.txt").write_text("ข่าวจริง\n\nเนื้อข่าว\n", encoding="utf-8")
    outside = tmp_path / "secret.txt"
    outside.write_text("ความลับของเครื่องนี้\n", encoding="utf-8")
    (folder / "passwd.txt").symlink_to(outside)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "more.txt").write_text("ข่าวอื่น\n", encoding="utf-8")
    (folder / "linked-folder").symlink_to(elsewhere, target_is_directory=True)
    report = run_import(project, [folder])
    assert report.imported == 1 and sorted(Path(p).name for p in report.links_skipped) == ["linked-folder", "passwd.txt"]
    assert "skipped 2 symbolic links" in report.summary()
    texts = [project.document(d).text for d in project.document_ids()]
    assert not any("ความลับ" in t for t in texts)
    followed = run_import(project, [folder], follow_links=True)
    assert followed.imported == 2 and not followed.links_skipped


def test_spans_that_cut_a_character_cluster_are_widened_and_named(project, tmp_path):
    """ท|ี่ (a vowel and tone mark cut off their consonant), ก|ำ, an emoji cut from its skin
    tone: each span takes whole characters, and the report says which."""
    text = "ที่ประชุม กำหนด คนไทย👍🏽 ดี"
    records = [
        {"text": text, "spans": [
            {"start": 0, "end": 1, "label": "LOCATION"},  # ท of ที่
            {"start": 10, "end": 11, "label": "DATE"},  # ก of กำ
            {"start": 16, "end": 22, "label": "PERSON"},  # คนไทย👍 without its skin tone
        ]},
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    report = run_import(project, [path], fmt="jsonl", as_gold=True)
    assert report.imported == 1 and report.failed == []
    spans = {(s.start, s.end, s.label) for s in project.spans(1)}
    assert spans == {(0, 3, "LOCATION"), (10, 12, "DATE"), (16, 23, "PERSON")}
    assert [text[s:e] for s, e, _ in sorted(spans)] == ["ที่", "กำ", "คนไทย👍🏽"]
    notice = " ".join(str(n) for n in report.notices)
    assert "cut a character cluster" in notice and "gold.jsonl" in notice and "3 span(s)" in notice


def jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_a_file_the_database_refuses_is_refused_alone_in_its_batch(project, tmp_path):
    """Files are written a batch at a time; a value only SQLite refuses (an integer too
    large for it) refuses that file, named, and the files around it still go in."""
    write(tmp_path / "a.txt", ARTICLE)
    jsonl(tmp_path / "b.jsonl", [{"text": "ข่าวหนึ่ง"}, {"text": "ข่าวสอง", "meta": {"date": 2 ** 70}}])
    write(tmp_path / "c.txt", ARTICLE.replace("120", "150"))
    write(tmp_path / "d.txt", ARTICLE)  # the same text as a.txt
    report = run_import(project, [tmp_path])
    assert (report.imported, report.duplicates) == (2, 1)
    assert [p.path for p in report.failed] == [str(tmp_path / "b.jsonl")]
    assert "OverflowError" in report.failed[0].message
    assert texts(project) == [ARTICLE, ARTICLE.replace("120", "150")]  # nothing of b.jsonl
    again = run_import(project, [tmp_path])
    assert (again.imported, again.duplicates, len(again.failed)) == (0, 3, 1)


def test_change_log_names_each_document_and_its_spans(project, tmp_path):
    write(tmp_path / "a.txt", ARTICLE)
    jsonl(tmp_path / "b.jsonl", [{"text": "ไปเชียงใหม่", "spans": [{"start": 2, "end": 11, "label": "LOCATION"}]},
                                 {"text": "ข่าวสอง"}])
    report = run_import(project, [tmp_path])
    assert report.imported == 3 and report.spans == 1
    log = project.query("SELECT grp, author, doc_id, after FROM changes WHERE action = 'doc.import' ORDER BY id")
    assert [r["doc_id"] for r in log] == [1, 2, 3]
    assert {r["author"] for r in log} == {"tester"}
    after = [json.loads(r["after"]) for r in log]
    assert [a["source"] for a in after] == [str(tmp_path / "a.txt")] + [str(tmp_path / "b.jsonl")] * 2
    span = project.spans(2)[0]
    assert after[1]["spans"] == [[span.id, 2, 11, "LOCATION"]]
    assert project.query("SELECT COALESCE((SELECT open_suggestions FROM document_counts WHERE doc_id = documents.id), 0) FROM documents ORDER BY id")[1][0] == 1


def test_files_written_as_read_keep_their_place(project, tmp_path):
    """A file that adds labels is written in its own savepoint between the batched ones:
    the documents keep the order of the files."""
    jsonl(tmp_path / "a.jsonl", [{"text": "หนึ่ง", "spans": [{"start": 0, "end": 2, "label": "PERSON"}]}])
    jsonl(tmp_path / "b.jsonl", [{"text": "สอง", "spans": [{"start": 0, "end": 2, "label": "SHIP"}]}])
    jsonl(tmp_path / "c.jsonl", [{"text": "สาม"}])
    report = run_import(project, [tmp_path], unknown_labels="add")
    assert report.imported == 3 and report.labels_added == ["SHIP"]
    assert texts(project) == ["หนึ่ง", "สอง", "สาม"]


def test_a_large_file_is_written_as_it_is_read_and_still_whole_or_not_at_all(project, tmp_path, monkeypatch):
    import annotator.jobs.importer as importer

    monkeypatch.setattr(importer, "STAGE_DOCUMENTS", 3)
    jsonl(tmp_path / "big.jsonl", [{"text": f"ข่าวที่ {k}"} for k in range(10)])
    good = "".join(json.dumps({"text": f"อีกข่าว {k}"}, ensure_ascii=False) + "\n" for k in range(6)).encode()
    (tmp_path / "broken.jsonl").write_bytes(good + b"\xff\xff not utf8\n")
    report = run_import(project, [tmp_path])
    assert report.imported == 10 and project.document_count() == 10
    assert [Path(p.path).name for p in report.failed] == ["broken.jsonl"]
