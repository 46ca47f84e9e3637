"""ThaiNER inline markup: reading lines, refusing broken ones, writing without loss."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.errors import InputFileError, InputProblem
from annotator.core.model import DocumentData, ExportDocument, SpanData
from annotator.formats import WriteOptions, thainer

DATA = Path(__file__).parent.parent / "data" / "formats"


def spans_of(d) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in d.spans]


def by_line(path: Path) -> dict[int, DocumentData | InputProblem]:
    return {item.line: item for item in thainer.read(path)}


def test_reads_the_fixture():
    path = DATA / "thainer_sample.txt"
    items = by_line(path)
    assert sorted(items) == [1, 3, 4, 5, 6, 7, 9]  # blank lines 2 and 8 skipped
    first = items[1]
    assert first.text == "ตามที่นายสมชาย ใจดี เดินทางไปขอนแก่น"  # no BOM, no tags
    assert spans_of(first) == [(6, 19, "PERSON"), (29, 36, "LOCATION")]
    assert first.source == str(path) and first.meta == {}
    assert items[3].spans == []
    assert spans_of(items[4]) == [(0, 15, "ORGANIZATION"), (25, 34, "DATE")]
    assert spans_of(items[9]) == [(6, 17, "PHONE")]
    entities = [d.text[s.start : s.end] for n in (1, 4, 9) for d in [items[n]] for s in d.spans]
    assert entities == ["นายสมชาย ใจดี", "ขอนแก่น", "กระทรวงดิจิทัลฯ", "3 ม.ค. 67", "02 123 4567"]


def test_broken_lines_name_line_and_column():
    items = by_line(DATA / "thainer_sample.txt")
    assert all(isinstance(items[n], InputProblem) for n in (5, 6, 7))
    assert items[5].message == "broken ThaiNER markup: [/TIME] closes [DATE] (column 19)"
    assert items[6].message == "broken ThaiNER markup: [PERSON] is never closed (column 1)"
    assert items[7].message == "broken ThaiNER markup: [/DATE] closes nothing (column 12)"
    assert str(items[5]).endswith("thainer_sample.txt:5: " + items[5].message)


def test_crlf_lines(tmp_path):
    path = tmp_path / "crlf.txt"
    lines = (DATA / "thainer_sample.txt").read_bytes().split(b"\n")
    path.write_bytes(b"\r\n".join(lines))
    original, crlf = by_line(DATA / "thainer_sample.txt"), by_line(path)
    assert crlf.keys() == original.keys()
    for n, item in crlf.items():
        assert type(item) is type(original[n])
        if isinstance(item, DocumentData):
            assert (item.text, item.spans) == (original[n].text, original[n].spans)


@pytest.mark.parametrize(
    "line, message",
    [
        ("ก[PERSON]ข[LOCATION]ค[/LOCATION][/PERSON]", "[LOCATION] opens inside [PERSON] (column 11)"),
        ("[PERSON][/PERSON]", "no text once the tags are removed"),
        ("ก[DATE]ข", "[DATE] is never closed (column 2)"),
        ("[DATE]ก[/DATE] [TIME]ข", "[TIME] is never closed (column 16)"),
    ],
)
def test_more_broken_lines(tmp_path, line, message):
    path = tmp_path / "x.txt"
    path.write_text("ดี\n" + line + "\n", encoding="utf-8")
    good, bad = thainer.read(path)
    assert isinstance(good, DocumentData) and isinstance(bad, InputProblem)
    assert bad.line == 2 and message in bad.message


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"\x00\x01[PERSON]")
    with pytest.raises(InputFileError, match="looks like a binary file"):
        list(thainer.read(path))


# ------------------------------------------------------------------------ writing


def export_doc(doc_id, text, spans) -> ExportDocument:
    return ExportDocument(doc_id, text, {}, spans, [(0, len(text))])


def written(tmp_path: Path, docs: list[ExportDocument]) -> tuple[str, list[str]]:
    path = tmp_path / "out.txt"
    warnings = thainer.write(docs, path, WriteOptions())
    return path.read_text(encoding="utf-8"), warnings


def test_writes_one_line_per_document(tmp_path):
    docs = [
        export_doc(1, "ตามที่นายสมชาย ใจดี เดินทางไปขอนแก่น",
                   [SpanData(6, 19, "PERSON"), SpanData(29, 36, "LOCATION")]),
        export_doc(2, "ไม่มีชื่อ", []),
    ]
    text, warnings = written(tmp_path, docs)
    assert warnings == []
    assert text == (
        "ตามที่[PERSON]นายสมชาย ใจดี[/PERSON] เดินทางไป[LOCATION]ขอนแก่น[/LOCATION]\n"
        "ไม่มีชื่อ\n"
    )


def test_multi_line_articles_are_one_line_per_paragraph_with_every_entity(tmp_path):
    docs = [
        export_doc(2, "นายสมชาย ไป\r\n\r\nเชียงใหม่\nจบ", [SpanData(0, 8, "PERSON"), SpanData(15, 24, "LOCATION")]),
        export_doc(3, "ตาม นาย\nสมชาย", [SpanData(4, 13, "PERSON")]),  # an entity across the break
        export_doc(4, "ดี", [SpanData(0, 2, "PERSON")]),
    ]
    options = WriteOptions()
    path = tmp_path / "t.txt"
    assert thainer.write(docs, path, options) == []
    assert path.read_text(encoding="utf-8") == (
        "[PERSON]นายสมชาย[/PERSON] ไป\n[LOCATION]เชียงใหม่[/LOCATION]\nจบ\n[PERSON]ดี[/PERSON]\n")
    # What could not be written is refused, not warned about, and not counted.
    assert options.tally.refused == [
        "document 3 not written: span 4..13 PERSON crosses a line break, and ThaiNER is one line per"
        " paragraph (export it in another format)",
    ]
    assert [d for d, _ in options.tally.documents] == [2, 4]
    assert options.tally.spans == {"PERSON": 2, "LOCATION": 1}
    back = [d for d in thainer.read(path)]
    assert sum(len(d.spans) for d in back) == 3


def test_text_that_reads_as_a_tag_is_refused(tmp_path):
    options = WriteOptions()
    thainer.write([export_doc(3, "ข่าว [AI] ล่าสุด", [])], tmp_path / "t.txt", options)
    assert options.tally.refused == ["document 3 not written: its text contains '[AI]' at offset 5, which reads as a tag"]
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == ""


def test_overlapping_spans_keep_the_first(tmp_path):
    doc = export_doc(9, "ซ้อนกัน ซ้อนกัน", [SpanData(3, 15, "PERSON"), SpanData(0, 7, "ORGANIZATION")])
    text, warnings = written(tmp_path, [doc])
    assert text == "[ORGANIZATION]ซ้อนกัน[/ORGANIZATION] ซ้อนกัน\n"
    assert warnings == [
        "document 9: span 3..15 PERSON not written: it overlaps 0..7 ORGANIZATION, "
        "and markup cannot nest"
    ]


def test_labels_markup_cannot_hold_are_warned_about(tmp_path):
    doc = export_doc(4, "ไปลำปาง", [SpanData(2, 7, "location")])
    text, warnings = written(tmp_path, [doc])
    assert text == "ไปลำปาง\n"
    assert warnings == [
        "document 4: span 2..7 'location' not written: "
        "ThaiNER labels are upper-case letters and '_'"
    ]


def test_leading_bom_in_the_first_text_survives(tmp_path):
    doc = export_doc(1, "\ufeffข่าว", [SpanData(1, 5, "X")])
    path = tmp_path / "out.txt"
    thainer.write([doc], path, WriteOptions())
    (back,) = thainer.read(path)
    assert back.text == doc.text and spans_of(back) == [(1, 5, "X")]


HANDMADE = [
    export_doc(1, "  ช่องว่างหน้าและหลัง  ", [SpanData(2, 10, "LOCATION")]),
    export_doc(2, "emoji 🙂👍🏽 และ\tแท็บ [ไม่ใช่แท็ก] a[b]", [SpanData(6, 10, "X_Y")]),
    export_doc(3, "ก", [SpanData(0, 1, "A")]),
    export_doc(4, "สองชื่อติดกัน", [SpanData(0, 3, "A"), SpanData(3, 7, "B")]),
]


def test_round_trip_handmade(tmp_path):
    path = tmp_path / "out.txt"
    assert thainer.write(HANDMADE, path, WriteOptions()) == []
    back = list(thainer.read(path))
    assert [d.text for d in back] == [d.text for d in HANDMADE]
    assert [spans_of(d) for d in back] == [spans_of(d) for d in HANDMADE]


# Everything a one-line document may hold, including brackets and capitals that are
# not quite tags.
TEXT = st.text(
    alphabet=st.sampled_from(list("กขคงนมยรลสหอาิีุูเแโไำ่้์ๆฯ ๑ abAB[]/_\t🙂👍🏽")),
    min_size=1,
    max_size=40,
).filter(lambda t: t.strip() and not thainer.TAG.search(t))


@st.composite
def documents(draw):
    text = draw(TEXT)
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=6)))
    labels = st.sampled_from(["PERSON", "LOCATION", "ORGANIZATION", "DATE", "A_B"])
    spans = [SpanData(a, b, draw(labels)) for a, b in zip(cuts[::2], cuts[1::2]) if a < b]
    return export_doc(draw(st.integers(1, 10_000)), text, spans)


@settings(max_examples=80, deadline=None)
@given(st.lists(documents(), min_size=1, max_size=4))
def test_round_trip_property(docs):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.txt"
        assert thainer.write(docs, path, WriteOptions()) == []
        back = list(thainer.read(path))
    assert [d.text for d in back] == [d.text for d in docs]
    assert [spans_of(d) for d in back] == [spans_of(d) for d in docs]
