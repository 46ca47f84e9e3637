"""Hostile input: every reader and the importer, fuzzed.

Whatever the bytes, a reader yields documents (whole: spans inside their text) and
problems, or refuses the file with InputFileError: nothing else escapes. The importer,
given a folder of good files mixed with hostile ones, puts every good file in, names every
refused file in its report, and never stores a partial document (a document is in with
exactly the spans its reader gave, or not at all). Example counts are modest here;
benchmarks/fuzz_importers.py runs the long version (docs/reliability.md).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.jobs.importer import run_import
from annotator.store.check import check_project
from annotator.store.project import Project

from hostile import STRATEGIES, hostile_files, import_and_verify, read_checked, write_hostile

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
@pytest.mark.parametrize("fmt", sorted(STRATEGIES))
def test_reader_never_raises_anything_but_a_refusal(fmt):
    @FUZZ
    @given(content=STRATEGIES[fmt])
    def run(content):
        with tempfile.TemporaryDirectory() as tmp:
            for path in write_hostile(Path(tmp), "f", fmt, content):
                read_checked(fmt, path)  # asserts the invariants

    run()


@settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(files=hostile_files, add_labels=st.booleans())
def test_import_of_a_hostile_folder(files, add_labels):
    import_and_verify(files, add_labels)  # asserts the invariants


def test_known_hostile_lines_are_refused_one_by_one(tmp_path, project):
    """The cases fuzzing found, kept as plain examples: each bad line is named, the good ones go in."""
    lines = [
        json.dumps({"text": "ดีหนึ่ง"}, ensure_ascii=False),
        "[" * 100_000,  # nesting deeper than the JSON parser's recursion limit
        '{"text": "ก", "n": ' + "9" * 5000 + "}",  # an integer past Python's 4300 digit limit
        '{"text": "ก\\ud800ข"}',  # a lone surrogate: not storable as UTF-8
        '{"text": "กข", "spans": [{"start": 0, "end": 1, "label": "X\\udfff"}]}',
        '{"text": "ก\\u0000ข"}',  # NUL: SQLite's length() stops there
        '{"text": "กขค", "meta": {"date": [2024, 1]}}',  # a date the date column cannot hold
        '{"text": "กขคง", "spans": [{"start": 0, "end": 1, "label": "TWO WORDS"}]}',
        json.dumps({"text": "ดีสอง"}, ensure_ascii=False),
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = run_import(project, [path], unknown_labels="add")
    assert report.imported == 2
    assert sorted(p.line for p in report.failed) == [2, 3, 4, 5, 6, 7, 8]
    assert check_project(project.path).ok


def test_huge_line_and_odd_unicode_kept_exactly(tmp_path, project):
    odd = "ก\u0e48\u0e48\u200b\u0301\u2028ข\u200d\ufeff\x1b[31m"  # marks doubled, zero-width, ESC
    path = tmp_path / "odd.jsonl"
    path.write_text(json.dumps({"text": odd}) + "\n" + json.dumps({"text": "ค" * 600_000}) + "\n",
                    encoding="utf-8")
    report = run_import(project, [path])
    assert report.imported == 2 and not report.failed
    assert project.document(1).text == odd  # text is never changed
    assert len(project.document(2).text) == 600_000
