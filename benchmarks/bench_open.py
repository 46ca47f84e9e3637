"""Open a project to a usable window: project opened, window built and shown, first
document on screen (offscreen Qt).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_open.py PROJECT [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)

    from annotator.gui.app import application
    from annotator.gui.main_window import MainWindow
    from annotator.store.project import Project

    app = application()  # with the window's style sheet, as users see it
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        project = Project.open(args.project)
        window = MainWindow(project, remember=False)
        window.resize(1400, 860)
        window.show()
        app.processEvents()
        times.append((time.perf_counter() - started) * 1000)
        window.close()
        window.deleteLater()
        app.processEvents()
    documents = Project.open(args.project, readonly=True)
    count = documents.document_count()
    documents.close()
    print(f"open to a usable window, {count:,} documents: median {statistics.median(times):.0f} ms,"
          f" min {min(times):.0f}, max {max(times):.0f} ({args.runs} runs, the first includes a cold cache)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
