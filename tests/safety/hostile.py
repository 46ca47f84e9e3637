"""Hostile input for the importers: hypothesis strategies and the invariants every reader
and the importer must keep, whatever they are given.

Used by tests/safety/test_fuzz_importers.py (a modest number of examples) and by
benchmarks/fuzz_importers.py (the long run recorded in docs/reliability.md).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import strategies as st

from annotator import formats
from annotator.core.errors import InputFileError, InputNotice, InputProblem
from annotator.core.model import DocumentData
from annotator.jobs.importer import run_import
from annotator.store.check import check_project
from annotator.store.project import Project

# Characters that make trouble: controls, zero-width and invisible marks, Thai combining
# marks (placed anywhere, so out of order), Latin combining marks, line and paragraph
# separators, brackets of ThaiNER markup, escapes of CoNLL, BOMs and private use.
ODD = (
    "\x00\x01\x07\x08\x0b\x0c\x0e\x1b\x1c\x1d\x1e\x1f\x7f\x85\xa0"
    "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\ufffe\uffff\ue000"
    "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e"
    "\u0301\u0308\u0327\u20dd\u2028\u2029\u3000\u1680"
    "[]/\\\t\r\n {}\":,-"
)
THAI = "กขคงจฉชซญดตถทธนบปผพฟภมยรลวศษสหอฮะาำเแโใไๆ๑๒๓"
LABELS = ["PERSON", "LOCATION", "ORGANIZATION", "DATE", "X", "person", "B-X", "I", "", "ลบ", "A B", "O"]

odd_text = st.text(alphabet=st.sampled_from(ODD + THAI + "abcXYZ019"), max_size=60)
plain_text = st.text(alphabet=st.sampled_from(THAI + "abc 019"), min_size=1, max_size=40)
# Everything: any code point, surrogates excluded (they cannot be written as UTF-8).
any_text = st.text(max_size=60)
small_int = st.integers(min_value=-3, max_value=80)
huge_int = st.integers(min_value=2**63 - 2, max_value=2**64 + 2)  # past SQLite's 64-bit integers
offset = st.one_of(small_int, small_int, huge_int, st.floats(allow_nan=True), st.none(), st.text(max_size=3),
                   st.booleans())


def _dump(value) -> str:
    """json.dumps that also writes the huge ints hypothesis makes (past the 4300 digit limit)."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except ValueError:
        return "9" * 5000


@st.composite
def jsonl_line(draw) -> str:
    kind = draw(st.sampled_from(["good", "good", "spans", "broken", "deep", "types", "number", "escape", "huge"]))
    text = draw(st.one_of(plain_text, odd_text))
    if kind == "good":
        start = draw(st.integers(0, max(len(text) - 1, 0)))
        end = draw(st.integers(start + 1, max(len(text), start + 1)))
        return _dump({"text": text, "spans": [{"start": start, "end": end, "label": draw(st.sampled_from(LABELS))}]})
    if kind == "spans":
        key = draw(st.sampled_from(["spans", "ents", "entities", "label", "labels"]))
        items = draw(st.lists(st.one_of(
            st.fixed_dictionaries({"start": offset, "end": offset, "label": st.sampled_from(LABELS)}),
            st.tuples(offset, offset, st.sampled_from(LABELS)).map(list),
            st.fixed_dictionaries({"start_offset": offset, "end_offset": offset, "label": st.sampled_from(LABELS)}),
            st.fixed_dictionaries({"start": offset, "end": offset, "label": st.sampled_from(LABELS),
                                   "state": st.sampled_from(["accepted", "bogus", None]),
                                   "confidence": st.one_of(st.floats(), st.integers(-2, 2), st.none()),
                                   "text": st.one_of(odd_text, st.none())}),
            any_text, st.integers(),
        ), max_size=4))
        return _dump({"text": text, key: items, "meta": draw(st.one_of(
            st.none(), st.dictionaries(st.sampled_from(["title", "date", "url", "x"]),
                                       st.one_of(odd_text, st.integers(), st.lists(st.integers(), max_size=2),
                                                 st.none()), max_size=3),
            st.integers(), odd_text))})
    if kind == "broken":
        good = _dump({"text": text, "spans": []})
        cut = draw(st.integers(0, len(good)))
        return good[:cut] + draw(odd_text)
    if kind == "deep":
        depth = draw(st.sampled_from([50, 5000, 100_000]))
        return "[" * depth + "]" * draw(st.sampled_from([0, depth]))
    if kind == "types":
        return _dump(draw(st.one_of(st.none(), st.integers(), st.lists(st.integers(), max_size=3), odd_text,
                                    st.fixed_dictionaries({"text": st.one_of(st.integers(), st.none(), st.just(""),
                                                                             st.just("   "))}))))
    if kind == "number":
        return '{"text": "%s", "spans": [{"start": %s, "end": 1e999, "label": "X"}], "n": %s}' % (
            "ก", draw(st.sampled_from(["0", "1" * 5000, "-0", "NaN", "Infinity"])), "9" * 5000)
    if kind == "escape":  # JSON escapes that decode to lone surrogates and controls
        esc = draw(st.sampled_from(["\\ud800", "\\udfff", "\\u0000", "\\ud83d\\ude00", "\\u2028", "\\u0085"]))
        where = draw(st.sampled_from(["text", "label", "meta"]))
        if where == "text":
            return '{"text": "ก%sข", "spans": [{"start": 0, "end": 1, "label": "X"}]}' % esc
        if where == "label":
            return '{"text": "กข", "spans": [{"start": 0, "end": 1, "label": "X%s"}]}' % esc
        return '{"text": "กข", "meta": {"title": "%s", "date": "%s"}}' % (esc, esc)
    return _dump({"text": "ก" * draw(st.sampled_from([70_000, 300_000])) + text})  # a huge line


@st.composite
def jsonl_file(draw) -> bytes:
    lines = draw(st.lists(jsonl_line(), max_size=6))
    sep = draw(st.sampled_from(["\n", "\r\n", "\n\n"]))
    data = sep.join(lines).encode("utf-8", "surrogatepass")
    return draw(st.sampled_from([b"", b"\xef\xbb\xbf"])) + data + draw(st.sampled_from([b"", b"\n", b"\xff\xfe"]))


TAGS = ["O", "B-PERSON", "I-PERSON", "E-PERSON", "S-LOC", "L-LOC", "U-LOC", "B-", "I-X", "X-Y", "B-ลบ", "-", "o"]


@st.composite
def conll_file(draw) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(["tok", "tok", "tok", "blank", "docstart", "odd", "cols"]))
        if kind == "tok":
            token = draw(st.one_of(plain_text.map(lambda t: t.replace(" ", "")), st.sampled_from(
                ["\\s", "\\n", "\\u0E01", "\\uD800", "\\u00", "\\x", "\\", "-DOCSTART-", "\\u0000"])))
            lines.append(f"{token or 'ก'}\t{draw(st.sampled_from(TAGS))}")
        elif kind == "blank":
            lines.append(draw(st.sampled_from(["", " ", "\t"])))
        elif kind == "docstart":
            lines.append("-DOCSTART- -X- O O")
        elif kind == "cols":
            lines.append(" ".join(draw(st.lists(st.sampled_from(["ก", "NN", "B-X", "O"]), min_size=1, max_size=5))))
        else:
            lines.append(draw(odd_text))
    data = "\n".join(lines).encode("utf-8")
    return draw(st.sampled_from([b"", b"\xef\xbb\xbf"])) + data


@st.composite
def thainer_file(draw) -> bytes:
    pieces = st.one_of(plain_text, odd_text, st.sampled_from(
        ["[PERSON]", "[/PERSON]", "[LOCATION]", "[/LOCATION]", "[X_Y]", "[/X_Y]", "[person]", "[/]", "[", "]"]))
    lines = ["".join(draw(st.lists(pieces, max_size=8))) for _ in range(draw(st.integers(0, 6)))]
    data = "\n".join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "cp874"]))
    try:
        return data.encode(encoding)
    except UnicodeEncodeError:
        return data.encode("utf-8")


@st.composite
def hf_file(draw) -> tuple[bytes, bytes | None]:
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["good", "good", "odd", "broken", "deep"]))
        if kind == "good":
            words = draw(st.lists(st.one_of(plain_text, odd_text.filter(bool)), min_size=1, max_size=6))
            tags = draw(st.lists(st.one_of(st.integers(-1, 6), st.sampled_from(TAGS)), min_size=len(words),
                                 max_size=len(words)))
            lines.append(_dump({"id": draw(st.integers()), "tokens": words, "ner_tags": tags}))
        elif kind == "odd":
            lines.append(_dump({"tokens": draw(st.one_of(st.none(), st.lists(st.one_of(st.integers(), any_text,
                                                                                        st.just("")), max_size=3))),
                                draw(st.sampled_from(["ner_tags", "tags", "x"])): draw(st.lists(st.one_of(
                                    st.integers(), st.floats(), st.booleans(), any_text), max_size=3))}))
        elif kind == "broken":
            lines.append(draw(odd_text))
        else:
            lines.append('{"tokens": ["\\ud800"], "ner_tags": ["O"]}' if draw(st.booleans()) else "[" * 20_000)
    labels = draw(st.one_of(st.none(), st.just(_dump(["O", "B-PERSON", "I-PERSON"])),
                            st.just(_dump(["O", "B-"])), st.just("{broken"), st.just(_dump([1, 2])),
                            st.just("\xff\xfe")))
    return ("\n".join(lines).encode("utf-8", "surrogatepass"),
            None if labels is None else labels.encode("utf-8", "surrogatepass"))


@st.composite
def brat_pair(draw) -> tuple[bytes, bytes]:
    text = draw(st.one_of(plain_text, odd_text))
    lines = []
    for i in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["good", "good", "odd", "note", "frag"]))
        if kind == "good" and text:
            s = draw(st.integers(0, len(text) - 1))
            e = draw(st.integers(s + 1, len(text)))
            lines.append(f"T{i}\t{draw(st.sampled_from(LABELS))} {s} {e}\t{text[s:e]}")
        elif kind == "frag":
            a, b, c = (draw(st.one_of(offset.map(str), st.just("9" * 5000))) for _ in range(3))
            lines.append(f"T{i}\tPERSON {a} {b};{b} {c}\t{draw(odd_text)}")
        elif kind == "note":
            lines.append(f"#{i}\tAnnotatorNotes T{i}\t{draw(odd_text)}")
        else:
            lines.append(f"T{i}\t{draw(odd_text)}")
    txt = text.encode("utf-8") if draw(st.booleans()) else draw(st.binary(max_size=40))
    ann = "\n".join(lines).encode("utf-8", "surrogatepass")
    return txt, ann


@st.composite
def txt_file(draw) -> bytes:
    kind = draw(st.sampled_from(["thai", "odd", "bytes", "cp874", "utf16", "bom"]))
    text = draw(st.one_of(plain_text, odd_text))
    if kind == "thai":
        return ("หัวข้อ\n\nวันอังคารที่ 9 มกราคม 2567\n" + text + "\nที่มา : http://x.y/" + text).encode("utf-8")
    if kind == "odd":
        return text.encode("utf-8")
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "cp874":
        return (THAI + text).encode("cp874", "replace")
    if kind == "utf16":
        return text.encode("utf-16") + draw(st.binary(max_size=3))
    return b"\xef\xbb\xbf" + text.encode("utf-8")


# ------------------------------------------------------------------------ invariants
def write_hostile(folder: Path, name: str, fmt: str, content) -> list[Path]:
    """Write one generated file (or brat pair, or hf file with its labels); return paths."""
    if fmt == "brat":
        txt, ann = content
        (folder / f"{name}.txt").write_bytes(txt)
        (folder / f"{name}.ann").write_bytes(ann)
        return [folder / f"{name}.txt"]
    if fmt == "hf":
        data, labels = content
        path = folder / f"{name}.jsonl"
        path.write_bytes(data)
        if labels is not None:
            (folder / f"{name}.labels.json").write_bytes(labels)
        return [path]
    suffix = {"txt": ".txt", "jsonl": ".jsonl", "doccano": ".jsonl", "conll": ".conll", "thainer": ".txt"}[fmt]
    path = folder / f"{name}{suffix}"
    path.write_bytes(content)
    return [path]


STRATEGIES = {
    "txt": txt_file(),
    "jsonl": jsonl_file(),
    "doccano": jsonl_file(),
    "conll": conll_file(),
    "thainer": thainer_file(),
    "hf": hf_file(),
    "brat": brat_pair(),
}


def read_checked(fmt: str, path: Path) -> tuple[list[DocumentData], list[InputProblem], InputFileError | None]:
    """Read ``path`` with the ``fmt`` reader; fail (AssertionError) on anything but
    documents, problems and a whole-file refusal, or on a document that is not whole."""
    docs: list[DocumentData] = []
    problems: list[InputProblem] = []
    try:
        for item in formats.get(fmt).read(path):
            if isinstance(item, InputProblem):
                assert item.path and isinstance(item.message, str) and item.message, item
                problems.append(item)
                continue
            if isinstance(item, InputNotice):  # said of the file (how tokens were read), not refused
                assert item.path and isinstance(item.message, str) and item.message, item
                continue
            assert isinstance(item, DocumentData), f"{fmt} yielded {type(item).__name__}"
            assert isinstance(item.text, str)
            for s in item.spans:
                assert isinstance(s.start, int) and isinstance(s.end, int) and not isinstance(s.start, bool)
                assert 0 <= s.start < s.end <= len(item.text), (s, len(item.text))
                assert isinstance(s.label, str) and s.label
            docs.append(item)
    except InputFileError as e:
        assert e.problem.path and e.problem.message
        return docs, problems, e
    return docs, problems, None


hostile_files = st.lists(st.sampled_from(sorted(STRATEGIES)).flatmap(lambda f: STRATEGIES[f].map(lambda c: (f, c))),
                         min_size=1, max_size=5)
GOOD = [
    ("good1.txt", "ข่าวดี\n\nวันอังคารที่ 9 มกราคม 2567\nนายสมชาย ใจดี ไปเชียงใหม่\n"),
    ("good2.jsonl", json.dumps({"text": "นายสมชายไปภูเก็ต", "spans": [{"start": 0, "end": 7, "label": "PERSON"}]},
                               ensure_ascii=False) + "\n"),
    ("good3.conll", "-DOCSTART- -X- O O\n\nนาย\tB-PERSON\nดำ\tI-PERSON\nไป\tO\n"),
]


def _spans(doc: DocumentData) -> list[tuple[int, int, str]]:
    return sorted({(s.start, s.end, s.label) for s in doc.spans})


def import_and_verify(files: list[tuple[str, object]], add_labels: bool) -> dict[str, int]:
    """Import good files and the hostile ``files`` into a new project and check that the
    good ones went in, every file with a problem is named, each stored document is whole
    (exactly the spans its reader gave), a refused file left nothing, and the project
    passes ``check``. Returns counts for the fuzz run's record."""
    counts = {"files": 0, "refused_files": 0, "problems": 0, "documents": 0}
    policy = "add" if add_labels else "refuse"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder = tmp / "in"
        folder.mkdir()
        for name, text in GOOD:
            (folder / name).write_text(text, encoding="utf-8")
        hostile: dict[str, tuple[str, list[DocumentData], bool, bool]] = {}
        for i, (fmt, content) in enumerate(files):
            for path in write_hostile(folder, f"h{i}", fmt, content):
                docs, problems, refused = read_checked(fmt, path)
                hostile[str(path)] = (fmt, docs, bool(problems), refused is not None)
        project = Project.create(tmp / "p.annot")
        try:
            report = run_import(project, [folder / name for name, _ in GOOD], unknown_labels=policy)
            assert report.failed == [] and report.imported == 3
            # Formats the file name cannot tell (doccano and hf files end in .jsonl, thainer
            # in .txt) are imported with their format named, as a user would.
            for path, (fmt, docs, had_problems, refused) in hostile.items():
                one = run_import(project, [path], fmt=fmt, unknown_labels=policy)
                counts["files"] += 1
                counts["problems"] += len(one.failed)
                failed = {p.path for p in one.failed}
                if had_problems or refused:
                    assert failed, f"{path} ({fmt}) had problems but the report names none"
                stored = project.query("SELECT id, text FROM documents WHERE source = ?", (path,))
                if refused:
                    counts["refused_files"] += 1
                    assert not stored, f"{path} was refused whole but left documents"
                by_text: dict[str, DocumentData] = {}
                for d in docs:  # a text twice in one file: the first goes in, the next is a duplicate
                    by_text.setdefault(d.text, d)
                for row in stored:
                    assert row["text"] in by_text, "a stored text differs from what was read"
                    got = sorted((s.start, s.end, s.label) for s in project.spans(row["id"]))
                    assert got == _spans(by_text[row["text"]]), "a document went in without all its spans"
                counts["documents"] += len(stored)
        finally:
            project.close()
        report = check_project(tmp / "p.annot")
        assert report.ok, report.summary()
    return counts
