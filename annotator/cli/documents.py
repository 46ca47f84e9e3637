"""Subcommands of `annotator` for the project's labels and documents: ``init``, ``labels``,
``import``, ``preannotate``, ``export``, ``stats`` and ``gui``."""

from __future__ import annotations

import argparse
import json
from typing import Sequence

from annotator.cli.opening import open_project
from annotator import formats
from annotator.cli.progress import job_progress
from annotator.core.errors import AnnotatorError


# ------------------------------------------------------------------ commands
def cmd_init(args: argparse.Namespace) -> int:
    from annotator.store.project import Project

    with Project.create(args.project, annotator=args.annotator) as project:
        if args.allow_overlap:
            project.allow_overlap = True
        print(f"created {args.project} with {len(project.labels())} labels"
              f" (annotator: {project.annotator})")
    return 0


def cmd_labels(args: argparse.Namespace) -> int:
    action = args.action or "list"
    # Listing only reads: it works while the window has the project open.
    with open_project(args.project, read=action == "list") as project:
        if action == "list":
            for label in project.labels():
                n = project.query("SELECT COUNT(*) FROM spans WHERE label_id = ?", (label.id,))[0][0]
                print(f"{label.name:<14} {label.color}  key {label.hotkey or '-':<3} {n:>7} spans  {label.description}")
        elif action == "add":
            label = project.add_label(args.name, args.color, args.hotkey, args.description or "")
            print(f"added {label.name} ({label.color}, key {label.hotkey or '-'})")
        elif action == "rename":
            project.update_label(args.name, new_name=args.new_name)
            print(f"renamed {args.name} to {args.new_name}; its spans follow")
        elif action == "color":
            project.update_label(args.name, color=args.color)
            print(f"{args.name} is now {args.color}")
        elif action == "hotkey":
            if args.key in ("", "none"):
                project.update_label(args.name, clear_hotkey=True)
            else:
                project.update_label(args.name, hotkey=args.key)
            print(f"{args.name}: hotkey {args.key}")
        elif action == "describe":
            project.update_label(args.name, description=args.text)
        elif action == "remove":
            n = project.remove_label(args.name, force=args.force)
            print(f"removed {args.name}" + (f" and its {n} spans" if n else ""))
    return 0


def _parse_map(items: Sequence[str]) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise AnnotatorError(f"--map {item!r}: expected FROM=TO, e.g. FACILITY=LOCATION")
        a, b = item.split("=", 1)
        out[a.strip()] = b.strip()
    return out


def _run_job(label: str, args: argparse.Namespace, job) -> object:
    """Open the project, run ``job(project, progress, cancelled)`` with terminal progress and
    Ctrl+C as a polite cancel, print the report's summary, and return the report."""
    cancel, progress = job_progress(label)
    with open_project(args.project, read=args.command == "export") as project:
        report = job(project, progress, cancel)
    progress.finish()
    print(report.summary())
    return report


def cmd_import(args: argparse.Namespace) -> int:
    from annotator.jobs.importer import run_import

    report = _run_job("import", args, lambda project, progress, cancelled: run_import(
        project,
        args.paths,
        fmt=args.format,
        as_gold=args.as_ == "gold",
        unknown_labels=args.unknown_labels,
        label_map=_parse_map(args.map or []),
        max_bytes=args.max_size,
        follow_links=args.follow_links,
        token_sep=args.token_sep,
        progress=progress,
        cancelled=cancelled,
    ))
    return 1 if report.failed or report.cancelled else 0


def cmd_preannotate(args: argparse.Namespace) -> int:
    from annotator.nlp.preannotate import run_preannotate

    if args.scheduler:
        return _preannotate_on_cluster(args)
    report = _run_job("pre-annotate", args, lambda project, progress, cancelled: run_preannotate(
        project, workers=args.workers, progress=progress, cancelled=cancelled, max_chars=args.max_chars or None))
    return 1 if report.cancelled or report.too_large else 0


def _preannotate_on_cluster(args: argparse.Namespace) -> int:
    from annotator.nlp.cluster_preannotate import connect, run_cluster_preannotate

    if args.workers is not None:
        raise AnnotatorError("--workers is for the local job; a cluster has the workers it has")
    client = connect(args.scheduler)  # before the project is opened: an unreachable one changes nothing
    try:
        report = _run_job("pre-annotate", args, lambda project, progress, cancelled: run_cluster_preannotate(
            project, client, partition=args.partition, progress=progress, cancelled=cancelled,
            max_chars=args.max_chars or None))
    finally:
        client.close()
    return 1 if report.cancelled or report.too_large else 0


def cmd_export(args: argparse.Namespace) -> int:
    from annotator.jobs.exporter import parse_split, run_export

    split = parse_split(args.split) if args.split else None
    report = _run_job("export", args, lambda project, progress, cancelled: run_export(
        project,
        args.out,
        args.format,
        status=args.status,
        include_suggestions=args.include_suggestions,
        split=split,
        seed=args.seed,
        scheme=args.scheme,
        with_authors=args.with_authors,
        space_token=args.space_token,
        docstart=args.docstart,
        license=args.license,
        attribution=args.attribution,
        max_chars=args.max_chars or None,
        progress=progress,
        cancelled=cancelled,
    ))
    return 1 if report.errors else 0  # a document that could not be written is an error


def cmd_stats(args: argparse.Namespace) -> int:
    from annotator.evaluation.suggestion_report import suggestion_report
    from annotator.store.activity import pace
    from annotator.store.stats import project_stats

    with open_project(args.project, read=True) as project:
        stats = project_stats(project)
        team_pace = pace(project)
        report = suggestion_report(project)  # what reviewers did with each suggestion, per label
    if args.json:
        print(json.dumps({**stats, "suggestion_report": report.to_json()}, ensure_ascii=False, indent=2))
        return 0
    print(_format_stats(stats))
    print("\nsuggestions by what reviewers did with them (label: the suggestion's; missed: the span made)")
    print(report.format())
    print("\npace: entities decided per hour of active review time (pauses over a minute left out)")
    print(team_pace.format())
    return 0


def _format_stats(stats: dict) -> str:
    docs = stats["documents"]
    lines = [f"documents: {sum(docs.values())} (" + ", ".join(f"{k} {v}" for k, v in docs.items()) + ")"]
    states = list(stats["spans_by_state"])
    header = f"{'':<14}" + "".join(f"{s:>11}" for s in states)
    lines += ["", "spans by label", header]
    for label, counts in sorted(stats["spans_by_label"].items()):
        lines.append(f"{label:<14}" + "".join(f"{counts[s]:>11}" for s in states))
    lines += ["", "spans by origin", header]
    for origin, counts in sorted(stats["spans_by_origin"].items()):
        lines.append(f"{origin:<14}" + "".join(f"{counts[s]:>11}" for s in states))
    sug = stats["suggestions"]
    rate = "n/a (none decided yet)" if sug["acceptance_rate"] is None else f"{100 * sug['acceptance_rate']:.1f}%"
    lines += ["", f"suggestions: {sug['open']} open, {sug['accepted']} accepted, {sug['edited']} corrected,"
              f" {sug['rejected']} rejected; acceptance rate {rate}"]
    return "\n".join(lines)


def cmd_gui(args: argparse.Namespace) -> int:
    import os

    from annotator.gui.display import display_problem

    problem = display_problem()
    if problem and getattr(args, "screenshot", None):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen
    elif problem:
        raise AnnotatorError(problem)
    try:
        from annotator.gui.app import run
    except ImportError as e:
        raise AnnotatorError(f"the window is not available: {e}") from None
    return run(getattr(args, "project", None), screenshot=getattr(args, "screenshot", None))


# -------------------------------------------------------------------- parser


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("init", help="create a project file with the default labels")
    s.add_argument("project")
    s.add_argument("--annotator", help="your name, recorded with every change")
    s.add_argument("--allow-overlap", action="store_true", help="allow overlapping spans")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("labels", help="list, add, rename, recolour or remove labels")
    s.add_argument("project")
    lsub = s.add_subparsers(dest="action", metavar="ACTION")
    a = lsub.add_parser("list", help="list labels (the default)")
    a = lsub.add_parser("add", help="add a label")
    a.add_argument("name")
    a.add_argument("--color", help="#rrggbb")
    a.add_argument("--hotkey")
    a.add_argument("--description")
    a = lsub.add_parser("rename", help="rename a label; its spans follow")
    a.add_argument("name")
    a.add_argument("new_name")
    a = lsub.add_parser("color", help="recolour a label")
    a.add_argument("name")
    a.add_argument("color")
    a = lsub.add_parser("hotkey", help="set a label's hotkey ('none' to clear)")
    a.add_argument("name")
    a.add_argument("key")
    a = lsub.add_parser("describe", help="set a label's one-line description")
    a.add_argument("name")
    a.add_argument("text")
    a = lsub.add_parser("remove", help="remove a label (refused while spans use it, unless --force)")
    a.add_argument("name")
    a.add_argument("--force", action="store_true", help="also remove the spans that use it")
    s.set_defaults(func=cmd_labels)

    s = sub.add_parser("import", help="import articles or annotated data")
    s.add_argument("project")
    s.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or glob patterns")
    s.add_argument("--format", default="auto", choices=("auto", *formats.READERS))
    s.add_argument("--as", dest="as_", default="suggestions", choices=("suggestions", "gold"),
                   help="gold: spans confirmed and documents done")
    s.add_argument("--unknown-labels", default="refuse", choices=("refuse", "add"),
                   help="what to do with labels the project does not have")
    s.add_argument("--map", action="append", metavar="FROM=TO", help="rename a label on import, e.g. FACILITY=LOCATION")
    s.add_argument("--max-size", type=int, default=2_000_000, metavar="BYTES",
                   help="refuse articles larger than this (default 2,000,000)")
    s.add_argument("--follow-links", action="store_true",
                   help="inside folders, import what symbolic links point at (default: skip them, and say so)")
    s.add_argument("--token-sep", default="auto", choices=("auto", "none", "underscore", "space"),
                   help="CoNLL: how the tokens give the text's spaces: none (joined with nothing, Thai),"
                        " underscore (every _ is a space), space (joined with spaces, e.g. English);"
                        " auto decides from the tokens and says so")
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("preannotate", help="suggest entities in documents not yet reviewed")
    s.add_argument("project")
    s.add_argument("--workers", type=int, default=None, help="processes (default: one per core)")
    _max_chars_option(s)
    s.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on the Dask cluster at ADDRESS (tcp://host:8786, or a scheduler file);"
                        " this process still writes; needs the 'cluster' extra")
    s.add_argument("--partition", type=int, default=48, metavar="N",
                   help="with --scheduler: documents per task (default 48)")
    s.set_defaults(func=cmd_preannotate)

    s = sub.add_parser("export", help="write a gold dataset")
    s.add_argument("project")
    s.add_argument("out")
    s.add_argument("--format", required=True, choices=formats.WRITERS)
    s.add_argument("--status", default="done", choices=("done", "any"))
    s.add_argument("--include-suggestions", action="store_true", help="also write open suggestions")
    s.add_argument("--split", help="train/dev/test percentages, e.g. 80/10/10")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--scheme", default="iob2", choices=("iob2", "bioes"))
    s.add_argument("--with-authors", action="store_true", help="jsonl: add each span's author")
    s.add_argument("--space-token", default="auto", choices=("auto", "_", "\\s", "keep"),
                   help="how a space token is written: conll _ (auto) or \\s; hf keeps it (auto, keep)")
    s.add_argument("--docstart", default="tagged", choices=("tagged", "conll2003", "none"),
                   help="conll: document start line: tagged '-DOCSTART-<TAB>O' (Flair, NLTK, seqeval),"
                        " conll2003 '-DOCSTART- -X- O O' (spacy convert splits documents there), none")
    s.add_argument("--license", help="the data's licence, e.g. CC-BY-3.0: manifest and dataset card")
    s.add_argument("--attribution", help="who to credit, e.g. the source corpus: manifest and dataset card")
    _max_chars_option(s)
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("stats", help="documents, spans and how the suggestions are doing")
    s.add_argument("project")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_stats)

    s = sub.add_parser("gui", help="open the window")
    s.add_argument("project", nargs="?")
    s.add_argument("--screenshot", metavar="FILE", help="render, save a PNG of the window and exit")
    s.set_defaults(func=cmd_gui)


def _max_chars_option(s: argparse.ArgumentParser) -> None:
    from annotator.jobs.huge import MAX_JOB_CHARS

    s.add_argument("--max-chars", type=int, default=MAX_JOB_CHARS, metavar="N",
                   help=f"leave out (and name) documents longer than N characters (default {MAX_JOB_CHARS:,};"
                        " 0: no limit)")
