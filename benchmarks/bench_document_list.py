"""How fast is the document list on a real-sized project?

    python benchmarks/bench_document_list.py --project big.annot
    python benchmarks/bench_document_list.py --corpus /tmp/corpus [--save big.annot] [--rule-spans]

``--corpus`` imports a folder of articles first (annotator.jobs.importer.run_import, as
the window does); ``--rule-spans`` then adds the rule-based suggestions (dates, money,
phone numbers ...) so that the label filter has spans to look through.

Measures, as medians over ``--repeat`` runs, in milliseconds: building the model and
reading the first screen of rows; the panel's first paint; set_filter by each status,
by label and by Thai text; sort by each column, both ways.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from annotator.core.model import DOC_STATUSES  # noqa: E402
from annotator.gui.models.document_list import HEADERS, DocumentListModel  # noqa: E402
from annotator.store.project import Project  # noqa: E402

SCREEN_ROWS = 40  # rows a list panel shows at once on a laptop screen
THAI_WORDS = ("สงกรานต์", "ปู")  # a rare word; two characters (too short for a trigram index)


def build(corpus: Path, path: Path, rule_spans: bool) -> None:
    from annotator.jobs.importer import run_import

    started = time.perf_counter()
    project = Project.create(path)
    report = run_import(project, [corpus])
    print(f"imported: {report.summary().splitlines()[0]} in {time.perf_counter() - started:.1f} s")
    if rule_spans:
        from annotator.nlp import rules

        started = time.perf_counter()
        ids = project.document_ids()
        added = 0
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = project.query(f"SELECT id, text FROM documents WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            with project.transaction():
                for doc_id, text in rows:
                    added += project.replace_suggestions(doc_id, rules.find(text), "rules-benchmark")[0]
        print(f"rule suggestions: {added:,} in {time.perf_counter() - started:.1f} s")
    project.close()


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def first_screen(model: DocumentListModel) -> None:
    for row in range(min(SCREEN_ROWS, model.rowCount())):
        for column in range(model.columnCount()):
            model.data(model.index(row, column))


def run(path: Path, repeat: int, label: str | None, words: list[str]) -> None:
    app = QApplication.instance() or QApplication([])
    project = Project.open(path)
    n_docs = project.document_count()
    n_spans = project.query("SELECT COUNT(*) FROM spans")[0][0]
    size_mb = path.stat().st_size / 1e6
    print(f"project: {path} ({size_mb:,.0f} MB, {n_docs:,} documents, {n_spans:,} spans); median of {repeat}")
    results: list[tuple[str, float, int]] = []

    def record(name: str, fn, rows) -> None:
        ms = median_ms(fn, repeat)
        results.append((name, ms, rows()))

    def construct():
        model = DocumentListModel(project)
        first_screen(model)
        construct.model = model

    record("model + first screen", construct, lambda: construct.model.rowCount())

    def panel_paint():
        from annotator.gui.widgets.document_list import DocumentListPanel

        panel = DocumentListPanel(project)
        panel.resize(700, 900)
        panel.show()
        app.processEvents()
        panel.view.viewport().repaint()
        panel_paint.rows = panel.model.rowCount()
        panel.close()
        panel.deleteLater()
        app.processEvents()

    record("panel: build + first paint", panel_paint, lambda: panel_paint.rows)

    model = DocumentListModel(project)
    for status in DOC_STATUSES:
        record(f"filter status={status}", lambda s=status: model.set_filter(status=s), model.rowCount)
    if label is None:
        row = project.query(
            "SELECT l.name FROM spans s JOIN labels l ON l.id = s.label_id WHERE s.state != 'rejected'"
            " GROUP BY l.name ORDER BY COUNT(*) DESC LIMIT 1"
        )
        label = row[0][0] if row else project.labels()[0].name
    record(f"filter label={label}", lambda: model.set_filter(label=label), model.rowCount)
    for word in words:
        record(f"filter text={word}", lambda w=word: model.set_filter(text=w), model.rowCount)
    record(f"filter status=new + text={words[0]}", lambda: model.set_filter(status="new", text=words[0]),
           model.rowCount)
    model.set_filter()
    for column, name in enumerate(HEADERS):
        for order, arrow in ((Qt.SortOrder.AscendingOrder, "asc"), (Qt.SortOrder.DescendingOrder, "desc")):
            record(f"sort {name} {arrow}", lambda c=column, o=order: model.sort(c, o), model.rowCount)
    record("sort by id (unsorted)", lambda: model.sort(-1, Qt.SortOrder.AscendingOrder), model.rowCount)

    def scroll_through():  # page down through 100 screens: rows fetched a block at a time
        for top in range(0, min(model.rowCount(), 100 * SCREEN_ROWS), SCREEN_ROWS):
            for row in range(top, min(top + SCREEN_ROWS, model.rowCount())):
                model.data(model.index(row, 0))

    record(f"100 screens of rows ({100 * SCREEN_ROWS:,} rows)", scroll_through, model.rowCount)
    project.close()

    width = max(len(r[0]) for r in results)
    print(f"{'what':<{width}}  {'median ms':>9}  {'rows':>7}")
    for name, ms, rows in results:
        print(f"{name:<{width}}  {ms:9.1f}  {rows:7,}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--project", type=Path, help="an existing project file")
    source.add_argument("--corpus", type=Path, help="a folder of articles to import first")
    p.add_argument("--save", type=Path, help="with --corpus: keep the built project here")
    p.add_argument("--rule-spans", action="store_true", help="with --corpus: add rule-based suggestions")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--label", help="label to filter by (default: the most used)")
    p.add_argument("--text", action="append", help="Thai text to search for (repeatable)")
    args = p.parse_args(argv)
    words = args.text or list(THAI_WORDS)
    if args.project:
        run(args.project, args.repeat, args.label, words)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = args.save or Path(tmp) / "bench.annot"
        build(args.corpus, path, args.rule_spans)
        run(path, args.repeat, args.label, words)
    return 0


if __name__ == "__main__":
    sys.exit(main())
