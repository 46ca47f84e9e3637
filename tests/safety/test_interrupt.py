"""Ctrl+C stops a long SQLite statement at once, rolled back, with a message."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

from annotator.core.errors import Cancelled
from annotator.store.project import Project
from annotator.store.sqlite_errors import translate

from killing import env

ENDLESS = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT COUNT(*) FROM n")


def test_ctrl_c_stops_a_statement_that_would_never_end(tmp_path):
    path = tmp_path / "p.annot"
    Project.create(path).close()
    child = textwrap.dedent(f"""
        import sys
        from annotator.core.errors import Cancelled
        from annotator.store.project import Project
        p = Project.open({str(path)!r})
        print("ready", flush=True)
        try:
            with p.transaction():
                p.set_setting("note", "half done")  # must be rolled back
                p.query({ENDLESS!r})
        except Cancelled as e:
            print("cancelled:", e, flush=True)
            sys.exit(130)
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env())
    assert proc.stdout.readline().strip() == "ready"
    import time

    time.sleep(0.3)  # inside the endless statement by now
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)  # without the handler it would run until killed
    assert proc.returncode == 130, err
    assert "stopped (Ctrl+C)" in out and "rolled back" in out
    with Project.open(path) as p:
        assert p.get_setting("note") is None


def test_an_interrupted_statement_reads_as_stopped():
    import sqlite3

    assert isinstance(translate(sqlite3.OperationalError("interrupted"), "p.annot"), Cancelled)
