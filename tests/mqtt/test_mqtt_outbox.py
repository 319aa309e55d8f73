"""Outbox publisher against a real mosquitto: order, acks, window, restart, refusals."""

from __future__ import annotations

import json
import time
from pathlib import Path

from kiosk.bootstrap import outbox_publisher
from kiosk.link_status import outbox_status
from kiosk.store import Identity, Store


def make_store(tmp_path: Path) -> Store:
    return Store(tmp_path / "kiosk.db", Identity("HAM", "crib-1"))


def checkout(store: Store, n: int) -> None:
    with store.transaction():
        store.record("asset.checked_out", {"holder": f"E{n % 7}"}, actor=f"E{n % 7}",
                     asset=f"HAM-DR-{n:05}")


def wait_until(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached in time")


def test_drains_in_seq_order_and_empties_the_outbox(tmp_path, broker, watch):
    from tests.mqtt.conftest import kiosk_settings
    settings = kiosk_settings(tmp_path, broker.port)
    store = make_store(tmp_path)
    watcher = watch(["crib/HAM/crib-1/events/#"])
    for n in range(50):
        checkout(store, n)
    publisher = outbox_publisher(settings, store)
    publisher.start()
    try:
        watcher.wait_for(lambda m: json.loads(m.payload)["seq"] == 50)
        wait_until(lambda: outbox_status(store)["pending"] == 0)
    finally:
        publisher.stop()
    seqs = [json.loads(m.payload)["seq"] for m in watcher.messages]
    assert seqs == list(range(1, 51))
    assert watcher.messages[0].topic == "crib/HAM/crib-1/events/asset.checked_out"
    assert outbox_status(store)["last_publish_at"] is not None
