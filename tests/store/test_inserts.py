"""store/inserts.py: many rows to a statement, the same table as one row at a time."""

import sqlite3

import pytest

from annotator.store.inserts import insert_rows


def _table():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a INTEGER, b TEXT"
                 " CHECK (b IN ('x', 'y', 'z')))")
    return conn


@pytest.mark.parametrize("count", [0, 1, 99, 100, 101, 250])
def test_rows_inserted_in_order_with_consecutive_ids(count):
    rows = [(i, "xyz"[i % 3]) for i in range(count)]
    one_by_one, batched = _table(), _table()
    one_by_one.executemany("INSERT INTO t (a, b) VALUES (?, ?)", rows)
    insert_rows(batched, "INSERT INTO t (a, b)", rows, per_statement=100)
    assert batched.execute("SELECT id, a, b FROM t ORDER BY id").fetchall() == \
        one_by_one.execute("SELECT id, a, b FROM t ORDER BY id").fetchall()
    assert [r[0] for r in batched.execute("SELECT id FROM t ORDER BY id")] == list(range(1, count + 1))


def test_a_row_the_schema_refuses_fails_the_insert():
    conn = _table()
    with pytest.raises(sqlite3.IntegrityError):
        insert_rows(conn, "INSERT INTO t (a, b)", [(1, "x"), (2, "nope"), (3, "y")], per_statement=2)
