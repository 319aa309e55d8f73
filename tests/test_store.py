from __future__ import annotations

import json

import pytest

from kiosk.store import Identity, Store, schema_version


def test_connection_pragmas_are_durable(store):
    conn = store.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10000


def test_event_and_outbox_commit_together_with_gapless_seq(store):
    with store.transaction():
        first = store.record("test.one", {"x": 1}, actor="E1")
        second = store.record("test.two", {"x": 2})
    assert (first["seq"], second["seq"]) == (1, 2)
    rows = store.all("SELECT seq, topic, body FROM outbox ORDER BY seq")
    assert [r["topic"] for r in rows] == ["crib/HAM/crib-1/events/test.one",
                                          "crib/HAM/crib-1/events/test.two"]
    assert json.loads(rows[0]["body"])["actor"] == "E1"


def test_a_failed_change_leaves_no_event_and_no_gap(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.record("test.lost")
        raise RuntimeError("boom")
    assert store.one("SELECT COUNT(*) AS n FROM events")["n"] == 0
    with store.transaction():
        event = store.record("test.kept")
    assert event["seq"] == 1


def test_events_are_append_only(store):
    with store.transaction():
        store.record("test.one")
    with pytest.raises(Exception, match="append-only"), store.transaction() as db:
        db.execute("DELETE FROM events")


def test_writes_outside_a_transaction_are_refused(store):
    from kiosk.errors import StoreError

    with pytest.raises(StoreError):
        store.record("test.nope")


def test_migrations_apply_once_and_survive_reopen(tmp_path, clock):
    path = tmp_path / "k.db"
    first = Store(path, Identity("S", "K"), clock=clock)
    applied = schema_version(first.db)
    first.close()
    again = Store(path, Identity("S", "K"), clock=clock)
    assert schema_version(again.db) == applied
    assert "0001_master_data" in applied


def test_committed_event_is_visible_to_a_new_process(tmp_path, clock):
    import subprocess
    import sys

    path = tmp_path / "k.db"
    s = Store(path, Identity("S", "K"), clock=clock)
    with s.transaction():
        s.record("test.durable", {"n": 1})
    # no close(): the commit alone must be enough
    out = subprocess.run([sys.executable, "-c", f"import sqlite3;print(sqlite3.connect("
                          f"{str(path)!r}).execute('select count(*) from events').fetchone()[0])"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"


def test_processes_starting_together_migrate_one_new_database(tmp_path):
    """Kiosk, publisher and HQ consumers may all open a new file at the same moment."""
    import subprocess
    import sys

    path = tmp_path / "new.db"
    script = ("import sys; from kiosk.store import Store, Identity; "
              "Store(sys.argv[1], Identity('S', 'K')).close(); print('ok')")
    children = [subprocess.Popen([sys.executable, "-c", script, str(path)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(12)]
    results = [child.communicate(timeout=60) for child in children]
    assert [out.strip() for out, _ in results] == ["ok"] * 12, [err for _, err in results]
    check = Store(path, Identity("S", "K"), apply_migrations=False)
    alone = Store(tmp_path / "alone.db", Identity("S", "K"))
    assert schema_version(check.db) == schema_version(alone.db)
