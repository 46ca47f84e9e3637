"""Reading another person's project file has a time limit (formats/annot.py): past it the
statement running, or the next one, is stopped and the reading ends with E032 naming the
file; nothing of the file is used."""

from __future__ import annotations

import subprocess
import sys

import pytest

from annotator.core.errors import AnnotatorError, InputFileError
from annotator.core.model import DONE, DocumentData, SpanData
from annotator.formats import annot
from annotator.jobs.importer import run_import
from annotator.store.project import Project
from annotator.team.agreement import load
from annotator.team.merge import run_merge

T1 = "นายสมชาย ใจดี ไปเชียงใหม่"
T2 = "บริษัท สยามดาต้า จำกัด ลงทุนที่ภูเก็ต"
ENDLESS = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT COUNT(*) FROM n"
TINY = "0.000001"


@pytest.fixture
def theirs(tmp_path):
    path = tmp_path / "somying.annot"
    with Project.create(path, annotator="somying") as p:
        for text in (T1, T2):
            doc_id = p.add_document(DocumentData(text, {}, [SpanData(0, 6, "PERSON", origin="model")]))
            p.accept(p.spans(doc_id)[0].id)
            p.set_status(doc_id, DONE)
    return path


def test_the_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(annot.TIME_LIMIT_ENV, raising=False)
    assert annot.time_limit() == annot.DEFAULT_TIME_LIMIT
    monkeypatch.setenv(annot.TIME_LIMIT_ENV, "2.5")
    assert annot.time_limit() == 2.5
    monkeypatch.setenv(annot.TIME_LIMIT_ENV, "0")
    assert annot.time_limit() is None  # no limit
    monkeypatch.setenv(annot.TIME_LIMIT_ENV, "soon")
    with pytest.raises(AnnotatorError, match="not a number of seconds"):
        annot.time_limit()


def test_a_tiny_limit_refuses_the_file_by_name_with_its_code(theirs, monkeypatch):
    monkeypatch.setenv(annot.TIME_LIMIT_ENV, TINY)
    with pytest.raises(annot.ReadTimeLimitError) as caught:
        list(annot.read(theirs))
    assert isinstance(caught.value, InputFileError)
    assert caught.value.problem.path == str(theirs)
    assert "E032" in str(caught.value) and annot.TIME_LIMIT_ENV in str(caught.value)
    assert str(caught.value).count("E032") == 1
    monkeypatch.setenv(annot.TIME_LIMIT_ENV, "60")
    assert [d.text for d in annot.read(theirs)] == [T1, T2]  # within the limit: read as always


def test_a_statement_that_never_ends_is_stopped_at_the_deadline(theirs):
    project, deadline = annot.open_foreign(theirs, seconds=0.3)
    with pytest.raises(annot.ReadTimeLimitError, match="longer than 0.3 s"):
        with project, deadline.stopping():
            project.query(ENDLESS)  # without the deadline this would run until killed


def test_import_and_merge_refuse_the_file_and_store_nothing_of_it(theirs, tmp_path, monkeypatch):
    monkeypatch.setenv(annot.TIME_LIMIT_ENV, TINY)
    mine = tmp_path / "mine.annot"
    with Project.create(mine, annotator="malee") as project:
        report = run_import(project, [theirs])
        assert project.query("SELECT COUNT(*) FROM documents")[0][0] == 0
    assert [p.path for p in report.failed] == [str(theirs)] and "E032" in report.failed[0].message
    with pytest.raises(annot.ReadTimeLimitError):  # merge reads the annotator's name first
        run_merge([theirs], tmp_path / "gold.annot")


def test_agreement_and_evaluate_stop_with_the_code_naming_the_file(theirs, tmp_path, monkeypatch):
    other = tmp_path / "malee.annot"
    with Project.create(other, annotator="malee") as p:
        p.add_document(DocumentData(T1, {}, []))
    monkeypatch.setenv(annot.TIME_LIMIT_ENV, TINY)
    with pytest.raises(annot.ReadTimeLimitError):
        load(theirs)
    for command in (["agreement", str(theirs), str(other)], ["evaluate", str(other), "--gold", str(theirs)]):
        done = subprocess.run([sys.executable, "-m", "annotator", *command], capture_output=True, text=True,
                              env={**__import__("os").environ, annot.TIME_LIMIT_ENV: TINY}, timeout=300)
        assert done.returncode == 2, (command, done.stderr)
        assert "E032" in done.stderr and str(theirs) in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
