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
    if data.startswith(UTF8_BOM):
        return _utf8(data, len(UTF8_BOM), path)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16(data, path)
    refuse_binary(data, path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        text = _thai_8bit(data)
        if text is not None:
            return text
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


def _utf8(data: bytes, start: int, path: str | PathLike[str]) -> str:
    refuse_binary(data[start:], path)
    try:
        return data[start:].decode("utf-8")
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
    sample = text[:_SNIFF]
    thai = len(_THAI.findall(sample))
    if not thai:
        return None
    latin = len(_ASCII_LETTER.findall(sample))
    if thai / (thai + latin) < _MIN_THAI_SHARE:
        return None
    marks = len(_THAI_MARK.findall(sample))
    stray = len(_STRAY_MARK.findall(sample))
    if marks and stray / marks > _MAX_STRAY_MARKS:
        return None
    return text


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
