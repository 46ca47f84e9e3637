"""Importing articles into a new project: this checkout against an older revision, in one run.

    .venv/bin/python benchmarks/bench_import.py [--corpus DIR] [--sample N] [--repeat 3]
        [--before REV] [--jsonl]

Takes N articles of the corpus (default /tmp/corpus, every k-th file so that N spans it;
0: all of them) and, round after round (interleaved, so a noisy machine hits every variant
alike), imports them into a fresh project, each import in its own process:

* ``after``: ``run_import`` with this checkout;
* ``before``: the same with the code of git revision REV (a temporary worktree), if given.

``--jsonl`` also writes the same articles as JSONL files of 100 records, each with two
spans, and imports those as well (``after-jsonl`` / ``before-jsonl``): the path with spans.
It prints each variant's median wall time (the whole ``run_import``, its final checkpoint
included), documents/s, peak memory of the process, the median CPU time of the process over
the same span (user + system: on a loaded machine wall time is also time waiting for a core),
and the ratio of medians to ``before``.
Without a corpus it makes up a few articles, so the command always runs.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from revisions import add_worktree, remove_worktree  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MADE_UP = ("ข่าวทดลองที่ {k}\n\nวันจันทร์ที่ 8 มกราคม 2567\nนายสมชาย ใจดี รัฐมนตรีว่าการฯ แถลงที่ทำเนียบรัฐบาล"
           " กรุงเทพมหานคร งบประมาณ {k} ล้านบาท\nที่มา : https://www.example.go.th/news/{k}\n")


def phase(args: argparse.Namespace) -> None:
    """One import in this process, with the code under --root; prints a JSON line."""
    sys.path.insert(0, args.root)
    from annotator.jobs.importer import run_import
    from annotator.store.project import Project

    files = [Path(p) for p in json.loads(Path(args.files).read_text())]
    cpu = time.process_time()
    t = time.perf_counter()
    with Project.create(args.project) as project:
        report = run_import(project, files, fmt="auto")
    seconds = time.perf_counter() - t
    cpu = time.process_time() - cpu
    print(json.dumps({"documents": report.imported, "duplicates": report.duplicates, "failed": len(report.failed),
                      "spans": report.spans, "seconds": seconds, "cpu": cpu,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def sample(corpus: Path, n: int, work: Path) -> list[Path]:
    files = sorted(corpus.rglob("*.txt")) if corpus.is_dir() else []
    if not files:
        folder = work / "made-up"
        folder.mkdir(exist_ok=True)
        for k in range(n or 20):
            (folder / f"{k}.txt").write_text(MADE_UP.format(k=k), encoding="utf-8")
        return sorted(folder.glob("*.txt"))
    if n and n < len(files):
        step = len(files) / n
        files = [files[int(i * step)] for i in range(n)]
    return files


def as_jsonl(files: list[Path], folder: Path) -> list[Path]:
    """The articles as JSONL files of 100 records, each with two spans (the first and
    second 4 characters of the text), for the path with spans."""
    folder.mkdir(exist_ok=True)
    out = []
    for i in range(0, len(files), 100):
        path = folder / f"part{i // 100:05}.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for p in files[i:i + 100]:
                text = p.read_bytes().decode("utf-8-sig", errors="replace")
                if len(text.strip()) < 10 or "\x00" in text:
                    continue
                spans = [[0, 4, "PERSON"], [5, 9, "LOCATION"]]
                f.write(json.dumps({"text": text, "label": spans}, ensure_ascii=False) + "\n")
        out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=Path("/tmp/corpus"))
    ap.add_argument("--sample", type=int, default=2000, help="articles (0: all)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--before", metavar="REV", help="also measure the code of this git revision")
    ap.add_argument("--jsonl", action="store_true", help="also import the articles as JSONL with spans")
    ap.add_argument("--workdir", type=Path)
    for hidden in ("--phase", "--root", "--project", "--files"):
        ap.add_argument(hidden, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.phase:
        phase(args)
        return 0

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    inputs = {"": sample(args.corpus, args.sample, work)}
    if args.jsonl:
        inputs["-jsonl"] = as_jsonl(inputs[""], work / "jsonl")
    lists = {}
    for suffix, files in inputs.items():
        lists[suffix] = work / f"files{suffix}.json"
        lists[suffix].write_text(json.dumps([str(p) for p in files]))
    print(f"{len(inputs[''])} articles, {args.repeat} rounds", flush=True)

    roots = {"after": str(ROOT)}
    tree = None
    if args.before:
        tree = add_worktree(ROOT, work / "before-tree", args.before)
        roots = {"before": str(tree), **roots}
    variants = [(name + suffix, root, suffix) for suffix in inputs for name, root in roots.items()]
    results: dict[str, list[dict]] = {name: [] for name, _, _ in variants}
    try:
        for _ in range(args.repeat):
            for name, root, suffix in variants:
                project = work / f"{name}.annot"
                for side in ("", "-wal", "-shm", ".lock"):
                    Path(f"{project}{side}").unlink(missing_ok=True)
                cmd = [sys.executable, __file__, "--phase", "import", "--root", root, "--project", str(project),
                       "--files", str(lists[suffix])]
                out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
                results[name].append(json.loads(out.strip().splitlines()[-1]))
    finally:
        if tree is not None:
            remove_worktree(ROOT, tree)
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    medians = {name: statistics.median(r["seconds"] for r in runs) for name, runs in results.items()}
    cpus = {name: statistics.median(r.get("cpu", 0.0) for r in runs) for name, runs in results.items()}
    for name, runs in results.items():
        last = runs[-1]
        rates = sorted(last["documents"] / r["seconds"] for r in runs)
        ratio = ""
        base = "before" + name[len(name.split("-")[0]):]
        if name.startswith("after") and base in medians:
            ratio = f"  before/after {medians[base] / medians[name]:5.2f}x"
        print(f"{name:<13} median {medians[name]:7.2f} s  {last['documents'] / medians[name]:7.0f} docs/s"
              f"  (runs {', '.join(f'{r:.0f}' for r in rates)})  {last['documents']} imported,"
              f" {last['duplicates']} duplicates, {last['failed']} failed, {last['spans']} spans"
              f"  peak {max(r['peak_mb'] for r in runs):4.0f} MB  cpu {cpus[name]:.2f} s{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
