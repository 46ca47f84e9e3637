import sqlite3

import pytest

from annotator.core.errors import LabelError, NotAProjectError, OverlapError, SchemaTooNewError, SpanError
from annotator.core.model import DocumentData, SpanData
from annotator.store.project import Project
from annotator.store.stats import project_stats
from annotator.store.token_cache import decode as decode_tokens, encode as encode_tokens

TEXT = "นายสมชาย ใจดี ไปเชียงใหม่ เมื่อวันที่ 5 มกราคม 2567"


def add_doc(project, text=TEXT, spans=()):
    return project.add_document(DocumentData(text, {"title": "t"}, list(spans)))


def test_new_project_has_default_labels_with_colour_hotkey_description(project):
    labels = project.labels()
    names = [l.name for l in labels]
    assert names == ["PERSON", "ORGANIZATION", "LOCATION", "DATE", "TIME", "MONEY", "PERCENT",
                     "LAW", "LEN", "PHONE", "URL", "EMAIL", "ZIP"]
    assert all(l.color.startswith("#") and l.hotkey and l.description for l in labels)
    assert len({l.hotkey for l in labels}) == len(labels)


def test_pragmas_wal_and_foreign_keys(project):
    assert project.query("PRAGMA journal_mode")[0][0] == "wal"
    assert project.query("PRAGMA foreign_keys")[0][0] == 1


def test_duplicate_text_is_skipped(project):
    assert add_doc(project) is not None
    assert add_doc(project) is None
    assert project.document_count() == 1


def test_rename_label_spans_follow(project):
    doc = add_doc(project, spans=[SpanData(0, 13, "PERSON")])
    project.update_label("PERSON", new_name="PER")
    assert [s.label for s in project.spans(doc)] == ["PER"]
    with pytest.raises(LabelError):
        project.update_label("LOCATION", hotkey="4")  # DATE has it


def test_remove_label_refused_while_used_unless_forced(project):
    doc = add_doc(project, spans=[SpanData(0, 13, "PERSON")])
    with pytest.raises(LabelError, match="used by 1 spans"):
        project.remove_label("PERSON")
    assert project.remove_label("PERSON", force=True) == 1
    assert project.spans(doc) == []
    assert not project.has_label("PERSON")


def test_span_edits_are_committed_and_logged(project, tmp_path):
    doc = add_doc(project, spans=[SpanData(0, 13, "PERSON", origin="model", confidence=0.8)])
    sug = project.spans(doc)[0]
    project.accept(sug.id)
    loc = project.add_span(doc, 17, 26, "LOCATION")
    project.update_span(loc.id, label="ORGANIZATION")
    # a second connection sees every change at once: nothing waits for a save
    other = sqlite3.connect(project.path)
    rows = other.execute('SELECT start, "end", state FROM spans ORDER BY start').fetchall()
    assert rows == [(0, 13, "accepted"), (17, 26, "manual")]
    actions = [r[0] for r in other.execute("SELECT action FROM changes ORDER BY id")]
    assert actions[-3:] == ["span.create", "doc.status", "span.update"] or "span.update" in actions
    other.close()
    assert project.document(doc).status == "in_progress"


def test_change_log_is_append_only(project):
    add_doc(project)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        project.execute("DELETE FROM changes")


def test_overlap_with_confirmed_span_is_refused_and_suggestions_give_way(project):
    doc = add_doc(project, spans=[SpanData(17, 26, "LOCATION", origin="model")])
    project.add_span(doc, 0, 13, "PERSON")
    with pytest.raises(OverlapError):
        project.add_span(doc, 5, 15, "PERSON")
    # a manual span over a suggestion rejects the suggestion
    project.add_span(doc, 17, 30, "LOCATION")
    states = {(s.start, s.end): s.state for s in project.spans(doc)}
    assert states[(17, 26)] == "rejected"


def test_span_out_of_range_refused(project):
    doc = add_doc(project)
    with pytest.raises(SpanError):
        project.add_span(doc, 0, len(TEXT) + 1, "PERSON")


def test_open_suggestions_counter_follows_states(project):
    doc = add_doc(project, spans=[SpanData(0, 13, "PERSON"), SpanData(17, 26, "LOCATION")])
    count = lambda: project.query("SELECT COALESCE((SELECT open_suggestions FROM document_counts WHERE doc_id = documents.id), 0) FROM documents WHERE id = ?", (doc,))[0][0]
    assert count() == 2
    a, b = project.spans(doc)
    project.accept(a.id)
    assert count() == 1
    project.delete_span(b.id)
    assert count() == 0
    project.undo()
    assert count() == 1


def test_accept_all_is_one_undo_step(project):
    doc = add_doc(project, spans=[SpanData(0, 13, "PERSON"), SpanData(17, 26, "LOCATION")])
    assert project.accept_all(doc) == 2
    assert {s.state for s in project.spans(doc)} == {"accepted"}
    project.undo()
    assert {s.state for s in project.spans(doc)} == {"suggested"}
    assert project.document(doc).status == "new"


def test_undo_redo_survive_restart(tmp_path):
    path = tmp_path / "u.annot"
    p = Project.create(path, annotator="a")
    doc = add_doc(p)
    s = p.add_span(doc, 0, 13, "PERSON")
    p.update_span(s.id, end=8)
    p.close()
    p = Project.open(path)
    assert p.undo() == doc
    assert (p.span(s.id).start, p.span(s.id).end) == (0, 13)
    p.close()
    p = Project.open(path)
    assert p.can_redo()
    p.redo()
    assert p.span(s.id).end == 8
    p.undo()
    p.undo()
    with pytest.raises(SpanError):
        p.span(s.id)
    assert not p.can_undo()
    p.close()


def test_suggestions_added_with_an_edit_are_undone_and_redone_with_it(project):
    # Propagation runs in the confirming edit's transaction: one undo step for both. The
    # suggestion it replaced comes back whole on undo, and redo gives the same ids again.
    text = "นายสมชาย ใจดี พบ นายสมชาย ใจดี และ สมชาย ที่ เชียงใหม่"
    doc = add_doc(project, text)
    third = text.index("สมชาย", 30)
    project.replace_suggestions(doc, [SpanData(third, third + 5, "LOCATION", confidence=0.4)], "m")
    replaced = project._span_json(project.spans(doc)[0].id)
    second = text.index("นายสมชาย", 1)
    with project.transaction():
        made = project.add_span(doc, 0, 13, "PERSON")
        added = project.add_suggestions(doc, [SpanData(second, second + 13, "PERSON", confidence=0.9),
                                              SpanData(third, third + 5, "PERSON", confidence=0.9)],
                                        "propagate-1", replace=[replaced["id"]])
    after = [(s.id, s.start, s.label, s.state) for s in project.spans(doc)]
    assert [(s, label) for _, s, label, _ in after] == [(0, "PERSON"), (second, "PERSON"), (third, "PERSON")]
    assert project.undo() == doc
    assert [project._span_json(s.id) for s in project.spans(doc)] == [replaced]
    assert project.query("SELECT COALESCE((SELECT open_suggestions FROM document_counts WHERE doc_id = documents.id), 0) FROM documents WHERE id = ?", (doc,))[0][0] == 1
    assert not project.can_undo()
    assert project.redo() == doc
    assert [(s.id, s.start, s.label, s.state) for s in project.spans(doc)] == after
    assert sorted(added + [made.id]) == [s.id for s in project.spans(doc)]
    assert project.undo() == doc  # and once more, from the redone rows
    assert [project._span_json(s.id) for s in project.spans(doc)] == [replaced]


def test_a_later_transaction_can_join_an_edits_change_group(project):
    # The window saves a label, paints it, and propagates in the next transaction, which
    # joins the label's group: one undo step for both, as when they were one transaction.
    text = "นายสมชาย ใจดี พบ นายสมชาย ใจดี"
    doc = add_doc(project, text)
    (last,), = project.query("SELECT MAX(id) FROM changes")
    with project.transaction():
        project.add_span(doc, 0, 13, "PERSON")
        group = project.change_group()
    with project.transaction(group=group):
        project.add_suggestions(doc, [SpanData(17, 30, "PERSON", confidence=0.9)], "propagate-1")
    logged = project.query("SELECT grp, action FROM changes WHERE id > ?", (last,))
    assert {r[0] for r in logged} == {group} and "doc.suggest" in {r[1] for r in logged}
    assert project.undo() == doc
    assert project.spans(doc) == [] and not project.can_undo()
    assert project.redo() == doc
    assert [(s.start, s.state) for s in project.spans(doc)] == [(0, "manual"), (17, "suggested")]
    with project.transaction():
        with pytest.raises(ValueError):
            with project.transaction(group=group):  # a savepoint cannot: it is in another group
                pass
    with pytest.raises(ValueError):
        project.change_group()  # outside a transaction there is none


def test_undo_refuses_when_a_suggestion_made_with_the_edit_was_decided_elsewhere(tmp_path):
    path = tmp_path / "two.annot"
    p = Project.create(path, annotator="a")
    doc = add_doc(p, "นายสมชาย ใจดี พบ นายสมชาย ใจดี")
    with p.transaction():
        p.add_span(doc, 0, 13, "PERSON")
        (added,) = p.add_suggestions(doc, [SpanData(17, 30, "PERSON")], "propagate-1")
    p.annotator = "b"  # a teammate, with a stack of their own, accepts it
    p.accept(added)
    p.annotator = "a"
    p._undo = p._redo = None
    with pytest.raises(SpanError, match="decided since"):
        p.undo()
    assert [s.state for s in p.spans(doc)] == ["manual", "accepted"]  # nothing half-undone
    p.close()


def test_new_edit_clears_redo(project):
    doc = add_doc(project)
    project.add_span(doc, 0, 13, "PERSON")
    project.undo()
    assert project.can_redo()
    project.add_span(doc, 17, 26, "LOCATION")
    assert not project.can_redo()


def test_undo_is_per_annotator(tmp_path):
    path = tmp_path / "two.annot"
    p = Project.create(path, annotator="a")
    doc = add_doc(p)
    p.add_span(doc, 0, 13, "PERSON")
    p.annotator = "b"
    assert not p.can_undo()
    p.close()


def test_replace_suggestions_never_touches_human_spans(project):
    doc = add_doc(project, spans=[SpanData(0, 13, "PERSON", origin="model")])
    first = project.spans(doc)[0]
    project.reject(first.id)
    manual = project.add_span(doc, 17, 26, "LOCATION")
    added, removed = project.replace_suggestions(
        doc, [SpanData(0, 13, "PERSON", origin="model"), SpanData(17, 26, "ORGANIZATION", origin="model"),
              SpanData(38, 48, "DATE", origin="rule")], "m")
    assert (added, removed) == (1, 0)
    spans = {(s.start, s.end, s.label): s.state for s in project.spans(doc)}
    assert spans[(0, 13, "PERSON")] == "rejected"
    assert spans[(17, 26, "LOCATION")] == "manual"
    assert spans[(38, 48, "DATE")] == "suggested"
    assert project.span(manual.id).state == "manual"


def test_tokens_cached_and_cover_text(project):
    doc = add_doc(project)
    tokens = project.tokens(doc)
    assert "".join(TEXT[s:e] for s, e in tokens) == TEXT
    assert project.query("SELECT COUNT(*) FROM tokens")[0][0] == 1
    assert project.tokens(doc) == tokens


def test_token_encoding_round_trip_long_tokens():
    offsets = [(0, 3), (3, 400), (400, 401)]
    assert decode_tokens(encode_tokens(offsets)) == offsets
    assert decode_tokens(encode_tokens([(0, 1), (1, 5)])) == [(0, 1), (1, 5)]


def test_not_a_project_file(tmp_path):
    bad = tmp_path / "x.annot"
    bad.write_text("hello")
    with pytest.raises(NotAProjectError, match="not an annotator project"):
        Project.open(bad)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(NotAProjectError, match="not an annotator project"):
        Project.open(other)
    with pytest.raises(NotAProjectError, match="no such project"):
        Project.open(tmp_path / "missing.annot")


def test_newer_schema_refused(tmp_path):
    path = tmp_path / "new.annot"
    Project.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(SchemaTooNewError, match="newer version"):
        Project.open(path)


def test_stats(project):
    doc = add_doc(project, spans=[SpanData(0, 13, "PERSON", origin="model"), SpanData(17, 26, "LOCATION", origin="rule")])
    a, b = project.spans(doc)
    project.accept(a.id)
    project.reject(b.id)
    stats = project_stats(project)
    assert stats["suggestions"]["acceptance_rate"] == 0.5
    assert stats["spans_by_label"]["PERSON"]["accepted"] == 1
    assert stats["spans_by_origin"]["rule"]["rejected"] == 1
    assert stats["documents"]["in_progress"] == 1


def test_nested_transaction_failure_undoes_only_itself(project):
    with project.transaction():
        add_doc(project, "เอกสารหนึ่ง")
        with pytest.raises(SpanError):
            with project.transaction():
                add_doc(project, "เอกสารสอง")
                project.add_span(2, 0, 999, "PERSON")
    assert [r[0] for r in project.query("SELECT text FROM documents")] == ["เอกสารหนึ่ง"]


def test_a_rolled_back_documents_length_is_not_kept_for_the_next_one(project):
    # Document lengths are kept once read (a text never changes); a document rolled back
    # gives its id to the next one, which must be checked against its own length.
    with pytest.raises(SpanError):
        with project.transaction():
            doc = add_doc(project, "สั้น")
            project.add_span(doc, 0, 4, "PERSON")
            project.add_span(doc, 0, 99, "PERSON")
    again = add_doc(project, "นายสมชาย ใจดี ไปเชียงใหม่")
    assert again == doc  # the same id, another text
    assert project.add_span(again, 0, 13, "PERSON").end == 13
    with pytest.raises(SpanError, match="outside the text"):
        project.add_span(again, 20, 40, "LOCATION")


def test_a_review_key_on_a_long_article_does_not_write_its_text_again(tmp_path):
    # SQLite writes a changed row whole: an open-suggestion count in the document's row
    # made every accept write the article's text to the WAL again.
    import os

    path = tmp_path / "long.annot"
    with Project.create(path) as project:
        text = "นายสมชาย ใจดี ไปเชียงใหม่ " * 4000  # ~100 KB of UTF-8
        doc = add_doc(project, text, [SpanData(0, 13, "PERSON"), SpanData(17, 26, "LOCATION")])
        project.add_span(doc, 30, 40, "LOCATION")  # in progress now: accepting changes no status
        project.query("PRAGMA wal_checkpoint(TRUNCATE)")
        wal = str(path) + "-wal"
        before = os.path.getsize(wal)
        project.accept(project.spans(doc)[0].id)
        written = os.path.getsize(wal) - before
    assert written < 40_000, written  # a few index and log pages, not the 100 KB text


def test_spans_overlapping_a_thousand_places_are_read_in_several_statements(project):
    # A string confirmed in a long article can stand at more places than SQLite's
    # expression depth (1,000) allows in one OR chain.
    text = "กขค " * 3000
    spans = [SpanData(4 * k, 4 * k + 3, "PERSON", origin="model") for k in range(0, 3000, 2)]
    doc = add_doc(project, text, spans)
    places = [(4 * k + 1, 4 * k + 2) for k in range(1200)]
    got = project.spans_overlapping(doc, places)
    assert [(s.start, s.end) for s in got] == [(4 * k, 4 * k + 3) for k in range(0, 1200, 2)]


def test_suggestions_added_read_only_the_spans_they_can_meet_and_drop_the_same(tmp_path, monkeypatch):
    # add_suggestions reads the spans its suggestions overlap (and those to replace), not
    # the whole document's: the outcome must be what reading them all gives.
    import random
    import shutil

    import annotator.store.project as store

    rng = random.Random(9)
    text = "กขคงจ " * 200
    path = tmp_path / "a.annot"
    with Project.create(path) as p:
        doc = add_doc(p, text, [SpanData(a, a + rng.randrange(1, 6), "PERSON", origin="model")
                                for a in sorted(rng.sample(range(0, 1190, 7), 80))])
        for s in p.spans(doc)[::5]:
            p.accept(s.id)
    shutil.copy(path, tmp_path / "b.annot")
    outcomes = []
    for name, terms in (("a.annot", store.OVERLAP_TERMS), ("b.annot", 0)):  # 0: read every span
        monkeypatch.setattr(store, "OVERLAP_TERMS", terms)
        with Project.open(tmp_path / name) as p:
            rng2 = random.Random(4)
            for _ in range(30):
                spans = p.spans(doc)
                replace = [s.id for s in rng2.sample(spans, 3)]
                new = [SpanData(a, a + rng2.randrange(2, 9), "LOCATION", origin="gazetteer")
                       for a in rng2.sample(range(1190), 4)]
                p.add_suggestions(doc, new, "propagate-1", replace=replace)
            outcomes.append([(s.start, s.end, s.label, s.state) for s in p.spans(doc)])
    assert outcomes[0] == outcomes[1]


def test_a_document_read_whole_spares_its_first_edit_a_length_query(tmp_path):
    path = tmp_path / "len.annot"
    with Project.create(path, annotator="a") as made:
        doc = add_doc(made)
        odd = add_doc(made, "ก\x00ข ค")  # SQLite's length() stops at a NUL: read by SQLite then
    with Project.open(path) as p:
        seen = []
        p._conn.set_trace_callback(seen.append)
        p.document(doc)
        p.add_span(doc, 0, 8, "PERSON")
        assert not any("length(text)" in sql for sql in seen)
        with pytest.raises(SpanError):
            p.add_span(doc, 0, len(TEXT) + 1, "PERSON")  # the length known is the text's
        p.document(odd)
        p.add_span(odd, 0, 1, "PERSON")
        assert any("length(text)" in sql for sql in seen)  # and the length is SQLite's, as before


def test_status_changes_write_the_status_row_not_the_documents_text(project):
    # SQLite writes a changed row whole: a status kept beside the text rewrote a long
    # article's text (tens of pages) at its first label, and at done and skip.
    import re

    doc = add_doc(project, TEXT * 300)
    seen = []
    project._conn.set_trace_callback(seen.append)
    try:
        project.add_span(doc, 0, 8, "PERSON")  # new -> in progress
        project.set_status(doc, "done")
        project.undo()
    finally:
        project._conn.set_trace_callback(None)
    assert project.document_status(doc) == "in_progress"
    assert not [s for s in seen if re.search(r"\b(UPDATE|INSERT\s+INTO|REPLACE\s+INTO)\s+documents\b", s)]
    assert len([s for s in seen if s.startswith("INSERT INTO document_status")]) == 3
