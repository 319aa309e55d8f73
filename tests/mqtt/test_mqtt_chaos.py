"""Chaos: 5,000 checkouts while the broker stops, restarts and is killed, and while the kiosk's
publisher process is killed with SIGKILL twice during the drain. HQ ends with every event once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from kiosk.hq import HqConsumer, gaps, open_hq_db
from kiosk.link import mqtt_client, mqtt_options
from kiosk.link_status import outbox_status
from kiosk.store import Identity, Store
from tests.mqtt.conftest import kiosk_settings
from tests.mqtt.helpers import checkout, seed, wait_until, write_config

TOTAL = 5000


def start_publisher(config: Path, log: Path) -> subprocess.Popen[bytes]:
    out = log.open("ab")
    return subprocess.Popen([sys.executable, "-m", "kiosk", "--config", str(config), "publish"],
                            stdout=out, stderr=out)


def hq_count(path: Path) -> int:
    db = open_hq_db(path)
    try:
        return db.execute("SELECT count(DISTINCT id) FROM events").fetchone()[0]
    finally:
        db.close()


def test_chaos_5000_checkouts_arrive_exactly_once(tmp_path, broker):
    store = Store(tmp_path / "kiosk.db", Identity("HAM", "crib-1"))
    seed(store, TOTAL)
    settings = kiosk_settings(tmp_path, broker.port, inflight=100)
    hq_db = tmp_path / "hq.db"
    hq = HqConsumer(hq_db, mqtt_client(mqtt_options(
        settings, client_id="hq-1", manual_ack=True,
        subscriptions=HqConsumer.subscriptions("crib", "hq"))), gap_grace_s=0.5)
    hq.start()
    config = write_config(tmp_path / "kiosk.toml", tmp_path, broker.port, inflight=100)
    log = tmp_path / "publisher.log"
    publisher = start_publisher(config, log)
    committed = []

    def station() -> None:
        own = store.another()
        for n in range(TOTAL):
            committed.append(checkout(own, f"HAM-DR-{n:05}", f"E{n % 20:03}")["seq"])
        own.close()

    worker = threading.Thread(target=station)
    worker.start()
    pending_at_kill = []
    try:
        wait_until(lambda: len(committed) >= 800, what="800 checkouts")
        broker.stop()
        wait_until(lambda: len(committed) >= 1500, what="1500 checkouts, broker down")
        broker.start()
        wait_until(lambda: len(committed) >= 2500, what="2500 checkouts")
        broker.kill()
        worker.join(120)  # the rest of the checkouts while the broker is dead
        assert len(committed) == TOTAL
        broker.start()  # now a backlog drains; kill the publisher twice in the middle of it
        for left in (1700, 900):  # outbox rows still waiting when the publisher dies
            wait_until(lambda n=left: outbox_status(store)["pending"] <= n, interval=0.002,
                       what=f"outbox down to {left}")
            os.kill(publisher.pid, signal.SIGKILL)
            publisher.wait(10)
            pending_at_kill.append(outbox_status(store)["pending"])
            publisher = start_publisher(config, log)
        wait_until(lambda: hq_count(hq_db) == TOTAL and outbox_status(store)["pending"] == 0,
                   timeout=60, what="all events at HQ and an empty outbox")
        db = open_hq_db(hq_db)
        wait_until(lambda: gaps(db) == [], timeout=20, what="no gaps at HQ")
        kiosks = {r[0]: r[1] for r in db.execute("SELECT kiosk, count(*) FROM events "
                                                 "GROUP BY kiosk")}
        seqs = [r[0] for r in db.execute("SELECT seq FROM events ORDER BY seq")]
        db.close()
    finally:
        publisher.send_signal(signal.SIGTERM)
        publisher.wait(10)
        hq.stop()
    assert all(pending > 0 for pending in pending_at_kill), pending_at_kill  # mid-drain
    assert kiosks == {"crib-1": TOTAL}
    assert seqs == list(range(1, TOTAL + 1))
    assert outbox_status(store)["pending"] == 0
    assert store.one("PRAGMA integrity_check")["integrity_check"] == "ok"
