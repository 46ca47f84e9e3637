"""Another annotator's project file, read as documents (import only).

The file is opened read-only, so it can be read while its owner has it open. Every
document that is not skipped comes out with its text and metadata. A document its
annotator marked **done** also carries their confirmed spans (accepted, edited, manual)
and their name (the project's annotator), so the importer merges it as their annotation
(see ``annotator.store.team``); open suggestions, rejected spans and unfinished documents'
spans are work in progress and are not read.
"""

from __future__ import annotations

import os
from typing import Iterator

from annotator.core.errors import AnnotatorError, InputFileError, InputProblem
from annotator.core.model import CONFIRMED_STATES, DONE, SKIPPED, DocumentData


def read(path: str | os.PathLike[str]) -> Iterator[DocumentData | InputProblem]:
    from annotator.store.project import Project

    try:
        project = Project.open(path, readonly=True)
    except AnnotatorError as e:
        raise InputFileError(str(path), 0, f"cannot read this project: {e}") from None
    with project:
        name = project.annotator
        for doc_id in project.document_ids():
            doc = project.document(doc_id)
            if doc.status == SKIPPED:
                continue
            meta = {"title": doc.title, "date": doc.date, "url": doc.url, **doc.meta}
            meta = {k: v for k, v in meta.items() if v not in (None, "")}
            finished = doc.status == DONE
            spans = project.span_data(doc_id, CONFIRMED_STATES) if finished else []
            yield DocumentData(doc.text, meta, spans, source=doc.source or str(path), line=doc_id,
                               annotator=name if finished else None)


__all__ = ["read"]
