"""How fast the window is on a whole corpus: open, next document, a label keystroke, memory.

    python benchmarks/bench_window.py --corpus /tmp/corpus            # builds a project first
    python benchmarks/bench_window.py --project big.annot         # measures an existing one
    python benchmarks/bench_window.py --project big.annot --before REV   # and the 500-highlight
                                                                          # figures of REV's code too

Targets (docs/benchmarks.md): opening a project of the 28,555-article thaigov corpus < 1 s;
going to the next document (text, highlights, panels) median < 50 ms for a median article
and < 500 ms for the largest; a label keystroke to committed change < 30 ms; memory with
that project open < 400 MB. Nothing here is asserted: it prints median / max figures.

Building from ``--corpus`` imports every file (``run_import``), gives every document the
pattern suggestions (fast), and gives the measured documents the full model suggestions
(``run_preannotate``), so the measured articles carry as many highlights as a reviewer sees.
Runs offscreen unless QT_QPA_PLATFORM says otherwise.

**Dense articles** (issue targets: next article <= 20 ms median at 500 highlights, a label
keystroke committed and painted <= 10 ms): a second project next to ``--out`` (or the
measured project) holds ``--articles`` of the project's texts of about 200 characters per highlight, each with exactly
``--highlights`` open suggestions on evenly spaced words. A child process per code
revision opens it in the window (1440x900), goes to the next article the way a reviewer
does (the list's next, after a pause in which the window is idle: what the window does
while the reviewer reads is not counted) and times the switch until the posted events,
the paint included, are delivered; then PERSON keystrokes on the first free words of each
article (``LABELS_PER_DOCUMENT``), each timed until committed and painted: the first, which
also makes the article in progress, apart from the later ones. With ``--before REV`` the
same runs with that revision's code (a temporary git worktree), the two interleaved
``--rounds`` times; each figure is the median over all rounds. ``--real`` measures the same on the project's own articles instead: of the
articles nearest 140 characters per highlight, those whose pattern and model suggestions
together come nearest ``--highlights`` (``real-N.annot``, built once next to the dense
one). Call counts are per switch / keystroke (medians): the highlighter's
highlightBlock, the text view's paintEvent (and the share of its viewport painted, in %),
the entity panel's and the document list's data().
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
LABELS_PER_DOCUMENT = 4  # label keystrokes timed per dense article, one after another
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/revisions.py


def rss_mb() -> float:
    """Resident memory of this process now, in MB (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def first_free_word(view, spans) -> tuple[int, int] | None:
    """(start, end) of the text view's first word that no span covers, or None."""
    grid = view.grid()
    taken = [(s.start, s.end) for s in spans]
    for ws, we in zip(grid.word_starts, grid.word_ends):
        if all(we <= a or b <= ws for a, b in taken):
            return ws, we
    return None


def undo_depth(project) -> int:
    """Steps the project can undo now (the benchmark undoes back to where it started)."""
    project.can_undo()  # loads the stack
    return len(project._undo or [])


def build(corpus: Path, path: Path, measured: list[int] | None = None) -> None:
    from annotator.jobs.importer import run_import
    from annotator.nlp import rules
    from annotator.store.project import Project

    print(f"building {path} from {corpus} …", flush=True)
    t = time.perf_counter()
    with Project.create(path) as project, project.bulk():
        report = run_import(project, [corpus])
        print(f"  import: {report.summary().splitlines()[0]} ({time.perf_counter() - t:.0f} s)", flush=True)
        ids = project.document_ids()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = project.query(f"SELECT id, text FROM documents WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            with project.transaction():
                for doc_id, text in rows:
                    project.replace_suggestions(doc_id, rules.find(text), rules.VERSION)
        print(f"  pattern suggestions everywhere ({time.perf_counter() - t:.0f} s)", flush=True)


def model_suggestions(path: Path, doc_ids: list[int]) -> None:
    """The statistical model's suggestions for the documents the benchmark opens."""
    from annotator.nlp.preannotate import run_preannotate
    from annotator.store.project import Project

    t = time.perf_counter()
    with Project.open(path) as project:
        todo = [d for d in doc_ids if not project.query(
            "SELECT 1 FROM spans WHERE doc_id = ? AND origin = 'model' LIMIT 1", (d,))]
        if todo:
            report = run_preannotate(project, doc_ids=todo)
            print(f"  model suggestions: {report.summary()} ({time.perf_counter() - t:.0f} s)", flush=True)


def pick_documents(path: Path, sample: int, largest: int) -> tuple[list[int], list[int]]:
    """Documents of about median length, and the largest ones."""
    import sqlite3

    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT id, length(text) FROM documents ORDER BY length(text), id").fetchall()
    conn.close()
    middle = len(rows) // 2
    around = rows[max(0, middle - sample // 2) : middle + (sample + 1) // 2]
    print(f"  {len(rows)} documents; median length {rows[middle][1]:,} characters;"
          f" largest {rows[-1][1]:,}", flush=True)
    return [r[0] for r in around], [r[0] for r in rows[-largest:]]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def summary(name: str, times: list[float], target: str) -> str:
    return (f"{name:<50} median {ms(statistics.median(times))}   max {ms(max(times))}"
            f"   (n={len(times)}; target {target})")


def measure(path: Path, median_ids: list[int], largest_ids: list[int], keystrokes: int) -> None:
    from PySide6.QtCore import QCoreApplication, QSettings, Qt
    from PySide6.QtTest import QTest

    from annotator.core.model import SUGGESTED

    # Settings of our own, so the benchmark neither reads nor changes the user's.
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(path.parent / "bench-settings"))
    QCoreApplication.setOrganizationName("ThaiNER-benchmark")
    from annotator.gui.app import application
    app = application()  # with the window's style sheet, as users see it
    from annotator.gui.main_window import MainWindow
    from annotator.store.project import Project

    before = rss_mb()
    t = time.perf_counter()
    project = Project.open(path)
    window = MainWindow(project, remember=False)
    window.resize(1440, 900)
    window.show()
    app.processEvents()
    opened = time.perf_counter() - t
    print(f"{'open project + window, first document shown':<44} {ms(opened)}   (target < 1000 ms)")
    print(f"{'memory after opening':<44} {rss_mb():7.0f} MB   (python + Qt before opening: {before:.0f} MB;"
          f" target < 400 MB)")

    def show(doc_id: int) -> float:
        start = time.perf_counter()
        window.show_document(doc_id)
        # The paint is part of the switch: processing the posted update requests paints
        # every changed widget once (as on screen; forcing repaint() would paint twice).
        app.processEvents()
        return time.perf_counter() - start

    show(median_ids[0])
    median_times = [show(d) for d in median_ids]
    spans = [len(project.spans(d)) for d in median_ids]
    print(summary("next document, median-length articles", median_times, "median < 50 ms"),
          f"spans per article: median {statistics.median(spans):.0f}")
    large_times = [show(d) for d in largest_ids]
    spans = [len(project.spans(d)) for d in largest_ids]
    print(summary("next document, largest articles", large_times, "< 500 ms"),
          f"spans: {min(spans)}–{max(spans)}")

    # A label keystroke: select a free word, press the PERSON hotkey, the span is committed.
    view = window.text_view
    key_times = []
    accept_times = []
    depth = undo_depth(project)
    for doc_id in median_ids:
        if len(key_times) >= keystrokes:
            break
        window.show_document(doc_id)
        view.setFocus()
        word = first_free_word(view, window.spans)
        if word is None:
            continue
        view.select_range(*word)
        ws, we = word
        count = len(project.spans(doc_id))
        app.processEvents()
        start = time.perf_counter()
        QTest.keyClick(view, Qt.Key.Key_1)
        app.processEvents()  # and painted
        key_times.append(time.perf_counter() - start)
        # The keystroke makes the span; propagation may add suggestions elsewhere besides.
        made = [s for s in project.spans(doc_id) if (s.start, s.end) == (ws, we) and s.state != SUGGESTED]
        assert made and len(project.spans(doc_id)) >= count + 1, "the keystroke did not make a span"
        if any(s.state == SUGGESTED for s in window.spans):
            window.go_to_suggestion(True)
            app.processEvents()
            start = time.perf_counter()
            QTest.keyClick(view, Qt.Key.Key_Return)
            app.processEvents()
            accept_times.append(time.perf_counter() - start)
    if key_times:
        print(summary("label keystroke -> committed and painted", key_times, "< 30 ms"))
    if accept_times:
        print(summary("accept keystroke -> committed, next shown", accept_times, "< 30 ms"))
    while undo_depth(project) > depth:
        project.undo()  # leave the benchmark project as it was (propagation included)
    print(f"{'memory at the end':<44} {rss_mb():7.0f} MB")
    window.close()


# ------------------------------------------------------------------ dense articles
def build_dense(source: Path, path: Path, articles: int, highlights: int) -> None:
    """``articles`` of ``source``'s texts nearest 200 characters per highlight in length,
    each with ``highlights`` suggestions on evenly spaced words (labels in turn). Texts too short for that many are joined
    (paragraph by paragraph) until they hold enough words."""
    import sqlite3

    from annotator.core.model import DocumentData, SpanData
    from annotator.nlp.tokenizer import tokenize
    from annotator.store.project import Project

    conn = sqlite3.connect(source)
    # As long as a news article that carries that many suggestions (about one per 200
    # characters in the thaigov corpus: a median article has 34 in 7 K characters).
    texts = [r[0] for r in conn.execute(
        "SELECT text FROM documents ORDER BY abs(length(text) - ?), id LIMIT ?", (200 * highlights, articles * 4))]
    conn.close()
    if not texts:
        raise SystemExit(f"{source} has no documents")
    labels = ["PERSON", "ORGANIZATION", "LOCATION", "DATE", "MONEY"]
    made = 0
    with Project.create(path, annotator="bench") as project:
        i = 0
        while made < articles:
            text = texts[i % len(texts)]
            i += 1
            while True:
                words = [(a, b) for a, b in tokenize(text) if not text[a:b].isspace()]
                if len(words) >= 3 * highlights:
                    break
                text = text + "\n" + texts[(i + made) % len(texts)]
                i += 1
            step = len(words) // highlights
            spans = [SpanData(a, b, labels[k % len(labels)], origin="model", confidence=0.8)
                     for k, (a, b) in enumerate(words[::step][:highlights])]
            project.add_document(DocumentData(text, {"title": f"dense {made + 1}"}, spans))
            made += 1


def build_real(source: Path, path: Path, articles: int, highlights: int) -> None:
    """``articles`` of ``source``'s own articles, as they stand, each with the project's
    pattern suggestions and what the model suggests in it: of the ``3 * articles``
    articles nearest 140 characters per highlight in length (pattern and model together
    give about one per 140 characters in long articles), those whose count of
    suggestions is nearest ``highlights``."""
    import sqlite3

    from annotator.core.model import DocumentData, SpanData
    from annotator.nlp.preannotate import run_preannotate
    from annotator.store.project import Project

    conn = sqlite3.connect(source)
    rows = conn.execute(
        "SELECT id, text, title FROM documents ORDER BY abs(length(text) - ?), id LIMIT ?",
        (140 * highlights, articles * 3)).fetchall()
    conn.close()
    with Project.open(source) as src:
        docs = [(text, title, [SpanData(s.start, s.end, s.label, origin=s.origin, confidence=s.confidence)
                               for s in src.spans(doc_id) if s.state == "suggested"])
                for doc_id, text, title in rows]
    scratch = path.with_name(path.stem + "-all.annot")
    scratch.unlink(missing_ok=True)
    t = time.perf_counter()
    with Project.create(scratch, annotator="bench") as project:
        for text, title, spans in docs:
            project.add_document(DocumentData(text, {"title": title or ""}, spans))
        run_preannotate(project, workers=1, max_chars=None)
        counts = sorted(((len(project.spans(d)), d) for d in project.document_ids()),
                        key=lambda c: (abs(c[0] - highlights), c[1]))
        chosen = []
        for _, d in counts[:articles]:
            doc = project.document(d)
            chosen.append(DocumentData(doc.text, {"title": doc.title or ""}, [
                SpanData(s.start, s.end, s.label, origin=s.origin, confidence=s.confidence)
                for s in project.spans(d)]))
    with Project.create(path, annotator="bench") as project:
        for doc in chosen:
            project.add_document(doc)
    scratch.unlink()
    print(f"  {articles} real articles, suggestions {sorted(c for c, _ in counts[:articles])}"
          f" ({time.perf_counter() - t:.0f} s)", flush=True)


def measure_dense(path: Path, rounds_of_switches: int = 2) -> dict:
    """In this process: next-article and label-keystroke times on the dense project."""
    from PySide6.QtCore import QCoreApplication, QSettings, Qt
    from PySide6.QtTest import QTest

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(path.parent / "bench-settings"))
    QCoreApplication.setOrganizationName("ThaiNER-benchmark")
    from annotator.gui.app import application
    app = application()  # with the window's style sheet, as users see it
    from annotator.core.model import SUGGESTED
    from annotator.gui.main_window import MainWindow
    from annotator.gui.models.document_list import DocumentListModel
    from annotator.gui.widgets.entity_panel import SpanTableModel
    from annotator.gui.widgets.text_view import SpanHighlighter, TextView
    from annotator.store.project import Project

    counts: dict[str, int] = {}

    def counted(cls, name: str, key: str) -> None:
        original = getattr(cls, name)

        def wrapper(self, *args):
            # A block the highlighter only notes, to format later, is counted apart.
            name = key + (" (only noted)" if getattr(self, "deferring", False) else "")
            counts[name] = counts.get(name, 0) + 1
            return original(self, *args)
        setattr(cls, name, wrapper)

    counted(SpanHighlighter, "highlightBlock", "highlightBlock")
    counted(TextView, "paintEvent", "text paintEvent")
    painting = TextView.paintEvent

    def painted_share(self, e):  # how much of the text viewport a paint covers, in %
        whole = max(1, self.viewport().width() * self.viewport().height())
        area = sum(r.width() * r.height() for r in e.region())
        counts["text painted %"] = counts.get("text painted %", 0) + round(100 * area / whole)
        return painting(self, e)
    TextView.paintEvent = painted_share
    counted(SpanTableModel, "data", "entity data()")
    counted(DocumentListModel, "data", "list data()")

    project = Project.open(path)
    window = MainWindow(project, remember=False)
    window.resize(1440, 900)
    window.show()
    app.processEvents()

    def idle(seconds: float = 0.6) -> None:  # the reviewer reads: the window's idle work runs
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.005)

    def painted() -> None:  # deliver the posted events (the paint included), not timers
        QCoreApplication.sendPostedEvents()

    ids = project.document_ids()
    spans = statistics.median(len(project.spans(d)) for d in ids)
    next_times, next_counts = [], []
    for _ in range(rounds_of_switches):
        window.show_document(ids[0])
        idle()
        for _ in ids[1:]:
            counts.clear()
            start = time.perf_counter()
            window.step_document(True)
            painted()
            next_times.append(time.perf_counter() - start)
            next_counts.append(dict(counts))
            idle()
    view = window.text_view
    key_times, key_counts, first_times = [], [], []
    settled_first, settled_later = [], []
    depth = undo_depth(project)
    for doc_id in ids:
        window.show_document(doc_id)
        view.setFocus()
        idle()
        for nth in range(LABELS_PER_DOCUMENT):  # the first makes the document in progress
            word = first_free_word(view, window.spans)
            if word is None:
                break
            ws, we = word
            view.select_range(ws, we)
            painted()
            idle(0.2)
            counts.clear()
            start = time.perf_counter()
            QTest.keyClick(view, Qt.Key.Key_1)
            painted()
            (first_times if nth == 0 else key_times).append(time.perf_counter() - start)
            key_counts.append(dict(counts))
            # What the keystroke leaves for the event loop's next turn (the propagation,
            # gui/deferred_propagation.py, in code that has it), run and painted.
            app.processEvents()
            painted()
            (settled_first if nth == 0 else settled_later).append(time.perf_counter() - start)
            made = [s for s in project.spans(doc_id) if (s.start, s.end) == (ws, we) and s.state != SUGGESTED]
            assert made, "the keystroke did not make a span"
        while undo_depth(project) > depth:
            project.undo()
        window.reread()
    window.close()

    def median_counts(rows: list[dict]) -> dict:
        keys = sorted({k for r in rows for k in r})
        return {k: statistics.median(r.get(k, 0) for r in rows) for k in keys}

    import annotator
    return {"code": str(Path(annotator.__file__).resolve().parent.parent), "spans": spans,
            "next": next_times, "key": key_times, "key_first": first_times,
            "settled_first": settled_first, "settled_later": settled_later,
            "next_counts": median_counts(next_counts), "key_counts": median_counts(key_counts)}


def dense_comparison(source: Path, where: Path, articles: int, highlights: int, rounds: int,
                     before: str | None, real: bool = False) -> None:
    import json
    import subprocess

    dense = where / f"{'real' if real else 'dense'}-{highlights}.annot"
    if not dense.exists():
        (build_real if real else build_dense)(source, dense, articles, highlights)
    roots = {"this code": ROOT}
    from revisions import add_worktree, remove_worktree

    tree = where / "before-tree"
    if before:
        roots[f"before ({before})"] = add_worktree(ROOT, tree, before)
    results: dict[str, list[dict]] = {name: [] for name in roots}
    try:
        for _ in range(rounds):
            for name, root in roots.items():  # interleaved: the machine's load hits both alike
                out = subprocess.run(
                    [sys.executable, str(Path(__file__).resolve()), "--dense-child", str(dense), "--code", str(root)],
                    check=True, capture_output=True, text=True)
                results[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
    finally:
        if before:
            remove_worktree(ROOT, tree)
    for name, runs in results.items():
        nexts = [t for r in runs for t in r["next"]]
        keys = [t for r in runs for t in r["key"]]
        firsts = [t for r in runs for t in r.get("key_first", [])]
        print(f"== {name}: {articles} articles x {runs[0]['spans']:.0f} highlights, {rounds} rounds")
        print(summary("next article (list's next), painted", nexts, "median <= 20 ms"))
        settled = {k: [t for r in runs for t in r.get(k, [])] for k in ("settled_first", "settled_later")}
        if firsts:
            print(summary("first label in a document -> committed, painted", firsts, "<= 10 ms"))
        if keys:
            print(summary("later label keystroke -> committed and painted", keys, "<= 10 ms"))
        if settled["settled_first"]:
            print(summary("  first label, then its propagation painted", settled["settled_first"], "none"))
            print(summary("  later label, then its propagation painted", settled["settled_later"], "none"))
        print(f"{'  calls per next article (median)':<50}", runs[-1]["next_counts"])
        print(f"{'  calls per keystroke (median)':<50}", runs[-1]["key_counts"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--corpus", type=Path, help="folder of articles to build a project from")
    source.add_argument("--project", type=Path, help="an existing project file")
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench_window/corpus.annot"),
                        help="where --corpus builds its project (reused when it exists)")
    parser.add_argument("--sample", type=int, default=100, help="median-length articles to open")
    parser.add_argument("--largest", type=int, default=5, help="largest articles to open")
    parser.add_argument("--keys", type=int, default=50, help="label keystrokes to time")
    parser.add_argument("--no-model", action="store_true", help="pattern suggestions only (no CRF run)")
    parser.add_argument("--highlights", type=int, default=500, help="suggestions per dense article")
    parser.add_argument("--articles", type=int, default=8, help="dense articles")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the dense figures")
    parser.add_argument("--before", metavar="REV", help="also measure the dense figures with this revision's code")
    parser.add_argument("--dense-only", action="store_true", help="only the dense-article figures")
    parser.add_argument("--real", action="store_true",
                        help="the dense figures on the project's own articles of about --highlights suggestions"
                             " (pattern and model suggestions), not made-up ones")
    parser.add_argument("--work", type=Path, help="folder for the dense projects (default: next to the project)")
    if argv is None and "--dense-child" in sys.argv:  # internal: one measuring process
        i = sys.argv.index("--dense-child")
        dense, code = Path(sys.argv[i + 1]), sys.argv[sys.argv.index("--code") + 1]
        sys.path.insert(0, code)
        import json
        import shutil
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:  # each run on a fresh copy: edits never add up
            copy = Path(tmp) / dense.name
            shutil.copy(dense, copy)
            print(json.dumps(measure_dense(copy)))
        return 0
    args = parser.parse_args(argv)

    path = args.project
    if args.corpus:
        path = args.out
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            build(args.corpus, path)
    if not args.dense_only:
        median_ids, largest_ids = pick_documents(path, args.sample, args.largest)
        if args.corpus and not args.no_model:
            model_suggestions(path, median_ids + largest_ids)
        measure(path, median_ids, largest_ids, args.keys)
    where = args.work or (args.out.parent if args.corpus else Path("/tmp/bench_window-dense") / path.stem)
    where.mkdir(parents=True, exist_ok=True)
    dense_comparison(path, where, args.articles, args.highlights, args.rounds, args.before, real=args.real)
    return 0


if __name__ == "__main__":
    sys.exit(main())
