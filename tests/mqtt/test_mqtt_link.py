"""The kiosk's link: offline sessions, retained status, HQ commands, blocked badges, sharing."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.hq import HqConsumer, command, gaps, holdings, open_hq_db, where_is
from kiosk.hq_sync import badge_blocked
from kiosk.link import mqtt_client, mqtt_options, outbox_publisher
from kiosk.link_status import encode, outbox_status
from kiosk.store import Identity, Store
from tests.mqtt.conftest import kiosk_settings
from tests.mqtt.helpers import checkout, seed, wait_until, write_config


@pytest.fixture
def store(tmp_path: Path) -> Store:
    db = Store(tmp_path / "kiosk.db", Identity("HAM", "crib-1"))
    seed(db, 50)
    yield db
    db.close()


def start_link(tmp_path, port, store, **mqtt):
    publisher = outbox_publisher(kiosk_settings(tmp_path, port, **mqtt), store)
    publisher.start()
    return publisher


def test_broker_down_for_a_whole_session_then_everything_arrives(tmp_path, broker, store,
                                                                 watch):
    broker.stop()
    publisher = start_link(tmp_path, broker.port, store)
    try:
        for n in range(30):  # the kiosk works normally while HQ is unreachable
            checkout(store, f"HAM-DR-{n:05}", "E001")
        assert outbox_status(store)["pending"] == 30
        assert publisher.delivered == 0
        broker.start()
        watcher = watch(["crib/HAM/crib-1/events/#", "crib/HAM/crib-1/status"])
        status = watcher.wait_for(lambda m: m.topic.endswith("/status")
                                  and json.loads(m.payload).get("pending") == 30)
        assert status.retain or json.loads(status.payload)["state"] == "online"
        wait_until(lambda: outbox_status(store)["pending"] == 0, what="outbox drained")
        watcher.wait_for(lambda m: "/events/" in m.topic and json.loads(m.payload)["seq"] == 30)
    finally:
        publisher.stop()
    seqs = [json.loads(m.payload)["seq"] for m in watcher.messages if "/events/" in m.topic]
    assert seqs == list(range(1, 31))  # in order, and nothing sent twice (nothing went offline)


def test_last_will_marks_a_killed_kiosk_offline(tmp_path, broker, store, watch):
    config = write_config(tmp_path / "kiosk.toml", tmp_path, broker.port)
    status = watch(["crib/HAM/crib-1/status"])
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "--config", str(config), "publish"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    status.wait_for(lambda m: json.loads(m.payload)["state"] == "online")
    proc.send_signal(signal.SIGKILL)  # no DISCONNECT, no goodbye: only the will remains
    proc.wait(10)
    offline = status.wait_for(lambda m: json.loads(m.payload)["state"] == "offline")
    assert json.loads(offline.payload)["kiosk"] == "crib-1"


def test_commands_sent_while_the_kiosk_is_away_arrive_later(tmp_path, broker, store, watch):
    publisher = start_link(tmp_path, broker.port, store)
    wait_online(watch)
    publisher.stop()  # the broker keeps the kiosk's session (session_expiry_s)
    hq = hq_publisher(broker, tmp_path)
    body = command("people", items=[{"employee_no": "E777", "name": "Late", "version": 1}])
    hq.publish("crib/HAM/crib-1/cmd/people", encode(body))
    replies = watch(["crib/HAM/crib-1/reply"])
    publisher = start_link(tmp_path, broker.port, store)
    try:
        reply = replies.wait_for(lambda m: json.loads(m.payload)["command"] == body["id"])
    finally:
        publisher.stop()
        hq.stop()
    assert json.loads(reply.payload)["applied"] == 1
    assert store.one("SELECT name FROM people WHERE employee_no = 'E777'")["name"] == "Late"


def start_hq(tmp_path, broker) -> HqConsumer:
    """One HQ consumer on the test broker, connected, asking for gaps after 0.3 s."""
    settings = kiosk_settings(tmp_path, broker.port)
    hq = HqConsumer(tmp_path / "hq.db", mqtt_client(mqtt_options(
        settings, client_id="hq-1", manual_ack=True,
        subscriptions=HqConsumer.subscriptions("crib", "hq"))), gap_grace_s=0.3)
    hq.start()
    assert hq.client.wait_connected(10)
    return hq


def test_hq_asks_for_a_missing_range_and_the_kiosk_sends_it_again(tmp_path, broker, store):
    hq = start_hq(tmp_path, broker)
    publisher = start_link(tmp_path, broker.port, store)
    db = open_hq_db(tmp_path / "hq.db")
    try:
        for n in range(4):
            checkout(store, f"HAM-DR-{n:05}", "E001")
        wait_until(lambda: hq.received == 4, what="4 events at HQ")
        # As if the broker had crashed after its PUBACK: HQ never got seq 2 and 3.
        db.execute("DELETE FROM events WHERE seq IN (2, 3)")
        db.conn.commit()
        assert gaps(db) == [{"site": "HAM", "kiosk": "crib-1", "from_seq": 2, "to_seq": 3}]
        wait_until(lambda: gaps(db) == [] and db.execute(
            "SELECT count(*) FROM events").fetchone()[0] == 4, what="gap filled")
    finally:
        publisher.stop()
        hq.stop()
        db.close()
    assert outbox_status(store)["pending"] == 0


def wait_online(watch) -> None:
    """The kiosk's `online` follows its SUBSCRIBE on the same connection: commands reach it."""
    watch(["crib/HAM/crib-1/status"]).wait_for(
        lambda m: json.loads(m.payload)["state"] == "online")


def hq_publisher(broker, tmp_path):
    settings = kiosk_settings(tmp_path, broker.port, session_expiry_s=0)
    client = mqtt_client(mqtt_options(settings, client_id="hq-admin"))
    client.start()
    assert client.wait_connected(10)
    return client


def test_badge_blocked_at_hq_is_refused_on_the_next_scan(tmp_path, broker, store, watch):
    with store.transaction():
        store.db["badges"].insert({"normalized": "123456", "raw": "123456",
                                   "employee_no": "E001"})
    assert not badge_blocked(store, "123456")
    publisher = start_link(tmp_path, broker.port, store)
    wait_online(watch)
    replies = watch(["crib/HAM/crib-1/reply"])
    hq = hq_publisher(broker, tmp_path)
    try:
        body = command("blocked-badges", version=3, badges=["0123456", "999"])
        hq.publish("crib/HAM/site/blocked-badges", encode(body), retain=True)
        reply = replies.wait_for(lambda m: json.loads(m.payload)["command"] == body["id"])
        assert json.loads(reply.payload)["status"] == "applied"
        # The next scan's lookup sees it: the list is committed before the reply is sent.
        assert badge_blocked(store, "123456") and badge_blocked(store, "999")
        assert store.one("SELECT blocked FROM badges WHERE normalized = '123456'")["blocked"] == 1
        older = command("blocked-badges", version=2, badges=[])
        hq.publish("crib/HAM/crib-1/cmd/blocked-badges", encode(older))
        reply = replies.wait_for(lambda m: json.loads(m.payload)["command"] == older["id"])
        assert json.loads(reply.payload)["stale"] == 1
        assert badge_blocked(store, "123456")  # an older list never overwrites a newer one
    finally:
        hq.publish("crib/HAM/site/blocked-badges", b"", retain=True)
        hq.stop()
        publisher.stop()
    assert store.one("SELECT count(*) AS n FROM events WHERE type = "
                     "'badges.blocked_list_applied'")["n"] == 1


def test_master_data_is_versioned_idempotent_and_bad_input_keeps_the_link_alive(
        tmp_path, broker, store, watch):
    publisher = start_link(tmp_path, broker.port, store)
    wait_online(watch)
    replies = watch(["crib/HAM/crib-1/reply"])
    hq = hq_publisher(broker, tmp_path)
    topic = "crib/HAM/crib-1/cmd/people"

    def send(body, raw=None):
        seen = len(replies.messages)
        hq.publish(topic, raw if raw is not None else encode(body))
        if raw is not None:
            return json.loads(replies.wait_for(
                lambda m: json.loads(m.payload)["errors"][:1] and "JSON" in
                json.loads(m.payload)["errors"][0]["error"]).payload)
        return json.loads(replies.wait_for(
            lambda m: json.loads(m.payload)["command"] == body["id"], after=seen).payload)

    try:
        assert send(None, raw=b"{not json")["status"] == "rejected"
        new = command("people", items=[{"employee_no": "E900", "name": "[b]Ann\u00e9e[/b]",
                                        "version": 5}])
        assert send(new)["applied"] == 1
        again = send(new)
        assert again["status"] == "duplicate"
        old = command("people", items=[{"employee_no": "E900", "name": "Old", "version": 4},
                                       {"employee_no": "E901", "name": "Evil\x1b[2J",
                                        "version": 1},
                                       {"employee_no": "E902", "name": "Bob", "version": 1}])
        reply = send(old)
        assert (reply["stale"], reply["applied"], reply["status"]) == (1, 1, "partial")
        assert "control characters" in reply["errors"][0]["error"]
    finally:
        hq.stop()
        publisher.stop()
    assert store.one("SELECT name FROM people WHERE employee_no = 'E900'")["name"] == \
        "[b]Ann\u00e9e[/b]"
    assert store.one("SELECT 1 FROM people WHERE employee_no = 'E901'") is None
    assert publisher.error is None and publisher.client.callback_failures == 0
    applied = store.all("SELECT payload FROM events WHERE type = 'master.people.applied'")
    assert len(applied) == 2


def test_several_hq_processes_share_the_events(tmp_path, broker, store):
    settings = kiosk_settings(tmp_path, broker.port)
    consumers = [HqConsumer(tmp_path / "hq.db", mqtt_client(mqtt_options(
        settings, client_id=f"hq-{i}", manual_ack=True,
        subscriptions=HqConsumer.subscriptions("crib", "hq")))) for i in range(2)]
    for consumer in consumers:
        consumer.start()
        assert consumer.client.wait_connected(10)
    wait_until(lambda: all(c.client.generation for c in consumers))
    publisher = start_link(tmp_path, broker.port, store)
    try:
        for n in range(40):
            checkout(store, f"HAM-DR-{n:05}", f"E{n % 3:03}")
        wait_until(lambda: sum(c.received for c in consumers) == 40, what="40 events at HQ")
    finally:
        publisher.stop()
        for consumer in consumers:
            consumer.stop()
    assert all(c.received > 0 for c in consumers), [c.received for c in consumers]
    db = open_hq_db(tmp_path / "hq.db")
    assert where_is(db, "HAM-DR-00004")["holder"] == "E001"
    assert [h["asset"] for h in holdings(db, "E002")][:2] == ["HAM-DR-00002", "HAM-DR-00005"]


def test_callback_exception_never_stops_the_network_thread(broker):
    from drivers.mqtt_client import Acked, CallbackFailed, MqttClient, MqttOptions

    events: queue.Queue = queue.Queue()
    client = MqttClient(MqttOptions("127.0.0.1", broker.port, "boom"), events)

    def exploding(*_args):
        raise RuntimeError("bad day")
    client._client.on_connect = client._guard("on_connect", exploding)
    client.start()
    try:
        failure = events.get(timeout=10)
        assert isinstance(failure, CallbackFailed) and "bad day" in failure.error
        mid = client.publish("crib/test", b"still alive", qos=1)
        ack = events.get(timeout=10)  # only a living network thread can read the PUBACK
        assert isinstance(ack, Acked) and ack.mid == mid and not ack.failed
        assert client.callback_failures == 1
    finally:
        client._client.disconnect()
        client._client.loop_stop()


def test_heartbeat_repeats_with_pending_count_and_last_publish(tmp_path, broker, store, watch):
    status = watch(["crib/HAM/crib-1/status"])
    publisher = outbox_publisher(kiosk_settings(tmp_path, broker.port), store, heartbeat_s=0.2)
    publisher.start()
    try:
        checkout(store, "HAM-DR-00001", "E001")
        beat = status.wait_for(lambda m: json.loads(m.payload).get("last_publish_at")
                               and json.loads(m.payload)["pending"] == 0)
    finally:
        publisher.stop()
    body = json.loads(beat.payload)
    assert (body["state"], body["last_seq"], body["rejected"]) == ("online", 1, 0)
    assert body["software"] and body["oldest_pending_at"] is None
    heartbeats = [m for m in status.messages if "pending" in json.loads(m.payload)]
    assert len(heartbeats) >= 2  # one at connect, then the periodic ones


def test_station_refuses_a_badge_hq_blocked_on_its_very_next_scan(tmp_path, broker, store, watch):
    """The whole path: HQ's retained site-wide list -> kiosk link -> the station's decision."""
    from gpiozero.pins.mock import MockFactory

    from kiosk import bootstrap
    from kiosk.demo import seed as seed_demo
    from kiosk.numbering import parse_scheme
    from kiosk.records import add_badge
    from kiosk.scans import Scan
    from tests.station.conftest import ANNA, station_settings

    seed_demo(store, parse_scheme("{site}-{category}-{yy}{seq:05}{check}", "damm"))
    runtime = bootstrap.build(station_settings(tmp_path), "test", store=store,
                              pin_factory=MockFactory())
    first = runtime.station.scan(runtime.classify(Scan(ANNA, role="badge")))
    assert first.code is None and first.tone == "ok"          # Anna may use the crib
    runtime.station.touch("done", "")
    publisher = start_link(tmp_path, broker.port, store)
    wait_online(watch)
    replies = watch(["crib/HAM/crib-1/reply"])
    hq = hq_publisher(broker, tmp_path)
    try:
        # As the reader prints it; 777777 is a card this kiosk has never seen (yet).
        body = command("blocked-badges", version=1, badges=[ANNA, "777777"])
        hq.publish("crib/HAM/site/blocked-badges", encode(body), retain=True)
        replies.wait_for(lambda m: json.loads(m.payload)["command"] == body["id"])
        refused = runtime.station.scan(runtime.classify(Scan(ANNA, role="badge")))
        runtime.station.touch("done", "")
        add_badge(store, employee_no="E1002", raw="777777")       # registered after the list
        late = runtime.station.scan(runtime.classify(Scan("777777", role="badge")))
    finally:
        hq.publish("crib/HAM/site/blocked-badges", b"", retain=True)
        hq.stop()
        publisher.stop()
        runtime.indicator.close()
    assert (refused.tone, refused.code) == ("denied", "badge-blocked")
    assert (late.tone, late.code) == ("denied", "badge-blocked")


def test_hq_refuses_an_event_whose_body_names_another_kiosk_than_its_topic(
        tmp_path, broker, store):
    """A kiosk whose database came from another one (a copied demo, a restored image) must
    not be filed under that other kiosk: it would hide the real kiosk's gaps."""
    hq = start_hq(tmp_path, broker)
    sender = hq_publisher(broker, tmp_path)
    db = open_hq_db(tmp_path / "hq.db")
    try:
        with store.transaction():
            real = store.record("loan.checked_out", {"x": 1}, actor="E001", asset="HAM-A")
        body = encode(real)
        sender.publish("crib/HAM/crib-demo/events/loan.checked_out", body)   # wrong kiosk
        sender.publish("crib/HAM/crib-1/events/asset.moved", body)          # wrong type
        sender.publish("crib/HAM/crib-1/events/loan.checked_out", body)     # its own topic
        wait_until(lambda: hq.received == 1 and hq.mismatched == 2, what="one kept, two not")
        rows = db.execute("SELECT site, kiosk, seq FROM events").fetchall()
    finally:
        sender.stop()
        hq.stop()
        db.close()
    assert [tuple(r) for r in rows] == [("HAM", "crib-1", 1)]
