"""The long fuzz run of the importers (docs/reliability.md records its figures).

Same strategies and invariants as tests/safety/test_fuzz_importers.py, with many more
examples and fresh random seeds each run:

* every reader, fed hostile files: only documents (whole), problems, or a whole-file
  refusal come out; nothing else is raised;
* the importer, given good files and hostile ones: good files go in, every file with a
  problem is named, each stored document has exactly its reader's spans, a refused file
  leaves nothing, and ``annotator check`` passes.

    .venv/bin/python benchmarks/fuzz_importers.py --examples 2000 --folders 500
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "safety"))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from hostile import STRATEGIES, hostile_files, import_and_verify, read_checked, write_hostile  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=2000, help="hostile files per reader")
    parser.add_argument("--folders", type=int, default=500, help="hostile folders imported")
    args = parser.parse_args(argv)
    fuzz = settings(max_examples=args.examples, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))
    totals: Counter = Counter()
    for fmt in sorted(STRATEGIES):
        seen: Counter = Counter()

        @fuzz
        @given(content=STRATEGIES[fmt])
        def reader(content):
            with tempfile.TemporaryDirectory() as tmp:
                for path in write_hostile(Path(tmp), "f", fmt, content):
                    docs, problems, refused = read_checked(fmt, path)
                    seen["files"] += 1
                    seen["documents"] += len(docs)
                    seen["problems"] += len(problems)
                    seen["refused"] += refused is not None

        started = time.monotonic()
        reader()  # raises (with the failing example) on any broken invariant
        print(f"{fmt:<8} {seen['files']:>6} files: {seen['documents']:>6} documents, {seen['problems']:>6} problems,"
              f" {seen['refused']:>5} refused whole; nothing else raised ({time.monotonic() - started:.0f} s)")
        totals["reader files"] += seen["files"]

    folder_counts: Counter = Counter()

    @settings(max_examples=args.folders, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(files=hostile_files, add_labels=st.booleans())
    def folder(files, add_labels):
        folder_counts.update(import_and_verify(files, add_labels))
        folder_counts["folders"] += 1

    started = time.monotonic()
    folder()
    print(f"import   {folder_counts['folders']:>6} folders, {folder_counts['files']} hostile files:"
          f" {folder_counts['documents']} documents stored whole, {folder_counts['problems']} problems named,"
          f" {folder_counts['refused_files']} files refused whole; check passed every time"
          f" ({time.monotonic() - started:.0f} s)")
    print(f"total: {totals['reader files']} files through the readers, {folder_counts['folders']} folder imports;"
          " no unhandled exception, no partial document")
    return 0


if __name__ == "__main__":
    sys.exit(main())
