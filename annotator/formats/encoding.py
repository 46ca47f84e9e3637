"""Turn the bytes of a text file into ``str``, or refuse the file with a reason.

Accepted, in this order:

* UTF-8, with or without a byte order mark (one leading BOM is removed);
* UTF-16 with a BOM (what Windows Notepad calls "Unicode");
* legacy Thai TIS-620 / Windows-874 (cp874), but only when the decoded text really
  looks like Thai, because any 8-bit file "decodes" as cp874.

Refused with :class:`InputFileError`: binary files (NUL bytes, or many control
characters) and bytes that fit none of the above; the message gives the byte offset
and the line of the first bad byte.

Nothing else is changed: line ends are kept exactly as they are ("\\r\\n" stays
"\\r\\n", a lone "\\r" stays), no Unicode normalisation. Span offsets always refer to
this text, so a "\\r" counts as one code point like any other character.
"""

from __future__ import annotations

import codecs
import re
from os import PathLike

from annotator.core.errors import InputFileError

UTF8_BOM = codecs.BOM_UTF8

# Bytes below 0x20 that text files do not contain (tab, LF, VT, FF, CR are fine).
_CONTROL = bytes(b for b in range(0x20) if b not in b"\t\n\x0b\x0c\r")
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL)
_SNIFF = 64 * 1024  # bytes looked at for control characters and for Thai-ness
_MAX_CONTROL_SHARE = 0.10

_THAI = re.compile("[\u0e01-\u0e5b]")
_ASCII_LETTER = re.compile("[A-Za-z]")
# Thai above/below vowels and tone marks: they must follow a Thai character. Latin-1
# or cp1252 text read as cp874 puts them after Latin letters, which gives it away.
_THAI_MARK = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")
_STRAY_MARK = re.compile("(?<![\u0e01-\u0e4e])[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")
_MIN_THAI_SHARE = 0.2  # Thai letters / (Thai + ASCII letters)
_MAX_STRAY_MARKS = 0.02  # of all marks


def decode(data: bytes, path: str | PathLike[str]) -> str:
    """Decode a whole text file. Raises InputFileError (line 0 or the bad line)."""
    return decode_keeping(data, path)[0]


def decode_keeping(data: bytes, path: str | PathLike[str]) -> tuple[str, bytes | None]:
    """:func:`decode`, and the UTF-8 bytes the text was decoded from (without the BOM), or
    None when the file was not UTF-8. Those bytes are exactly ``text.encode("utf-8")`` (the
    decoder takes no surrogates and no overlong forms), so a caller can hash or measure
    them instead of encoding the text again."""
    if data.startswith(UTF8_BOM):
        body = data[len(UTF8_BOM):]
        return _utf8(body, len(UTF8_BOM), path, data), body
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16(data, path), None
    refuse_binary(data, path)
    try:
        return data.decode("utf-8"), data
    except UnicodeDecodeError as utf8_error:
        text = _thai_8bit(data)
        if text is not None:
            return text, None
        raise _undecodable(data, utf8_error.start, path) from None


def refuse_binary(data: bytes, path: str | PathLike[str]) -> None:
    """Raise InputFileError if ``data`` (a whole file or its start) is not text."""
    if b"\x00" in data:
        raise InputFileError(path, 0, "looks like a binary file (it contains NUL bytes), not text")
    sample = data[:_SNIFF]
    controls = len(sample.translate(None, _NOT_CONTROL))
    if sample and controls / len(sample) > _MAX_CONTROL_SHARE:
        raise InputFileError(
            path,
            0,
            f"looks like a binary file ({controls} control characters in its first "
            f"{len(sample)} bytes), not text",
        )


def line_of(data: bytes, offset: int) -> int:
    """1-based line number of the byte at ``offset``."""
    return data.count(b"\n", 0, offset) + 1


def _utf8(body: bytes, start: int, path: str | PathLike[str], data: bytes) -> str:
    """``body``: ``data`` from ``start`` (after its BOM)."""
    refuse_binary(body, path)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        # A BOM says the file means to be UTF-8: no second guess at cp874.
        raise _undecodable(data, start + e.start, path, thai_tried=False) from None


def _utf16(data: bytes, path: str | PathLike[str]) -> str:
    try:
        return data.decode("utf-16")  # the codec reads and drops the BOM
    except UnicodeDecodeError as e:
        raise InputFileError(
            path, 0, f"starts like UTF-16 text but byte offset {e.start} cannot be decoded"
        ) from None


def _thai_8bit(data: bytes) -> str | None:
    """The text if ``data`` is TIS-620 / cp874 Thai, else None."""
    try:
        text = data.decode("cp874")
    except UnicodeDecodeError:
        return None
    return text if _thai_sample(text[:_SNIFF]) else None


def _thai_sample(sample: str) -> bool:
    """Does the start of a text decoded as cp874 look like Thai?"""
    thai = len(_THAI.findall(sample))
    if not thai:
        return False
    latin = len(_ASCII_LETTER.findall(sample))
    if thai / (thai + latin) < _MIN_THAI_SHARE:
        return False
    marks = len(_THAI_MARK.findall(sample))
    stray = len(_STRAY_MARK.findall(sample))
    return not (marks and stray / marks > _MAX_STRAY_MARKS)


def _undecodable(
    data: bytes, offset: int, path: str | PathLike[str], thai_tried: bool = True
) -> InputFileError:
    line = line_of(data, offset)
    also = " and is not Thai TIS-620/cp874 text either" if thai_tried else ""
    return InputFileError(
        path,
        line,
        f"cannot decode: byte 0x{data[offset]:02X} at byte offset {offset} (line {line}) "
        f"is not valid UTF-8{also}; save the file as UTF-8",
    )


# --- reading a file as it goes ---------------------------------------------------------
#
# The multi-document readers read a file line by line, so that their memory is bounded by
# one document, not by the file. The encoding is settled first by one pass over the bytes
# (constant memory: an incremental decoder over 64 KB chunks), so that a bad byte late in
# the file refuses it before any document of it is used, as decoding it whole did.

CHUNK = 1 << 16  # 64 KB: a decoded chunk takes up to 4 times its bytes


def detect(path: str | PathLike[str]) -> str:
    """The codec that reads the whole file (``utf-8-sig``, ``utf-16``, ``utf-8`` or
    ``cp874``), checked byte by byte as :func:`decode` checks them. Raises InputFileError."""
    try:
        with open(path, "rb") as f:
            head = f.read(_SNIFF)
            if head.startswith(UTF8_BOM):
                refuse_binary(head[len(UTF8_BOM):], path)
                error = _scan(f, head, "utf-8", path, start=len(UTF8_BOM))
                if error is not None:
                    raise _undecodable_byte(error, path, thai_tried=False)
                return "utf-8-sig"
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                error = _scan(f, head, "utf-16", path, nul_ok=True)
                if error is not None:
                    raise InputFileError(
                        path, 0, f"starts like UTF-16 text but byte offset {error[0]} cannot be decoded")
                return "utf-16"
            refuse_binary(head, path)
            error = _scan(f, head, "utf-8", path)
            if error is None:
                return "utf-8"
            f.seek(0)
            if _looks_thai(head) and _scan(f, f.read(_SNIFF), "cp874", path) is None:
                return "cp874"
            raise _undecodable_byte(error, path)
    except OSError as e:
        raise InputFileError(path, 0, f"cannot read the file: {e.strerror or e}") from None


def _scan(f, head: bytes, codec: str, path, start: int = 0, nul_ok: bool = False):
    """Decode the rest of ``f`` (``head`` read already) chunk by chunk; None when every byte
    decodes, else (byte offset, byte, line) of the first that does not. NUL bytes refuse the
    file as binary (but in UTF-16, where they are half of every ASCII character)."""
    decoder = codecs.getincrementaldecoder(codec)()
    offset, lines, chunk = 0, 0, head  # offset: of the chunk in the file
    skip = start
    while chunk:
        if not nul_ok and b"\x00" in chunk:
            raise InputFileError(path, 0, "looks like a binary file (it contains NUL bytes), not text")
        data = chunk[skip:]
        try:
            decoder.decode(data)
        except UnicodeDecodeError as e:
            # e.object is the bytes the decoder held back from the chunk before, then data
            at = skip + e.start - (len(e.object) - len(data))  # in this chunk (< 0: the one before)
            return offset + at, e.object[e.start], lines + chunk.count(b"\n", 0, max(at, 0)) + 1
        lines += chunk.count(b"\n")
        offset += len(chunk)
        skip = 0
        chunk = f.read(CHUNK)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as e:  # the file ends inside a character
        return offset - len(e.object) + e.start, e.object[e.start], lines + 1
    return None


def _looks_thai(head: bytes) -> bool:
    try:
        sample = head.decode("cp874")[:_SNIFF]
    except UnicodeDecodeError:
        return False
    return _thai_sample(sample)


def _undecodable_byte(error: tuple[int, int, int], path, thai_tried: bool = True) -> InputFileError:
    offset, byte, line = error
    also = " and is not Thai TIS-620/cp874 text either" if thai_tried else ""
    return InputFileError(
        path,
        line,
        f"cannot decode: byte 0x{byte:02X} at byte offset {offset} (line {line}) "
        f"is not valid UTF-8{also}; save the file as UTF-8",
    )


def text_lines(path: str | PathLike[str], max_line: int, newline: str | None = None,
               codec: str | None = None):
    """(line number, line without its end) of each line of a text file, decoded as it is
    read; ``newline`` None: universal line ends (CRLF and a lone CR end a line), ``"\\n"``:
    only LF ends a line (a CR before it stays). A line longer than ``max_line`` characters
    is not kept: it comes as (number, None) and its rest is skipped, so one line never holds
    more than that in memory. ``codec`` from :func:`detect` (detected when not given)."""
    codec = codec or detect(path)
    try:
        with open(path, encoding=codec, newline=newline) as f:
            number = 0
            while True:
                line = f.readline(max_line + 2)
                if not line:
                    return
                number += 1
                body = line[:-1] if line.endswith("\n") else line
                if len(body) > max_line:
                    while not line.endswith("\n"):
                        line = f.readline(CHUNK)
                        if not line:
                            break
                    yield number, None
                    continue
                yield number, body
    except OSError as e:
        raise InputFileError(path, 0, f"cannot read the file: {e.strerror or e}") from None


def utf8_lines(path: str | PathLike[str], max_line: int, what: str = "JSON Lines"):
    """(line number, line) of each non-blank line of a UTF-8-only file (JSON Lines: one BOM
    at the start is dropped; only LF ends a line). Bytes that are not UTF-8 refuse the
    whole file (InputFileError with byte offset and line), like any text file: the encoding
    is wrong, not one record. A line over ``max_line`` bytes comes as (number, None), its
    rest skipped unread into memory."""
    try:
        with open(path, "rb") as f:
            head = f.read(_SNIFF)
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise InputFileError(path, 0, f"is UTF-16 text; {what} must be UTF-8")
            refuse_binary(head, path)
            f.seek(0)
            offset = 0  # of the line in the file, for messages
            line_no = 0
            while True:
                raw = f.readline(max_line + 3)
                if not raw:
                    return
                line_no += 1
                skip = len(UTF8_BOM) if offset == 0 and raw.startswith(UTF8_BOM) else 0
                body = raw[skip:].rstrip(b"\n")
                if len(body.rstrip(b"\r")) > max_line:
                    offset += len(raw)
                    while not raw.endswith(b"\n"):
                        raw = f.readline(CHUNK)
                        if not raw:
                            break
                        offset += len(raw)
                    yield line_no, None
                    continue
                try:
                    line = raw[skip:].decode("utf-8")
                except UnicodeDecodeError as e:
                    bad = offset + skip + e.start
                    raise InputFileError(
                        path,
                        line_no,
                        f"cannot decode: byte 0x{raw[skip + e.start]:02X} at byte offset {bad} "
                        f"(line {line_no}) is not valid UTF-8; {what} must be UTF-8",
                    ) from None
                offset += len(raw)
                if line.strip():
                    yield line_no, line
    except OSError as e:
        raise InputFileError(path, 0, f"cannot read: {e.strerror or e}") from None


def too_long(max_line: int, unit: str = "characters") -> str:
    """The message for a line over the limit."""
    return (f"the line is longer than {max_line:,} {unit}: more than one article with its spans"
            " (refused unread; raise --max-size for longer documents)")
