"""ThaiNER 1.5.1 train.txt as gold -> CoNLL and Hugging Face -> imported again: every entity kept?

    .venv/bin/python benchmarks/check_thainer_roundtrip.py [--data ../shared/data/thainer-1.5.1/train.txt]

Prints how many documents and entities went in, and for each format how many came back
different (should be 0). Skips, saying so, when the data is not there.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.jobs.exporter import run_export  # noqa: E402
from annotator.jobs.importer import run_import  # noqa: E402
from annotator.store.project import Project  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "thainer-1.5.1" / "train.txt"


def entities(project: Project) -> dict[str, set[tuple[int, int, str]]]:
    out = {}
    for doc_id, text in project.query("SELECT id, text FROM documents"):
        out[text] = {(s.start, s.end, s.label) for s in project.spans(doc_id)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(DEFAULT))
    args = ap.parse_args(argv)
    data = Path(args.data)
    if not data.exists():
        print(f"{data} is not here; nothing checked")
        return 0
    work = Path(tempfile.mkdtemp(prefix="thainer-rt-"))
    with Project.create(work / "gold.annot") as gold:
        t = time.perf_counter()
        report = run_import(gold, [data], fmt="thainer", as_gold=True, unknown_labels="add")
        print(f"import: {report.imported} documents, {report.spans} entities, {report.duplicates} duplicate lines,"
              f" {len(report.failed)} refused, labels added {report.labels_added}"
              f" ({time.perf_counter() - t:.1f} s)")
        for p in report.failed:
            print(f"  refused: {p}")
        expected = entities(gold)
        for fmt, name in (("conll", "gold.conll"), ("hf", "gold.jsonl")):
            out = work / name
            exp = run_export(gold, out, fmt, workers=1)
            with Project.create(work / f"back-{fmt}.annot") as back:
                rep = run_import(back, [out], fmt=fmt, as_gold=True, unknown_labels="add")
                got = entities(back)
            lost = sum(len(expected[t] - got.get(t, set())) for t in expected)
            extra = sum(len(got[t] - expected.get(t, set())) for t in got)
            missing_docs = len(set(expected) - set(got))
            print(f"{fmt}: exported {sum(exp.documents.values())} documents ({len(exp.warnings)} warnings);"
                  f" read back {rep.imported} ({len(rep.failed)} refused);"
                  f" documents missing {missing_docs}, entities lost {lost}, entities added {extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
