"""The multi-document readers read a file as it goes: memory is bounded by one document,
not by the file, and a document past a limit (characters, tokens, spans, one line's length)
is refused at its line, naming the file, while the others are read."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from annotator.core.errors import InputFileError, InputProblem
from annotator.core.model import DocumentData
from annotator.formats import conll, hf, jsonl, labelstudio, limits, thainer
from annotator.jobs.importer import run_import
from annotator.store.project import Project

WORDS = "นายสมชาย ไปเชียงใหม่ "


def peak_while(read) -> tuple[list, int]:
    """What ``read()`` yields, counted not kept, and the peak of Python's allocations."""
    tracemalloc.start()
    try:
        kinds = [type(item).__name__ for item in read()]
        return kinds, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_is_bounded_by_one_document_not_the_file(tmp_path):
    n = 1000
    jl = tmp_path / "many.jsonl"
    jl.write_text("".join(json.dumps({"text": WORDS * 20 + str(i), "spans": [{"start": 0, "end": 8, "label": "PERSON"}]},
                                     ensure_ascii=False) + "\n" for i in range(n)), encoding="utf-8")
    th = tmp_path / "many.txt"
    th.write_text("".join(f"[PERSON]นายสมชาย[/PERSON] {WORDS * 20}{i}\n" for i in range(n)), encoding="utf-8")
    co = tmp_path / "many.conll"
    co.write_text("".join(f"-DOCSTART-\tO\n\nนาย\tB-PERSON\nสมชาย\tI-PERSON\n" + "ไป\tO\nเชียงใหม่\tO\n" * 40
                          + f"{i}\tO\n\n" for i in range(n)), encoding="utf-8")
    hj = tmp_path / "many.hf.jsonl"
    hj.write_text("".join(json.dumps({"tokens": ["นาย", "สมชาย"] + ["ไป", "เชียงใหม่"] * 40 + [str(i)],
                                      "ner_tags": ["B-PERSON", "I-PERSON"] + ["O"] * 81}, ensure_ascii=False) + "\n"
                          for i in range(n)), encoding="utf-8")
    for path, read in ((jl, jsonl.read), (th, thainer.read), (co, conll.read), (hj, hf.read)):
        size = path.stat().st_size
        assert size > 1_000_000
        kinds, peak = peak_while(lambda: read(path))
        assert kinds.count("DocumentData") == n, path
        # reading the file whole would hold its text at least once (about its size or more)
        assert peak < size / 3, (path.name, peak, size)


def test_a_line_past_the_limit_is_refused_unread_and_the_next_ones_are_read(tmp_path):
    good = json.dumps({"text": "ข่าวเล็ก"}, ensure_ascii=False)
    path = tmp_path / "long.jsonl"
    max_bytes = 1000
    long_text = "ก" * (limits.max_line(max_bytes) + 10)
    path.write_text(f"{good}\n" + json.dumps({"text": long_text}, ensure_ascii=False) + "\n"
                    + json.dumps({"text": "ข่าวเล็ก 2"}, ensure_ascii=False) + "\n", encoding="utf-8")
    items = list(jsonl.read(path, max_bytes=max_bytes))
    assert [type(i).__name__ for i in items] == ["DocumentData", "InputProblem", "DocumentData"]
    problem = items[1]
    assert problem.path == str(path) and problem.line == 2 and "longer than" in problem.message
    assert "--max-size" in problem.message


def test_thainer_and_hf_refuse_long_lines_and_big_documents_at_their_line(tmp_path):
    max_bytes = 100
    th = tmp_path / "t.txt"
    th.write_text("[PERSON]สมชาย[/PERSON] ไป\n" + "ก" * (limits.max_line(max_bytes) + 1) + "\n" + "ข" * 150
                  + "\nสั้น\n", encoding="utf-8")
    items = list(thainer.read(th, max_bytes=max_bytes))
    assert [(type(i).__name__, i.line) for i in items] == [
        ("DocumentData", 1), ("InputProblem", 2), ("InputProblem", 3), ("DocumentData", 4)]
    assert "longer than" in items[1].message and "too large for one article: 150 characters" in items[2].message
    hj = tmp_path / "h.jsonl"
    hj.write_text(json.dumps({"tokens": ["ก"] * (limits.MAX_TOKENS_PER_DOCUMENT + 1),
                              "ner_tags": ["O"] * (limits.MAX_TOKENS_PER_DOCUMENT + 1)}) + "\n"
                  + json.dumps({"tokens": ["ไป"], "ner_tags": ["O"]}) + "\n", encoding="utf-8")
    items = list(hf.read(hj))
    assert isinstance(items[0], InputProblem) and items[0].line == 1 and "250,000" in items[0].message
    assert isinstance(items[1], DocumentData) and items[1].text == "ไป"


def test_too_many_spans_refuse_their_document(tmp_path):
    n = limits.MAX_SPANS_PER_DOCUMENT + 1
    path = tmp_path / "spans.jsonl"
    text = "ก" * (2 * n)
    path.write_text(json.dumps({"text": text, "label": [[2 * i, 2 * i + 1, "PERSON"] for i in range(n)]}) + "\n"
                    + json.dumps({"text": "ข่าว"}) + "\n", encoding="utf-8")
    items = list(jsonl.read(path, max_bytes=len(text.encode())))
    assert isinstance(items[0], InputProblem) and items[0].line == 1 and "100,000" in items[0].message
    assert isinstance(items[1], DocumentData)


def test_conll_refuses_a_document_past_its_size_at_that_line_before_reading_on(tmp_path):
    path = tmp_path / "big.conll"
    with path.open("w", encoding="utf-8") as f:
        f.write("-DOCSTART-\tO\n\nข่าว\tO\n\n-DOCSTART-\tO\n\n")
        for _ in range(200):
            f.write("ประเทศไทย\tO\n")  # 9 characters a token
    with pytest.raises(InputFileError) as caught:
        list(conll.read(path, max_bytes=100))  # 6 x 100 characters of tokens at most
    assert caught.value.problem.line == 7 + 600 // 9 and "starting at line 6" in str(caught.value)
    assert "--max-size" in str(caught.value)
    assert len(list(conll.read(path))) == 2  # the default limit takes it


def test_conll_without_docstart_until_late_refuses_the_first_document_when_one_comes(tmp_path):
    # auto split: tokens in blank-line blocks are small documents, unless a -DOCSTART- line
    # later makes the file split by -DOCSTART-, where the first block is one huge document
    path = tmp_path / "late.conll"
    with path.open("w", encoding="utf-8") as f:
        for _ in range(limits.MAX_TOKENS_PER_DOCUMENT // 2 + 1):
            f.write("ก\tO\nข\tO\n\n")
        f.write("-DOCSTART-\tO\n\nค\tO\n")
    with pytest.raises(InputFileError, match="starting at line 1 has more than 250,000 tokens"):
        list(conll.read(path))
    first = next(d for d in conll.read(path, doc_split="blank") if isinstance(d, DocumentData))
    assert first.text == "ก" + "ข"  # split at blank lines, every document is small


def test_whole_file_formats_are_size_checked_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([{"data": {"text": "ข่าว"}}] * 200), encoding="utf-8")
    monkeypatch.setattr(limits, "WHOLE_FILE_MIN", 1000)
    with pytest.raises(InputFileError, match="read whole, and more than 1,600 bytes is refused before reading"):
        list(labelstudio.read(path, max_bytes=100))
    assert len(list(labelstudio.read(path, max_bytes=10_000))) == 200


def test_the_import_passes_its_max_size_to_the_readers_and_keeps_the_file_whole_or_nothing(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps({"text": "ข่าวสั้น"}, ensure_ascii=False) + "\n"
                    + json.dumps({"text": "ข" * 5000}, ensure_ascii=False) + "\n", encoding="utf-8")
    bad = tmp_path / "late-bad-byte.jsonl"
    bad.write_bytes((json.dumps({"text": "ข่าวดี"}, ensure_ascii=False) + "\n").encode() * 3 + b'{"text": "\xff"}\n')
    with Project.create(tmp_path / "p.annot") as project:
        report = run_import(project, [path, bad], max_bytes=1000)
        texts = [r[0] for r in project.query("SELECT text FROM documents")]
    assert texts == ["ข่าวสั้น"]  # the late bad byte refused its whole file, read documents and all
    failed = {(p.path, p.line) for p in report.failed}
    assert (str(path), 2) in failed and (str(bad), 4) in failed


def test_conll_names_the_document_from_its_docstart_line(tmp_path):
    path = tmp_path / "one.conll"
    with path.open("w", encoding="utf-8") as f:
        f.write("-DOCSTART-\tO\n\n" + "ไป\tO\n" * (limits.MAX_TOKENS_PER_DOCUMENT + 1))
    with pytest.raises(InputFileError) as caught:
        list(conll.read(path))
    assert caught.value.problem.line == limits.MAX_TOKENS_PER_DOCUMENT + 3 and "starting at line 2" in str(caught.value)
