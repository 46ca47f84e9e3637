"""Hugging Face JSON lines: exact round trips, the label list beside the data, bad lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.errors import InputFileError, InputProblem
from annotator.core.model import DocumentData, ExportDocument, SpanData
from annotator.core.spans import token_cuts
from annotator.formats import WriteOptions, hf
from annotator.nlp.tokenizer import split_at, tokenize

DATA = Path(__file__).resolve().parent.parent / "data" / "formats"
LABELS = ["PERSON", "LOCATION", "ORGANIZATION"]

GOLDEN_WORDS = ["คน", "ไทย", " ", "ไป", "\r", "\n", "กทม.", "\n", "\n", "นาย", " ", "ก", "\n",
                "ข", " ", "😀", "\t", "จบ"]  # fmt: skip
GOLDEN_SPANS = [
    SpanData(2, 5, "LOCATION", "accepted", "model", 0.93),
    SpanData(10, 14, "LOCATION", "manual", "human", author="somchai"),
    SpanData(16, 23, "PERSON", "edited", "model", 0.5, author="nok"),
]


def offsets(words):
    out, pos = [], 0
    for w in words:
        out.append((pos, pos + len(w)))
        pos += len(w)
    return out


def golden_doc() -> ExportDocument:
    return ExportDocument(7, "".join(GOLDEN_WORDS), {"title": "t"}, GOLDEN_SPANS, offsets(GOLDEN_WORDS))


def export_doc(doc_id, text, spans) -> ExportDocument:
    tokens = split_at(tokenize(text), token_cuts(spans))
    return ExportDocument(doc_id, text, {}, [SpanData(*s) for s in spans], tokens)


def triples(doc: DocumentData):
    return [(s.start, s.end, s.label) for s in doc.spans]


def test_labels_path():
    assert hf.labels_path(Path("out/train.jsonl")) == Path("out/train.labels.json")
    assert hf.labels_path("data") == Path("data.labels.json")


def test_golden_files_byte_for_byte(tmp_path):
    out = tmp_path / "hf_golden.jsonl"
    assert hf.write([golden_doc()], out, WriteOptions("iob2", LABELS)) == []
    assert out.read_bytes() == (DATA / "hf_golden.jsonl").read_bytes()
    assert hf.labels_path(out).read_bytes() == (DATA / "hf_golden.labels.json").read_bytes()


def test_golden_file_reads_back():
    (doc,) = hf.read(DATA / "hf_golden.jsonl")
    assert doc.text == "".join(GOLDEN_WORDS)
    assert triples(doc) == [(s.start, s.end, s.label) for s in GOLDEN_SPANS]
    assert doc.meta == {"id": 7} and doc.line == 1


def test_bioes_label_list(tmp_path):
    out = tmp_path / "b.jsonl"
    hf.write([golden_doc()], out, WriteOptions("bioes", ["PERSON", "LOCATION"]))
    names = json.loads(hf.labels_path(out).read_text(encoding="utf-8"))
    assert names == ["O", "B-PERSON", "I-PERSON", "E-PERSON", "S-PERSON",
                     "B-LOCATION", "I-LOCATION", "E-LOCATION", "S-LOCATION"]  # fmt: skip
    record = json.loads(out.read_text(encoding="utf-8"))
    assert [names[i] for i in record["ner_tags"]][:2] == ["O", "S-LOCATION"]
    (doc,) = hf.read(out)
    assert triples(doc) == [(s.start, s.end, s.label) for s in GOLDEN_SPANS]


def test_label_missing_from_the_list_is_appended_with_a_warning(tmp_path):
    out = tmp_path / "m.jsonl"
    doc = export_doc(3, "นาย ก ไป กทม", [(0, 5, "PERSON"), (9, 12, "GPE")])
    warnings = hf.write([doc], out, WriteOptions("iob2", ["PERSON"]))
    assert warnings == ["document 3: label GPE is not in the label list; added as ids 3-4"]
    names = json.loads(hf.labels_path(out).read_text(encoding="utf-8"))
    assert names == ["O", "B-PERSON", "I-PERSON", "B-GPE", "I-GPE"]
    assert triples(next(hf.read(out))) == [(0, 5, "PERSON"), (9, 12, "GPE")]


def test_without_a_project_label_list_labels_come_from_the_spans(tmp_path):
    out = tmp_path / "n.jsonl"
    assert hf.write([export_doc(1, "กข", [(1, 2, "X")])], out, WriteOptions()) == []
    assert json.loads(hf.labels_path(out).read_text(encoding="utf-8")) == ["O", "B-X", "I-X"]


def test_overlap_warning_names_document_and_span(tmp_path):
    doc = export_doc(9, "นาย ก", [(0, 5, "PERSON"), (0, 3, "TITLE")])
    warnings = hf.write([doc], tmp_path / "o.jsonl", WriteOptions("iob2", ["PERSON", "TITLE"]))
    assert warnings == ["document 9: span 0-3 TITLE overlaps 0-5 PERSON; left out"]


def test_line_separators_are_escaped_but_round_trip(tmp_path):
    out = tmp_path / "u.jsonl"
    text = "ก\u2028ข\x85ค\u2029"
    hf.write([export_doc(1, text, [])], out, WriteOptions())
    raw = out.read_text(encoding="utf-8")
    assert len(raw.splitlines()) == 1 and "\\u2028" in raw and "ก" in raw
    assert next(hf.read(out)).text == text


def test_empty_document_round_trips(tmp_path):
    out = tmp_path / "e.jsonl"
    hf.write([ExportDocument(1, "", {}, [], [])], out, WriteOptions())
    (doc,) = hf.read(out)
    assert doc.text == "" and doc.spans == []


ALPHABET = list("คนไทยกรุงเทพา่้ข") + [" ", " ", "\n", "\n", "\r", "\t", "😀", "\\", '"', "a",
                                       "\u00a0", "\u2028", "\x85", "\u200b"]  # fmt: skip


@st.composite
def documents(draw):
    text = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=30))
    edges = sorted(draw(st.sets(st.integers(0, len(text)), max_size=6)))
    spans = [(a, b, draw(st.sampled_from(["PERSON", "LOC"]))) for a, b in zip(edges[::2], edges[1::2])]
    return text, spans


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(documents(), min_size=1, max_size=3), st.sampled_from(["iob2", "bioes"]))
def test_write_read_round_trip(tmp_path, cases, scheme):
    out = tmp_path / "r.jsonl"
    docs = [export_doc(i, text, spans) for i, (text, spans) in enumerate(cases)]
    warnings = hf.write(docs, out, WriteOptions(scheme, ["PERSON", "LOC"]))
    # Random edges may fall inside a syllable (before า or a tone mark): written, and named.
    assert [w for w in warnings if "cuts a character cluster" not in w] == []
    back = list(hf.read(out))
    assert [(d.text, triples(d)) for d in back] == [(t, s) for t, s in cases]


# --- reading files from elsewhere ----------------------------------------------------


def test_string_tags_need_no_label_file():
    docs = list(hf.read(DATA / "hf_string_tags.jsonl"))
    assert [d.text for d in docs] == ["นายสมชาย ไปเชียงใหม่", "ฝนตก"]
    assert triples(docs[0]) == [(0, 8, "PER"), (11, 20, "LOC")]
    assert docs[1].meta == {}  # no id in that record


def test_join_for_space_separated_tokens(tmp_path):
    path = tmp_path / "en.jsonl"
    path.write_text('{"tokens": ["New", "York", "rocks"], "tags": ["B-LOC", "I-LOC", "O"]}\n', encoding="utf-8")
    (doc,) = hf.read(path, join=" ")
    assert doc.text == "New York rocks" and triples(doc) == [(0, 8, "LOC")]


def test_labels_option_instead_of_a_file(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"tokens": ["ก", "ข"], "ner_tags": [1, 2]}\n', encoding="utf-8")
    (doc,) = hf.read(path, labels=["O", "B-X", "I-X"])
    assert triples(doc) == [(0, 2, "X")]


def test_bad_lines_are_problems_named_by_file_and_line():
    path = DATA / "hf_bad_lines.jsonl"
    results = list(hf.read(path))
    problems = [(r.line, r.message) for r in results if isinstance(r, InputProblem)]
    assert all(r.path == str(path) for r in results if isinstance(r, InputProblem))
    assert problems == [
        (2, "not valid JSON: Expecting ',' delimiter (column 28)"),
        (3, "2 tokens but 1 tags"),
        (4, "tag id 9 at token 0 is not in the label list"),
        (5, "unknown tag 'X-LOC' (expected O, or B-/I-/E-/S- and a label)"),
        (6, "tokens must be a list of non-empty strings"),
        (7, "a line must hold a JSON object"),
        (8, "no ner_tags (or tags) list"),
    ]
    docs = [r for r in results if isinstance(r, DocumentData)]
    assert [(d.text, d.line) for d in docs] == [("กข", 1), ("คง", 10)]


def test_integer_tags_without_label_list_are_a_problem(tmp_path):
    path = tmp_path / "nolabels.jsonl"
    path.write_text('{"tokens": ["ก"], "ner_tags": [0]}\n', encoding="utf-8")
    (problem,) = hf.read(path)
    assert problem == InputProblem(
        str(path), 1, "integer tags need the label list nolabels.labels.json beside the file"
    )


def test_broken_label_file_refuses_the_whole_file(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"tokens": ["ก"], "ner_tags": [0]}\n', encoding="utf-8")
    hf.labels_path(path).write_text('{"O": 0}', encoding="utf-8")
    with pytest.raises(InputFileError):
        list(hf.read(path))
