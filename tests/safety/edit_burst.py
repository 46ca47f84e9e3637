"""A reviewer at machine speed: edits a project through Project as fast as it can and
prints each edit once it is committed (a JSON line, flushed), until it is killed.

    python edit_burst.py PROJECT SEED [MAX_EDITS]

Run by tests/safety/test_kill.py and benchmarks/kill_runs.py, which SIGKILL it at some
point and then check that every printed edit is in the file.
"""

from __future__ import annotations

import json
import random
import sys

from annotator.core.errors import AnnotatorError
from annotator.store.project import Project


def main() -> int:
    path, seed = sys.argv[1], int(sys.argv[2])
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 10**9
    rng = random.Random(seed)
    project = Project.open(path)
    labels = [label.name for label in project.labels()]
    docs = project.document_ids()
    lengths = {d: len(project.document(d).text) for d in docs}
    done = 0
    while done < limit:
        doc = rng.choice(docs)
        spans = project.spans(doc)
        kind = rng.choice(["add", "add", "accept", "reject", "move", "relabel", "delete", "status", "undo"])
        try:
            if kind == "add" or not spans:
                start = rng.randrange(lengths[doc] - 1)
                end = rng.randrange(start + 1, min(lengths[doc], start + 12) + 1)
                span = project.add_span(doc, start, end, rng.choice(labels))
                target = span.id
            elif kind == "accept":
                target = rng.choice(spans).id
                project.accept(target)
            elif kind == "reject":
                target = rng.choice(spans).id
                project.reject(target)
            elif kind == "move":
                span = rng.choice(spans)
                target = span.id
                project.update_span(span.id, end=max(span.start + 1, min(lengths[doc], span.end + rng.choice([-1, 1]))))
            elif kind == "relabel":
                target = rng.choice(spans).id
                project.update_span(target, label=rng.choice(labels))
            elif kind == "delete":
                target = rng.choice(spans).id
                project.delete_span(target)
            elif kind == "status":
                target = None
                project.set_status(doc, rng.choice(["in_progress", "done", "skipped"]))
            else:
                target = None
                if project.undo() is None:
                    continue
        except AnnotatorError:  # an overlap, a span changed meanwhile: a reviewer tries again
            continue
        last = project.query("SELECT MAX(id), MAX(grp) FROM changes")[0]
        print(json.dumps({"n": done, "kind": kind, "span": target, "change": last[0], "group": last[1]}), flush=True)
        done += 1
    project.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
