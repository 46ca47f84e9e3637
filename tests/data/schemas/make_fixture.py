"""Write tests/data/schemas/vN.annot with the program as it is at schema N.

Run it once per schema version, with the code of that version (a clean export of the
commit that shipped it), never again afterwards: the fixtures are the files users have.

    git archive <commit> | tar -x -C /tmp/vN && \\
        PYTHONPATH=/tmp/vN python tests/data/schemas/make_fixture.py tests/data/schemas/vN.annot

Every fixture holds the same work, which tests/store/test_migrations.py checks after the
upgrade: two documents, a reviewer's accept, reject and manual span, a renamed label, and
the change log that undo reads.
"""

import sys
from pathlib import Path

from annotator.core.model import DocumentData, SpanData
from annotator.store import migrations
from annotator.store.project import Project

TEXT_1 = "นายสมชาย ใจดี เดินทางไปจังหวัดเชียงใหม่ เมื่อวันที่ 5 มกราคม 2567"
TEXT_2 = "กระทรวงดิจิทัลฯ ลงทุน 100 ล้านบาท"


def main(out: str) -> None:
    path = Path(out)
    assert path.name == f"v{migrations.LATEST}.annot", f"this code writes schema {migrations.LATEST}"
    with Project.create(path, annotator="somying") as p:
        d1 = p.add_document(DocumentData(TEXT_1, {"title": "ตัวอย่าง", "date": "2024-01-05"}, [
            SpanData(0, 13, "PERSON", origin="model", confidence=0.9),
            SpanData(23, 39, "LOCATION", origin="gazetteer", confidence=0.7)]))
        p.add_document(DocumentData(TEXT_2, {}, [SpanData(0, 15, "ORGANIZATION")]), status="done",
                       span_state="accepted")
        spans = p.spans(d1)
        p.accept(spans[0].id)
        p.reject(spans[1].id)
        p.add_span(d1, 52, 65, "DATE")
        p.update_label("LEN", new_name="LENGTH")
    print(f"wrote {path} (schema {migrations.LATEST})")


if __name__ == "__main__":
    main(sys.argv[1])
