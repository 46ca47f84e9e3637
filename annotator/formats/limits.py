"""How much one document of an input file may hold, so that a reader's memory is bounded by
one document (plus these limits), whatever the size of the file.

A reader refuses a document as soon as it passes a limit, naming the file and the line; the
importer checks the exact byte size again before storing (``--max-size``). ``max_bytes`` is
the import's ``--max-size``: raising it raises every limit that follows from the size of a
text (a document's characters, one line's length, a whole-file format's size).
"""

from __future__ import annotations

MAX_BYTES = 2_000_000  # one article's text, UTF-8 bytes: the import's --max-size default
MAX_TOKENS_PER_DOCUMENT = 250_000  # a 2 MB article has fewer; 10 million is not an article
MAX_SPANS_PER_DOCUMENT = 100_000  # real articles have at most ~1,200 (the importer's own limit too)
SPAN_CHARS = 100  # what one span may take in a line of JSON, on average, within the line limit
MAX_ESCAPE = 6  # characters one text character may take in a file (JSON's \uXXXX)
WHOLE_FILE_MIN = 256 * 1024 * 1024  # JSON arrays and DocBins are read whole: at most this much


def max_chars(max_bytes: int | None) -> int:
    """Characters of one document's text: a text of more characters than ``max_bytes`` has
    more UTF-8 bytes than that too."""
    return MAX_BYTES if max_bytes is None else max_bytes


def max_line(max_bytes: int | None) -> int:
    """Length of one line (characters, or bytes for UTF-8-only readers): a document's text
    written with escapes, plus its spans."""
    return MAX_ESCAPE * max_chars(max_bytes) + SPAN_CHARS * MAX_SPANS_PER_DOCUMENT


def max_whole_file(max_bytes: int | None) -> int:
    """Bytes of a file that must be read whole (a JSON array, a spaCy DocBin)."""
    return max(WHOLE_FILE_MIN, 16 * max_chars(max_bytes))


def check_whole_file(path, max_bytes: int | None, what: str) -> None:
    """Refuse, before reading it, a file that must be read whole (``what``: a JSON array, a
    spaCy DocBin) when it is larger than :func:`max_whole_file`."""
    import os

    from annotator.core.errors import InputFileError

    try:
        size = os.stat(path).st_size
    except OSError as e:
        raise InputFileError(str(path), 0, f"cannot read: {e.strerror or e}") from None
    limit = max_whole_file(max_bytes)
    if size > limit:
        raise InputFileError(str(path), 0, (
            f"{size:,} bytes: {what} is read whole, and more than {limit:,} bytes is refused before"
            " reading; split it into smaller files (or raise --max-size, which raises this limit)"))
