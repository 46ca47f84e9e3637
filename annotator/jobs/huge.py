"""Documents too large for the jobs that work on whole documents (export, pre-annotation).

A job's time and memory grow with one document's length (tokens, tags, a model's features:
about 4.5 s per million characters, and a 66-million-character text did not finish in 600 s).
Such a document is not an article; a job leaves it out before reading its text, names it
with its size and the option that lets it in, and says so loudly: an export lists it among
its errors (manifest and summary) and exits 1; pre-annotation lists it in its summary.
"""

from __future__ import annotations

from typing import Sequence

MAX_JOB_CHARS = 2_000_000  # a document the import's default --max-size (2 MB) lets in always fits


def too_large(project, doc_ids: Sequence[int], max_chars: int | None,
              option: str = "--max-chars") -> tuple[list[int], list[str]]:
    """(the ids within ``max_chars`` characters, in order; a message for each left out).
    Counted by SQL (``length(text)``), so no text is read into Python. None: no limit."""
    ids = list(doc_ids)
    if max_chars is None or not ids:
        return ids, []
    big: dict[int, tuple[int, str]] = {}
    for i in range(0, len(ids), 900):
        part = ids[i:i + 900]
        marks = ",".join("?" * len(part))
        # UTF-8 bytes first (no characters to count; a text has at least as many bytes as
        # characters): 0.45 s instead of 1.1-1.5 s over 28,552 articles (234 MB)
        for row in project.query(f"SELECT id, length(text), title FROM documents WHERE id IN ({marks})"
                                 " AND length(CAST(text AS BLOB)) > ? AND length(text) > ?",
                                 [*part, max_chars, max_chars]):
            big[row[0]] = (row[1], row[2] or "")
    if not big:
        return ids, []
    messages = [f"document {doc_id}{f' ({title[:60]!r})' if title else ''}: {chars:,} characters, over the limit"
                f" of {max_chars:,} for one document; left out (give {option} {chars} to include it)"
                for doc_id, (chars, title) in big.items()]
    return [i for i in ids if i not in big], messages
