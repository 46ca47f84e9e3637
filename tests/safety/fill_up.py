"""Edits a project until the disk is "full": the process's file size limit (RLIMIT_FSIZE,
what ``ulimit -f`` sets) is put just above the project's size, SIGXFSZ ignored, so writes
fail with EFBIG the way they fail with ENOSPC on a full disk.

    python fill_up.py PROJECT MARGIN_BYTES

Prints each committed edit as a JSON line ([document id, span id]), then "ERROR <message>"
for the write that did not fit, then "STILL" if the project still works for edits that
need no new space (a status change), and exits.
"""

from __future__ import annotations

import json
import resource
import signal
import sys
import uuid
from pathlib import Path

from annotator.core.errors import StorageError
from annotator.core.model import DocumentData
from annotator.store.project import Project


def main() -> int:
    path, margin = Path(sys.argv[1]), int(sys.argv[2])
    project = Project.open(path)
    sizes = [p.stat().st_size for p in path.parent.iterdir() if p.name.startswith(path.name)]
    limit = max(sizes) + margin
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    run = uuid.uuid4().hex  # texts new to the project, however often it is filled up
    for i in range(100_000):
        try:
            with project.transaction():  # one edit: the document and its span, together
                doc = project.add_document(DocumentData(f"บทความ {run} {i} " + "ข" * 3000, {}, []))
                span = project.add_span(doc, 0, 6, "PERSON")
        except StorageError as e:
            print("ERROR", e, flush=True)
            try:
                project.set_status(1, "skipped" if project.document_status(1) != "skipped" else "done")
                print("STILL", flush=True)
            except StorageError as again:
                print("ERROR", again, flush=True)
            break
        print(json.dumps([doc, span.id]), flush=True)
    project.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
