"""CoNLL: exact round trips of Thai text (spaces, newlines, CRLF, emoji, TAB), external files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.errors import FormatError, InputFileError, InputNotice, InputProblem
from annotator.core.model import DocumentData, ExportDocument, SpanData
from annotator.core.spans import token_cuts
from annotator.formats import WriteOptions, conll
from annotator.nlp.tokenizer import split_at, tokenize

DATA = Path(__file__).resolve().parent.parent / "data" / "formats"
LABELS = ["PERSON", "LOCATION", "ORGANIZATION"]

# The golden document: words as the exporter would pass them (คนไทย split at ไทย).
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
    """As the exporter builds it: newmm tokens split at every span edge."""
    tokens = split_at(tokenize(text), token_cuts(spans))
    return ExportDocument(doc_id, text, {}, [SpanData(*s) for s in spans], tokens)


def triples(doc: DocumentData):
    return [(s.start, s.end, s.label) for s in doc.spans]


def read_all(path, **options):
    """Documents and problems; notices (how spaces were read) are tested on their own."""
    return [r for r in conll.read(path, **options) if not isinstance(r, InputNotice)]


# --- golden files ------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["iob2", "bioes"])
def test_golden_file_byte_for_byte(tmp_path, scheme):
    out = tmp_path / "out.conll"
    assert conll.write([golden_doc()], out, WriteOptions(scheme, LABELS)) == []
    assert out.read_bytes() == (DATA / f"conll_golden_{scheme}.conll").read_bytes()


@pytest.mark.parametrize("scheme", ["iob2", "bioes"])
def test_golden_file_reads_back(scheme):
    (doc,) = read_all(DATA / f"conll_golden_{scheme}.conll")
    assert doc.text == "".join(GOLDEN_WORDS)
    assert triples(doc) == [(s.start, s.end, s.label) for s in GOLDEN_SPANS]
    assert all(s.origin == "import" for s in doc.spans)
    assert doc.line == 3


def test_lines_survive_whitespace_splitting_readers():
    """Every token line is two whitespace-free columns; blank lines are sentence breaks."""
    lines = (DATA / "conll_golden_iob2.conll").read_text(encoding="utf-8").split("\n")[:-1]
    for line in lines:
        if line in ("", conll.DOCSTART_STYLES["tagged"]):
            continue
        assert len(line.split()) == 2 and line.split("\t") == line.split()
    # the line after a \n token is blank, and only there
    for before, line in zip(lines, lines[1:]):
        if line == "" and before != conll.DOCSTART_STYLES["tagged"] and before:
            assert before.startswith("\\n\t")


# --- the escape rule ---------------------------------------------------------------


@pytest.mark.parametrize(
    "word, field",
    [
        ("ไทย", "ไทย"),
        (" ", "\\s"),
        ("\t", "\\t"),
        ("\n", "\\n"),
        ("\r", "\\r"),
        ("\\", "\\\\"),
        ("a\\sb", "a\\\\sb"),
        ("\u00a0", "\\u00A0"),
        ("\u3000", "\\u3000"),
        ("\u2028", "\\u2028"),
        ("-DOCSTART-", "\\u002DDOCSTART-"),
        ("-DOCSTART-x", "\\u002DDOCSTART-x"),
        ("x-DOCSTART-", "x-DOCSTART-"),
        ("😀\u200b", "😀\u200b"),  # not whitespace: written as is
    ],
)
def test_escape_rule(word, field):
    assert conll.escape_token(word) == field
    assert conll.unescape_token(field) == word


def test_no_whitespace_survives_escaping():
    every_space = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
    field = conll.escape_token(every_space + "\\")
    assert not any(c.isspace() for c in field)
    assert conll.unescape_token(field) == every_space + "\\"


@pytest.mark.parametrize("field", ["\\", "a\\x", "\\u12", "\\uZZZZ"])
def test_unknown_escape_is_refused(field):
    with pytest.raises(FormatError):
        conll.unescape_token(field)


def test_docstart_word_in_a_text_round_trips(tmp_path):
    text = "ข่าว -DOCSTART- จบ"
    out = tmp_path / "d.conll"
    conll.write([export_doc(1, text, [(5, 15, "ORGANIZATION")])], out, WriteOptions())
    (doc,) = read_all(out)
    assert doc.text == text and triples(doc) == [(5, 15, "ORGANIZATION")]


# --- writer behaviour --------------------------------------------------------------


def test_entity_edge_inside_a_newmm_word_survives(tmp_path):
    text = "คนไทยชอบกินข้าว"
    assert (0, 5) in tokenize(text)  # newmm: คนไทย is one word
    out = tmp_path / "e.conll"
    conll.write([export_doc(3, text, [(2, 5, "NORP")])], out, WriteOptions())
    assert "ไทย\tB-NORP\n" in out.read_text(encoding="utf-8")
    (doc,) = read_all(out)
    assert doc.text == text and triples(doc) == [(2, 5, "NORP")]


def test_writer_splits_unsplit_tokens_itself(tmp_path):
    text = "คนไทย"
    doc = ExportDocument(1, text, {}, [SpanData(2, 5, "NORP")], [(0, 5)])
    out = tmp_path / "u.conll"
    assert conll.write([doc], out, WriteOptions()) == []
    assert triples(read_all(out)[0]) == [(2, 5, "NORP")]


def test_overlaps_are_warned_with_document_and_span(tmp_path):
    text = "นาย ก ไป กทม"
    doc = export_doc(42, text, [(0, 5, "PERSON"), (4, 5, "LOCATION")])
    warnings = conll.write([doc], tmp_path / "o.conll", WriteOptions())
    assert warnings == ["document 42: span 4-5 LOCATION overlaps 0-5 PERSON; left out"]
    assert triples(read_all(tmp_path / "o.conll")[0]) == [(0, 5, "PERSON")]


def test_bad_spans_and_empty_documents_are_warned(tmp_path):
    docs = [
        ExportDocument(1, "", {}, [], []),
        ExportDocument(2, "กขค", {}, [SpanData(1, 9, "X"), SpanData(0, 1, "A B")], [(0, 3)]),
    ]
    warnings = conll.write(docs, tmp_path / "b.conll", WriteOptions())
    assert warnings == [
        "document 1: empty text; not written",
        "document 2: span 1-9 X is outside the text (0-3) or empty; not written",
        "document 2: span 0-1: label 'A B' cannot be a tag; not written",
    ]
    (doc,) = read_all(tmp_path / "b.conll")
    assert doc.text == "กขค" and doc.spans == []


def test_tokens_that_lose_text_are_refused(tmp_path):
    doc = ExportDocument(5, "กขค", {}, [], [(0, 1), (2, 3)])
    with pytest.raises(FormatError, match="document 5: tokens do not cover the text"):
        conll.write([doc], tmp_path / "x.conll", WriteOptions())


def test_unknown_scheme_is_refused_before_writing(tmp_path):
    with pytest.raises(FormatError):
        conll.write([golden_doc()], tmp_path / "s.conll", WriteOptions(scheme="bilou"))
    assert not (tmp_path / "s.conll").exists()


def test_several_documents_keep_their_boundaries(tmp_path):
    texts = ["ก ข\n", "ค", "\n\nง"]
    out = tmp_path / "m.conll"
    conll.write([export_doc(i, t, []) for i, t in enumerate(texts)], out, WriteOptions())
    assert [d.text for d in read_all(out)] == texts
    assert out.read_text(encoding="utf-8").count(conll.DOCSTART_STYLES["tagged"] + "\n") == 3


# --- round trips -------------------------------------------------------------------

ALPHABET = list("คนไทยกรุงเทพา่้ข") + [" ", " ", "\n", "\n", "\r", "\t", "😀", "\\", "-", "a",
                                       "\u00a0", "\u3000", "\u2028", "\u200b"]  # fmt: skip


@st.composite
def documents(draw):
    text = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=30))
    edges = sorted(draw(st.sets(st.integers(0, len(text)), max_size=6)))
    spans = [(a, b, draw(st.sampled_from(["PERSON", "LOC"]))) for a, b in zip(edges[::2], edges[1::2])]
    return text, spans


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(documents(), min_size=1, max_size=3), st.sampled_from(["iob2", "bioes"]))
def test_write_read_round_trip(tmp_path, cases, scheme):
    out = tmp_path / "r.conll"
    docs = [export_doc(i, text, spans) for i, (text, spans) in enumerate(cases)]
    warnings = conll.write(docs, out, WriteOptions(scheme))
    # Random edges may fall inside a syllable (before า or a tone mark): written, and named.
    assert [w for w in warnings if "cuts a character cluster" not in w] == []
    expected = [(t, s) for t, s in cases]
    # Files written here mark spaces with "_": read so, every text comes back exactly.
    assert [(d.text, triples(d)) for d in read_all(out, token_sep="underscore")] == expected
    # The default guesses the marking from the tokens. With a Thai letter it guesses right;
    # a file of only other words and no spaces ('a😀') looks like space-separated English
    # and reads as such, with a notice (test_auto_reads_spaceless_latin_as_space_separated).
    if any("\u0e01" <= c <= "\u0e7f" for t, _ in cases for c in t):
        assert [(d.text, triples(d)) for d in read_all(out)] == expected


def test_auto_reads_spaceless_latin_as_space_separated(tmp_path):
    out = tmp_path / "l.conll"
    conll.write([export_doc(0, "a😀", [])], out, WriteOptions("iob2"))
    results = list(conll.read(out))
    assert [r.text for r in results if isinstance(r, DocumentData)] == ["a 😀"]
    assert any(isinstance(r, InputNotice) for r in results)  # the guess is named
    assert [d.text for d in read_all(out, token_sep="underscore")] == ["a😀"]


# --- files from other tools --------------------------------------------------------


def test_external_file_with_four_columns():
    docs = read_all(DATA / "conll_external_4col.conll")
    assert all(isinstance(d, DocumentData) for d in docs)
    first, second = docs
    # Thai tokens join with "", sentences with "\n"; the NER tag is the last column.
    assert first.text == "นายกฯไปเชียงใหม่\nพรุ่งนี้ฝนตก"
    assert triples(first) == [(7, 16, "LOC")]
    # IOB1-style I- after O starts an entity; an entity does not cross a sentence break
    assert second.text == "สมชายพบสมหญิง\nสมหญิงยิ้ม"
    assert triples(second) == [(0, 5, "PER"), (7, 13, "PER"), (14, 20, "PER")]
    assert second.line == 14


def test_external_space_separated_language_with_join():
    (doc,) = read_all(DATA / "conll_external_english.conll", join=" ", doc_split="docstart")
    assert doc.text == "Somchai visited New York City .\nIt rained ."
    assert triples(doc) == [(0, 7, "PER"), (16, 29, "LOC")]


def test_blank_line_blocks_are_documents_without_docstart():
    docs = read_all(DATA / "conll_external_english.conll", token_sep="none")
    assert [d.text for d in docs] == ["SomchaivisitedNewYorkCity.", "Itrained."]
    (one,) = read_all(DATA / "conll_external_english.conll", doc_split="docstart", token_sep="none")
    assert one.text == "SomchaivisitedNewYorkCity.\nItrained."


def test_blank_split_on_a_docstart_file():
    docs = read_all(DATA / "conll_external_4col.conll", doc_split="blank")
    assert [d.text for d in docs] == ["นายกฯไปเชียงใหม่", "พรุ่งนี้ฝนตก", "สมชายพบสมหญิง", "สมหญิงยิ้ม"]


def test_wrong_column_count_names_file_and_line():
    path = DATA / "conll_bad_columns.conll"
    results = read_all(path)
    problems = [r for r in results if isinstance(r, InputProblem)]
    assert problems == [InputProblem(str(path), 5, "expected 4 columns like line 3, found 3")]
    assert str(problems[0]).startswith(f"{path}:5: ")
    # the broken document is skipped, the next one is read
    docs = [r for r in results if isinstance(r, DocumentData)]
    assert [d.text for d in docs] == ["สมชายยิ้ม"]


def test_unknown_tag_and_bad_escape_are_problems_for_their_document(tmp_path):
    path = tmp_path / "t.conll"
    path.write_text(
        "-DOCSTART- -X- O O\n\nก\tB-PER\nข\tX-PER\n"
        "-DOCSTART- -X- O O\n\nก\\s\tO\nข\\q\tO\n"
        "-DOCSTART- -X- O O\n\nค\tS-LOC\n",
        encoding="utf-8",
    )
    results = read_all(path)
    assert [type(r) for r in results] == [InputProblem, InputProblem, DocumentData]
    assert results[0].line == 4 and "X-PER" in results[0].message
    assert results[1].line == 8 and "unknown escape" in results[1].message
    assert triples(results[2]) == [(0, 1, "LOC")]


def test_escapes_off_takes_tokens_verbatim(tmp_path):
    path = tmp_path / "v.conll"
    path.write_text("C:\\new\tO\n\\\tO\n", encoding="utf-8")
    (doc,) = read_all(path, escapes=False, token_sep="none")
    assert doc.text == "C:\\new\\"
    # auto: "\n" looks like an escape, so the lone backslash is a problem
    (problem,) = read_all(path, token_sep="none")
    assert isinstance(problem, InputProblem) and problem.line == 2


def test_plain_file_without_escapes_reads_verbatim(tmp_path):
    path = tmp_path / "p.conll"
    path.write_text("a\\b\tB-X\n", encoding="utf-8")  # "\b" is not one of our escapes
    (doc,) = read_all(path, token_sep="none")
    assert doc.text == "a\\b"


def test_crlf_and_bom_files_from_other_tools(tmp_path):
    path = tmp_path / "w.conll"
    path.write_bytes("\ufeffสมชาย B-PER\r\nยิ้ม O\r\n\r\nจบ O\r\n".encode("utf-8"))
    first, second = read_all(path)
    assert first.text == "สมชายยิ้ม" and triples(first) == [(0, 5, "PER")]
    assert second.text == "จบ"
    (doc,) = read_all(path, doc_split="docstart")
    assert doc.text == "สมชายยิ้ม\nจบ"


def test_one_column_file_is_refused(tmp_path):
    path = tmp_path / "one.conll"
    path.write_text("-DOCSTART-\n\nก\nข\n", encoding="utf-8")
    with pytest.raises(InputFileError) as e:
        read_all(path)
    assert e.value.problem.line == 3


def test_not_utf8_is_refused_with_its_line(tmp_path):
    path = tmp_path / "latin.conll"
    path.write_bytes(b"a\tO\nb\xe9\tO\n")
    with pytest.raises(InputFileError) as e:
        read_all(path)
    assert e.value.problem.line == 2


def test_unknown_doc_split():
    with pytest.raises(FormatError):
        read_all(DATA / "conll_external_english.conll", doc_split="sentence")


def test_empty_file_has_no_documents(tmp_path):
    path = tmp_path / "empty.conll"
    path.write_text("-DOCSTART- -X- O O\n\n", encoding="utf-8")
    assert read_all(path) == []


def test_tis620_file_from_an_older_thai_corpus(tmp_path):
    path = tmp_path / "old.conll"
    path.write_bytes("สมชาย\tB-PER\nไป\tO\nเชียงใหม่\tB-LOC\n".encode("cp874"))
    (doc,) = read_all(path)
    assert doc.text == "สมชายไปเชียงใหม่"
    assert triples(doc) == [(0, 5, "PER"), (7, 16, "LOC")]


def test_a_document_past_the_token_limit_is_refused_at_its_line_before_it_is_built(tmp_path):
    from annotator.core.errors import InputFileError
    from annotator.formats import conll

    path = tmp_path / "one-document.conll"
    with path.open("w", encoding="utf-8") as f:
        f.write("-DOCSTART-\tO\nข่าว\tO\n\n")  # a small first document
        f.write("-DOCSTART-\tO\n")
        for _ in range(conll.MAX_TOKENS_PER_DOCUMENT + 1):
            f.write("ประเทศ\tO\n")
    try:
        list(conll.read(path))
    except InputFileError as e:
        assert e.problem.line == conll.MAX_TOKENS_PER_DOCUMENT + 5 and "starting at line 5" in str(e)
    else:
        raise AssertionError("a 250,001-token document was read")
