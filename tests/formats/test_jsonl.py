"""JSON Lines reader (ours, spaCy/Prodigy, doccano shapes) and writer."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.errors import InputFileError, InputProblem
from annotator.core.model import DocumentData, ExportDocument, SpanData
from annotator.formats import WriteOptions, jsonl

DATA = Path(__file__).parent.parent / "data" / "formats"


def read_lines(tmp_path: Path, *lines: str | bytes) -> list[DocumentData | InputProblem]:
    path = tmp_path / "in.jsonl"
    raw = [line.encode("utf-8") if isinstance(line, str) else line for line in lines]
    path.write_bytes(b"\n".join(raw) + b"\n")
    return list(jsonl.read(path))


def problem(tmp_path: Path, line: str | bytes) -> InputProblem:
    (item,) = read_lines(tmp_path, line)
    assert isinstance(item, InputProblem), item
    return item


def doc(tmp_path: Path, line: str) -> DocumentData:
    (item,) = read_lines(tmp_path, line)
    assert isinstance(item, DocumentData), item
    return item


def spans_of(d: DocumentData) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in d.spans]


# ------------------------------------------------------------------------ the fixture


@pytest.fixture(scope="module")
def mixed():
    path = DATA / "jsonl_mixed.jsonl"
    return path, {item.line: item for item in jsonl.read(path)}


def test_fixture_documents_and_problems_by_line(mixed):
    path, items = mixed
    docs = sorted(n for n, i in items.items() if isinstance(i, DocumentData))
    problems = sorted(n for n, i in items.items() if isinstance(i, InputProblem))
    assert docs == [1, 3, 4, 5, 10, 11]  # line 2 is blank
    assert problems == [6, 7, 8, 9]
    assert all(items[n].path == str(path) for n in problems)


def test_our_own_span_fields(mixed):
    _, items = mixed
    d = items[1]
    assert d.text == "นายสมชาย ใจดี ไปเชียงใหม่" and d.meta == {"title": "ข่าวสั้น"}
    assert d.spans == [
        SpanData(0, 13, "PERSON", "accepted", "human", None, "somying"),
        SpanData(16, 25, "LOCATION", "suggested", "model", 0.75, None),
    ]
    assert d.source.endswith("jsonl_mixed.jsonl") and d.line == 1


def test_doccano_label_triples_and_entities(mixed):
    _, items = mixed
    assert spans_of(items[3]) == [(2, 11, "LOCATION")] and items[3].meta == {"id": 42}
    assert spans_of(items[4]) == [(2, 11, "LOCATION")] and items[4].meta == {"relations": []}
    assert items[3].spans[0].state == "suggested" and items[3].spans[0].origin == "import"


def test_prodigy_record_keeps_answer_and_drops_derived_keys(mixed):
    _, items = mixed
    d = items[5]
    assert d.text[d.spans[0].start : d.spans[0].end] == "ลำปาง"
    assert d.meta == {"answer": "accept"}


def test_classification_labels_stay_in_meta(mixed):
    _, items = mixed
    assert items[10].spans == [] and items[10].meta == {"label": ["การเมือง"]}


def test_overlapping_spans_are_left_to_the_importer(mixed):
    _, items = mixed
    assert spans_of(items[11]) == [(0, 7, "ORGANIZATION"), (3, 15, "PERSON")]


def test_fixture_problem_messages(mixed):
    _, items = mixed
    assert items[6].message.startswith("not valid JSON")
    assert items[7].message == "spans[0]: 0..9 is outside the text (length 4)"
    assert "label[0]: start is 0.0, not an integer" in items[8].message
    assert items[9].message == 'no "text"'
    assert str(items[8]).startswith(f"{items[8].path}:8: ")


# ------------------------------------------------------------------------ one line each


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"text": "ไทย", "spans": [{"start": "0", "end": 2, "label": "X"}]}', 'start is "0"'),
        ('{"text": "ไทย", "spans": [{"start": 0, "end": 2.5, "label": "X"}]}', "end is 2.5"),
        ('{"text": "ไทย", "spans": [{"start": true, "end": 2, "label": "X"}]}', "start is true"),
        ('{"text": "ไทย", "spans": [{"start": null, "end": 2, "label": "X"}]}', "start is null"),
        ('{"text": "ไทย", "spans": [{"start": -1, "end": 2, "label": "X"}]}', "-1..2"),
        ('{"text": "ไทย", "spans": [{"start": 2, "end": 2, "label": "X"}]}', "2..2 is empty"),
        ('{"text": "ไทย", "spans": [{"start": 2, "end": 1, "label": "X"}]}', "2..1 is empty"),
        ('{"text": "ไทย", "spans": [{"start": 0, "end": 4, "label": "X"}]}', "outside the text (length 3)"),
        ('{"text": "ไทย", "spans": [{"start": 0, "end": 2}]}', "label must be"),
        ('{"text": "ไทย", "spans": [{"end": 2, "label": "X"}]}', 'no "start"'),
        ('{"text": "ไทย", "spans": [[0, 2]]}', "expected [start, end, label]"),
        ('{"text": "ไทย", "spans": "0-2"}', '"spans" must be a list'),
        ('{"text": "ไทย", "spans": [{"start": 0, "end": 2, "label": "X", "state": "ok"}]}',
         'unknown state "ok"'),
        ('{"text": "ไทย", "spans": [{"start": 0, "end": 2, "label": "X", "origin": "me"}]}',
         'unknown origin "me"'),
        ('{"text": "ไทย", "spans": [{"start": 0, "end": 2, "label": "X", "confidence": 2}]}',
         "confidence must be a number from 0 to 1"),
        ('{"text": "ไทย", "spans": [{"start": 0, "end": 2, "label": "X", "confidence": NaN}]}',
         "NaN is not a JSON number"),
        ('{"text": "ไทย", "spans": [{"start": 0, "end": 2, "label": "X", "text": "ไ"}]}',
         "offsets must count code points"),
        ('{"text": "ไทย", "spans": [[0, 1, "X"]], "label": [[1, 2, "Y"]]}',
         'spans in both "spans" and "label"'),
        ('{"text": 5}', '"text" must be a string, found a number'),
        ('{"text": "  \\n "}', '"text" is empty'),
        ('{"text": "a\\ud800b"}', "unpaired surrogate \\ud800 at offset 1"),
        ('{"text": "ไทย", "meta": ["x"]}', '"meta" must be an object'),
        ('["text"]', "expected a JSON object, found a list"),
        ('{"text": "ไทย",}', "not valid JSON"),
    ],
)
def test_refused_lines(tmp_path, line, message):
    item = problem(tmp_path, line)
    assert message in item.message, item.message
    assert item.line == 1 and item.path == str(tmp_path / "in.jsonl")


def test_reading_goes_on_after_a_bad_line(tmp_path):
    items = read_lines(tmp_path, '{"text": "ก"', "", '{"text": "ข"}', "oops", '{"text": "ค"}')
    assert [(type(i).__name__, i.line) for i in items] == [
        ("InputProblem", 1),
        ("DocumentData", 3),
        ("InputProblem", 4),
        ("DocumentData", 5),
    ]


def test_bytes_that_are_not_utf8_refuse_the_file_with_offset_and_line(tmp_path):
    with pytest.raises(InputFileError) as info:
        read_lines(tmp_path, b'\xef\xbb\xbf{"text": "ok"}', b'{"text": "\xff"}', '{"text": "ข"}')
    assert info.value.problem.line == 2
    # 3 (BOM) + 15 (line 1 with its newline) + 10 ('{"text": "')
    assert "byte 0xFF at byte offset 28 (line 2) is not valid UTF-8" in str(info.value)


def test_bom_and_crlf(tmp_path):
    items = read_lines(tmp_path, b'\xef\xbb\xbf{"text": "\xe0\xb8\x81"}\r', b'{"text": "b"}\r')
    assert [i.text for i in items] == ["ก", "b"]


def test_escaped_line_breaks_stay_in_the_text(tmp_path):
    d = doc(tmp_path, '{"text": "a\\r\\nb\\u2028c"}')
    assert d.text == "a\r\nb\u2028c"


def test_meta_object_wins_over_top_level_keys(tmp_path):
    d = doc(tmp_path, '{"text": "ก", "title": "top", "url": "u", "meta": {"title": "meta"}}')
    assert d.meta == {"title": "meta", "url": "u"}


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"text": "a"}\n\x00\x01\x02')
    with pytest.raises(InputFileError, match="looks like a binary file"):
        list(jsonl.read(path))


def test_utf16_file_is_refused(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes('{"text": "ก"}\n'.encode("utf-16"))
    with pytest.raises(InputFileError, match="JSON Lines must be UTF-8"):
        list(jsonl.read(path))


# ------------------------------------------------------------------------ writing


def export_doc(doc_id: int, text: str, spans: list[SpanData], meta=None) -> ExportDocument:
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    tokens = list(zip(cuts, cuts[1:]))
    return ExportDocument(doc_id, text, meta or {}, spans, tokens)


HANDMADE = [
    export_doc(
        1,
        "นายสมชาย ใจดี ไปเชียงใหม่ 🙂",
        [
            SpanData(0, 13, "PERSON", "accepted", "human", None, "somying"),
            SpanData(16, 25, "LOCATION", "suggested", "model", 0.5, None),
        ],
        {"title": "ข่าว", "date": "2024-01-03", "tags": ["a", 1, None]},
    ),
    export_doc(2, "บรรทัดแรก\r\nบรรทัดสอง\n\tมีแท็บ  และช่องว่าง ", [SpanData(11, 20, "X", "manual")]),
    export_doc(3, "line\u2028sep\u2029para\x85nel \"quote\" \\ back", []),
    export_doc(4, "ซ้อน ซ้อน", [SpanData(0, 4, "A"), SpanData(2, 9, "B")]),
]


def test_written_record(tmp_path):
    path = tmp_path / "out.jsonl"
    assert jsonl.write(HANDMADE[:1], path, WriteOptions()) == []
    (line,) = path.read_text(encoding="utf-8").splitlines()
    assert "นายสมชาย" in line  # readable Thai, not \u escapes
    record = json.loads(line)
    assert record == {
        "id": 1,
        "text": "นายสมชาย ใจดี ไปเชียงใหม่ 🙂",
        "meta": {"title": "ข่าว", "date": "2024-01-03", "tags": ["a", 1, None]},
        "tokens": [[0, 13], [13, 16], [16, 25], [25, 27]],
        "spans": [
            {"start": 0, "end": 13, "label": "PERSON", "state": "accepted", "origin": "human",
             "confidence": None},
            {"start": 16, "end": 25, "label": "LOCATION", "state": "suggested",
             "origin": "model", "confidence": 0.5},
        ],
    }


def test_authors_only_when_asked(tmp_path):
    path = tmp_path / "out.jsonl"
    jsonl.write(HANDMADE[:1], path, WriteOptions(with_authors=True))
    spans = json.loads(path.read_text(encoding="utf-8"))["spans"]
    assert [s["author"] for s in spans] == ["somying", None]


def test_one_line_per_document_even_with_unicode_line_breaks(tmp_path):
    path = tmp_path / "out.jsonl"
    jsonl.write(HANDMADE, path, WriteOptions())
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) == len(HANDMADE)  # str.splitlines splits on \u2028 too
    assert b"\r" not in path.read_bytes()


def test_round_trip_handmade(tmp_path):
    path = tmp_path / "out.jsonl"
    jsonl.write(HANDMADE, path, WriteOptions(with_authors=True))
    back = list(jsonl.read(path))
    assert all(isinstance(d, DocumentData) for d in back)
    for original, d in zip(HANDMADE, back, strict=True):
        assert d.text == original.text
        assert d.spans == original.spans  # state, origin, confidence, author included
        assert d.meta == {"id": original.id, **original.meta}  # top-level id kept in meta


# Thai letters, vowels and marks, digits, ASCII, spaces, line breaks, emoji.
TEXT = st.text(
    alphabet=st.sampled_from(list("กขคงจนมยรลวสหอะาิีุูเแโไำ่้๊๋์ๆฯ๑๒ abcXYZ019.,\"'\\\t\r\n\u2028🙂👍🏽")),
    min_size=1,
    max_size=40,
).filter(lambda t: t.strip())


@st.composite
def documents(draw, doc_id=st.integers(1, 10_000)):
    text = draw(TEXT)
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=6)))
    pairs = [(a, b) for a, b in zip(cuts[::2], cuts[1::2]) if a < b]
    labels = st.sampled_from(["PERSON", "LOCATION", "ORGANIZATION", "DATE"])
    spans = [SpanData(a, b, draw(labels)) for a, b in pairs]
    return export_doc(draw(doc_id), text, spans, {"title": draw(TEXT)})


@settings(max_examples=60, deadline=None)
@given(st.lists(documents(), min_size=1, max_size=4))
def test_round_trip_property(docs):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.jsonl"
        jsonl.write(docs, path, WriteOptions())
        back = list(jsonl.read(path))
    assert [d.text for d in back] == [d.text for d in docs]
    assert [d.spans for d in back] == [d.spans for d in docs]
    assert [d.meta["title"] for d in back] == [d.meta["title"] for d in docs]
