"""Flair reads the CoNLL export: run by `bash scripts/consumer_suite.sh` in a virtual
environment of its own (Flair needs torch; a CPU build), not by the main test command,
because installing it takes minutes (docs/formats.md says when it was last run)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotator.core.model import DocumentData, SpanData  # noqa: E402
from annotator.jobs.exporter import parse_split, run_export  # noqa: E402
from annotator.store.project import Project  # noqa: E402

TEXTS = [
    ("นายสมชาย ใจดี เดินทางไป\nจังหวัดเชียงใหม่ กับ นาง\nสมศรี",
     [("นายสมชาย ใจดี", "PERSON"), ("จังหวัดเชียงใหม่", "LOCATION"), ("นาง\nสมศรี", "PERSON")]),
    ("กระทรวงการคลัง แถลง 😀 ว่า snake_case\r\nไม่ใช่ชื่อ ที่ กรุงเทพฯ",
     [("กระทรวงการคลัง", "ORGANIZATION"), ("กรุงเทพฯ", "LOCATION")]),
    ("บริษัท ไทย จำกัด ลงทุน 100 ล้านบาท", [("บริษัท ไทย จำกัด", "ORGANIZATION"), ("100 ล้านบาท", "MONEY")]),
]


def _gold(path: Path) -> int:
    entities = 0
    with Project.create(path, annotator="t") as p:
        for n in range(10):
            for text, pieces in TEXTS:
                text = f"ข่าว {n}: {text}"
                spans, pos = [], 0
                for piece, label in pieces:
                    start = text.index(piece, pos)
                    spans.append(SpanData(start, start + len(piece), label))
                    pos = start + len(piece)
                p.add_document(DocumentData(text, {}, spans), status="done", span_state="accepted")
                entities += len(spans)
    return entities


def test_flair_column_corpus_reads_every_entity(tmp_path):
    from flair.datasets import ColumnCorpus

    expected = _gold(tmp_path / "gold.annot")
    out = tmp_path / "conll"
    with Project.open(tmp_path / "gold.annot") as p:
        run_export(p, out, fmt="conll", split=parse_split("80/10/10"), seed=0)
    files = {f.stem: f.name for f in out.iterdir() if f.suffix == ".conll"}
    for separator in (None, "-DOCSTART-"):
        corpus = ColumnCorpus(out, {0: "text", 1: "ner"}, train_file=files.get("train"),
                              dev_file=files.get("dev"), test_file=files.get("test"),
                              document_separator_token=separator)
        found = sum(len(s.get_spans("ner")) for part in (corpus.train, corpus.dev, corpus.test) for s in part)
        assert found == expected, (separator, found, expected)
