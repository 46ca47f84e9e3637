"""A small made-up Thai news corpus with gold entities, for training tests.

Sentences come from a few templates filled with invented names, organisations and
places, so the same entities appear in several contexts (as in real news) and a CRF
trained on them finds them again in a sentence it has not seen.
"""

from __future__ import annotations

from annotator.core.model import DocumentData, SpanData

PEOPLE = ["นายธนกฤต วงศ์ประเสริฐ", "นางสาววิไลวรรณ ทองคำ", "นายกิตติพัฒน์ แสงอรุณ", "นางพรทิพย์ ศรีสมบูรณ์",
          "นายอนุชา บุญมาก", "นางสาวสุดารัตน์ ใจงาม"]
ORGS = ["บริษัท สยามดาต้าลิงก์ จำกัด", "สำนักงานส่งเสริมเมืองอัจฉริยะ", "กรมพัฒนาชุมชนดิจิทัล",
        "มหาวิทยาลัยราชพฤกษ์", "ธนาคารออมสินชุมชน", "สมาคมผู้ค้าข้าวไทย"]
PLACES = ["จังหวัดขอนแก่น", "จังหวัดเชียงใหม่", "อำเภอหาดใหญ่", "จังหวัดนครราชสีมา", "กรุงเทพมหานคร",
          "จังหวัดอุบลราชธานี"]

TEMPLATES = [
    "{p} ผู้อำนวยการ{o} เปิดเผยว่า จะลงพื้นที่{l} ในสัปดาห์หน้า",
    "{o} ร่วมกับ{p} จัดงานสัมมนาที่{l} มีผู้เข้าร่วมกว่า 300 คน",
    "เมื่อวานนี้ {p} เดินทางไป{l} เพื่อหารือกับ{o} เรื่องงบประมาณ",
    "ที่{l} {o} ได้มอบทุนการศึกษาแก่นักเรียน โดยมี{p} เป็นประธาน",
    "{p} กล่าวว่า {o} จะขยายสาขาไปยัง{l} ภายในปีนี้",
    "ชาวบ้านใน{l} ร้องเรียนต่อ{o} และขอให้{p} ช่วยแก้ปัญหา",
]


def _doc(template: str, p: str, o: str, l: str) -> DocumentData:
    text = template.format(p=p, o=o, l=l)
    spans = []
    for value, label in ((p, "PERSON"), (o, "ORGANIZATION"), (l, "LOCATION")):
        start = text.index(value)
        spans.append(SpanData(start, start + len(value), label, state="accepted", origin="human"))
    return DocumentData(text, {"title": text[:30]}, sorted(spans, key=lambda s: s.start))


def training_docs(n: int = 36) -> list[DocumentData]:
    """``n`` documents, every template with rotating entities (deterministic)."""
    docs = []
    for k in range(n):
        t = TEMPLATES[k % len(TEMPLATES)]
        docs.append(_doc(t, PEOPLE[k % len(PEOPLE)], ORGS[(k // 2) % len(ORGS)], PLACES[(k // 3) % len(PLACES)]))
    return docs


# A sentence from no template, with entities the training set holds.
UNSEEN = "ล่าสุด นางพรทิพย์ ศรีสมบูรณ์ ได้รับแต่งตั้งให้ดูแลโครงการของมหาวิทยาลัยราชพฤกษ์ ที่จังหวัดเชียงใหม่"
UNSEEN_ENTITIES = {("นางพรทิพย์ ศรีสมบูรณ์", "PERSON"), ("มหาวิทยาลัยราชพฤกษ์", "ORGANIZATION"),
                   ("จังหวัดเชียงใหม่", "LOCATION")}


def add_gold(project, docs: list[DocumentData] | None = None) -> list[int]:
    """Add the documents as finished gold (confirmed spans, status done)."""
    ids = []
    with project.transaction():
        for doc in docs if docs is not None else training_docs():
            doc_id = project.add_document(doc, status="done", span_state="accepted")
            if doc_id is not None:
                ids.append(doc_id)
    return ids


def project_with_model(path, max_iterations: int = 5):
    """A new project at ``path`` holding the gold of :func:`add_gold` and a model trained on
    it over the bundled one (its suggesting model), for tests that need a project model."""
    from annotator.jobs.train import TrainParams, run_train
    from annotator.store.project import Project

    project = Project.create(path)
    add_gold(project)
    run_train(project, base="bundled", dev=0, params=TrainParams(max_iterations=max_iterations), use="always")
    return project
