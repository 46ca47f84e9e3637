"""Hostile teammate project files, fuzzed (the long run: benchmarks/fuzz_annot.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from hostile_annot import import_hostile, mutation

FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def test_a_hostile_teammate_file_never_harms_the_good_project():
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)

        @FUZZ
        @given(change=mutation())
        def run(change):
            sql, flips, _breaks = change
            import_hostile(folder, sql, flips)

        run()
