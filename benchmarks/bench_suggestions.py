"""Quality and speed of the offline suggestions (annotator.nlp.suggest).

    .venv/bin/python benchmarks/bench_suggestions.py [--val PATH] [--compare-pos]
        [--compare-merge] [--confidence] [--rule-precision] [--corpus DIR] [--sample N]

Default run: entity P/R/F1 (exact and partial overlap) of Suggester on the ThaiNER
1.5.1 val split, per label and micro-averaged, then speed of suggest() on the val
documents and on a sample of the thaigov corpus (``/tmp/corpus``) when it is unpacked.
The options print the comparisons the design choices were made from:

--compare-pos     CRF alone with each POS scheme (and with no POS features)
--compare-merge   merge policies for rules and gazetteer candidates
--confidence      how well min vs mean token marginals rank right over wrong spans
--rule-precision  exact-match precision of each rule label on train+val

Data lives outside the project (``../shared``); without it the script says so and
exits 0. Gold labels the model cannot produce (FACILITY, AGO) count as misses.
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

from annotator.core.errors import FormatError  # noqa: E402
from annotator.evaluation.metrics import (  # noqa: E402
    Entity,
    exact_scores,
    format_scores,
    partial_scores,
)
from annotator.formats.thainer import parse_line  # noqa: E402
from annotator.nlp.tokenizer import tokenize  # noqa: E402

DEFAULT_VAL = ROOT.parent / "shared" / "data" / "thainer-1.5.1" / "val.txt"

Doc = tuple[str, list[Entity]]


def read_thainer(path: Path) -> tuple[list[Doc], int]:
    """Documents of a ThaiNER file and how many lines had broken markup (skipped)."""
    docs: list[Doc] = []
    bad = 0
    with open(path, encoding="utf-8-sig") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            try:
                text, spans = parse_line(line)
            except FormatError:
                bad += 1
                continue
            docs.append((text, [(s.start, s.end, s.label) for s in spans]))
    return docs, bad


def entities(spans) -> list[Entity]:
    return [(s.start, s.end, s.label) for s in spans]


def one_line(name: str, gold, pred) -> str:
    ex, pa = exact_scores(gold, pred), partial_scores(gold, pred)
    per = " ".join(f"{lab}={c.f1:.3f}" for lab, c in ex.per_label.items() if c.gold)
    return (f"{name:<26} exact P={ex.micro.precision:.3f} R={ex.micro.recall:.3f} "
            f"F1={ex.micro.f1:.4f} | partial F1={pa.micro.f1:.4f}\n{'':<26} {per}")


def compare_pos(docs: list[Doc], toks) -> None:
    from annotator.nlp.crf import CrfModel
    from annotator.nlp.pos import SCHEMES, build_tagger

    print("\n== CRF alone, by POS scheme (whitespace -> PU, unknown words -> NN) ==")
    gold = [g for _, g in docs]
    variants = [("no POS features", None)] + [(s, build_tagger(s)) for s in SCHEMES]
    variants += [("orchid+tud, space->XX", build_tagger("orchid+tud-unigram", space_tag="XX")),
                 ("orchid+tud, unknown->XX", build_tagger("orchid+tud-unigram", unknown_tag="XX"))]
    for name, tagger in variants:
        model = CrfModel(pos=tagger)
        t0 = time.perf_counter()
        pred = [entities(model.predict(t, tk)) for (t, _), tk in zip(docs, toks)]
        total = time.perf_counter() - t0
        t0 = time.perf_counter()
        if tagger is not None:
            for (t, _), tk in zip(docs, toks):
                tagger([t[s:e] for s, e in tk])
        pos_time = time.perf_counter() - t0
        print(one_line(name, gold, pred))
        print(f"{'':<26} time on val: POS {pos_time * 1000:.0f} ms, CRF+POS {total * 1000:.0f} ms")


def compare_merge(docs: list[Doc], toks) -> None:
    from annotator.nlp import rules
    from annotator.nlp.crf import CrfModel
    from annotator.nlp.gazetteer import Gazetteer
    from annotator.nlp.suggest import MERGE_MODES, merge

    print("\n== merge policies (rules / gazetteer) ==")
    gold = [g for _, g in docs]
    model = CrfModel()
    model_spans = [model.predict(t, tk) for (t, _), tk in zip(docs, toks)]
    rule_spans = [rules.find(t) for t, _ in docs]
    gazetteers = {"places+persons": Gazetteer(persons=True), "places": Gazetteer(persons=False),
                  "persons": Gazetteer(places=False, persons=True)}
    gaz_spans = {k: [g.find(t, tk) for (t, _), tk in zip(docs, toks)] for k, g in gazetteers.items()}
    print(one_line("model only", gold, [entities(s) for s in model_spans]))
    print(one_line("rules only", gold, [entities(s) for s in rule_spans]))
    for k, spans in gaz_spans.items():
        print(one_line(f"gazetteer {k} only", gold, [entities(s) for s in spans]))
    modes = [m for m in MERGE_MODES if m != "off"]
    for mode in modes:
        pred = [entities(merge(m, r, mode)) for m, r in zip(model_spans, rule_spans)]
        print(one_line(f"rules {mode}", gold, pred))
    for k, spans in gaz_spans.items():
        for mode in modes:
            pred = [entities(merge(merge(m, r, "cover"), g, mode))
                    for m, r, g in zip(model_spans, rule_spans, spans)]
            print(one_line(f"rules cover + {k} {mode}", gold, pred))


def confidence(docs: list[Doc], toks) -> None:
    """AUC of min vs mean marginal for telling exactly-right model spans from wrong ones."""
    from annotator.nlp.crf import CrfModel, decode_iob, sequences

    model = CrfModel()
    scored: dict[str, list[tuple[float, bool]]] = {"min": [], "mean": [], "first": []}
    for (text, gold), tk in zip(docs, toks):
        gold_set = set(gold)
        for lo, hi in sequences(text, tk):
            words = [text[s:e] for s, e in tk[lo:hi]]
            labels, probs = model.tag_words(words)
            for a, b, label in decode_iob(labels):
                while a < b and words[a].isspace():
                    a += 1
                while b > a and words[b - 1].isspace():
                    b -= 1
                if a == b:
                    continue
                ok = (tk[lo + a][0], tk[lo + b - 1][1], label) in gold_set
                p = probs[a:b]
                scored["min"].append((min(p), ok))
                scored["mean"].append((sum(p) / len(p), ok))
                scored["first"].append((p[0], ok))
    print("\n== span confidence: ROC AUC for exact-right vs wrong model spans ==")
    for name, pairs in scored.items():
        print(f"{name:<6} AUC={_auc(pairs):.4f} (n={len(pairs)}, right={sum(o for _, o in pairs)})")


def _auc(pairs: list[tuple[float, bool]]) -> float:
    pos = [s for s, o in pairs if o]
    neg = [s for s, o in pairs if not o]
    if not pos or not neg:
        return float("nan")
    ranked = sorted(pairs, key=lambda p: p[0])
    # Mann-Whitney U with average ranks for ties.
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        avg = (i + j + 1) / 2
        rank_sum += avg * sum(1 for k in range(i, j) if ranked[k][1])
        i = j
    return (rank_sum - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def rule_precision(paths: list[Path]) -> None:
    from annotator.nlp import rules

    print("\n== rule precision against gold (exact span+label), " + ", ".join(p.name for p in paths))
    docs = [d for p in paths if p.exists() for d in read_thainer(p)[0]]
    gold = [g for _, g in docs]
    pred = [entities(rules.find(t)) for t, _ in docs]
    print(format_scores(exact_scores(gold, pred)))
    print(format_scores(partial_scores(gold, pred), "partial overlap:"))
    from annotator.nlp.gazetteer import Gazetteer

    places = Gazetteer(persons=False)
    pred = [entities(places.find(t, tokenize(t))) for t, _ in docs]
    loc = exact_scores(gold, pred).per_label.get("LOCATION")
    if loc is not None:
        print(f"gazetteer places: LOCATION exact precision {loc.precision:.3f} "
              f"({loc.tp}/{loc.predicted})")


def speed(label: str, texts: list[str], suggester) -> None:
    """Median ms per document and docs/s for suggest(), and for tokenize().

    Wall time and CPU time of this process are both shown: on a shared machine the
    CPU time is the steadier figure.
    """
    tokens = [tokenize(t) for t in texts]
    for t, tk in zip(texts[:20], tokens):  # warm the caches as a long run would
        suggester.suggest(t, tk)
    wall, cpu = [], []
    for t, tk in zip(texts, tokens):
        w0, c0 = time.perf_counter(), time.process_time()
        suggester.suggest(t, tk)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    tok_cpu = []
    for t in texts:
        c0 = time.process_time()
        tokenize(t)
        tok_cpu.append(time.process_time() - c0)
    n_tok = statistics.median(len(tk) for tk in tokens)
    print(f"{label}: {len(texts)} docs, median {statistics.median(len(t) for t in texts):.0f} chars "
          f"/ {n_tok:.0f} tokens")
    for name, times in (("wall", wall), ("cpu", cpu)):
        print(f"  suggest() {name}: median {statistics.median(times) * 1000:.2f} ms/doc, "
              f"p90 {sorted(times)[int(len(times) * 0.9)] * 1000:.2f} ms, "
              f"{len(texts) / sum(times):.0f} docs/s on one core")
    print(f"  tokenize() cpu: median {statistics.median(tok_cpu) * 1000:.2f} ms/doc; "
          f"tokenize+suggest {len(texts) / (sum(cpu) + sum(tok_cpu)):.0f} docs/s on one core")


def corpus_sample(corpus: Path, n: int, seed: int = 0) -> list[str]:
    files = sorted(corpus.rglob("*.txt"))
    random.Random(seed).shuffle(files)
    return [f.read_text(encoding="utf-8-sig") for f in files[:n]]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--val", type=Path, default=DEFAULT_VAL, help="ThaiNER markup file to score on")
    ap.add_argument("--corpus", type=Path, default=Path("/tmp/corpus"),
                    help="unpacked thaigov corpus, for speed on real articles")
    ap.add_argument("--sample", type=int, default=300, help="corpus articles to time")
    ap.add_argument("--compare-pos", action="store_true", help="CRF F1 and time per POS scheme")
    ap.add_argument("--compare-merge", action="store_true", help="F1 per merge policy")
    ap.add_argument("--confidence", action="store_true", help="min vs mean marginal as confidence")
    ap.add_argument("--rule-precision", action="store_true",
                    help="precision of rules and place list on train+val")
    ap.add_argument("--profile", action="store_true", help="cProfile suggest() on the corpus sample")
    args = ap.parse_args(argv)

    from annotator.nlp.suggest import Suggester

    if not args.val.exists():
        print(f"{args.val} not found: no ThaiNER data (it lives in ../shared); nothing to measure.")
        return 0
    docs, bad = read_thainer(args.val)
    print(f"{args.val}: {len(docs)} documents, {bad} lines skipped for broken markup")
    toks = [tokenize(t) for t, _ in docs]

    t0 = time.perf_counter()
    suggester = Suggester()
    suggester.suggest("นายสมชาย ใจดี เดินทางไปกรุงเทพฯ")
    print(f"Suggester {suggester.version}: built and warmed in {time.perf_counter() - t0:.2f} s")
    gold = [g for _, g in docs]
    pred = [entities(suggester.suggest(t, tk)) for (t, _), tk in zip(docs, toks)]
    print(format_scores(exact_scores(gold, pred), "\nexact span + label:"))
    part = partial_scores(gold, pred).micro
    print(f"partial overlap, micro: P={part.precision:.3f} R={part.recall:.3f} F1={part.f1:.3f}")

    if args.compare_pos:
        compare_pos(docs, toks)
    if args.compare_merge:
        compare_merge(docs, toks)
    if args.confidence:
        confidence(docs, toks)
    if args.rule_precision:
        rule_precision([args.val.with_name("train.txt"), args.val])

    print("\n== speed (one process, one core) ==")
    speed("ThaiNER val", [t for t, _ in docs], suggester)
    if args.corpus.is_dir():
        texts = corpus_sample(args.corpus, args.sample)
        speed(f"thaigov sample from {args.corpus}", texts, suggester)
        if args.profile:
            import cProfile
            import pstats

            tokens = [tokenize(t) for t in texts]
            prof = cProfile.Profile()
            prof.enable()
            for t, tk in zip(texts, tokens):
                suggester.suggest(t, tk)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    else:
        print(f"{args.corpus} not found: unpack ../shared/data/thaigov/thaigov-corpus.tar.xz there "
              "for the corpus figures.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
