"""Import, pre-annotate and export the thaigov corpus; print speed and peak memory.

    .venv/bin/python benchmarks/bench_core.py [--corpus DIR] [--limit N] [--workers 2]

DIR defaults to an unpacked ../shared/data/thaigov/thaigov-corpus.tar.xz (unpacked into
/tmp/thaigov-corpus on first use). Each phase runs in its own process so its peak memory
(that process plus its worker processes) is measured alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = ROOT.parent / "shared" / "data" / "thaigov" / "thaigov-corpus.tar.xz"
DEFAULT_DIR = Path("/tmp/thaigov-corpus")


def corpus_dir(arg: str | None) -> Path | None:
    if arg:
        return Path(arg)
    if DEFAULT_DIR.is_dir():
        return DEFAULT_DIR
    if not ARCHIVE.exists():
        return None
    print(f"unpacking {ARCHIVE} into {DEFAULT_DIR} …", file=sys.stderr)
    DEFAULT_DIR.mkdir(parents=True)
    with tarfile.open(ARCHIVE) as tar:
        tar.extractall(DEFAULT_DIR, filter="data")
    return DEFAULT_DIR


def phase(args: argparse.Namespace) -> None:
    """Run one phase in this process and print a JSON line of figures."""
    sys.path.insert(0, str(ROOT))
    from annotator.jobs.exporter import run_export
    from annotator.jobs.importer import run_import
    from annotator.nlp.preannotate import run_preannotate
    from annotator.store.project import Project

    t = time.perf_counter()
    if args.phase == "import":
        files = sorted(p for p in Path(args.corpus).rglob("*.txt"))[: args.limit or None]
        with Project.create(args.project) as project:
            report = run_import(project, files)
        n, extra = report.imported, {"duplicates": report.duplicates, "failed": len(report.failed)}
    elif args.phase == "preannotate":
        with Project.open(args.project) as project:
            report = run_preannotate(project, workers=args.workers)
        n, extra = report.documents, {"spans": report.added}
    else:
        with Project.open(args.project) as project:
            report = run_export(project, args.out, "conll", status="any", include_suggestions=True)
        n, extra = sum(report.documents.values()), {"bytes": Path(args.out).stat().st_size}
    seconds = time.perf_counter() - t
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"phase": args.phase, "documents": n, "seconds": seconds, "per_second": n / seconds,
                      "peak_mb": peak_self, "peak_worker_mb": peak_children, **extra}))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus")
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", help="keep the project at this path")
    ap.add_argument("--phases", default="import,preannotate,export",
                    help="comma-separated subset, in order (later phases need the earlier ones' project)")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--project", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.phase:
        phase(args)
        return 0
    corpus = corpus_dir(args.corpus)
    if corpus is None:
        print("no corpus: ../shared/data/thaigov is not here and --corpus was not given; nothing measured")
        return 0
    work = Path(tempfile.mkdtemp(prefix="bench-core-"))
    project = Path(args.keep) if args.keep else work / "corpus.annot"
    out = work / "corpus.conll"
    results = []
    for name in args.phases.split(","):
        cmd = [sys.executable, __file__, "--phase", name, "--project", str(project), "--corpus", str(corpus),
               "--limit", str(args.limit), "--workers", str(args.workers), "--out", str(out)]
        line = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        results.append(json.loads(line))
        r = results[-1]
        print(f"{name:<12} {r['documents']:>6} docs  {r['seconds']:8.1f} s  {r['per_second']:8.0f} docs/s"
              f"  peak {r['peak_mb']:6.0f} MB (workers {r['peak_worker_mb']:.0f} MB)"
              + "".join(f"  {k} {v}" for k, v in r.items() if k not in
                        ("phase", "documents", "seconds", "per_second", "peak_mb", "peak_worker_mb")))
    if project.exists():
        print(f"project file: {project.stat().st_size / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
