"""Documents too large for the window, refused with a reason before any is read whole.

Qt lays out a paragraph whole and the view places every span, so a file with one
66-million-character article or a million entities would hang the window. The largest
real articles are ~370 K characters with ~1,200 spans; the limits leave room above
those and keep opening a document well under a second.
"""

from __future__ import annotations

MAX_SPANS = 5_000
MAX_CHARS = 1_000_000
MAX_PARAGRAPH_CHARS = 30_000


def too_large_to_show(project, doc_id: int) -> str | None:
    """Why the window will not show document ``doc_id``, or None."""
    spans, chars = project.query(
        "SELECT (SELECT COUNT(*) FROM spans WHERE doc_id = ?), (SELECT length(text) FROM documents WHERE id = ?)",
        (doc_id, doc_id))[0]
    if spans > MAX_SPANS:
        return f"{spans:,} spans (the window shows documents with up to {MAX_SPANS:,})"
    if chars is not None and chars > MAX_CHARS:
        return f"{chars:,} characters (the window shows documents of up to {MAX_CHARS:,})"
    return None


def longest_paragraph_problem(text: str) -> str | None:
    longest = max(map(len, text.split("\n")), default=0)
    if longest > MAX_PARAGRAPH_CHARS:
        return (f"a paragraph of {longest:,} characters (the window lays out paragraphs of up to"
                f" {MAX_PARAGRAPH_CHARS:,})")
    return None


def refusal_text(reason: str) -> str:
    return (f"This document is not shown: {reason}. It is kept in the project as it is; `annotator export`"
            " writes it, and `annotator stats` counts it. Ctrl+PgDown goes to the next document.")


__all__ = ["MAX_CHARS", "MAX_PARAGRAPH_CHARS", "MAX_SPANS", "longest_paragraph_problem", "refusal_text",
           "too_large_to_show"]
