"""Project files written by earlier schema versions open, migrate, and keep their data.

tests/data/schemas/vN.annot was written by the program at schema version N (never edited).
"""

import shutil
from pathlib import Path

import pytest

from annotator.core.model import DocumentData
from annotator.store import migrations
from annotator.store.check import check_project
from annotator.store.project import Project

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schemas"


@pytest.mark.parametrize("version", range(1, migrations.LATEST + 1))
def test_old_project_migrates_and_keeps_everything(tmp_path, version):
    path = tmp_path / "old.annot"
    shutil.copy(SCHEMAS / f"v{version}.annot", path)
    assert check_project(path).ok  # the fixture as written by that version, before migrating
    with Project.open(path) as p:
        assert p.schema_version == migrations.LATEST
        assert p.document_count() == 2 and p.annotator == "somying"
        states = sorted((s.label, s.state) for s in p.spans(1))
        assert states == [("DATE", "manual"), ("LOCATION", "rejected"), ("PERSON", "accepted")]
        assert p.has_label("LENGTH") and not p.has_label("LEN")
        assert p.can_undo()  # the change log came along: undo still works
        p.undo()
        assert [s.label for s in p.spans(1)] == ["PERSON", "LOCATION"]
    report = check_project(path)  # migrated: still whole, and the log agrees with the spans
    assert report.ok and report.schema_version == migrations.LATEST, report.summary()


def test_every_version_has_a_fixture():
    # The latest too: the day a migration is added, the file users have now is its fixture
    # (tests/data/schemas/make_fixture.py writes it).
    for version in range(1, migrations.LATEST + 1):
        assert (SCHEMAS / f"v{version}.annot").exists(), f"keep a v{version} project in {SCHEMAS}"


def test_tokens_cached_by_the_length_placed_segmenter_are_found_and_rebuilt(tmp_path):
    """Schema 2 files hold tokens from nlpo3's safe mode: words placed by their lengths,
    whose content was repeated and reordered. `check` names them; the upgrade drops them
    and the next use rebuilds real words."""
    import sqlite3

    from annotator.nlp.tokenizer import broken_boundaries, tokenize
    from annotator.store.token_cache import encode

    path = tmp_path / "old.annot"
    shutil.copy(SCHEMAS / "v2.annot", path)
    conn = sqlite3.connect(path)
    text = conn.execute("SELECT text FROM documents WHERE id = 1").fetchone()[0]
    good = tokenize(text)
    lengths = [e - s for s, e in good][::-1]  # the right total length, the wrong words
    ends = [sum(lengths[: i + 1]) for i in range(len(lengths))]
    stale = list(zip([0, *ends[:-1]], ends))
    assert broken_boundaries(text, stale)  # this stand-in cuts clusters, as the real one did
    conn.execute("INSERT INTO tokens (doc_id, tokenizer, ends) VALUES (1, 'newmm', ?)", (encode(stale),))
    conn.commit()
    conn.close()

    report = check_project(path)
    assert not report.ok and report.totals["tokens"] == 1
    assert "not words of the text" in report.problems["tokens"][0]
    with Project.open(path) as p:
        assert p.query("SELECT COUNT(*) FROM tokens")[0][0] == 0  # dropped by the upgrade
        assert p.tokens(1) == good  # rebuilt from the text, and cached again
        assert p.query("SELECT tokenizer FROM tokens")[0][0] == "newmm-2"
    assert check_project(path).ok


def test_open_counts_move_to_their_own_table_at_schema_5(tmp_path):
    import sqlite3

    path = tmp_path / "old.annot"
    shutil.copy(SCHEMAS / "v4.annot", path)
    conn = sqlite3.connect(path)  # schema 4's own triggers count these in the document's row
    conn.executemany("INSERT INTO spans (doc_id, start, \"end\", label_id, state, origin, created_at, updated_at)"
                     " VALUES (2, ?, ?, 1, 'suggested', 'model', '', '')", [(16, 21), (22, 25)])
    conn.commit()
    assert conn.execute("SELECT open_suggestions FROM documents WHERE id = 2").fetchone()[0] == 2
    conn.close()
    with Project.open(path) as p:
        assert "open_suggestions" not in [r[1] for r in p.query("PRAGMA table_info(documents)")]
        assert [tuple(r) for r in p.query("SELECT doc_id, open_suggestions FROM document_counts")] == [(2, 2)]
        (first, _) = [s for s in p.spans(2) if s.state == "suggested"]
        p.accept(first.id)  # the new triggers keep counting
        assert [tuple(r) for r in p.query("SELECT doc_id, open_suggestions FROM document_counts")] == [(2, 1)]
    report = check_project(path)
    assert set(report.totals) == {"log"}, report.summary()  # the counts agree; only the spans put in by hand
    assert all("no entry" in m for m in report.problems["log"])  # have no entries in the log


def test_statuses_move_to_their_own_table_at_schema_6(tmp_path):
    path = tmp_path / "old.annot"
    shutil.copy(SCHEMAS / "v5.annot", path)
    with Project.open(path) as p:
        columns = [r[1] for r in p.query("PRAGMA table_info(documents)")]
        assert "status" not in columns and "updated_at" not in columns
        assert [tuple(r) for r in p.query("SELECT doc_id, status FROM document_status ORDER BY doc_id")] == [
            (1, "in_progress"), (2, "done")]  # as schema 5 held them
        new = p.add_document(DocumentData("เอกสารใหม่ ของ นายสมชาย ใจดี"))
        assert p.document_status(new) == "new" and p.document(new).status == "new"
        p.add_span(new, 0, 10, "PERSON")
        assert p.document_status(new) == "in_progress"
        p.set_status(2, "skipped")
        assert p.document_ids(["skipped"]) == [2] and p.document_count("in_progress") == 2
        p.undo()
        assert p.document_status(2) == "done"
    assert check_project(path).ok


def without_status_of_document_2(tmp_path):
    """The latest fixture, document 2's status row deleted by hand."""
    import sqlite3

    path = tmp_path / "p.annot"
    shutil.copy(SCHEMAS / f"v{migrations.LATEST}.annot", path)
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM document_status WHERE doc_id = 2")
    conn.commit()
    conn.close()
    return path


def test_a_document_without_its_status_row_is_reported(tmp_path):
    report = check_project(without_status_of_document_2(tmp_path))
    assert not report.ok and any("document 2: it has no status" in m for m in report.problems["documents"])


def test_a_document_without_its_status_row_reads_as_new_and_gets_one_when_it_changes(tmp_path):
    path = without_status_of_document_2(tmp_path)
    with Project.open(path) as p:
        assert p.document(2).status == "new" and p.document_status(2) == "new"
        p.set_status(2, "done")
        assert p.document_ids(["done"]) == [2]
    assert check_project(path).ok
