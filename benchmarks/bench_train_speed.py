"""Training time on all of ThaiNER 1.5.1 train.txt, settings against settings, interleaved.

    .venv/bin/python benchmarks/bench_train_speed.py [--data DIR] [--limit N] [--repeats 1]
        [--variants 'default@old,default,scratch']

Reads the distinct documents of train.txt (as bench_kfold.py does) and trains each variant
on all of them with the app's training code (``train_model`` of :mod:`annotator.jobs.train`,
in this process: the time of ``annotator train`` without reading the project and scoring
its held-out documents). Variant names are bench_kfold.py's (``scratch``, ``default`` =
``--from bundled``, ``@old`` = the settings before 2026-12-02, ``@algo=…;it=…``…). With
``--repeats N`` the variants take turns N times (A B A B…), so a busy machine slows them
alike; printed per variant: each run's seconds (features and crfsuite), the medians of
wall-clock and CPU time (training is one process: on a shared machine its CPU time is the
steadier figure), and each median as a ratio of the first variant's.

Without the data the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_kfold import DEFAULT_DATA, load, parse_variant  # noqa: E402

DEFAULT_VARIANTS = "default@old,default,scratch"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding train.txt")
    ap.add_argument("--limit", type=int, help="use only the first N distinct documents")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--variants", default=DEFAULT_VARIANTS, help=f"comma-separated (default {DEFAULT_VARIANTS})")
    args = ap.parse_args(argv)
    if not (args.data / "train.txt").exists():
        print(f"ThaiNER train.txt not found in {args.data}; nothing to measure")
        return 0
    import annotator.nlp  # noqa: F401  (offline pythainlp)
    from annotator.jobs.train import train_model

    examples, dropped, bad = load(args.data, args.limit)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    parsed = {name: parse_variant(name) for name in variants}
    if any(base is None for base, _ in parsed.values()):
        raise SystemExit("the bundled model is not trained: give scratch or default variants")
    print(f"{len(examples)} distinct documents of train.txt ({dropped} repeats and {bad} broken lines left out),"
          f" {len(variants)} variants, {args.repeats} turn(s) each", flush=True)
    runs: dict[str, list[float]] = {name: [] for name in variants}
    cpus: dict[str, list[float]] = {name: [] for name in variants}
    for turn in range(args.repeats):
        for name in variants:
            base, params = parsed[name]
            with tempfile.TemporaryDirectory(prefix="bench-train-speed-") as folder:
                started, cpu = time.perf_counter(), time.process_time()
                result = train_model(examples, base, params, str(Path(folder) / "model.crfsuite"), lambda m: None)
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
                size = (Path(folder) / "model.crfsuite").stat().st_size
            runs[name].append(seconds)
            cpus[name].append(cpu)
            t = result["timings"]
            print(f"turn {turn + 1} {name:<24} {seconds:6.1f} s, CPU {cpu:6.1f} s (features {t['features']:.1f} s, crfsuite"
                  f" {t['crfsuite']:.1f} s; {params.algorithm}, {result['iterations']} iterations,"
                  f" {result['tokens']:,} tokens, model {size / 1e6:.1f} MB)", flush=True)
    first, first_cpu = statistics.median(runs[variants[0]]), statistics.median(cpus[variants[0]])
    print("\nmedian training seconds, wall clock and CPU (ratio to the first variant)")
    for name in variants:
        median, cpu = statistics.median(runs[name]), statistics.median(cpus[name])
        print(f"  {name:<24} {median:6.1f} s x{median / first:.2f}  CPU {cpu:6.1f} s x{cpu / first_cpu:.2f}"
              f"  ({', '.join(f'{s:.1f}' for s in runs[name])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
