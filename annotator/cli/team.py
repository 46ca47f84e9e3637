"""Subcommands of `annotator` for this area; registered by annotator.cli.main.build_parser.

Teams: ``split`` the documents between annotators, measure their ``agreement``, ``merge``
their project files into one for adjudication, see its ``conflicts``, and show or set a
project's annotator ``name``.
"""

from __future__ import annotations

import argparse
import json

from annotator.cli.opening import open_project
from annotator.cli.progress import job_progress


def cmd_split(args: argparse.Namespace) -> int:
    from annotator.store.project import Project
    from annotator.team.split import parse_names, parse_overlap, run_split

    names, overlap = parse_names(args.annotators), parse_overlap(args.overlap)
    cancel, progress = job_progress("split")
    with Project.open(args.project, readonly=True) as project:
        report = run_split(project, names, overlap, args.out, seed=args.seed, suggestions=not args.no_suggestions,
                           progress=progress, cancelled=cancel)
    progress.finish()
    print(report.summary())
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    from annotator.team import TeamError
    from annotator.team.agreement import compare, format_report, load_all

    if len(args.projects) < 2:
        raise TeamError("agreement needs two or more annotators' project files")
    report = compare(load_all(args.projects, status=args.status))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(format_report(report, per_document=not args.no_documents))
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from annotator.team.merge import run_merge

    cancel, progress = job_progress("merge")
    report = run_merge(args.projects, args.out, annotator=args.annotator, progress=progress, cancelled=cancel)
    progress.finish()
    print(report.summary())
    print(f"merged into {args.out}")
    return 1 if report.failed or report.cancelled else 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    from annotator.store.project import Project
    from annotator.team.adjudicate import progress

    with Project.open(args.project, readonly=True) as project:
        state = progress(project)
        titles = {doc_id: project.document(doc_id).title for doc_id, _ in state.open_documents}
    if args.json:
        print(json.dumps({"resolved": state.resolved, "total": state.total,
                          "documents": [{"id": d, "title": titles[d], "open": n} for d, n in state.open_documents]},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"conflicts resolved {state.resolved}/{state.total};"
          f" {len(state.open_documents)} documents with open conflicts")
    for doc_id, n in state.open_documents:
        print(f"  #{doc_id:<6} {n:>3} open  {titles[doc_id][:60]}")
    return 0


def cmd_name(args: argparse.Namespace) -> int:
    from annotator.store.project import Project

    if args.name is None:
        with Project.open(args.project, readonly=True) as project:
            print(project.annotator)
        return 0
    with open_project(args.project) as project:
        before = project.annotator
        project.annotator = args.name
        print(f"annotator: {before} -> {project.annotator}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's subcommands to the parser."""
    s = sub.add_parser("split", help="one project per annotator, with a share of documents for everyone")
    s.add_argument("project")
    s.add_argument("--annotators", required=True, metavar="A,B,C", help="the annotators' names, comma separated")
    s.add_argument("--overlap", default="0%", metavar="SHARE",
                   help="share of the documents given to everyone, e.g. 20%% (default 0%%)")
    s.add_argument("-o", "--out", required=True, metavar="DIR", help="folder for NAME.annot files")
    s.add_argument("--seed", type=int, default=0, help="another seed, another choice of documents")
    s.add_argument("--no-suggestions", action="store_true", help="leave the open machine suggestions behind")
    s.set_defaults(func=cmd_split)

    s = sub.add_parser("agreement", help="entity F1 and token kappa between annotators' project files")
    s.add_argument("projects", nargs="+", metavar="PROJECT")
    s.add_argument("--json", action="store_true", help="print the figures as JSON")
    s.add_argument("--status", default="done", choices=("done", "any"),
                   help="documents that count: done by each annotator (default), or any not skipped")
    s.add_argument("--no-documents", action="store_true", help="leave out the per-document table")
    s.set_defaults(func=cmd_agreement)

    s = sub.add_parser("merge", help="bring annotators' project files into one, for adjudication")
    s.add_argument("projects", nargs="+", metavar="PROJECT")
    s.add_argument("-o", "--out", required=True, metavar="MERGED", help="the merged project (created if missing)")
    s.add_argument("--annotator", help="the merged project's annotator: the adjudicator (default: adjudicator)")
    s.set_defaults(func=cmd_merge)

    s = sub.add_parser("conflicts", help="adjudication progress of a merged project")
    s.add_argument("project")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_conflicts)

    s = sub.add_parser("name", help="show or change a project's annotator")
    s.add_argument("project")
    s.add_argument("name", nargs="?", help="the new name")
    s.set_defaults(func=cmd_name)
