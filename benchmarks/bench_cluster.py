"""Pre-annotation on a Dask LocalCluster: documents/s against the cluster's cores.

    .venv/bin/python benchmarks/bench_cluster.py [--corpus DIR] [--sample 1000]
        [--clusters 1,2] [--repeat 3] [--partition 48] [--local-workers 2]

Imports N articles of the corpus (every k-th file of /tmp/corpus; without it a few made-up
ones) into a project, starts one LocalCluster per size in ``--clusters`` (worker processes
of one thread each, the scheduler in this process, as ``dask scheduler`` beside
``dask worker --nthreads 1`` would be on one machine), then round after round (interleaved,
so the machine's load falls on all alike) pre-annotates a fresh copy of the project:

* ``local``: ``run_preannotate`` with ``--local-workers`` processes, for reference;
* ``cluster-N``: ``run_cluster_preannotate`` on the N-worker cluster (model sent to the
  workers and start-up of the run included; the cluster's own start-up is not, and is
  printed apart).

Prints each one's median wall time, documents/s, documents/s per core, and the number of
suggestions (the same for all, or the run says so). On a shared machine wall time is
mostly other people's load, so it also prints CPU seconds per 1,000 documents, which load
does not change much: the workers' (``client.run`` of ``getrusage`` before and after; for
``local`` its pool's) and this process's (the writer, the client, and for a LocalCluster
the scheduler too). The writer's share bounds how far more workers can go: one client
writes at most 1,000 / its CPU seconds per 1,000 documents per second. Load averages are
printed at the start and the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MADE_UP = "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม โดยนายสมชาย ใจดี รัฐมนตรีว่าการฯ แถลงที่ทำเนียบรัฐบาล กรุงเทพมหานคร เมื่อวันที่ {k} มกราคม 2566 เวลา 10.00 น.\n"


def sources(corpus: Path, sample: int, work: Path) -> list[Path]:
    if corpus.is_dir():
        files = sorted(corpus.rglob("*.txt"))
        step = max(1, len(files) // sample) if sample else 1
        return files[::step][:sample] if sample else files
    folder = work / "made-up"
    folder.mkdir(exist_ok=True)
    for k in range(sample or 6):
        (folder / f"{k}.txt").write_text(MADE_UP.format(k=k % 28 + 1) * (k % 5 + 1), encoding="utf-8")
    return sorted(folder.glob("*.txt"))


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _worker_cpu(client) -> float:
    """CPU seconds used so far by the cluster's worker processes, summed."""
    usages = client.run(resource.getrusage, resource.RUSAGE_SELF).values()  # workers cannot import this script
    return sum(u.ru_utime + u.ru_stime for u in usages)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=Path("/tmp/corpus"))
    ap.add_argument("--sample", type=int, default=1000, help="articles (0: all)")
    ap.add_argument("--clusters", default="1,2", help="worker counts of the LocalClusters")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--partition", type=int, default=48, help="documents per task")
    ap.add_argument("--local-workers", type=int, default=2)
    ap.add_argument("--workdir", type=Path)
    args = ap.parse_args(argv)
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
    sys.path.insert(0, str(ROOT))
    import distributed

    from annotator.jobs.importer import run_import
    from annotator.nlp.cluster_preannotate import run_cluster_preannotate
    from annotator.nlp.preannotate import run_preannotate
    from annotator.store.project import Project

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    work.mkdir(parents=True, exist_ok=True)
    base = work / "base.annot"
    if base.exists():
        base.unlink()
    with Project.create(base) as project:
        run_import(project, sources(args.corpus, args.sample, work))
        n_docs = len(project.document_ids())
    sizes = [int(n) for n in args.clusters.split(",") if n.strip()]
    print(f"{n_docs} articles, partitions of {args.partition}, {args.repeat} rounds, bundled model,"
          f" {os.cpu_count()} cores on this machine, load average {os.getloadavg()[0]:.1f}", flush=True)

    clusters: dict[str, tuple] = {}
    results: dict[str, list[tuple]] = {"local": []}
    try:
        for n in sizes:
            t = time.perf_counter()
            cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                               dashboard_address=None, silence_logs=40)
            client = distributed.Client(cluster)
            client.wait_for_workers(n)
            clusters[f"cluster-{n}"] = (cluster, client)
            results[f"cluster-{n}"] = []
            print(f"cluster-{n}: LocalCluster of {n} worker processes started in"
                  f" {time.perf_counter() - t:.1f} s (not counted below)", flush=True)
        for _ in range(args.repeat):
            for name in results:
                copy = work / f"{name}.annot"
                shutil.copyfile(base, copy)
                with Project.open(copy) as project:
                    client = clusters[name][1] if name != "local" else None
                    workers_cpu = _worker_cpu(client) if client else _cpu_seconds(resource.RUSAGE_CHILDREN)
                    own_cpu = _cpu_seconds(resource.RUSAGE_SELF)
                    t = time.perf_counter()
                    if client is None:
                        report = run_preannotate(project, workers=args.local_workers, model="bundled")
                    else:
                        report = run_cluster_preannotate(project, client, partition=args.partition,
                                                         model="bundled")
                    seconds = time.perf_counter() - t
                    own_cpu = _cpu_seconds(resource.RUSAGE_SELF) - own_cpu
                    workers_cpu = (_worker_cpu(client) if client else _cpu_seconds(resource.RUSAGE_CHILDREN)) - workers_cpu
                    spans = project.query("SELECT COUNT(*) FROM spans WHERE state = 'suggested'")[0][0]
                results[name].append((seconds, report.documents, spans, workers_cpu, own_cpu))
                copy.unlink()
    finally:
        for cluster, client in clusters.values():
            client.close()
            cluster.close()

    one = None
    for name, runs in results.items():
        seconds = statistics.median(r[0] for r in runs)
        docs, spans = runs[-1][1], runs[-1][2]
        cores = args.local_workers if name == "local" else int(name.split("-")[1])
        rate = docs / seconds
        if name == "cluster-1":
            one = rate
        vs = f"  {rate / one:4.2f}x cluster-1" if one and name != "local" else ""
        per_k = 1000 / max(docs, 1)
        workers_cpu = statistics.median(r[3] for r in runs) * per_k
        own_cpu = statistics.median(r[4] for r in runs) * per_k
        print(f"{name:<10} {cores} cores  median {seconds:7.2f} s  {rate:6.1f} docs/s  {rate / cores:6.1f} docs/s"
              f" per core{vs}  {spans} suggestions  (runs: {', '.join(f'{r[0]:.2f}' for r in runs)} s)")
        print(f"{'':<10} CPU s per 1,000 docs: workers {workers_cpu:6.1f}, this process {own_cpu:5.1f}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    if len({runs[-1][2] for runs in results.values()}) > 1:
        print("WARNING: the variants made different numbers of suggestions")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
