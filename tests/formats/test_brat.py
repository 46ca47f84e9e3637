"""brat standoff: exact texts, spans across line breaks as fragments, checks on import."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.errors import InputNotice, InputFileError, InputProblem
from annotator.core.model import DocumentData, ExportDocument, SpanData
from annotator.formats import WriteOptions, brat

DATA = Path(__file__).resolve().parent.parent / "data" / "formats"
LABELS = ["PERSON", "LOCATION", "ORGANIZATION"]

GOLDEN_TEXT = "คนไทย ไป\r\nกทม.\n\nนาย ก\nข 😀\tจบ"
GOLDEN_SPANS = [
    SpanData(2, 5, "LOCATION", "accepted", "model", 0.93),
    SpanData(10, 14, "LOCATION", "manual", "human", author="somchai"),
    SpanData(16, 23, "PERSON", "edited", "model", 0.5, author="nok"),
]


def doc(doc_id, text, spans) -> ExportDocument:
    spans = [s if isinstance(s, SpanData) else SpanData(*s) for s in spans]
    return ExportDocument(doc_id, text, {}, spans, [(0, len(text))] if text else [])


def triples(d: DocumentData):
    return [(s.start, s.end, s.label) for s in d.spans]


def test_golden_directory_byte_for_byte(tmp_path):
    out = tmp_path / "brat"
    assert brat.write([doc(7, GOLDEN_TEXT, GOLDEN_SPANS)], out, WriteOptions("iob2", LABELS)) == []
    golden = DATA / "brat_golden"
    names = sorted(p.name for p in golden.iterdir())
    assert sorted(p.name for p in out.iterdir()) == names == ["7.ann", "7.txt", "annotation.conf"]
    for name in names:
        assert (out / name).read_bytes() == (golden / name).read_bytes(), name


GOLDEN_LF = GOLDEN_TEXT.replace("\r\n", "\n")


def test_text_file_has_lf_line_ends_and_nothing_else_changes(tmp_path):
    brat.write([doc(7, GOLDEN_TEXT, []), doc(8, "ก\rข\r\n\rค\n\u2028ง\x85", [])], tmp_path, WriteOptions())
    assert (tmp_path / "7.txt").read_bytes() == GOLDEN_LF.encode("utf-8")  # no CR, no BOM
    # CRLF and a lone CR each become one LF, as universal newlines read them; nothing else changes
    assert (tmp_path / "8.txt").read_bytes() == "ก\nข\n\nค\n\u2028ง\x85".encode("utf-8")


def test_golden_directory_reads_back():
    (d,) = brat.read(DATA / "brat_golden")
    assert d.text == GOLDEN_LF
    assert [(d.text[s.start:s.end], s.label) for s in d.spans] == [
        (GOLDEN_TEXT[s.start:s.end], s.label) for s in GOLDEN_SPANS]
    assert d.meta == {"id": "7"} and all(s.origin == "import" for s in d.spans)


@pytest.mark.parametrize("name", ["7.txt", "7.ann"])
def test_read_a_single_pair_by_either_file(name):
    (d,) = brat.read(DATA / "brat_golden" / name)
    assert d.text == GOLDEN_LF and len(d.spans) == 3


def test_span_across_crlf_and_blank_lines_is_fragmented_and_merged_back(tmp_path):
    text = "นาย ก\r\n\n\u2028ข ค"
    brat.write([doc(1, text, [(0, 10, "PERSON")])], tmp_path, WriteOptions())
    assert (tmp_path / "1.ann").read_text(encoding="utf-8").split("\n")[0] == "T1\tPERSON 0 5;8 9\tนาย ก ข"
    (d,) = brat.read(tmp_path)
    assert d.text == "นาย ก\n\n\u2028ข ค" and triples(d) == [(0, 9, "PERSON")]


def read_as_brat_does(folder: Path, name: str):
    """(text, [(covered text, label)]) of a pair opened the way brat's server (codecs.open with
    universal newlines), pybrat and bratly (Python's text mode) open it: CRLF and CR read as LF;
    each text-bound line's offsets are checked against that text, as brat's parser checks them."""
    with open(folder / f"{name}.txt", encoding="utf-8") as f:  # universal newlines
        text = f.read()
    entities = []
    with open(folder / f"{name}.ann", encoding="utf-8") as f:
        for line in f:
            ann_id, middle, covered = line.rstrip("\n").split("\t")
            if not ann_id.startswith("T"):
                continue
            label, _, offsets = middle.partition(" ")
            frags = [tuple(map(int, piece.split())) for piece in offsets.split(";")]
            assert " ".join(text[s:e] for s, e in frags) == covered, line
            entities.append((text[frags[0][0]:frags[-1][1]], label))
    return text, entities


def test_crlf_and_lone_cr_documents_read_as_brat_reads_them(tmp_path):
    # Every entity after a CRLF or a lone CR, and one across each: brat, pybrat and bratly read
    # the .txt with universal newlines, so an offset counting CR would be off by one a line.
    text = "ข่าว\r\nนายสมชาย ใจดี\r\nไป\rจังหวัดเชียงใหม่\r\n\r\nกับ นาง\r\nสมศรี และ\rบริษัท ไทย จำกัด"
    pieces = [("นายสมชาย ใจดี", "PERSON"), ("จังหวัดเชียงใหม่", "LOCATION"), ("นาง\r\nสมศรี", "PERSON"),
              ("และ\rบริษัท", "X"), ("บริษัท ไทย จำกัด", "ORGANIZATION")]
    spans = [(text.index(p), text.index(p) + len(p), label) for p, label in pieces]
    assert brat.write([doc(3, text, spans)], tmp_path, WriteOptions()) == []
    got_text, entities = read_as_brat_does(tmp_path, "3")
    assert got_text == text.replace("\r\n", "\n").replace("\r", "\n")
    assert entities == [(p.replace("\r\n", "\n").replace("\r", "\n"), label) for p, label in pieces]
    # Strings that hold no line end come back exactly; the file reads the same in binary mode.
    assert entities[:2] + entities[4:] == pieces[:2] + pieces[4:]
    assert (tmp_path / "3.txt").read_bytes().decode("utf-8") == got_text
    (back,) = brat.read(tmp_path)
    assert back.text == got_text and [(back.text[s.start:s.end], s.label) for s in back.spans] == sorted(
        entities, key=lambda e: got_text.index(e[0]))


def test_overlapping_spans_are_kept(tmp_path):
    spans = [(0, 5, "PERSON"), (0, 3, "TITLE"), (4, 5, "PERSON")]
    assert brat.write([doc(1, "นาย ก", spans)], tmp_path, WriteOptions()) == []
    assert triples(next(brat.read(tmp_path))) == sorted(spans)


def test_span_edges_on_line_breaks_are_trimmed_with_a_warning(tmp_path):
    text = "ก\nข\n\nค"
    spans = [(0, 2, "A"), (3, 5, "B"), (1, 3, "C"), (5, 6, "D")]
    warnings = brat.write([doc(4, text, spans)], tmp_path, WriteOptions())
    assert warnings == [
        "document 4: span 0-2 A starts or ends on a line break or TAB; written as 0-1",
        "document 4: span 3-5 B covers only line breaks or TABs; not written",
        "document 4: span 1-3 C starts or ends on a line break or TAB; written as 2-3",
    ]
    assert triples(next(brat.read(tmp_path))) == [(0, 1, "A"), (2, 3, "C"), (5, 6, "D")]


def test_bad_labels_and_ranges_are_warned(tmp_path):
    warnings = brat.write([doc(2, "กข", [(0, 1, "TWO WORDS"), (1, 5, "X")])], tmp_path, WriteOptions())
    assert warnings == [
        "document 2: span 0-1 TWO WORDS: a brat type cannot hold whitespace; not written",
        "document 2: span 1-5 X is outside the text (0-2) or empty; not written",
    ]


def test_conf_lists_project_labels_then_others(tmp_path):
    brat.write([doc(1, "กข", [(0, 1, "EXTRA")])], tmp_path, WriteOptions(labels=["PERSON"]))
    conf = (tmp_path / "annotation.conf").read_text(encoding="utf-8")
    assert conf.split("[entities]\n")[1].split("\n\n")[0] == "PERSON\nEXTRA"


def test_authors_only_on_request(tmp_path):
    span = SpanData(0, 1, "PERSON", "manual", "human", author="Somchai K")
    brat.write([doc(1, "กข", [span])], tmp_path, WriteOptions(with_authors=True))
    assert "author=Somchai_K" in (tmp_path / "1.ann").read_text(encoding="utf-8")
    brat.write([doc(1, "กข", [span])], tmp_path, WriteOptions())
    assert "author" not in (tmp_path / "1.ann").read_text(encoding="utf-8")


ALPHABET = list("คนไทยกรุงเทพา่้ข") + [" ", " ", "\n", "\n", "\r", "\t", "😀", "\\", "a",
                                       "\u00a0", "\u2028", "\x85", "\u200b"]  # fmt: skip


@st.composite
def documents(draw):
    text = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=30))
    spans = set()
    for _ in range(draw(st.integers(0, 4))):  # may overlap: brat keeps them all
        a = draw(st.integers(0, len(text) - 1))
        b = draw(st.integers(a + 1, len(text)))
        if text[a] not in brat.FRAGMENT_BREAKS and text[b - 1] not in brat.FRAGMENT_BREAKS:
            spans.add((a, b, draw(st.sampled_from(["PERSON", "LOC"]))))
    return text, sorted(spans)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(documents(), min_size=1, max_size=3))
def test_write_read_round_trip(tmp_path, cases):
    out = tmp_path / "r"
    for old in out.glob("*") if out.exists() else []:
        old.unlink()
    assert brat.write([doc(i, t, s) for i, (t, s) in enumerate(cases)], out, WriteOptions()) == []
    back = list(brat.read(out))

    def lf(offset, text):  # an offset into the text as the .txt holds it (LF line ends)
        return len(brat.as_brat_reads(text[:offset]))

    assert [(d.text, triples(d)) for d in back] == [
        (brat.as_brat_reads(t), [(lf(a, t), lf(b, t), label) for a, b, label in s]) for t, s in cases]
    for d, (t, s) in zip(back, cases):  # every entity string, line ends read as LF
        assert [d.text[a:b] for a, b, _ in triples(d)] == [brat.as_brat_reads(t[a:b]) for a, b, _ in s]


# --- files from elsewhere ----------------------------------------------------------


def write_pair(folder: Path, name: str, text: str, ann: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_bytes(text.encode("utf-8"))
    (folder / f"{name}.ann").write_bytes(ann.encode("utf-8"))
    return folder / f"{name}.txt"


def test_covered_text_mismatch_names_file_and_line(tmp_path):
    write_pair(tmp_path, "1", "สมชาย ยิ้ม", "T1\tPER 0 5\tสมชาย\nT2\tPER 6 10\tยิ้ม!\n")
    (problem,) = brat.read(tmp_path / "1.txt")
    assert problem.path == str(tmp_path / "1.ann") and problem.line == 2
    assert problem.message == "T2: text 'ยิ้ม!' differs from the text at 6 10: 'ยิ้ม'"


def test_genuinely_discontinuous_annotation_is_a_problem(tmp_path):
    write_pair(tmp_path, "1", "ก ข ค", "T1\tX 0 1;4 5\tก ค\n")
    (problem,) = brat.read(tmp_path)
    assert problem.line == 1 and "discontinuous" in problem.message


@pytest.mark.parametrize(
    "ann",
    ["T1\tX 0\tก", "T1\tX a b\tก", "T1 X 0 1 ก", "T1\tX 0 9\tก", "T1\t 0 1\tก", "T1\tX ๐ ๑\tก"],
)
def test_unreadable_textbound_lines_are_problems(tmp_path, ann):
    write_pair(tmp_path, "1", "กข", ann + "\n")
    (problem,) = brat.read(tmp_path)
    assert isinstance(problem, InputProblem) and problem.line == 1


def test_other_annotation_kinds_are_ignored(tmp_path):
    ann = (
        "T1\tPER 0 5\tสมชาย\r\n"
        "T2\tLOC 8 13\tเมือง\r\n"
        "R1\tLives Arg1:T1 Arg2:T2\r\n"
        "A1\tNegated T1\r\n"
        "#1\tAnnotatorNotes T1\tnote\r\n"
        "\r\n"
    )
    write_pair(tmp_path, "1", "สมชาย ณ เมือง", ann + "E1\tMove:T1 Dest:T2\nE2\tMove:T2\n")
    notice, d = brat.read(tmp_path)
    assert triples(d) == [(0, 5, "PER"), (8, 13, "LOC")]
    # Not dropped silently: each kind counted, its first line named; notes are ours to skip.
    assert isinstance(notice, InputNotice) and notice.path == str(tmp_path / "1.ann")
    assert notice.message == ("skipped 1 relation (first on line 3), 1 attribute (first on line 4),"
                              " 2 events (first on line 7): only entities (T lines) are imported")


def test_a_tab_inside_an_entity_is_cut_out_like_a_line_break(tmp_path):
    # brat's parser splits a line at TABs: a TAB in the covered text is a badly formed line.
    text = "นาย\tสมชาย ไป"
    brat.write([doc(1, text, [(0, 9, "PERSON")])], tmp_path, WriteOptions())
    line = (tmp_path / "1.ann").read_text(encoding="utf-8").splitlines()[0]
    assert line == "T1\tPERSON 0 3;4 9\tนาย สมชาย" and line.count("\t") == 2
    (back,) = brat.read(tmp_path)
    assert triples(back) == [(0, 9, "PERSON")]


def test_bom_in_a_foreign_text_file(tmp_path):
    write_pair(tmp_path, "1", "\ufeffสมชาย", "T1\tPER 1 6\tสมชาย\n")
    (d,) = brat.read(tmp_path)
    assert d.text == "สมชาย" and triples(d) == [(0, 5, "PER")]


def test_directory_is_read_in_natural_order_and_orphans_are_reported(tmp_path):
    for name in ("10", "2", "1"):
        write_pair(tmp_path, name, f"doc{name}", "")
    (tmp_path / "3.txt").write_text("no ann", encoding="utf-8")
    (tmp_path / "4.ann").write_text("", encoding="utf-8")
    results = list(brat.read(tmp_path))
    assert [r.meta["id"] for r in results if isinstance(r, DocumentData)] == ["1", "2", "10"]
    problems = [r for r in results if isinstance(r, InputProblem)]
    assert [(Path(p.path).name, p.message) for p in problems] == [
        ("3.txt", "no 3.ann beside it; skipped"),
        ("4.ann", "no 4.txt beside it; skipped"),
    ]


def test_single_file_without_its_pair_is_refused(tmp_path):
    (tmp_path / "lone.txt").write_text("ก", encoding="utf-8")
    with pytest.raises(InputFileError):
        list(brat.read(tmp_path / "lone.txt"))


def test_not_utf8_text_is_a_problem_and_the_next_document_is_read(tmp_path):
    (tmp_path / "1.txt").write_bytes(b"\xe9")
    (tmp_path / "1.ann").write_bytes(b"")
    write_pair(tmp_path, "2", "ก", "")
    first, second = brat.read(tmp_path)
    assert first == InputProblem(str(tmp_path / "1.txt"), 0, "not UTF-8 text")
    assert second.text == "ก"


def test_other_files_of_a_collection_are_skipped_and_lone_ones_refused(tmp_path):
    assert list(brat.read(DATA / "brat_golden" / "annotation.conf")) == []
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputFileError):
        list(brat.read(tmp_path / "notes.json"))


def test_a_crlf_text_from_brat_keeps_its_crs_and_its_offsets_count_as_brat_reads(tmp_path):
    # A collection made on Windows: brat counts CRLF as one character (universal newlines).
    text = "ข่าว\r\nนายสมชาย ไป\r\rเชียงใหม่"
    write_pair(tmp_path, "1", text, "T1\tPER 5 13\tนายสมชาย\r\nT2\tLOC 18 27\tเชียงใหม่\r\n")
    (d,) = brat.read(tmp_path)
    assert d.text == text  # the file's text exactly, CR included
    assert [(text[s.start:s.end], s.label) for s in d.spans] == [("นายสมชาย", "PER"), ("เชียงใหม่", "LOC")]


def test_offsets_that_count_cr_are_read_as_they_are_with_a_notice(tmp_path):
    text = "ข่าว\r\nนายสมชาย ไป"  # written by a tool that counts CR (as this program did before LF)
    write_pair(tmp_path, "1", text, "T1\tPER 6 14\tนายสมชาย\n")
    notice, d = brat.read(tmp_path)
    assert isinstance(notice, InputNotice) and notice.path == str(tmp_path / "1.ann")
    assert "count CR line ends" in notice.message
    assert d.text == text and [(text[s.start:s.end]) for s in d.spans] == ["นายสมชาย"]


def test_offsets_that_fit_neither_reading_name_the_line(tmp_path):
    write_pair(tmp_path, "1", "ข่าว\r\nนายสมชาย ไป", "T1\tPER 0 4\tข่าว\nT2\tPER 7 15\tนายสมชาย\n")
    (problem,) = brat.read(tmp_path)  # reported as brat reads the file
    assert problem.line == 2 and "differs from the text at 7 15" in problem.message
