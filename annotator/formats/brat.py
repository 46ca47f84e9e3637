"""brat standoff: ``<id>.txt`` (the text) and ``<id>.ann`` (the annotations) per document.

Sample, for ``7.txt`` holding ``"คนไทย ไป\\nกทม.\\nนาย ก\\nข"``::

    T1<TAB>LOCATION 2 5<TAB>ไทย
    #1<TAB>AnnotatorNotes T1<TAB>state=accepted origin=model confidence=0.93
    T2<TAB>PERSON 14 19;20 21<TAB>นาย ก ข

Offsets are code points, end-exclusive, like everywhere in this program.

Line ends: brat's server opens the ``.txt`` (and the ``.ann``) with universal newlines
(``open_textfile`` in server/src/annotation.py: mode ``'rU'``), so for brat, and for pybrat and
bratly, which open it in Python's text mode, CRLF and a lone CR are one LF, and offsets count
that text. A ``.txt`` holding CR would be read one way by them and another by tools that read
the bytes. So the export writes the ``.txt`` with LF line ends (CRLF and lone CR each become
one LF; no other character changes) and counts every offset in that text: every reader, in
any mode, gets the same text and entity strings (an entity's covered text never holds a line
end, so the strings do not change). Only the exported copy changes, never the project's text;
the export's manifest says how many documents it concerned. The reader does what brat does:
offsets count the text as brat reads it (universal newlines), and are mapped back onto the
file's own text, which is imported exactly, CR included. A file whose annotations only fit
when CR is counted (written by a tool that counts it) is read that way, with a notice.

Line-break rule: an ``.ann`` file is line-oriented and brat refuses line breaks inside
a fragment, so a span covering line breaks is written as discontinuous fragments
``START END;START END`` around them (a fragment never holds LF, CR, VT, FF, U+001C-1E,
U+0085, U+2028 or U+2029: Python's line readers split at all of them). A TAB is cut out
the same way: the covered text is the line's third TAB-separated column, and a TAB in it
makes brat's parser (and pybrat, bratly) refuse the line as badly formed. The covered text
column is the fragments' texts joined with one space, as brat writes it. The reader
merges fragments separated only by line breaks and TABs back into one span; a genuinely
discontinuous annotation refuses its document. A span that starts or ends on a line
break cannot be written exactly: it is trimmed to its fragments, with a warning.

``write`` also writes ``annotation.conf`` listing the entity labels, so brat shows them
without a fix-up, and an ``AnnotatorNotes`` line per span with its state, origin,
confidence (and author, with ``with_authors``). Only text-bound (``T``) annotations are
entities here: the reader skips relations, events, attributes, normalizations and
equivalences, and says so (a notice per file, counting each kind, first line named);
notes (``#``) are skipped silently. It checks
that each covered text column equals the text at its offsets. ``read`` takes a ``.txt``
or ``.ann`` (the pair is read), or a folder (its pairs, sorted by name, not recursive).
Any other file yields nothing when its folder holds ``.ann`` files (a collection's
``annotation.conf``, an export's ``manifest.json``) and is refused otherwise.
"""

from __future__ import annotations

import codecs
import re
from bisect import bisect_left
from pathlib import Path
from typing import Callable, Iterable, Iterator

from annotator.core.errors import FormatError, InputFileError, InputNotice, InputProblem
from annotator.core.model import DocumentData, ExportDocument, SpanData
from annotator.core.spans import check_spans
from annotator.formats import WriteOptions, limits

LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
FRAGMENT_BREAKS = LINE_BREAKS + "\t"  # never inside a fragment's covered text
_FRAGMENT = re.compile(f"[^{re.escape(FRAGMENT_BREAKS)}]+")
_NUMBER = re.compile(r"[0-9]{1,18}")  # longer is no offset (and int() refuses 4,300 digits)
DISCONTINUOUS_SEPARATOR = " "
LINE_END_NOTE = ("brat: CRLF and lone CR line ends are written as LF in the .txt (brat, pybrat and"
                 " bratly read it with universal newlines); offsets count that text")  # between fragment texts in the covered text column
CONF_NAME = "annotation.conf"
# Annotation kinds by their id's first letter, which this program does not keep.
SKIPPED_KINDS = {"R": "relation", "E": "event", "A": "attribute", "M": "attribute",
                 "N": "normalization", "*": "equivalence"}


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The runs of ``text[start:end]`` that hold no line break or TAB."""
    return [m.span() for m in _FRAGMENT.finditer(text, start, end)]


def _dropped_crs(text: str) -> list[int]:
    """Positions of the CRs of CRLF pairs: universal newlines drop them."""
    return [m.start() for m in re.finditer("\r\n", text)]


def as_brat_reads(text: str) -> str:
    """``text`` as brat reads its file (universal newlines): CRLF and lone CR become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _to_brat(dropped: list[int], offset: int) -> int:
    """An offset into the text, as an offset into :func:`as_brat_reads` of it."""
    return offset - bisect_left(dropped, offset)


def _from_brat(text: str, view_length: int) -> Callable[[int], int]:
    """Maps an offset into :func:`as_brat_reads` of ``text`` back onto ``text``; a view
    character that is a CRLF maps to its CR."""
    starts = []  # text index of each view character
    i = 0
    while i < len(text):
        starts.append(i)
        i += 2 if text.startswith("\r\n", i) else 1
    starts.append(len(text))
    assert len(starts) == view_length + 1
    return starts.__getitem__


# --- writing ---------------------------------------------------------------------


def _type_ok(label: str) -> bool:
    """brat types are runs of non-space characters."""
    return bool(label) and not any(c.isspace() for c in label)


def _note(span: SpanData, with_authors: bool) -> str:
    parts = [f"state={span.state}", f"origin={span.origin}"]
    if span.confidence is not None:
        parts.append(f"confidence={span.confidence:g}")
    if with_authors and span.author:
        parts.append(f"author={'_'.join(span.author.split())}")
    return " ".join(parts)


def format_ann(doc: ExportDocument, with_authors: bool = False,
               written: list[str] | None = None) -> tuple[str, list[str]]:
    """(the .ann text, warnings) of one document; the labels written go to ``written``.
    Offsets count :func:`as_brat_reads` of the text, which is what the ``.txt`` holds."""
    dropped = _dropped_crs(doc.text)
    lines: list[str] = []
    warnings: list[str] = []
    written = [] if written is None else written
    n = 0
    for span in doc.spans:
        where = f"document {doc.id}: span {span.start}-{span.end} {span.label}"
        problems = check_spans(len(doc.text), [span])
        if problems:
            warnings.extend(f"document {doc.id}: {p}; not written" for p in problems)
            continue
        if not _type_ok(span.label):
            warnings.append(f"{where}: a brat type cannot hold whitespace; not written")
            continue
        frags = fragments(doc.text, span.start, span.end)
        if not frags:
            warnings.append(f"{where} covers only line breaks or TABs; not written")
            continue
        if frags[0][0] != span.start or frags[-1][1] != span.end:
            warnings.append(
                f"{where} starts or ends on a line break or TAB; written as {frags[0][0]}-{frags[-1][1]}"
            )
        n += 1
        written.append(span.label)
        # A fragment never holds a line end, so its text is the same in the written copy.
        covered = DISCONTINUOUS_SEPARATOR.join(doc.text[s:e] for s, e in frags)
        offsets = ";".join(f"{_to_brat(dropped, s)} {_to_brat(dropped, e)}" for s, e in frags)
        lines.append(f"T{n}\t{span.label} {offsets}\t{covered}")
        lines.append(f"#{n}\tAnnotatorNotes T{n}\t{_note(span, with_authors)}")
    return "".join(line + "\n" for line in lines), warnings


def format_conf(labels: Iterable[str]) -> str:
    """annotation.conf declaring ``labels`` as entity types (and nothing else)."""
    lines = ["# Entity types of a Thai NER Annotator export.", "[entities]"]
    lines.extend(labels)
    lines += ["", "[relations]", "", "[events]", "", "[attributes]"]
    return "\n".join(lines) + "\n"


def write(docs: Iterable[ExportDocument], path, options: WriteOptions) -> list[str]:
    """Write each document as ``<id>.txt`` + ``<id>.ann`` into the directory ``path``."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    labels = [label for label in options.labels if _type_ok(label)]
    warnings: list[str] = []
    for doc in docs:
        written: list[str] = []
        text = as_brat_reads(doc.text)
        if text != doc.text:
            options.tally.note(LINE_END_NOTE)
        ann, doc_warnings = format_ann(doc, options.with_authors, written)
        warnings.extend(doc_warnings)
        for span in doc.spans:  # labels the project list lacks still need declaring
            if span.label not in labels and _type_ok(span.label):
                labels.append(span.label)
        # newline="": written as it is (LF only), on every platform.
        with open(folder / f"{doc.id}.txt", "w", encoding="utf-8", newline="") as out:
            out.write(text)
        with open(folder / f"{doc.id}.ann", "w", encoding="utf-8", newline="\n") as out:
            out.write(ann)
        options.tally.wrote(doc.id, doc.text, written)
    with open(folder / CONF_NAME, "w", encoding="utf-8", newline="\n") as out:
        out.write(format_conf(labels))
    return warnings


# --- reading ---------------------------------------------------------------------


def _natural_key(path: Path) -> list:
    """Sort 2.txt before 10.txt."""
    return [int(p) if p.isdigit() else p for p in re.split(r"([0-9]+)", path.name)]


def _parse_textbound(line: str, text: str) -> tuple[int, int, str]:
    """(start, end, label) of a ``T`` line; FormatError if it is unusable here."""
    parts = line.split("\t", 2)
    if len(parts) != 3:
        raise FormatError("a text-bound annotation needs ID<TAB>TYPE START END<TAB>TEXT")
    ann_id, middle, covered = parts
    label, _, offsets = middle.partition(" ")
    frags = []
    for piece in offsets.split(";"):
        numbers = piece.split()
        if not label or len(numbers) != 2 or not all(_NUMBER.fullmatch(x) for x in numbers):
            raise FormatError(f"{ann_id}: cannot read type and offsets {middle!r}")
        start, end = int(numbers[0]), int(numbers[1])
        if not 0 <= start < end <= len(text):
            raise FormatError(f"{ann_id}: offsets {start} {end} are outside the text or empty")
        frags.append((start, end))
    expected = DISCONTINUOUS_SEPARATOR.join(text[s:e] for s, e in frags)
    if covered != expected:
        raise FormatError(
            f"{ann_id}: text {covered!r} differs from the text at {offsets}: {expected!r}"
        )
    frags.sort()
    merged = [frags[0]]
    for start, end in frags[1:]:
        gap = text[merged[-1][1] : start]
        if start >= merged[-1][1] and all(c in FRAGMENT_BREAKS for c in gap):
            merged[-1] = (merged[-1][0], end)  # split only by line breaks and TABs: one span
        else:
            merged.append((start, end))
    if len(merged) > 1:
        raise FormatError(f"{ann_id}: discontinuous annotation {offsets} cannot be one span")
    return merged[0][0], merged[0][1], label


def _textbounds(ann_lines: list[str], text: str, ann: Path):
    """((start, end, label, line number) of each text-bound annotation, problems, skipped
    kinds -> line numbers) of an .ann's lines against ``text``."""
    spans: list[tuple[int, int, str, int]] = []
    problems: list[InputProblem] = []
    skipped: dict[str, list[int]] = {}
    for number, line in enumerate(ann_lines, 1):
        line = line.rstrip("\r")
        if not line.startswith("T"):  # notes, relations, events, attributes: not entities
            kind = SKIPPED_KINDS.get(line[:1])
            if kind:
                skipped.setdefault(kind, []).append(number)
            continue
        try:
            spans.append((*_parse_textbound(line, text), number))
        except FormatError as e:
            problems.append(InputProblem(str(ann), number, e.args[0]))
    return spans, problems, skipped


def read_pair(txt: Path, ann: Path, notices: list[InputNotice] | None = None,
              max_bytes: int | None = None) -> DocumentData | list[InputProblem]:
    """One document from its text and annotation files, or the problems refusing it; what
    was skipped goes to ``notices``. A text over ``max_bytes`` bytes (the import's
    --max-size) or an annotation file over :func:`limits.max_line` bytes is refused before
    it is read."""
    for file, limit in ((txt, limits.max_chars(max_bytes) + len(codecs.BOM_UTF8)), (ann, limits.max_line(max_bytes))):
        try:
            size = file.stat().st_size
        except OSError as e:
            return [InputProblem(str(file), 0, f"cannot read the file: {e.strerror}")]
        if size > limit:
            return [InputProblem(str(file), 0, f"{size:,} bytes: too large for one article (over {limit:,} bytes;"
                                               " raise the limit with --max-size)")]
    contents = []
    for file, encoding in ((txt, "utf-8"), (ann, "utf-8-sig")):
        try:  # bytes, not text mode: the file's text is imported exactly, CR included
            contents.append(file.read_bytes().decode(encoding))
        except OSError as e:
            return [InputProblem(str(file), 0, f"cannot read the file: {e.strerror}")]
        except UnicodeDecodeError:
            return [InputProblem(str(file), 0, "not UTF-8 text")]
    text, ann_lines = contents[0], contents[1].split("\n")
    # Offsets count the text as brat reads it (universal newlines); mapped back onto the text.
    view = as_brat_reads(text)
    found, problems, skipped = _textbounds(ann_lines, view, ann)
    back = _from_brat(text, len(view)) if view != text else (lambda offset: offset)
    if problems and view != text:
        counting_cr, cr_problems, _ = _textbounds(ann_lines, text, ann)
        if not cr_problems:  # offsets that count CR: another tool's files (or ours before LF)
            found, problems, back = counting_cr, [], (lambda offset: offset)
            if notices is not None:
                notices.append(InputNotice(str(ann), 0, "the offsets count CR line ends, which brat reads as"
                                                        " LF (universal newlines); read them as they are"))
    # brat counts a BOM as a character; the document text does not keep it.
    shift = 1 if text.startswith("\ufeff") else 0
    spans: list[SpanData] = []
    for start, end, label, number in found:
        start, end = max(back(start) - shift, 0), back(end) - shift
        if end <= start:
            problems.append(InputProblem(str(ann), number, "the annotation covers only the BOM"))
            continue
        spans.append(SpanData(start, end, label, origin="import"))
    if skipped and notices is not None:
        counts = ", ".join(f"{len(lines)} {kind}{'s' if len(lines) > 1 else ''} (first on line {lines[0]})"
                           for kind, lines in skipped.items())
        notices.append(InputNotice(str(ann), 0, f"skipped {counts}: only entities (T lines) are imported"))
    if problems:
        return problems
    spans.sort(key=lambda s: (s.start, s.end, s.label))
    return DocumentData(text[shift:], {"id": txt.stem}, spans, source=str(txt), line=0)


def _pairs(path: Path) -> Iterator[tuple[Path, Path] | InputProblem]:
    if path.is_dir():
        for txt in sorted(path.glob("*.txt"), key=_natural_key):
            ann = txt.with_suffix(".ann")
            if ann.exists():
                yield txt, ann
            else:
                yield InputProblem(str(txt), 0, f"no {ann.name} beside it; skipped")
        for ann in sorted(path.glob("*.ann"), key=_natural_key):
            txt = ann.with_suffix(".txt")
            if not txt.exists():
                yield InputProblem(str(ann), 0, f"no {txt.name} beside it; skipped")
        return
    if path.suffix not in (".txt", ".ann"):
        # annotation.conf, visual.conf, an export's manifest.json: brat ignores the other
        # files of a collection, and so does this reader; alone, such a file is an error.
        if any(path.parent.glob("*.ann")):
            return
        raise InputFileError(str(path), 0, "not a brat file: expected a .txt, an .ann or a folder")
    if path.suffix == ".ann":
        txt, ann = path.with_suffix(".txt"), path
    else:
        txt, ann = path, path.with_suffix(".ann")
    for needed in (txt, ann):
        if not needed.exists():
            raise InputFileError(str(path), 0, f"{needed.name} not found beside it")
    yield txt, ann


def read(path, max_bytes: int | None = None) -> Iterator[DocumentData | InputProblem]:
    """Documents of a brat ``.txt``/``.ann`` pair, or of a directory of pairs (sorted by name)."""
    for pair in _pairs(Path(path)):
        if isinstance(pair, InputProblem):
            yield pair
            continue
        notices: list[InputNotice] = []
        result = read_pair(*pair, notices, max_bytes)
        yield from notices
        if isinstance(result, list):
            yield from result
        else:
            yield result
