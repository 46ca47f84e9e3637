"""The ``annotator`` command: its parser and what every command shares (exit codes for
errors). With no arguments it opens the window."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from typing import Sequence

from annotator import __version__
from annotator.core.errors import AnnotatorError, Cancelled


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="annotator", description="Thai NER Annotator: Thai news to gold NER data.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    # One module per area of commands, each adding its own.
    from annotator.cli import documents, models, safety, team

    for area in (documents, models, team, safety):
        area.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        from annotator.cli.documents import cmd_gui

        args.func = cmd_gui
    try:
        return args.func(args)
    except Cancelled as e:
        print(f"annotator: {e}", file=sys.stderr)
        return 130
    except AnnotatorError as e:
        print(f"annotator: {e}", file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as e:  # a damaged file, a failing disk: say which and what to do
        from annotator.store.sqlite_errors import translate

        explained = translate(e, getattr(args, "project", "?"), "use")
        print(f"annotator: {explained or e}", file=sys.stderr)
        return 130 if isinstance(explained, Cancelled) else 2
    except KeyboardInterrupt:
        print("annotator: aborted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
