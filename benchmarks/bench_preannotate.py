"""Pre-annotation against raw nlpo3 tokenization of the same articles, in one run.

    .venv/bin/python benchmarks/bench_preannotate.py [--corpus DIR] [--sample N] [--workers 2]
        [--repeat 3] [--before REV] [--trained PROJECT.annot]

Imports N articles of the corpus (default /tmp/corpus, else the seed articles, else a few
made-up ones) into a project, then, round after round (interleaved, so a noisy machine
hits every variant alike), each in its own process:

* ``raw``: ``nlpo3.segment(line, safe=False)`` over every line of the same articles, on
  ``--workers`` processes: the floor the goal is stated against;
* ``after``: ``run_preannotate`` with this checkout, on a fresh copy of the project;
* ``before``: the same with the code of git revision REV (a temporary worktree), if given,
  on a project that code imported itself (an older revision cannot read a newer schema).

It prints each one's median wall time, articles/s, its ratio to ``raw``, the CPU time of
its process tree (whole process start included, the memory sampler's thread left out)
and that ratio, and the peak
memory of its whole process tree (sampled from /proc: the sum of resident sets, and of
proportional sets, which split shared pages among their sharers). ``--trained`` pre-annotates
with the newest model of that project (its file is copied, the articles imported into
the copy) instead of the bundled one.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from revisions import add_worktree, remove_worktree  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
MADE_UP = "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม โดยนายสมชาย ใจดี รัฐมนตรีว่าการฯ แถลงที่ทำเนียบรัฐบาล กรุงเทพมหานคร เมื่อวันที่ 5 มกราคม 2566 เวลา 10.00 น.\n"


def descendants(pid: int) -> list[int]:
    """``pid`` and every process under it now (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def process_memory_mb(pid: int) -> tuple[float, float]:
    """Resident set and proportional set (PSS) of one process now, in MB; 0 when it is gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return rss / 1e3, pss / 1e3


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """Memory of ``pid`` and all its descendants now, in MB: the sum of their resident sets
    (pages shared between processes counted in each) and of their proportional sets (PSS:
    a shared page split among its sharers, so what the tree costs)."""
    sums = [process_memory_mb(p) for p in descendants(pid)]
    return sum(r for r, _ in sums), sum(p for _, p in sums)


class PeakSampler:
    """The process tree's peak memory, sampled by a thread every ``every`` seconds. Reading
    every process's smaps costs CPU (a few per cent of a pre-annotation's): ``cpu`` is the thread's
    own, which the figures leave out of the tree's."""

    def __init__(self, every: float = 0.1) -> None:
        self.peak = 0.0
        self.peak_pss = 0.0
        self.cpu = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)

    def _sample(self) -> None:
        rss, pss = tree_memory_mb(os.getpid())
        self.peak = max(self.peak, rss)
        self.peak_pss = max(self.peak_pss, pss)

    def _run(self, every: float) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(every)
        self.cpu = time.thread_time()  # this thread's user and system time

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def _raw_chunk(texts: list[str]) -> int:
    import nlpo3

    from annotator.nlp import tokenizer

    tokenizer.tokenize("ก")  # the dictionary, loaded as the program loads it
    return sum(len(nlpo3.segment(line, "annotator_th", safe=False)) for t in texts for line in t.split("\n"))


def _read_ids(path: str) -> list[int]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def run_child(cmd: list[str]) -> str:
    """Run one phase in a child process; its output, or its error shown and raised. The
    revision's folder leads PYTHONPATH and is the working folder: Python 3.11's fork server
    ignores the sys.path it is handed (multiprocessing/forkserver.py, ``main``) and starts
    from those, so without them the workers of every revision ran this checkout's code."""
    root = cmd[cmd.index("--root") + 1]
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=root,
                          env={**os.environ, "PYTHAINLP_OFFLINE": "1", "PYTHONPATH": path})
    if done.returncode:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"the {cmd[cmd.index('--phase') + 1]} phase failed (code {cmd[cmd.index('--root') + 1]})")
    return done.stdout


def phase(args: argparse.Namespace) -> None:
    """One measurement in this process (code from ``args.root``); prints a JSON line."""
    sys.path.insert(0, args.root)
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
    from annotator.store.project import Project

    if args.phase == "import":  # the project for this code: the file's schema is its own
        from annotator.jobs.importer import run_import

        if args.trained:  # a copy of the model's project, the articles added: opened (migrated) by this code
            shutil.copyfile(args.trained, args.project)
        with (Project.open if args.trained else Project.create)(args.project) as project:
            before_ids = set(project.document_ids())
            run_import(project, [Path(p) for p in json.loads(Path(args.sources).read_text(encoding="utf-8"))])
            print(json.dumps(sorted(set(project.document_ids()) - before_ids)))
        return
    with PeakSampler() as peak:
        if args.phase == "raw":
            import multiprocessing as mp

            with Project.open(args.project, readonly=True) as project:
                wanted = set(_read_ids(args.ids)) if args.ids else None
                texts = [r[1] for r in project.query("SELECT id, text FROM documents ORDER BY id")
                         if wanted is None or r[0] in wanted]
            chunks = [texts[i::args.workers] for i in range(args.workers)]
            t = time.perf_counter()
            if args.workers == 1:
                _raw_chunk(texts)
            else:
                with mp.get_context("spawn").Pool(args.workers) as pool:
                    pool.map(_raw_chunk, chunks)
            seconds = time.perf_counter() - t
            n = len(texts)
        else:
            from annotator.nlp.preannotate import run_preannotate

            with Project.open(args.project) as project:
                ids = _read_ids(args.ids) if args.ids else None
                t = time.perf_counter()
                report = run_preannotate(project, doc_ids=ids, workers=args.workers,
                                         model="latest" if args.ids else "suggesting")
                seconds = time.perf_counter() - t
                n = report.documents
                spans = project.query("SELECT COUNT(*) FROM spans WHERE state = 'suggested'")[0][0]
            from annotator.nlp import fastcrf

            compiled = getattr(fastcrf, "COMPILED", False)  # Viterbi and marginals in C (nlp/_crfc.c)
            workers_code = _workers_code()
            if Path(workers_code).resolve() != Path(args.root).resolve():
                raise SystemExit(f"the workers ran the code in {workers_code}, not {args.root}")
    print(json.dumps({"phase": args.phase, "documents": n, "seconds": seconds, "peak_mb": peak.peak,
                      "peak_pss_mb": peak.peak_pss, "sampler_cpu": peak.cpu,
                      **({"spans": spans, "compiled": compiled} if args.phase != "raw" else {})}))


def _workers_code() -> str:
    """Where the pre-annotation workers import the package from: a worker started as the
    job starts its own (the same fork server, preloaded alike)."""
    from annotator.nlp.preannotate import _pool_context, _stop_fork_server

    ctx, _ = _pool_context()
    with ctx.Pool(1) as pool:  # a builtin: a function of this script would not unpickle there
        where = pool.apply(eval, ("__import__('annotator').__file__",))
    _stop_fork_server()
    return str(Path(where).resolve().parent.parent)


def texts_from(corpus: Path | None, sample: int) -> list[Path] | list[str]:
    if corpus and corpus.is_dir():
        files = sorted(corpus.rglob("*.txt"))
        step = max(1, len(files) // sample) if sample else 1
        return files[::step][:sample] if sample else files
    if SEEDS.is_dir():
        return sorted(SEEDS.glob("*.txt"))
    return [MADE_UP * (k + 1) for k in range(6)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=Path("/tmp/corpus"))
    ap.add_argument("--sample", type=int, default=2000, help="articles (0: all)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--before", metavar="REV", help="also measure the code of this git revision")
    ap.add_argument("--trained", type=Path, help="a project whose newest model suggests")
    ap.add_argument("--workdir", type=Path)
    for hidden in ("--phase", "--root", "--project", "--ids", "--sources"):
        ap.add_argument(hidden, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.phase:
        args.workers = int(args.workers)
        phase(args)
        return 0

    sys.path.insert(0, str(ROOT))
    from annotator.jobs.importer import run_import
    from annotator.store.project import Project

    work = (args.workdir or Path(tempfile.mkdtemp(prefix="bench-preannotate-"))).resolve()  # children run elsewhere
    work.mkdir(parents=True, exist_ok=True)
    if args.trained:
        args.trained = args.trained.resolve()
    base = work / "base.annot"
    if base.exists():
        base.unlink()
    sources = texts_from(args.corpus, args.sample)
    if sources and isinstance(sources[0], str):
        folder = work / "made-up"
        folder.mkdir(exist_ok=True)
        for k, text in enumerate(sources):
            (folder / f"{k}.txt").write_text(text, encoding="utf-8")
        sources = sorted(folder.glob("*.txt"))
    sources = [Path(p).resolve() for p in sources]
    ids_arg = ""
    if args.trained:
        shutil.copyfile(args.trained, base)
        with Project.open(base) as project:
            before_ids = set(project.document_ids())
            run_import(project, sources)
            ids_arg = json.dumps(sorted(set(project.document_ids()) - before_ids))
    else:
        with Project.create(base) as project:
            run_import(project, sources)
    with Project.open(base, readonly=True) as project:
        n_docs = len(json.loads(ids_arg)) if ids_arg else len(project.document_ids())
    ids_file = ""  # the imported articles' ids, in a file: a whole corpus's overflow a command line
    if ids_arg:
        ids_file = str(work / "ids.json")
        Path(ids_file).write_text(ids_arg, encoding="utf-8")
    print(f"{n_docs} articles, {args.workers} workers, {args.repeat} rounds"
          + (f", model: newest of {args.trained.name}" if args.trained else ", bundled model"), flush=True)

    roots = {"after": str(ROOT)}
    bases = {"after": base}  # the project each code pre-annotates a copy of
    tree = None
    results: dict[str, list[dict]] = {}
    try:  # the worktree goes whatever fails
        if args.before:
            tree = add_worktree(ROOT, work / "before-tree", args.before, build=True)  # its compiled decoding
            roots["before"] = str(tree)
            # Imported by that code: a newer schema is not its to read.
            listed = work / "sources.json"
            listed.write_text(json.dumps([str(p) for p in sources]), encoding="utf-8")
            bases["before"] = work / "base-before.annot"
            bases["before"].unlink(missing_ok=True)
            made = run_child([sys.executable, __file__, "--phase", "import", "--root", str(tree),
                              "--project", str(bases["before"]), "--sources", str(listed),
                              *(["--trained", str(args.trained)] if args.trained else [])])
            if args.trained and json.loads(made.strip().splitlines()[-1]) != json.loads(ids_arg):
                raise SystemExit("the two revisions gave the imported articles different ids")
        results.update({name: [] for name in ["raw", *roots]})
        for _ in range(args.repeat):
            for name in results:
                project = base
                if name != "raw":
                    project = work / f"{name}.annot"
                    shutil.copyfile(bases.get(name, base), project)
                cmd = [sys.executable, __file__, "--phase", "raw" if name == "raw" else "preannotate",
                       "--root", roots.get(name, str(ROOT)), "--project", str(project),
                       "--workers", str(args.workers), "--ids", ids_file]
                used = resource.getrusage(resource.RUSAGE_CHILDREN)
                out = run_child(cmd)
                now = resource.getrusage(resource.RUSAGE_CHILDREN)
                result = json.loads(out.strip().splitlines()[-1])
                # CPU time of the whole tree (workers are reaped, so they count): on a shared
                # machine this is steadier than wall time.
                result["cpu"] = ((now.ru_utime - used.ru_utime) + (now.ru_stime - used.ru_stime)
                                 - result.get("sampler_cpu", 0.0))  # the memory sampler's is the benchmark's
                results[name].append(result)
    finally:
        if tree is not None:
            remove_worktree(ROOT, tree)
    raw = statistics.median(r["seconds"] for r in results["raw"])
    raw_cpu = statistics.median(r["cpu"] for r in results["raw"])
    for name, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        docs = runs[-1]["documents"]
        extra = f", {runs[-1]['spans']} suggestions" if "spans" in runs[-1] else ""
        extra += ", C Viterbi" if runs[-1].get("compiled") else ""
        print(f"{name:<7} median {seconds:7.2f} s  {docs / seconds:7.0f} articles/s  ratio to raw"
              f" {seconds / raw:5.2f}  CPU {cpu:7.1f} s, ratio {cpu / raw_cpu:5.2f}  peak tree RSS {max(r['peak_mb'] for r in runs):5.0f} MB"
              f" PSS {max(r['peak_pss_mb'] for r in runs):5.0f} MB{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
