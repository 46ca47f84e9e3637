"""Plain text files are staged in one pass (importer._stage_text) and their UTF-8 bytes
stored as read: the same rows as the reader's documents stored one add_document each,
the same refusals, a .ann beside a .txt still makes it brat."""

import json

from annotator.formats import txt
from annotator.jobs.importer import expand, run_import
from annotator.store.project import Project

ARTICLE = ("รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-นายกฯ เปิดงาน {k}\n\n\nวันพุธที่ 3 มกราคม 2567\nนายกฯ เปิดงานที่ลำปาง {k}\n"
           "ที่มา : https://www.thaigov.go.th/news/contents/details/{k}")


def corpus(folder):
    folder.mkdir()
    made = {
        "a.txt": ARTICLE.format(k=1).encode("utf-8"),
        "b.txt": b"\xef\xbb\xbf" + ARTICLE.format(k=2).replace("\n", "\r\n").encode("utf-8"),  # BOM, CRLF
        "c.txt": ARTICLE.format(k=3).encode("cp874"),
        "d.txt": ("\ufeff" + ARTICLE.format(k=4)).encode("utf-16"),
        "e.txt": ARTICLE.format(k=1).encode("utf-8"),  # the same text as a.txt
        "f.txt": b"\xe0\xb8\x81\n\xff\xfe bad",  # not UTF-8, not Thai cp874
        "g.txt": b"  \n\t\n",  # empty
        "h.txt": b"text\x00binary",
        "i.txt": "ไม่มีหัวข้อ\u200b\nเพียงบรรทัดเดียว".encode("utf-8"),
    }
    for name, data in made.items():
        (folder / name).write_bytes(data)
    return folder


def stored(project):
    documents = [tuple(r) for r in project.query(
        "SELECT id, text, typeof(text), CAST(text AS BLOB), content_hash, title, date, url, meta, source, status,"
        " COALESCE((SELECT open_suggestions FROM document_counts WHERE doc_id = documents.id), 0)"
        " FROM documents JOIN document_status ON document_status.doc_id = documents.id ORDER BY id")]
    log = [(r["action"], r["doc_id"], json.loads(r["after"]))
           for r in project.query("SELECT * FROM changes WHERE action = 'doc.import' ORDER BY id")]
    return documents, log


def test_same_rows_and_refusals_as_the_reader_one_document_at_a_time(tmp_path):
    folder = corpus(tmp_path / "in")
    fast = Project.create(tmp_path / "fast.annot")
    slow = Project.create(tmp_path / "slow.annot")
    try:
        report = run_import(fast, [folder])
        refused = {}
        with slow.transaction():
            for path in expand([folder]):
                try:
                    doc = next(txt.read(path))
                except Exception as e:
                    refused[path.name] = e.problem.line if hasattr(e, "problem") else None
                    continue
                slow.add_document(doc)
        assert (report.imported, report.duplicates) == (5, 1)
        assert sorted(p.path.rsplit("/", 1)[-1] for p in report.failed) == sorted(refused) == ["f.txt", "g.txt",
                                                                                                "h.txt"]
        assert [p.line for p in sorted(report.failed, key=lambda p: p.path)] == [2, 0, 0]  # the bad byte's line
        assert stored(fast) == stored(slow)
        documents, _ = stored(fast)
        assert {d[2] for d in documents} == {"text"}
        assert documents[0][1] == ARTICLE.format(k=1)
        assert documents[1][1] == ARTICLE.format(k=2).replace("\n", "\r\n")  # kept exactly, BOM dropped
        assert documents[0][5:8] == ("นายกฯ เปิดงาน 1", "2024-01-03",
                                     "https://www.thaigov.go.th/news/contents/details/1")
    finally:
        fast.close()
        slow.close()


def test_a_txt_with_an_ann_beside_it_is_brat(tmp_path, project):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "x.txt").write_text("นายสมชาย ไปขอนแก่น", encoding="utf-8")
    (folder / "x.ann").write_text("T1\tPERSON 0 8\tนายสมชาย\n", encoding="utf-8")
    (folder / "y.txt").write_text("ข้อความเฉยๆ", encoding="utf-8")
    # named one by one (as a glob of *.txt would): the .ann is still found beside x.txt
    report = run_import(project, [folder / "x.txt", folder / "y.txt"])
    assert (report.imported, report.spans, report.failed) == (2, 1, [])
