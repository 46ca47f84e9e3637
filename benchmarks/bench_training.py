"""Training and evaluation on ThaiNER 1.5.1 through the `annotator` commands.

    .venv/bin/python benchmarks/bench_training.py [--data DIR] [--workdir DIR]
        [--from scratch|bundled] [--ablation] [--threads N]

Builds two projects with the same commands a user runs, trains, and scores on text the
model never saw:

    annotator init train.annot && annotator import train.annot train.txt --format thainer --as gold --unknown-labels add
    annotator init val.annot && annotator import val.annot val.txt --format thainer --as gold --unknown-labels add
    annotator train train.annot --from scratch --dev 0 --exclude val.annot
    annotator evaluate train.annot --gold val.annot                    # the trained model
    annotator evaluate train.annot --gold val.annot --model bundled    # the bundled one, same code

Every line of val.txt is also a line of train.txt, so ``--exclude val.annot`` is what
keeps the evaluation on unseen text (508 documents are left out of training).

It then times ``suggest()`` per document with each model (one process, CPU time), on
val and on a sample of the thaigov corpus when it is unpacked (``--corpus``), and with
``--preannotate N`` pre-annotates N corpus articles on 2 worker processes with the bundled
model and with the newest trained model of each kind (scratch, bundled) in the project.

``--ablation`` then trains once per variant of the features and settings (one group
left out at a time, and so on) and prints exact-match micro F1 of each (CRF alone and
with rules and gazetteer): the measurements the defaults were chosen from. ``--threads``
trains that many variants at once (the timings then share the cores).

The data lives outside the project (``../shared``); without it the script says so and
exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.cli import main as annotator  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "thainer-1.5.1"


def run(*argv: object) -> str:
    """Run an `annotator` command in this process; its standard output."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = annotator([str(a) for a in argv])
    if code != 0:
        raise SystemExit(f"annotator {' '.join(map(str, argv))} exited with {code}")
    return out.getvalue()


def build(data: Path, work: Path) -> tuple[Path, Path]:
    train, val = work / "thainer-train.annot", work / "thainer-val.annot"
    for project, source in ((train, data / "train.txt"), (val, data / "val.txt")):
        if project.exists():
            continue
        run("init", project)
        try:
            run("import", project, source, "--format", "thainer", "--as", "gold", "--unknown-labels", "add")
        except SystemExit:
            pass  # train.txt has one line with broken markup: refused, the rest went in
    return train, val


def table(name: str, report: dict) -> str:
    ex, pa = report["exact"], report["partial"]
    m, p = ex["micro"], pa["micro"]
    lines = [f"{name}: {report['subject']} on {report['documents']} documents "
             f"({report['left_out']} left out as training data)",
             f"  exact   P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}",
             f"  partial P {p['precision']:.3f}  R {p['recall']:.3f}  F1 {p['f1']:.3f}",
             "  per label F1 (exact): " + ", ".join(
                 f"{lab} {c['f1']:.3f}" for lab, c in sorted(ex["per_label"].items(), key=lambda kv: -kv[1]["tp"] - kv[1]["fn"])
                 if c["tp"] + c["fn"])]
    return "\n".join(lines)


def main_run(train: Path, val: Path, base: str) -> None:
    started = time.perf_counter()
    trained = json.loads(run("train", train, "--from", base, "--dev", "0", "--exclude", val, "--json"))
    wall = time.perf_counter() - started
    print(f"trained {trained['version']} from {base} on {trained['documents']} documents, "
          f"{trained['tokens']:,} tokens, {trained['iterations']} iterations: {trained['seconds']:.1f} s in the job"
          f" (features {trained['timings']['features']:.1f} s, crfsuite {trained['timings']['crfsuite']:.1f} s),"
          f" {wall:.1f} s for the whole command (incl. reading the excluded project)")
    for name, extra in (("trained", ()), ("trained, CRF only", ("--model-only",)),
                        ("bundled", ("--model", "bundled")), ("bundled, CRF only", ("--model", "bundled", "--model-only"))):
        report = json.loads(run("evaluate", train, "--gold", val, "--json", *extra))
        print(table(name, report))


def speed(train: Path, val: Path, corpus: Path, sample: int) -> None:
    """CPU time of Suggester.suggest per document, bundled and newest trained model."""
    from annotator.nlp.suggest import Suggester
    from annotator.nlp.tokenizer import tokenize
    from annotator.nlp.model_files import materialize
    from annotator.nlp.trained import TrainedModel
    from annotator.store.project import Project

    with Project.open(val, readonly=True) as gold:
        sets = [("val", [(gold.document(d).text, gold.tokens(d, cache=False)) for d in gold.document_ids()])]
    files = sorted(corpus.rglob("*.txt"))[:sample] if corpus.is_dir() else []
    if files:
        texts = [f.read_text(encoding="utf-8", errors="replace") for f in files]
        sets.append((f"thaigov ({len(texts)})", [(t, tokenize(t)) for t in texts]))
    with Project.open(train, readonly=True) as project, materialize(project, "latest") as spec:
        for name, suggester in (("bundled", Suggester()), (spec.version, Suggester(model=TrainedModel(spec)))):
            for label, docs in sets:
                for text, tokens in docs[:20]:  # warm the caches
                    suggester.suggest(text, tokens)
                started = time.process_time()
                for text, tokens in docs:
                    suggester.suggest(text, tokens)
                ms = 1000 * (time.process_time() - started) / len(docs)
                print(f"suggest() with {name:<16} on {label:<16} {ms:6.2f} ms per document (CPU, one process)")


def preannotate_speed(train: Path, corpus: Path, n: int, work: Path) -> None:
    """Documents per second of `preannotate` (2 workers) on ``n`` corpus articles."""
    from annotator.jobs.importer import run_import
    from annotator.nlp.preannotate import run_preannotate
    from annotator.store.models import add_model, list_models, model_data
    from annotator.store.project import Project

    files = [str(f) for f in sorted(corpus.rglob("*.txt"))[:n]] if corpus.is_dir() else []
    if not files:
        print(f"no corpus in {corpus}: pre-annotation speed not measured")
        return
    with Project.open(train, readonly=True) as source:
        newest = {r.base: r for r in list_models(source)}
        models = {base: (r, model_data(source, r.id)) for base, r in newest.items()}
    for which in ("bundled model", *(f"trained from {b}" for b in sorted(models))):
        path = work / f"speed-{which.replace(' ', '-')}.annot"
        path.unlink(missing_ok=True)
        with Project.create(path) as project:
            run_import(project, files)
            if which != "bundled model":
                record, data = models[which.removeprefix("trained from ")]
                add_model(project, data, base=record.base, documents=record.documents, tokens=record.tokens,
                          labels=record.labels, scores=record.scores, settings=record.settings,
                          train_seconds=record.train_seconds)
            started = time.perf_counter()
            report = run_preannotate(project, workers=2, model="latest")  # not only the one chosen to suggest
            seconds = time.perf_counter() - started
        path.unlink(missing_ok=True)
        print(f"preannotate, 2 workers, {which:<22} {report.documents} articles in {seconds:.1f} s:"
              f" {report.documents / seconds:.0f} articles/s ({report.model_version})")


# ------------------------------------------------------------------ ablation
def variants():
    from annotator.jobs.train import TrainParams
    from annotator.nlp.features import DEFAULT, FeatureSet

    base = TrainParams()
    yield "defaults", base, "scratch"
    for group in DEFAULT.groups:
        yield f"without {group}", TrainParams(features=DEFAULT.with_groups(remove=[group])), "scratch"
    yield "window 1", TrainParams(features=FeatureSet(DEFAULT.groups, 1)), "scratch"
    yield "window 3", TrainParams(features=FeatureSet(DEFAULT.groups, 3)), "scratch"
    yield "no token refinement", TrainParams(refine=False), "scratch"
    yield "no gold-edge token split", TrainParams(split_gold_edges=False), "scratch"
    yield "c1 0.1, c2 0.05", TrainParams(c1=0.1, c2=0.05), "scratch"
    yield "c1 0.02, c2 0.2", TrainParams(c1=0.02, c2=0.2), "scratch"
    yield "100 iterations", TrainParams(max_iterations=100), "scratch"
    yield "--from bundled", base, "bundled"


def ablation(train: Path, val: Path, threads: int) -> None:
    from annotator.evaluation.evaluate import evaluate_model
    from annotator.jobs.train import run_train
    from annotator.nlp.model_files import materialize
    from annotator.store.project import Project

    with Project.open(val, readonly=True) as gold:
        exclude = {r[0] for r in gold.query("SELECT content_hash FROM documents")}
    project = Project.open(train)

    def one(item):
        name, params, base = item
        report = run_train(project, base=base, dev=0, exclude=exclude, params=params)
        with Project.open(val, readonly=True) as gold:
            crf = evaluate_model(project, report.model_id, gold=gold, model_only=True)
            full = evaluate_model(project, report.model_id, gold=gold)
            line = (f"{name:<28} CRF F1 {crf.exact.micro.f1:.4f}  +rules/gaz F1 {full.exact.micro.f1:.4f}"
                    f"  (P {full.exact.micro.precision:.3f} R {full.exact.micro.recall:.3f})  {report.seconds:.0f} s")
            if name == "defaults":  # the same model without the in-document consistency step
                from annotator.evaluation.evaluate import score_documents
                from annotator.nlp.trained import TrainedModel

                with materialize(project, report.model_id) as spec:
                    model = TrainedModel(spec)
                    model.consistent = False
                    ex, _ = score_documents(gold, [d for d in gold.document_ids(("done",))], model.predict)
                line += f"\n{'defaults, no consistency':<28} CRF F1 {ex.micro.f1:.4f}"
        print(line, flush=True)

    print(f"\nablation (exact micro F1 on val, trained on train minus val; {threads} at a time)")
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, variants()))
        print(bundled_features_retrained(project, val, exclude), flush=True)
    project.close()


def bundled_features_retrained(project, val: Path, exclude: set[str]) -> str:
    """The bundled model's own attributes (annotator.nlp.crf), trained here on the same
    documents with the same crfsuite settings: how much of the bundled model's score on
    val is its features, and how much its training data."""
    import os

    import pycrfsuite

    from annotator.evaluation.evaluate import score_documents
    from annotator.jobs.train import TrainParams, gold_example, split_documents
    from annotator.nlp.crf import CrfModel, _AttributeCache, sequences
    from annotator.nlp.features import span_tags
    from annotator.nlp.pos import lst20_tags
    from annotator.core.model import SpanData
    from annotator.store.project import Project

    params = TrainParams()
    rows, _, _ = split_documents(project, 0, 0, exclude)
    cache = _AttributeCache()
    trainer = pycrfsuite.Trainer("lbfgs", verbose=False)
    started = time.perf_counter()
    for doc_id, _ in rows:
        text, tokens, gold = gold_example(project, doc_id)
        y = span_tags([SpanData(s, e, lab) for s, e, lab in gold], tokens)
        for lo, hi in sequences(text, tokens):
            words = [text[s:e] for s, e in tokens[lo:hi]]
            trainer.append(cache.attributes(words, lst20_tags(words)), y[lo:hi])
    trainer.set_params({"c1": params.c1, "c2": params.c2, "max_iterations": params.max_iterations,
                        "feature.possible_transitions": True})
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "retrained.crfsuite")
        trainer.train(path)
        seconds = time.perf_counter() - started
        model = CrfModel(path)
        with Project.open(val, readonly=True) as gold:
            exact, _ = score_documents(gold, gold.document_ids(("done",)), model.predict)
    return (f"{'bundled features, retrained':<28} CRF F1 {exact.micro.f1:.4f}  (P {exact.micro.precision:.3f}"
            f" R {exact.micro.recall:.3f})  {seconds:.0f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--workdir", type=Path, help="keep the projects here (default: a temporary folder)")
    ap.add_argument("--from", dest="base", default="scratch", choices=("scratch", "bundled"))
    ap.add_argument("--ablation", action="store_true")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--corpus", type=Path, default=Path("/tmp/corpus"), help="unpacked thaigov corpus, for speed")
    ap.add_argument("--sample", type=int, default=200, help="corpus articles to time")
    ap.add_argument("--preannotate", type=int, default=0, metavar="N",
                    help="also time pre-annotating N corpus articles with each model")
    args = ap.parse_args(argv)
    if not (args.data / "train.txt").exists() or not (args.data / "val.txt").exists():
        print(f"ThaiNER 1.5.1 not found in {args.data}; nothing to measure")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-training-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        train, val = build(args.data, work)
        main_run(train, val, args.base)
        speed(train, val, args.corpus, args.sample)
        if args.preannotate:
            preannotate_speed(train, args.corpus, args.preannotate, work)
        if args.ablation:
            ablation(train, val, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
