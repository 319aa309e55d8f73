"""Outbox publisher against a real mosquitto: order, acks, window, restart, refusals."""

from __future__ import annotations

import json
import time
from pathlib import Path

from kiosk.link import outbox_publisher
from kiosk.link_status import outbox_status
from kiosk.store import Identity, Store


def make_store(tmp_path: Path) -> Store:
    return Store(tmp_path / "kiosk.db", Identity("HAM", "crib-1"))


def checkout(store: Store, n: int) -> None:
    with store.transaction():
        store.record("loan.checked_out", {"holder": f"E{n % 7}"}, actor=f"E{n % 7}",
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
    assert watcher.messages[0].topic == "crib/HAM/crib-1/events/loan.checked_out"
    assert outbox_status(store)["last_publish_at"] is not None


class DroppingLink:
    """A stand-in for the paho driver where the broker is beside the point: it acknowledges
    every publish, except that one topic makes the "broker" drop the connection (as mosquitto
    2.0 may do for an ACL-denied publish), before acknowledging it."""

    def __init__(self, poison_topic: str) -> None:
        import queue as queue_module

        from drivers.mqtt_client import Acked, Connected, Disconnected
        self.Acked, self.Connected, self.Disconnected = Acked, Connected, Disconnected
        self.events = queue_module.SimpleQueue()
        self.poison_topic = poison_topic
        self.generation = self.incarnation = self.renewals = 0
        self.connected = False
        self.mid = 0
        self.sent: list[str] = []

    def start(self) -> None:
        self.generation += 1
        self.connected = True
        self.events.put(self.Connected(self.generation, True))

    def renew(self) -> None:
        self.renewals += 1
        self.incarnation += 1
        self.start()

    def discard(self) -> None:
        self.connected = False

    def publish(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False):
        self.mid += 1
        if not self.connected:
            return self.mid
        if topic.endswith("/status"):
            return self.mid
        self.sent.append(json.loads(payload)["id"])
        if topic == self.poison_topic:
            self.connected = False
            self.events.put(self.Disconnected("Unspecified error"))
        else:
            self.events.put(self.Acked(self.mid, False, "", self.incarnation))
        return self.mid

    def ack(self, mid: int, qos: int, generation: int) -> None:
        pass

    def stop(self, timeout: float = 2.0) -> None:
        self.connected = False


def test_a_row_that_kills_the_connection_is_set_aside_and_does_not_block_the_rest(tmp_path):
    from kiosk.outbox import POISON_DROPS, OutboxPublisher, PublisherOptions

    store = make_store(tmp_path)
    for n in range(5):
        checkout(store, n)
    poison = store.one("SELECT event_id FROM outbox WHERE seq = 2")["event_id"]
    store.db.execute("UPDATE outbox SET topic = 'crib/HAM/crib-2/events/x' WHERE seq = 2")
    link = DroppingLink("crib/HAM/crib-2/events/x")
    publisher = OutboxPublisher(store, link, PublisherOptions(
        inflight=1, reconnect_min_s=0.01, reconnect_max_s=0.05, retry_after_s=3600))
    publisher.start()
    try:
        wait_until(lambda: outbox_status(store)["pending"] == 1)
    finally:
        publisher.stop()
    assert [r["event_id"] for r in store.all("SELECT event_id FROM outbox")] == [poison]
    assert link.sent.count(poison) == POISON_DROPS and link.renewals == POISON_DROPS
    assert poison in publisher.refused and "connection lost" in publisher.last_refusal
