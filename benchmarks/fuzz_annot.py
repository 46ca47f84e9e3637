"""The long fuzz run of hostile teammate project files (docs/reliability.md records it).

Same mutations and invariants as tests/safety/test_fuzz_annot.py, with more examples and
fresh random seeds: a good teammate file changed by SQL (views, triggers, columns, values
of the wrong type or size, schema versions) and by flipped bytes, then checked and
imported into a good project, which must stay whole and pass ``check``.

    .venv/bin/python benchmarks/fuzz_annot.py --examples 500
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

from hostile_annot import import_hostile, mutation  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=500)
    args = parser.parse_args(argv)
    seen: Counter = Counter()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)

        @settings(max_examples=args.examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(change=mutation())
        def run(change):
            sql, flips, _ = change
            result = import_hostile(folder, sql, flips)  # asserts the invariants
            seen["files"] += 1
            seen["flipped"] += bool(flips)
            seen["broke a rule"] += result["broke_a_rule"]
            seen["check said not ok"] += not result["check_ok"]
            seen["documents imported"] += result["imported"]
            seen["files refused"] += result["failed"] > 0

        run()
    print(", ".join(f"{k} {v}" for k, v in seen.items()) + f"; invariants held ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
