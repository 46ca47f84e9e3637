"""Tokens: are they words of the text, and what does checking them cost?

    .venv/bin/python benchmarks/bench_tokenizer.py [--corpus DIR] [--sample N] [--seeds DIR]

On the seed articles and a sample of the thaigov corpus (``/tmp/corpus`` when unpacked,
else the seeds alone; without either it says so and exits 0), line by line:

* how many lines nlpo3 1.4.0's ``segment(safe=True)`` returns with the right total length
  but words that do not join back to the line (what the program used to place by length);
* CPU time per article of raw ``nlpo3.segment(line, safe=False)`` over every line, against
  ``annotator.nlp.tokenizer.tokenize`` (bounded chunks, the content check, cluster mending):
  the cost of the protection;
* time on pathological lines (no space, 20,000 code points) for both.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.nlp import tokenizer  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"


def read_texts(corpus: Path, sample: int, seeds: Path) -> list[tuple[str, str]]:
    texts = [("seeds", p.read_text(encoding="utf-8-sig")) for p in sorted(seeds.glob("*.txt"))]
    if corpus.is_dir():
        files = sorted(corpus.rglob("*.txt"))
        for p in random.Random(0).sample(files, min(sample, len(files))):
            texts.append(("corpus", p.read_text(encoding="utf-8-sig", errors="replace")))
    return texts


def per_article(texts: list[str], fn) -> list[float]:
    times = []
    for text in texts:
        started = time.process_time()
        fn(text)
        times.append((time.process_time() - started) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("/tmp/corpus"))
    ap.add_argument("--sample", type=int, default=2000)
    ap.add_argument("--seeds", type=Path, default=SEEDS)
    args = ap.parse_args(argv)
    texts = read_texts(args.corpus, args.sample, args.seeds)
    if not texts:
        print(f"no seeds in {args.seeds} and no corpus in {args.corpus}: nothing to measure")
        return 0
    import nlpo3

    tokenizer.tokenize("ก")  # load the dictionary
    safe = lambda s: nlpo3.segment(s, "annotator_th", safe=True)  # noqa: E731
    raw = lambda s: nlpo3.segment(s, "annotator_th", safe=False)  # noqa: E731
    for source in ("seeds", "corpus"):
        lines = [ln for kind, t in texts if kind == source for ln in t.split("\n") if ln.strip()]
        if not lines:
            continue
        wrong = sum("".join(safe(ln)) != ln for ln in lines)
        raw_wrong = sum("".join(raw(ln)) != ln for ln in lines)
        print(f"{source}: {len(lines):,} non-empty lines; safe=True words not the line: {wrong:,}"
              f" ({wrong / len(lines):.1%}); safe=False: {raw_wrong}")
    bodies = [t for _, t in texts]
    for _ in range(2):  # warm
        per_article(bodies[:50], tokenizer.tokenize)
    lines_of = lambda t: [raw(ln) for ln in t.split("\n")]  # noqa: E731
    a = per_article(bodies, lines_of)
    b = per_article(bodies, tokenizer.tokenize)
    bad = sum(bool(tokenizer.broken_boundaries(t, tokenizer.tokenize(t))) for t in bodies)
    print(f"{len(bodies):,} articles, CPU ms per article (median / mean): raw nlpo3 safe=False"
          f" {statistics.median(a):.2f} / {statistics.mean(a):.2f}; tokenize() {statistics.median(b):.2f}"
          f" / {statistics.mean(b):.2f}; ratio of means {statistics.mean(b) / statistics.mean(a):.2f}")
    print(f"articles whose tokens cut a character cluster: {bad}")
    rng = random.Random(1)
    for name, line in (("no space, random Thai", "".join(rng.choice("กขคงจตทนบปมยรลวสหอะาิีุู่้เแโไั") for _ in range(20000))),
                       ("no space, repeated words", "ประเทศไทยพัฒนาเศรษฐกิจดิจิทัล" * 690)):
        t0 = time.process_time(); raw(line); t1 = time.process_time(); tokenizer.tokenize(line); t2 = time.process_time()
        print(f"{name} ({len(line):,} code points): raw {1000 * (t1 - t0):.1f} ms, tokenize() {1000 * (t2 - t1):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
