r"""CoNLL token-per-line files, tags in IOB2 or BIOES: ``TOKEN<TAB>TAG``.

Sample: the text ``"คนไทย ไป\nกทม."`` with LOCATION on ``ไทย`` (tokens already split
at the entity edge, so ``คนไทย`` is written as ``คน`` + ``ไทย``)::

    -DOCSTART-	O

    คน	O
    ไทย	B-LOCATION
    _	O
    ไป	O
    \n	O

    กทม.	O

Files written here
------------------
* Each document starts with a ``-DOCSTART-`` line and a blank line. ``docstart`` chooses
  the line (:data:`DOCSTART_STYLES`): ``tagged`` (default) ``-DOCSTART-<TAB>O`` has two
  columns like every token line, so column readers that infer the tag column from the
  first lines (Flair's ``ColumnCorpus``) read tags; ``conll2003`` writes the 4-column
  ``-DOCSTART- -X- O O``, the exact line ``spacy convert`` splits documents at (Flair then
  reads ``-X-`` as a tag and finds no entities); ``none`` writes no such line.
* A token line is the escaped token, a TAB, the tag. Escaping makes a token a run of
  visible characters, so readers that split lines on whitespace see two columns:

  ==========================  =====================
  character in the token      written as
  ==========================  =====================
  ``\`` (backslash)           ``\\``
  space                       ``_`` (``space_token="_"``, the default: the Thai corpora's
                              convention) or ``\s`` (``space_token="\\s"``)
  ``_`` (underscore)          ``\u005F``, so a token of ``_`` always means spaces
  TAB                         ``\t``
  LF                          ``\n``
  CR                          ``\r``
  other ``str.isspace()``     ``\uXXXX`` (4 upper-case hex digits), e.g. NBSP
  ``-`` that begins a token   ``\u002D``, only when the token begins ``-DOCSTART-``
  ==========================  =====================

  Nothing else is escaped (Thai, emoji, zero-width characters are written as they are).
* A blank line (a sentence break) follows every token that ends with LF and is tagged
  ``O``: a line break inside an entity gets none, so no reader splits the entity there. It
  adds no text: the document text is the unescaped tokens joined with ``""``, exactly.

Reading (ours and other tools' files)
-------------------------------------
* Columns are split at runs of spaces/TABs. The token is the first column and the
  tag the last, so ``TOKEN POS CHUNK NER`` files work. Every token line must have as
  many columns as the first token line of the file; a line that differs refuses its
  document (the problem names file and line).
* ``escapes``: None (default) unescapes when some token holds one of the escapes
  above (every file written here that has anything to escape does); files without
  one read the same either way. ``escapes=False`` takes tokens verbatim (a file from
  another tool with tokens like ``C:\new``); ``True`` forces unescaping.
* ``token_sep`` (:data:`TOKEN_SEPS`) says how the file marks the spaces of the text:
  ``none`` — tokens join with ``""`` (Thai written here, ``\s`` spaces); ``underscore`` —
  every ``_`` is a space (Thai corpora, and files written here); ``space`` — tokens of one
  sentence join with ``" "`` (English and other space-separated languages); ``auto``
  (default) — ``underscore`` if some token is made of ``_`` only (or holds ``_`` in a file
  with the escapes above), else ``space`` if no
  token holds a Thai letter or one of the escapes above, else ``none``; the choice, when not ``none``, is reported as a notice.
  ``join`` (a string) overrides it: put between tokens of one sentence. A joining gap
  inside an entity belongs to it.
* A sentence break followed by more tokens of the same document adds ``"\n"`` unless
  the token before it already ends with LF (always so in files written here, so they
  read back exactly). The added ``"\n"`` is an ``O`` token: no entity crosses it.
* ``doc_split``: ``"docstart"`` — documents are separated by ``-DOCSTART-`` lines and
  blank lines separate sentences; ``"blank"`` — every blank-line block is a document;
  ``"auto"`` (default) — ``docstart`` if the file has a ``-DOCSTART-`` line, else ``blank``.
* Tags may be IOB2, IOB1-style or BIOES (see :mod:`annotator.core.spans`).
* Files may be UTF-8 (with or without BOM), UTF-16 with a BOM, or TIS-620 Thai (see
  :mod:`annotator.formats.encoding`); they are written as UTF-8 without BOM.
* A document with no tokens is not yielded, so an empty document is not written
  either (a warning says so).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import chain, compress, count, repeat
from pathlib import Path
from typing import Iterable, Iterator

from annotator.core.errors import FormatError, InputFileError, InputNotice, InputProblem
from annotator.core.model import DocumentData, ExportDocument, SpanData
from annotator.core.spans import (
    check_spans,
    parse_tag,
    scheme_prefixes,
    spans_to_tags,
    tags_to_spans,
    token_cuts,
)
from annotator.formats import WriteOptions, encoding, limits
from annotator.nlp.tokenizer import broken_boundaries, split_at

DOCSTART = "-DOCSTART-"
DOCSTART_LINE = "-DOCSTART- -X- O O"  # CoNLL-2003's, which spacy convert splits at
DOCSTART_STYLES = {"tagged": DOCSTART + "\tO", "conll2003": DOCSTART_LINE, "none": ""}
SPACE_TOKENS = ("_", "\\s")  # how a space is written; "_" is the default
TOKEN_SEPS = ("auto", "none", "underscore", "space")
DOC_SPLITS = ("auto", "docstart", "blank")
_THAI = re.compile("[\u0E01-\u0E5B]")

_SHORT_ESCAPES = {"\\": "\\\\", " ": "\\s", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", "s": " ", "t": "\t", "n": "\n", "r": "\r"}
_ANY_ESCAPE = re.compile(r"\\(?:[\\strn]|u[0-9A-Fa-f]{4})")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_COLUMNS = re.compile(r"[ \t]+")


# --- the escape rule -------------------------------------------------------------


# Every character str.isspace() accepts lies below U+3001, so the table is complete.
_OTHER_SPACE = re.compile(r"[^\S \t\n\r]")
_ESCAPE_TABLE = str.maketrans(
    {chr(i): _SHORT_ESCAPES.get(chr(i), f"\\u{i:04X}") for i in range(0x3001) if chr(i).isspace()}
    | {"\\": "\\\\"}
)
# "_" is escaped in both modes, so that a token of underscores always means spaces.
_ESCAPE_TABLE[ord("_")] = "\\u005F"
_UNDERSCORE_TABLE = {**_ESCAPE_TABLE, ord(" "): "_"}


def escape_token(word: str, space_token: str = "\\s") -> str:
    """The token as written in a file: no whitespace, reversible by :func:`unescape_token`
    (with ``underscores=True`` when ``space_token`` is ``"_"``)."""
    field = word.translate(_UNDERSCORE_TABLE if space_token == "_" else _ESCAPE_TABLE)
    if field.startswith(DOCSTART):  # a token must never read as a document break
        field = "\\u002D" + field[1:]
    return field


def _escape_text(text: str, space_token: str) -> str:
    """escape_token without the -DOCSTART- rule, fast on long texts: str.replace runs at C
    speed where translate with a table looks every character up in a dict."""
    # Backslashes first (the escapes below add some), then the rarer spaces by regex,
    # then the five short escapes.
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if _OTHER_SPACE.search(text):
        text = _OTHER_SPACE.sub(_hex_escape, text)
    if "_" in text:
        text = text.replace("_", "\\u005F")
    if space_token == "_":
        text = text.replace(" ", "_")
    for ch in " \t\n\r":
        if ch in text:
            text = text.replace(ch, _SHORT_ESCAPES[ch])
    return text


def _hex_escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04X}"


def _escape_words(text: str, words: list[str], space_token: str = "\\s") -> list[str]:
    """escape_token over a document's words, done on the whole text at once: the words are
    joined with a marker character the text does not contain, escaped, and split again."""
    if DOCSTART in text:
        return [escape_token(w, space_token) for w in words]
    marker = next(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)  # private use
    return _escape_text(marker.join(words), space_token).split(marker)


def unescape_token(field: str, underscores: bool = False) -> str:
    """Inverse of :func:`escape_token`; ``underscores``: every ``_`` is a space. Raises
    FormatError on an unknown escape."""
    if underscores:
        field = field.replace("_", "\\s")  # a literal "_" was written as \u005F
    if "\\" not in field:
        return field
    out = []
    i = 0
    while i < len(field):
        ch = field[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        code = field[i + 1 : i + 2]
        if code and code in _UNESCAPES:
            out.append(_UNESCAPES[code])
            i += 2
        elif code == "u" and _HEX4.fullmatch(field, i + 2, i + 6):
            out.append(chr(int(field[i + 2 : i + 6], 16)))
            i += 6
        else:
            raise FormatError(
                f"unknown escape {field[i : i + 2]!r} in token {field!r} "
                "(read with escapes off for files not written by this program)"
            )
    return "".join(out)


# --- writing ---------------------------------------------------------------------


def encode_document(doc: ExportDocument, scheme: str) -> tuple[list[str], list[str], list[str]]:
    """(words, tags, warnings) of one document, for token formats (CoNLL, Hugging Face).

    Spans that are out of range, or whose label cannot be a tag, and spans left out
    because they overlap another are named in the warnings.
    """
    warnings = []
    spans = []
    size = len(doc.text)
    for span in doc.spans:
        if not (0 <= span.start < span.end <= size):
            problems = check_spans(size, [span])
        elif not _valid_label(span.label):
            problems = [f"span {span.start}-{span.end}: label {span.label!r} cannot be a tag"]
        else:
            spans.append((span.start, span.end, span.label))
            continue
        warnings.extend(f"document {doc.id}: {p}; not written" for p in problems)
    # The exporter splits tokens at span edges already; splitting again is cheap and
    # keeps a hand-made ExportDocument from failing on an edge inside a word.
    cuts = token_cuts(spans)
    tokens = split_at(doc.tokens, cuts)
    _check_cover(doc, tokens)
    # The tokenizer never cuts a syllable; only an entity edge inside one can.
    for at in broken_boundaries(doc.text, [t for t in tokens if t[0] in cuts]):
        warnings.append(f"document {doc.id}: an entity edge at {at} cuts a character cluster"
                        f" ({doc.text[max(0, at - 4):at]}|{doc.text[at:at + 4]}): a token starts with a mark")
    tags, problems = spans_to_tags(tokens, spans, scheme)
    warnings.extend(f"document {doc.id}: {p}" for p in problems)
    text = doc.text
    return [text[s:e] for s, e in tokens], tags, warnings


@lru_cache(maxsize=1024)
def _valid_label(label: str) -> bool:
    return bool(label) and not any(c.isspace() for c in label)


def _check_cover(doc: ExportDocument, tokens: list[tuple[int, int]]) -> None:
    """Refuse tokens that do not cover the text exactly (or are empty): text would be lost."""
    if not tokens:
        if not doc.text:
            return
        raise FormatError(f"document {doc.id}: tokens do not cover the text exactly (at 0)")
    flat = list(chain.from_iterable(tokens))  # s0, e0, s1, e1, …: compared at C speed
    starts, ends = flat[0::2], flat[1::2]
    if starts[0] == 0 and starts[1:] == ends[:-1] and ends[-1] == len(doc.text) and \
            all(map(int.__lt__, starts, ends)):
        return
    pos = 0
    for start, end in tokens:
        if start != pos or end <= start:
            break
        pos = end
    raise FormatError(f"document {doc.id}: tokens do not cover the text exactly (at {pos})")


def format_document(words: list[str], tags: list[str], text: str | None = None,
                    space_token: str = "\\s", docstart: str = "conll2003") -> str:
    """The lines of one document, starting with its -DOCSTART- line (``docstart`` is a key
    of :data:`DOCSTART_STYLES`).

    ``text`` is the words joined, when the caller has it. Built with whole-list operations
    rather than a loop over tokens: a news article has about a thousand of them.
    """
    if text is None:
        text = "".join(words)
    fields = _escape_words(text, words, space_token)
    ends = {tag: f"\t{tag}\n" for tag in set(tags)}
    line_ends = list(map(ends.__getitem__, tags))
    # A token ending with LF closes a sentence: a blank line after it, adding no text. Not
    # inside an entity: readers would cut the entity in two at the blank line.
    if "\n" in text:
        for i in compress(count(), map(str.endswith, words, repeat("\n"))):
            if tags[i] == "O":
                line_ends[i] += "\n"
    body = "".join(chain.from_iterable(zip(fields, line_ends)))
    start = DOCSTART_STYLES[docstart]
    return (start + "\n\n" if start else "") + body


def space_token_of(options: WriteOptions) -> str:
    """The space token a CoNLL file is written with; FormatError for one it cannot be."""
    token = "_" if options.space_token == "auto" else options.space_token
    if token not in SPACE_TOKENS:
        raise FormatError(f"space token {token!r} cannot be written in CoNLL (choose _ or \\s):"
                          " a CoNLL column holds no whitespace")
    return token


def spans_of_tags(words: list[str], tags: list[str]) -> list[str]:
    """The labels of the entities ``tags`` hold, as a reader decodes them."""
    tokens, pos = [], 0
    for w in words:
        tokens.append((pos, pos + len(w)))
        pos += len(w)
    return [label for _, _, label in tags_to_spans(tokens, tags)]


def write(docs: Iterable[ExportDocument], path, options: WriteOptions) -> list[str]:
    """Write ``docs`` to the file ``path``; return warnings (spans not written)."""
    scheme_prefixes(options.scheme)  # fail before creating the file
    space_token = space_token_of(options)
    if options.docstart not in DOCSTART_STYLES:
        raise FormatError(f"unknown docstart {options.docstart!r} (one of {', '.join(DOCSTART_STYLES)})")
    warnings: list[str] = []
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        ends_blank = True
        for doc in docs:
            if not doc.text:
                warnings.append(f"document {doc.id}: empty text; not written")
                continue
            words, tags, doc_warnings = encode_document(doc, options.scheme)
            warnings.extend(doc_warnings)
            block = format_document(words, tags, doc.text, space_token, options.docstart)
            if not ends_blank:
                out.write("\n")  # a blank line between documents, as CoNLL-2003 has
            out.write(block)
            ends_blank = block.endswith("\n\n")
            options.tally.wrote(doc.id, doc.text, spans_of_tags(words, tags))
    return warnings


# --- reading ---------------------------------------------------------------------


MAX_TOKENS_PER_DOCUMENT = limits.MAX_TOKENS_PER_DOCUMENT


class _Facts:
    """What the first pass over a file finds out (the choices that depend on the whole
    file), in constant memory: the first token line, whether some token holds an escape,
    a -DOCSTART- line, and what the auto token separator looks at."""

    def __init__(self) -> None:
        self.first: tuple[int, list[str]] | None = None
        self.escapes = self.docstart = self.only_underscores = self.underscore = False
        self.thai = self.alpha = False

    def token(self, number: int, columns: list[str]) -> None:
        word = columns[0]
        if self.first is None:
            self.first = (number, columns)
        if not self.escapes and "\\" in word and _ANY_ESCAPE.search(word):
            self.escapes = True
        if "_" in word:
            self.underscore = True
            if not self.only_underscores and word.strip("_") == "":
                self.only_underscores = True
        if not self.thai and _THAI.search(word):
            self.thai = True
        if not self.alpha and any(c.isalpha() for c in word):
            self.alpha = True


class _Run:
    """Tokens and characters of the document being read, from its first line."""

    def __init__(self, start: int) -> None:
        self.start, self.tokens, self.chars = start, 0, 0

    def over(self, max_chars: int) -> str | None:
        if self.tokens > MAX_TOKENS_PER_DOCUMENT:
            return (f"the document starting at line {self.start} has more than {MAX_TOKENS_PER_DOCUMENT:,} tokens:"
                    " not one article (split it into documents with -DOCSTART- lines or blank lines)")
        if self.chars > max_chars:
            return (f"the document starting at line {self.start} has more than {max_chars:,} characters in its"
                    " tokens: too large for one article (raise the limit with --max-size)")
        return None


def _scan(path: Path, codec: str, doc_split: str, max_bytes: int | None) -> _Facts:
    """The first pass: the file's facts; InputFileError at the line where one document passes
    the token or size limit, or a line is too long, before any row of it is kept (an 88 MB
    one-document file took gigabytes to refuse after reading it whole)."""
    facts = _Facts()
    max_line = limits.max_line(max_bytes)
    # characters of the token columns (escaped: one character of the text is at most 6)
    max_chars = limits.MAX_ESCAPE * limits.max_chars(max_bytes)
    by_doc, by_blank = _Run(1), _Run(1)  # a document under either way of splitting (auto)
    pending: tuple[int, str] | None = None  # over the limit if the file turns out to have -DOCSTART-
    for number, line in encoding.text_lines(path, max_line, codec=codec):
        if line is None:
            raise InputFileError(str(path), number, encoding.too_long(max_line))
        body = line.strip(" \t")
        if not body:
            by_blank = _Run(number + 1)
            continue
        columns = _COLUMNS.split(body)
        if columns[0] == DOCSTART:
            if pending is not None and doc_split == "auto":
                raise InputFileError(str(path), *pending)
            facts.docstart = True
            by_doc, by_blank = _Run(number + 1), _Run(number + 1)
            continue
        facts.token(number, columns)
        for run in (by_doc, by_blank):
            run.tokens += 1
            run.chars += len(columns[0])
        if doc_split == "docstart" or (doc_split == "auto" and facts.docstart):
            why = by_doc.over(max_chars)  # split by -DOCSTART-: the document from its line
            if why:
                raise InputFileError(str(path), number, why)
        why = by_blank.over(max_chars)  # a document whichever way the file is split
        if why:
            raise InputFileError(str(path), number, why)
        if doc_split != "blank" and pending is None:
            why = by_doc.over(max_chars)
            if why and (doc_split == "docstart" or facts.docstart):
                raise InputFileError(str(path), number, why)
            if why:
                pending = (number, why)
    return facts


def _blocks(path: Path, codec: str, doc_split: str, max_bytes: int | None):
    """The rows of each document, read as the file is: (line number, kind, columns) with
    kind "blank" or "token"; only documents with a token."""
    block: list[tuple[int, str, list[str]]] = []
    tokens = False
    for number, line in encoding.text_lines(path, limits.max_line(max_bytes), codec=codec):
        if line is None:  # the first pass refused it; the file changed since
            raise InputFileError(str(path), number, encoding.too_long(limits.max_line(max_bytes)))
        body = line.strip(" \t")
        if not body:
            if doc_split == "blank":
                if tokens:
                    yield block
                block, tokens = [], False
            else:
                block.append((number, "blank", []))
            continue
        columns = _COLUMNS.split(body)
        if columns[0] == DOCSTART:
            if tokens:
                yield block
            block, tokens = [], False
            continue
        block.append((number, "token", columns))
        tokens = True
    if tokens:
        yield block


def _document(
    path: Path, rows, n_columns: int, first_line: int, escapes: bool, join: str,
    underscores: bool = False,
) -> DocumentData | list[InputProblem]:
    parts: list[str] = []
    tokens: list[tuple[int, int]] = []
    tags: list[str] = []
    problems: list[InputProblem] = []
    pos = 0
    prev: str | None = None  # previous token of this document
    after_break = False
    start_line = 0
    for number, kind, columns in rows:
        if kind == "blank":
            after_break = prev is not None
            continue
        if len(columns) != n_columns:
            problems.append(
                InputProblem(
                    str(path),
                    number,
                    f"expected {n_columns} columns like line {first_line}, found {len(columns)}",
                )
            )
            continue
        try:
            if escapes:
                word = unescape_token(columns[0], underscores)
            else:
                word = columns[0].replace("_", " ") if underscores else columns[0]
            parse_tag(columns[-1])
        except FormatError as e:
            problems.append(InputProblem(str(path), number, e.args[0]))
            continue
        if prev is not None:
            if after_break and not prev.endswith("\n"):
                tokens.append((pos, pos + 1))  # the sentence break's line end
                tags.append("O")
                parts.append("\n")
                pos += 1
            elif not after_break and join:
                parts.append(join)  # a gap, not a token: an entity spans it
                pos += len(join)
        start_line = start_line or number
        tokens.append((pos, pos + len(word)))
        tags.append(columns[-1])
        parts.append(word)
        pos += len(word)
        prev, after_break = word, False
    if problems:
        return problems
    spans = [SpanData(s, e, label, origin="import") for s, e, label in tags_to_spans(tokens, tags)]
    return DocumentData("".join(parts), {}, spans, source=str(path), line=start_line)


def _token_sep(facts: _Facts, token_sep: str, escapes: bool) -> str:
    """``auto`` resolved from the tokens (see the module docstring)."""
    if token_sep != "auto":
        return token_sep
    if facts.only_underscores or (escapes and facts.underscore):
        return "underscore"  # a file of ours with escapes writes a literal "_" as \u005F
    if not escapes and not facts.thai and facts.alpha:
        return "space"  # never for files with our escapes: those are ours, Thai or not
    return "none"


def read(
    path, *, doc_split: str = "auto", join: str | None = None, escapes: bool | None = None,
    token_sep: str = "auto", max_bytes: int | None = None,
) -> Iterator[DocumentData | InputProblem | InputNotice]:
    """Documents of a CoNLL file; see the module docstring for the options. The file is
    read twice, line by line (the first pass settles the choices that depend on the whole
    file and refuses it at the line where a document passes a limit, see
    :mod:`annotator.formats.limits`; ``max_bytes`` is the import's --max-size), so memory
    is bounded by one document, not the file."""
    path = Path(path)
    if doc_split not in DOC_SPLITS:
        choices = ", ".join(DOC_SPLITS)
        raise FormatError(f"unknown doc_split {doc_split!r} (expected one of {choices})")
    if token_sep not in TOKEN_SEPS:
        raise FormatError(f"unknown token separator {token_sep!r} (one of {', '.join(TOKEN_SEPS)})")
    codec = encoding.detect(path)  # every byte checked before a document is read
    facts = _scan(path, codec, doc_split, max_bytes)
    if facts.first is None:
        return
    first_line, first_columns = facts.first
    if len(first_columns) < 2:
        raise InputFileError(
            str(path), first_line, "a token line needs at least 2 columns (token and tag), found 1"
        )
    if escapes is None:
        escapes = facts.escapes
    if doc_split == "auto":
        doc_split = "docstart" if facts.docstart else "blank"
    underscores = False
    if join is None:
        sep = _token_sep(facts, token_sep, escapes)
        underscores, join = sep == "underscore", " " if sep == "space" else ""
        if token_sep == "auto" and sep == "underscore":
            yield InputNotice(str(path), 0, "tokens '_' read as spaces (--token-sep none keeps them as '_')")
        elif token_sep == "auto" and sep == "space":
            yield InputNotice(str(path), 0, "no Thai in the tokens: read as a space-separated language, tokens"
                                            " joined with spaces (--token-sep none joins them without)")
    for block in _blocks(path, codec, doc_split, max_bytes):
        result = _document(path, block, len(first_columns), first_line, escapes, join, underscores)
        if isinstance(result, list):
            yield from result
        else:
            yield result
