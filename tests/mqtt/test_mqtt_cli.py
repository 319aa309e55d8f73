"""`kiosk publish` and `kiosk hq` from the command line."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys

from kiosk.cli import main
from kiosk.hq import holdings, open_hq_db, parse_event, store_events, where_is
from kiosk.link_status import encode
from kiosk.store import Identity, Store
from tests.mqtt.helpers import checkout, seed, write_config


def test_publish_status_shows_the_pending_outbox(tmp_path, capsys):
    config = write_config(tmp_path / "kiosk.toml", tmp_path, 1)
    store = Store(tmp_path / "kiosk.db", Identity("HAM", "crib-1"))
    seed(store, 3)
    for n in range(3):
        checkout(store, f"HAM-DR-{n:05}", "E001")
    assert main(["--config", str(config), "publish", "--status"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["pending"], status["last_seq"], status["last_publish_at"]) == (3, 3, None)
    assert status["oldest_pending_at"].endswith("Z")


def test_publish_refuses_when_mqtt_is_disabled(tmp_path, capsys):
    config = write_config(tmp_path / "kiosk.toml", tmp_path, 1, enabled=False)
    assert main(["--config", str(config), "publish"]) == 1
    assert "mqtt.enabled is false" in capsys.readouterr().err


def test_publish_service_stops_cleanly_and_leaves_offline(tmp_path, broker, watch):
    config = write_config(tmp_path / "kiosk.toml", tmp_path, broker.port)
    Store(tmp_path / "kiosk.db", Identity("HAM", "crib-1")).close()
    status = watch(["crib/HAM/crib-1/status"])
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "--config", str(config), "publish"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    status.wait_for(lambda m: json.loads(m.payload)["state"] == "online")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 0
    status.wait_for(lambda m: json.loads(m.payload)["state"] == "offline")
    late = watch(["crib/HAM/crib-1/status"])  # what a dashboard sees when it connects now
    retained = late.wait_for(lambda m: True)
    assert retained.retain and json.loads(retained.payload)["state"] == "offline"


def test_hq_questions(tmp_path, capsys):
    config = write_config(tmp_path / "kiosk.toml", tmp_path, 1)
    kiosk = Store(tmp_path / "kiosk.db", Identity("HAM", "crib-1"))
    seed(kiosk, 3)
    bodies = []
    for n in range(3):
        checkout(kiosk, f"HAM-DR-{n:05}", "E007")
    bodies = [r["body"] for r in kiosk.all("SELECT body FROM outbox ORDER BY seq")]
    db = open_hq_db(tmp_path / "hq.db")
    store_events(db, [parse_event(b.encode()) for b in bodies if '"seq":2' not in b], "now")
    assert main(["--config", str(config), "hq", "where", "ham-dr-00002"]) == 0
    where = json.loads(capsys.readouterr().out)
    assert (where["site"], where["kiosk"], where["holder"]) == ("HAM", "crib-1", "E007")
    assert main(["--config", str(config), "hq", "holds", "E007"]) == 0
    assert [h["asset"] for h in json.loads(capsys.readouterr().out)] == [
        "HAM-DR-00000", "HAM-DR-00002"]
    assert main(["--config", str(config), "hq", "gaps"]) == 1
    assert json.loads(capsys.readouterr().out) == [
        {"site": "HAM", "kiosk": "crib-1", "from_seq": 2, "to_seq": 2}]
    assert main(["--config", str(config), "hq", "where", "NOPE"]) == 1
    assert "no event about asset" in capsys.readouterr().err


def test_hq_run_consumes_until_stopped(tmp_path, broker):
    from kiosk.link import outbox_publisher
    from tests.mqtt.conftest import kiosk_settings
    from tests.mqtt.helpers import wait_until

    config = write_config(tmp_path / "kiosk.toml", tmp_path, broker.port)
    hq = subprocess.Popen([sys.executable, "-m", "kiosk", "--config", str(config), "hq", "run",
                           "--instance", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    store = Store(tmp_path / "kiosk.db", Identity("HAM", "crib-1"))
    seed(store, 5)
    publisher = outbox_publisher(kiosk_settings(tmp_path, broker.port), store)
    publisher.start()

    def stored(table: str = "events") -> int:
        # Read-only: migrating hq.db from here would race the consumer's own migration.
        db = sqlite3.connect(f"file:{tmp_path / 'hq.db'}?mode=ro", uri=True, timeout=10)
        try:
            return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
        except sqlite3.OperationalError:   # tables not created yet
            return 0
        finally:
            db.close()
    try:
        wait_until(lambda: (tmp_path / "hq.db").exists(), what="hq.db created")
        # The kiosk's retained status reaches HQ only once its one SUBSCRIBE (status and
        # events together) is in place: from then on no event can slip past the subscription.
        wait_until(lambda: stored("kiosks") >= 1, what="HQ subscribed and saw the status")
        for n in range(5):
            checkout(store, f"HAM-DR-{n:05}", "E001")
        wait_until(lambda: stored() == 5, what="5 events in hq.db")
    finally:
        publisher.stop()
        hq.send_signal(signal.SIGTERM)
        assert hq.wait(20) == 0
    assert b"consuming into" in hq.stdout.read()


def test_hq_follows_returns_undos_moves_and_ignores_older_news(tmp_path):
    from tests.conftest import FrozenClock

    clock = FrozenClock()
    kiosk = Store(tmp_path / "kiosk.db", Identity("BER", "crib-9"), clock=clock)

    def event(kind, actor, asset, **payload):
        clock.advance(seconds=1)
        with kiosk.transaction():
            return parse_event(encode(kiosk.record(kind, payload, actor=actor, asset=asset)))
    rows = [event("loan.checked_out", "E1", "A", due_at="x"),
            event("loan.returned", "E1", "A", location="SHELF-2"),
            event("loan.undone", "E1", "A", undid="return"),
            event("loan.checked_out", "E2", "B", due_at="x"),
            event("loan.undone", "E2", "B", undid="checkout"),
            event("asset.moved", "E3", "C", to="VAN-1")]
    db = open_hq_db(tmp_path / "hq.db")
    store_events(db, rows[4:], "now")  # B's undo arrives first ...
    assert store_events(db, rows[:4] + rows[4:5], "now") == 4  # ... its checkout later; a dup
    assert (where_is(db, "A")["holder"], where_is(db, "B")["holder"]) == ("E1", None)
    assert where_is(db, "C")["location"] == "VAN-1"
    assert where_is(db, "A")["site"] == "BER" and holdings(db, "E2") == []
    assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 6
