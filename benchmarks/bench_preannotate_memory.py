"""Memory of pre-annotation's process tree, process by process.

    .venv/bin/python benchmarks/bench_preannotate_memory.py PROJECT.annot [--workers 2]

Pre-annotates a copy of PROJECT (every document, the bundled model) in this process and
samples, every 0.2 s, the resident set (RSS) and proportional set (PSS: a page shared by n
processes counts 1/n in each) of this process and all its descendants: the fork server,
its workers, multiprocessing's resource tracker. Prints the tree's peak sums and each
process's own peak (the peaks of different processes need not be at the same moment).
Build a project with ``annotator init P && annotator import P /tmp/corpus``.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_preannotate import descendants, process_memory_mb  # noqa: E402


def role(pid: int) -> str:
    if pid == os.getpid():
        return "this process (the writer)"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read().decode("utf-8", "replace")
    except OSError:
        return "?"
    if "forkserver" in cmd:
        return "fork server, or a worker forked from it"
    if "resource_tracker" in cmd:
        return "resource tracker"
    return cmd.replace("\0", " ")[:60]


class Sampler:
    def __init__(self) -> None:
        self.tree = [0.0, 0.0]
        self.each: dict[int, list] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss_sum = pss_sum = 0.0
            for pid in descendants(os.getpid()):
                rss, pss = process_memory_mb(pid)
                rss_sum, pss_sum = rss_sum + rss, pss_sum + pss
                if rss:
                    got = self.each.setdefault(pid, [0.0, 0.0, role(pid)])
                    got[0], got[1] = max(got[0], rss), max(got[1], pss)
            self.tree = [max(self.tree[0], rss_sum), max(self.tree[1], pss_sum)]
            self._stop.wait(0.2)

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("project", type=Path)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    from annotator.nlp.preannotate import run_preannotate
    from annotator.store.project import Project

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.annot"
        source = sqlite3.connect(f"file:{args.project}?mode=ro", uri=True)
        with sqlite3.connect(copy) as target:
            source.backup(target)  # its WAL included
        source.close()
        start, cpu = time.perf_counter(), os.times()
        with Sampler() as sampler, Project.open(copy) as project:
            report = run_preannotate(project, workers=args.workers, model="bundled")
        wall, end = time.perf_counter() - start, os.times()
    print(report.summary().splitlines()[0])
    print(f"wall {wall:.1f} s; CPU: this process {end.user + end.system - cpu.user - cpu.system:.1f} s,"
          f" its children {end.children_user + end.children_system - cpu.children_user - cpu.children_system:.1f} s")
    print(f"peak of the tree: sum of RSS {sampler.tree[0]:.0f} MB, sum of PSS {sampler.tree[1]:.0f} MB")
    for pid, (rss, pss, what) in sorted(sampler.each.items()):
        print(f"  pid {pid:7d}  peak PSS {pss:5.0f} MB  RSS {rss:5.0f} MB  {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
