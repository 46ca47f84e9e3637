"""doccano sequence-labelling JSONL: reading exports, writing importable files."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.errors import InputProblem
from annotator.core.model import DocumentData, ExportDocument, SpanData
from annotator.formats import WriteOptions, doccano

DATA = Path(__file__).parent.parent / "data" / "formats"


def test_reads_a_doccano_export():
    path = DATA / "doccano_export.jsonl"
    first, second, third = doccano.read(path)
    assert isinstance(first, DocumentData)
    assert first.text == "กระทรวงดิจิทัลฯ ประชุมที่ขอนแก่น"
    assert [(s.start, s.end, s.label) for s in first.spans] == [
        (0, 15, "ORGANIZATION"),
        (25, 32, "LOCATION"),
    ]
    assert first.meta == {"id": 1, "Comments": [], "title": "ประชุม"}
    assert isinstance(second, DocumentData) and second.spans == []
    assert isinstance(third, InputProblem) and third.line == 3
    assert third.message == "label[1]: 5..4 is empty or reversed (start must be < end)"


def export_doc(doc_id, text, spans, meta) -> ExportDocument:
    return ExportDocument(doc_id, text, meta, spans, [(0, len(text))])


def test_written_record_is_doccano_shaped(tmp_path):
    path = tmp_path / "out.jsonl"
    doc = export_doc(
        7,
        "ไปเชียงใหม่",
        [SpanData(2, 11, "LOCATION", "accepted", "human", 0.9, "somying")],
        {"title": "ข่าว", "url": "https://example.org/1"},
    )
    assert doccano.write([doc], path, WriteOptions(with_authors=True)) == []
    line = path.read_text(encoding="utf-8")
    assert line.endswith("\n") and line.count("\n") == 1 and "เชียงใหม่" in line
    assert json.loads(line) == {
        "id": 7,
        "text": "ไปเชียงใหม่",
        "label": [[2, 11, "LOCATION"]],
        "meta": {"title": "ข่าว", "url": "https://example.org/1"},
    }


def test_meta_keys_that_would_clash_stay_inside_the_meta_object(tmp_path):
    path = tmp_path / "out.jsonl"
    meta = {"id": 99, "label": ["การเมือง"], "text": "x", "title": "ข่าว"}
    doccano.write([export_doc(7, "ข่าวการเมือง", [], meta)], path, WriteOptions())
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["id"] == 7 and record["text"] == "ข่าวการเมือง" and record["label"] == []
    assert record["meta"] == meta
    (back,) = doccano.read(path)
    assert back.meta == meta


def test_every_record_has_the_same_keys_whatever_its_metadata(tmp_path):
    # doccano reads the lines into one table: a key some records lack becomes NaN in the
    # others, which its database refuses as JSON. So the keys never vary.
    path = tmp_path / "out.jsonl"
    docs = [export_doc(1, "ก", [], {"title": "ข่าว", "year": 2024}), export_doc(2, "ข", [], {}),
            export_doc(3, "ค", [], {"url": "https://example.org"})]
    doccano.write(docs, path, WriteOptions())
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [list(r) for r in records] == [["id", "text", "label", "meta"]] * 3
    assert [r["meta"] for r in records] == [{"title": "ข่าว", "year": 2024}, {}, {"url": "https://example.org"}]


def test_overlapping_spans_are_written_with_a_warning(tmp_path):
    path = tmp_path / "out.jsonl"
    doc = export_doc(5, "ซ้อน ซ้อน", [SpanData(0, 4, "A"), SpanData(2, 9, "B")], {})
    warnings = doccano.write([doc], path, WriteOptions())
    assert json.loads(path.read_text(encoding="utf-8"))["label"] == [[0, 4, "A"], [2, 9, "B"]]
    assert warnings == [
        "document 5: spans 0..4 A and 2..9 B overlap; doccano imports them only into a "
        "project that allows overlapping spans"
    ]


HANDMADE = [
    export_doc(1, "นายสมชาย ใจดี ไปเชียงใหม่ 🙂", [SpanData(0, 13, "PERSON")], {"title": "ข่าว"}),
    export_doc(2, "บรรทัดแรก\r\nบรรทัดสอง\n\tแท็บ ", [SpanData(11, 20, "X")], {}),
    export_doc(3, "line\u2028sep \"q\" \\ 👍🏽", [SpanData(13, 15, "EMOJI")], {"source": "a.txt"}),
]


def test_round_trip_handmade(tmp_path):
    path = tmp_path / "out.jsonl"
    doccano.write(HANDMADE, path, WriteOptions())
    back = list(doccano.read(path))
    for original, d in zip(HANDMADE, back, strict=True):
        assert d.text == original.text
        assert [(s.start, s.end, s.label) for s in d.spans] == [
            (s.start, s.end, s.label) for s in original.spans
        ]
        assert d.meta == {"id": original.id, **original.meta}


# Thai letters, vowels and marks, digits, ASCII, spaces, line breaks, emoji.
TEXT = st.text(
    alphabet=st.sampled_from(list("กขคงจนมยรลวสหอะาิีุูเแโไำ่้๊๋์ๆฯ๑๒ abcXYZ019.,\"'\\\t\r\n\u2028🙂👍🏽")),
    min_size=1,
    max_size=40,
).filter(lambda t: t.strip())


@st.composite
def documents(draw):
    text = draw(TEXT)
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=6)))
    labels = st.sampled_from(["PERSON", "LOCATION", "ORGANIZATION", "DATE"])
    spans = [SpanData(a, b, draw(labels)) for a, b in zip(cuts[::2], cuts[1::2]) if a < b]
    meta = {"title": draw(TEXT), "id": draw(st.integers())}  # "id" clashes: goes nested
    return export_doc(draw(st.integers(1, 10_000)), text, spans, meta)


@settings(max_examples=60, deadline=None)
@given(st.lists(documents(), min_size=1, max_size=4))
def test_round_trip_property(docs):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.jsonl"
        doccano.write(docs, path, WriteOptions())
        back = list(doccano.read(path))
    assert [d.text for d in back] == [d.text for d in docs]
    assert [[(s.start, s.end, s.label) for s in d.spans] for d in back] == [
        [(s.start, s.end, s.label) for s in d.spans] for d in docs
    ]
    assert [d.meta for d in back] == [d.meta for d in docs]
