"""Document-level k-fold cross-validation of training on ThaiNER 1.5.1 train.txt.

    .venv/bin/python benchmarks/bench_kfold.py [--data DIR] [--folds 5] [--limit N]
        [--variants bundled,scratch,default] [--unlabelled 3000] [--speed 300]

Identical documents are kept once; each document's fold is a hash of its text, so the
folds are the same on every run and machine. For each fold, every variant is trained on
the other folds with the app's own training code (``prepare``/``train_model`` of
:mod:`annotator.jobs.train`, in this process) and scored on the held-out fold through the
Suggester that pre-annotation uses (model + rules + places). Scores are exact-match micro
P/R/F1 (span and label) with FACILITY counted as LOCATION in gold and prediction.

Variants (``--variants``, comma-separated):

* ``bundled``: the bundled ThaiNER CRF, no training. It was trained on ThaiNER train, so
  its figures here are on text it saw: an upper bound, not a held-out score.
* ``scratch``: trained ``--from scratch`` with its default settings (``TrainParams.default``).
* ``default``: trained ``--from bundled`` (the app's default) with its default settings.
* ``X+clusters``: X with the ``clusters`` feature group (word classes learned at training
  time from the training folds' text plus ``--unlabelled`` thaigov articles, standing in
  for a project's unlabelled documents); ``X-clusters`` without it.
* ``X@c1=…;c2=…;it=…;algo=…;minfreq=…``: X with other crfsuite settings (``;`` between
  settings; ``algo``: lbfgs, l2sgd, ap, pa, arow; ``minfreq``: attributes seen fewer times
  are pruned). ``X@old`` is X with the settings that were the default before 2026-12-02
  (L-BFGS, 100 iterations, c1 0.05, c2 0.1).

Printed per variant: mean ± standard deviation (min–max) of F1, P, R over the folds, mean
training seconds per fold, and suggest() speed (documents/s of CPU time, one process) on
``--speed`` thaigov articles (none of the ``--unlabelled`` ones) with the fold-1 model.

Without the data the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_suggestions import read_thainer  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "thainer-1.5.1"
DEFAULT_VARIANTS = "bundled,scratch,default"
SAME_AS = {"FACILITY": "LOCATION"}  # the scoring convention: a facility is a location


@dataclass
class Result:
    """One variant's figures over the folds."""

    f1: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    docs_per_s: float | None = None


# ------------------------------------------------------------------ the data
def fold_of(text: str, k: int) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:12], 16) % k


def load(data: Path, limit: int | None):
    """(text, tokens, gold) of the distinct documents of train.txt, and how many were
    dropped as repeats or broken markup."""
    from annotator.nlp.tokenizer import tokenize

    docs, bad = read_thainer(data / "train.txt")
    seen: set[str] = set()
    examples, repeats = [], 0
    for text, gold in docs:
        if text in seen:
            repeats += 1
            continue
        seen.add(text)
        examples.append((text, tokenize(text), non_overlapping(gold)))
        if limit and len(examples) >= limit:
            break
    return examples, repeats, bad


def non_overlapping(gold):
    """As the app's gold_example: the longer of two overlapping spans is kept."""
    kept: list[tuple[int, int, str]] = []
    for s, e, lab in sorted(gold, key=lambda g: (g[0] - g[1], g[0])):
        if not any(a < e and s < b for a, b, _ in kept):
            kept.append((s, e, lab))
    return sorted(kept)


def corpus_texts(corpus: Path, n: int, seed: int = 0) -> list[str]:
    """``n`` thaigov articles in a fixed shuffled order (BOMs dropped, bad bytes replaced)."""
    files = sorted(corpus.rglob("*.txt")) if corpus.is_dir() else []
    random.Random(seed).shuffle(files)
    return [f.read_text(encoding="utf-8-sig", errors="replace") for f in files[:n]]


# ------------------------------------------------------------------ variants
def parse_variant(name: str):
    """(base or None for the bundled model, TrainParams) of a variant name."""
    from annotator.jobs.train import TrainParams

    head, _, tuning = name.partition("@")
    head, _, more = head.partition("+")
    head, _, less = head.partition("-")
    if head == "bundled" and not (more or less or tuning):
        return None, None
    base = {"scratch": "scratch", "default": "bundled"}.get(head)
    if base is None:
        raise SystemExit(f"unknown variant {name!r}: bundled, scratch, default, with +group, -group, @c1=…")
    params = TrainParams.default(base)  # the algorithm depends on the base
    features = params.features
    if more:
        features = features.with_groups(*more.split("+"))
    if less:
        features = features.with_groups(remove=less.split("-"))
    params = replace(params, features=features)
    names = {"c1": ("c1", float), "c2": ("c2", float), "it": ("max_iterations", int),
             "algo": ("algorithm", str), "minfreq": ("min_freq", float)}
    for item in filter(None, tuning.split(";")):
        if item == "old":  # the default settings before 2026-12-02
            params = replace(params, algorithm="lbfgs", max_iterations=100, c1=0.05, c2=0.1, min_freq=0.0)
            continue
        key, _, value = item.partition("=")
        field_name, cast = names[key]
        params = replace(params, **{field_name: cast(value)})
    return base, params


def suggester_for(base, params, train, unlabelled, folder: str):
    """The Suggester over a model trained on ``train`` (None: the bundled model), and
    the training seconds."""
    from annotator.jobs.train import train_model
    from annotator.nlp.suggest import Suggester
    from annotator.nlp.model_files import ModelSpec
    from annotator.nlp.trained import TrainedModel

    if base is None:
        return Suggester(), 0.0
    path = str(Path(folder) / "model.crfsuite")
    started = time.perf_counter()
    result = train_model(train, base, params, path, lambda message: None, unlabelled)
    seconds = time.perf_counter() - started
    return Suggester(model=TrainedModel(ModelSpec(path, "k-fold", result["settings"]))), seconds


def score(suggester, test) -> tuple[float, float, float]:
    from annotator.evaluation.metrics import exact_scores

    gold = [[_same(g) for g in gold] for _, _, gold in test]
    pred = [[_same((s.start, s.end, s.label)) for s in suggester.suggest(text, tokens)] for text, tokens, _ in test]
    micro = exact_scores(gold, pred).micro
    return micro.f1, micro.precision, micro.recall


def _same(entity):
    s, e, label = entity
    return s, e, SAME_AS.get(label, label)


def speed(suggester, articles) -> float | None:
    """Documents per second of CPU time for suggest() on tokenized articles."""
    if not articles:
        return None
    for text, tokens in articles[:20]:  # warm the caches as a long run would
        suggester.suggest(text, tokens)
    started = time.process_time()
    for text, tokens in articles:
        suggester.suggest(text, tokens)
    return len(articles) / max(time.process_time() - started, 1e-9)


# ------------------------------------------------------------------ the run
def run(examples, folds: int, variants: list[str], unlabelled, articles) -> dict[str, Result]:
    results = {name: Result() for name in variants}
    parsed = {name: parse_variant(name) for name in variants}
    by_fold = [fold_of(text, folds) for text, _, _ in examples]
    for f in range(folds):
        train = [ex for ex, k in zip(examples, by_fold) if k != f]
        test = [ex for ex, k in zip(examples, by_fold) if k == f]
        for name in variants:
            base, params = parsed[name]
            extra = unlabelled if params is not None and "clusters" in params.features.groups else []
            with tempfile.TemporaryDirectory(prefix="bench-kfold-") as folder:
                suggester, seconds = suggester_for(base, params, train, extra, folder)
                f1, p, r = score(suggester, test)
                res = results[name]
                res.f1.append(f1), res.precision.append(p), res.recall.append(r), res.seconds.append(seconds)
                if f == 0:
                    res.docs_per_s = speed(suggester, articles)
            print(f"fold {f + 1}/{folds} ({len(train)} train, {len(test)} test) {name:<24}"
                  f" F1 {f1:.4f}  P {p:.4f}  R {r:.4f}  {seconds:6.1f} s", flush=True)
    return results


def spread(values: list[float]) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.4f} ± {sd:.4f} ({min(values):.4f}–{max(values):.4f})"


def report(results: dict[str, Result], folds: int) -> None:
    print(f"\nexact micro over {folds} folds (mean ± sd, min–max); FACILITY counted as LOCATION")
    for name, res in results.items():
        print(f"{name}:")
        print(f"  F1 {spread(res.f1)}")
        print(f"  P  {spread(res.precision)}")
        print(f"  R  {spread(res.recall)}")
        trained = "no training" if not any(res.seconds) else f"{statistics.mean(res.seconds):.1f} s per fold"
        rate = f"{res.docs_per_s:.0f} docs/s" if res.docs_per_s is not None else "not measured (no corpus)"
        print(f"  training {trained}; suggest() {rate} (one process, CPU time)")
    if "bundled" in results:
        print("(the bundled model was trained on ThaiNER train: its figures are on text it saw)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding train.txt")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--limit", type=int, help="use only the first N distinct documents")
    ap.add_argument("--variants", default=DEFAULT_VARIANTS, help=f"comma-separated (default {DEFAULT_VARIANTS})")
    ap.add_argument("--corpus", type=Path, default=Path("/tmp/corpus"), help="unpacked thaigov corpus")
    ap.add_argument("--unlabelled", type=int, default=3000, help="corpus articles the word classes learn from")
    ap.add_argument("--speed", type=int, default=300, help="corpus articles to time suggest() on")
    args = ap.parse_args(argv)
    if not (args.data / "train.txt").exists():
        print(f"ThaiNER train.txt not found in {args.data}; nothing to measure")
        return 0
    if args.folds < 2:
        raise SystemExit("--folds: at least 2")
    import annotator.nlp  # noqa: F401  (offline pythainlp)
    from annotator.nlp.tokenizer import tokenize

    examples, dropped, bad = load(args.data, args.limit)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    wants_text = any("clusters" in v for v in variants)
    texts = corpus_texts(args.corpus, (args.unlabelled if wants_text else 0) + args.speed)
    split = len(texts) - min(args.speed, len(texts))
    unlabelled = [(t, tokenize(t)) for t in texts[:split]]
    articles = [(t, tokenize(t)) for t in texts[split:]]
    print(f"{len(examples)} distinct documents ({dropped} repeats and {bad} broken lines left out),"
          f" {args.folds} folds; {len(unlabelled)} unlabelled articles for word classes,"
          f" {len(articles)} for speed", flush=True)
    report(run(examples, args.folds, variants, unlabelled, articles), args.folds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
