"""Subcommands of `annotator` for this area; registered by annotator.cli.main.build_parser.

Models: ``train``, ``evaluate``, ``models``, ``queue`` (review order) and ``propagate``
(confirmed strings suggested elsewhere).
"""

from __future__ import annotations

import argparse
import json

from annotator.cli.opening import open_project
from annotator.cli.progress import job_progress


# ------------------------------------------------------------------ commands
def cmd_train(args: argparse.Namespace) -> int:
    from annotator.jobs.train import TrainParams, run_train

    exclude: set[str] = set()
    for path in args.exclude or []:
        with open_project(path, read=True) as other:
            exclude |= {r[0] for r in other.query("SELECT content_hash FROM documents")}
    algorithm = args.algorithm or TrainParams.default(args.base).algorithm
    defaults = TrainParams.for_algorithm(algorithm)
    params = TrainParams.for_algorithm(
        algorithm,
        c1=args.c1 if args.c1 is not None else defaults.c1,
        c2=args.c2 if args.c2 is not None else defaults.c2,
        max_iterations=args.iterations or defaults.max_iterations,
        min_freq=args.min_freq if args.min_freq is not None else defaults.min_freq)
    cancel, progress = job_progress("train")
    with open_project(args.project) as project:
        report = run_train(project, base=args.base, dev=args.dev, seed=args.seed, exclude=exclude,
                           params=params, progress=progress, cancelled=cancel, use=args.use)
        progress.finish()
        if args.json:
            print(json.dumps({k: v for k, v in vars(report).items()}, ensure_ascii=False, indent=2))
        else:
            print(report.summary())
        if report.cancelled:
            return 1
        if args.resuggest and not report.adopted:
            print(f"not re-suggesting: suggestions still come from {report.suggesting}")
        elif args.resuggest:
            from annotator.core.model import NEW
            from annotator.nlp.preannotate import run_preannotate

            cancel, progress = job_progress("pre-annotate")
            done = run_preannotate(project, doc_ids=project.document_ids((NEW,)), workers=args.workers,
                                   progress=progress, cancelled=cancel)
            progress.finish()
            print(done.summary())
            return 1 if done.cancelled else 0
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from annotator.evaluation.evaluate import evaluate_model, evaluate_suggestions

    with open_project(args.project, read=True) as project:
        if args.suggestions:
            report = evaluate_suggestions(project)
        else:
            cancel, progress = job_progress("evaluate")
            split = args.split or ("all" if args.gold else "dev")
            if args.gold:
                from annotator.formats.annot import opened

                with opened(args.gold) as gold:  # another person's file: read-only, a time limit
                    report = evaluate_model(project, args.model, split, gold, args.model_only,
                                            progress, cancel)
            else:
                report = evaluate_model(project, args.model, split, None, args.model_only, progress, cancel)
            progress.finish()
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(report.format())
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from annotator.store.models import list_models, suggesting_version, use_model

    if args.action == "use":
        if args.which is None:
            raise SystemExit("annotator models PROJECT use N|bundled|latest: say which model")
        with open_project(args.project) as project:
            record = use_model(project, args.which)
        name = record.version if record is not None else "the bundled ThaiNER model"
        print(f"suggestions now come from {name}; `annotator preannotate` re-suggests with it")
        return 0
    with open_project(args.project, read=True) as project:
        records = list_models(project)
        using = suggesting_version(project)
    if args.json:
        print(json.dumps({"suggesting": using, "models": [
            {"id": r.id, "version": r.version, "created_at": r.created_at, "base": r.base,
             "documents": r.documents, "tokens": r.tokens, "labels": r.labels, "scores": r.scores,
             "train_seconds": r.train_seconds, "bytes": r.size, "suggesting": r.version == using}
            for r in records]}, ensure_ascii=False, indent=2))
        return 0
    if not records:
        print("no model trained yet: suggestions come from the bundled ThaiNER model (`annotator train`)")
        return 0
    print(f"  {'version':<16}{'created':<22}{'from':<9}{'docs':>7}{'tokens':>10}{'labels':>7}{'dev F1':>8}"
          f"{'bundled':>8}{'secs':>7}")
    for r in records:
        micro = r.scores.get("exact", {}).get("micro")
        bundled = r.scores.get("bundled", {}).get("micro")
        f1 = f"{micro['f1']:.3f}" if micro else "-"
        b_f1 = f"{bundled['f1']:.3f}" if bundled else "-"
        secs = f"{r.train_seconds:.0f}" if r.train_seconds is not None else "-"
        mark = "* " if r.version == using else "  "
        print(f"{mark}{r.version:<16}{r.created_at[:19]:<22}{r.base:<9}{r.documents:>7}{r.tokens:>10,}"
              f"{len(r.labels):>7}{f1:>8}{b_f1:>8}{secs:>7}")
    print(f"suggestions come from {using if using != 'bundled' else 'the bundled ThaiNER model'}"
          " (`annotator models PROJECT use N|bundled` chooses)")
    return 0


def cmd_queue(args: argparse.Namespace) -> int:
    from annotator.jobs.queue import review_queue

    statuses = tuple(s.strip() for s in args.status.split(",") if s.strip())
    with open_project(args.project, read=True) as project:
        items = review_queue(project, args.order, args.limit, statuses)
    if args.json:
        print(json.dumps([vars(i) for i in items], ensure_ascii=False, indent=2))
        return 0
    for item in items:
        conf = "-" if item.confidence is None else f"{item.confidence:.3f}"
        print(f"{item.doc_id:>7}  {conf:>6}  {item.open_suggestions:>4} open  {item.status:<12} {item.title[:70]}")
    if not items:
        print("no documents waiting for review")
    return 0


def cmd_propagate(args: argparse.Namespace) -> int:
    from annotator.nlp.propagate import propagate_span, run_propagate

    with open_project(args.project) as project:
        if args.span is not None:
            report = propagate_span(project, args.span, args.scope)
        else:
            cancel, progress = job_progress("propagate")
            report = run_propagate(project, args.scope, progress, cancel)
            progress.finish()
    print(report.summary())
    return 1 if report.cancelled else 0


# -------------------------------------------------------------------- parser
def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's subcommands to the parser."""
    from annotator.jobs.queue import ORDERS
    from annotator.jobs.train import ALGORITHMS, BASES, DEFAULT_ALGORITHM, DEFAULT_DEV, USES, TrainParams

    s = sub.add_parser("train", help="train a CRF on the done documents and store it as a new model version")
    s.add_argument("project")
    s.add_argument("--from", dest="base", default="bundled", choices=BASES,
                   help="bundled (default): also learn from the bundled ThaiNER model's labels, given as"
                        " features; scratch: the project's gold only")
    s.add_argument("--dev", type=float, default=DEFAULT_DEV, metavar="SHARE",
                   help=f"share of done documents held out for scoring (default {DEFAULT_DEV}; 0: none)")
    s.add_argument("--seed", type=int, default=0, help="which documents are held out")
    s.add_argument("--exclude", action="append", metavar="OTHER.annot",
                   help="do not train on documents whose text is also in this project (e.g. your test gold)")
    defaults = {name: TrainParams.for_algorithm(name) for name in ALGORITHMS}
    s.add_argument("--algorithm", choices=ALGORITHMS,
                   help="crfsuite's training method: " + ", ".join(f"{a} with --from {b}" for b, a in DEFAULT_ALGORITHM.items())
                        + " unless given (before 2026-12-02 it was lbfgs for both)")
    s.add_argument("--iterations", type=int,
                   help="L-BFGS iterations, or passes over the data for the other methods (default "
                        + ", ".join(f"{d.max_iterations} for {n}" for n, d in defaults.items()) + ")")
    s.add_argument("--c1", type=float, help=f"L1 penalty, lbfgs only (default {defaults['lbfgs'].c1:g})")
    s.add_argument("--c2", type=float, help=f"L2 penalty, lbfgs and l2sgd (default {defaults['lbfgs'].c2:g})")
    s.add_argument("--min-freq", type=float, metavar="N",
                   help=f"leave out attributes seen fewer than N times (default {TrainParams().min_freq:g})")
    s.add_argument("--use", default="auto", choices=USES,
                   help="auto (default): the new model makes the suggestions only if it is not worse than"
                        " the suggesting one on held-out gold big enough to tell; always; never")
    s.add_argument("--resuggest", action="store_true",
                   help="then, if the new model makes the suggestions, re-suggest in the documents nobody"
                        " has reviewed")
    s.add_argument("--workers", type=int, default=None, help="processes for --resuggest")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_train)

    s = sub.add_parser("evaluate", help="precision, recall and F1 of a model, or of the suggestions shown")
    s.add_argument("project")
    s.add_argument("--model", default="latest",
                   help="a model number, 'latest' (default), 'suggesting' or 'bundled'")
    s.add_argument("--split", choices=("dev", "all"),
                   help="dev: the documents the model held out (default); all: every done document"
                        " it did not train on")
    s.add_argument("--gold", metavar="OTHER.annot", help="score on another project's done documents")
    s.add_argument("--model-only", action="store_true", help="the CRF alone, without rules and gazetteer")
    s.add_argument("--suggestions", action="store_true",
                   help="score the suggestions reviewers saw against what they kept")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_evaluate)

    s = sub.add_parser("models", help="list the models trained in a project, or choose the one that suggests")
    s.add_argument("project")
    s.add_argument("action", nargs="?", choices=("list", "use"), default="list",
                   help="use: make WHICH the model that makes the suggestions")
    s.add_argument("which", nargs="?", metavar="WHICH", help="a model number, 'latest' or 'bundled'")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_models)

    s = sub.add_parser("queue", help="documents to review next, least confident first")
    s.add_argument("project")
    s.add_argument("--order", default="least-confident", choices=ORDERS)
    s.add_argument("--limit", type=int, default=None)
    s.add_argument("--status", default="new,in_progress", help="comma-separated statuses (default new,in_progress)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_queue)

    s = sub.add_parser("propagate", help="suggest confirmed strings where else they stand")
    s.add_argument("project")
    s.add_argument("--scope", default="document", choices=("document", "project"),
                   help="document: each document's own confirmed strings; project: every confirmed"
                        " string in every unfinished document")
    s.add_argument("--span", type=int, help="only this confirmed span's text")
    s.set_defaults(func=cmd_propagate)
