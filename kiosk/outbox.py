"""Outbox publisher: the SQLite outbox is the truth, paho is only a transmit buffer.

One thread owns the MQTT client and its own database connection. It
- hands outbox rows to paho in seq order at QoS 1, at most `inflight` at a time, and only while
  connected (paho queues a publish made offline and sends it later anyway, MQTT-02);
- deletes a row only when its PUBACK carries no failure reason code (MQTT-10); a refused row
  stays and is retried after `retry_after_s`;
- after every (re)connect and every restart hands over *all* unacknowledged rows again: paho's
  in-memory session is never trusted (MQTT-03). Duplicates are possible; HQ deduplicates by id;
- publishes a retained heartbeat on `{prefix}/{site}/{kiosk}/status`;
- applies HQ commands it receives through a handler (kiosk.hq_sync) and publishes the reply.

Row deletes use `synchronous=NORMAL` on this connection only: a delete lost in a power cut
means one resend, which HQ absorbs; the events themselves are committed with FULL.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from kiosk.clock import iso
from kiosk.link_status import encode, status_payload, status_topic
from kiosk.store import Store

log = logging.getLogger(__name__)

DELETE_DELAY_S = 0.02  # acknowledged rows are deleted in batches at most this late
# paho keeps `inflight` messages on the wire (max_inflight_messages) and queues the rest of what
# it was handed; handing it a few windows' worth keeps the wire busy between our refills.
HANDOVER_FACTOR = 4
BATCH_PAUSE_S = 0.002
POISON_DROPS = 3  # lost connections with the same oldest row in flight before it is set aside
STABLE_S = 30.0  # a connection that lived this long resets the reconnect back-off
# (store, topic, payload) -> messages to publish: [(topic, body dict)]
CommandHandler = Callable[[Store, str, bytes], list[tuple[str, dict[str, Any]]]]


class MqttPort(Protocol):
    """What the publisher needs from drivers.mqtt_client.MqttClient."""

    events: queue.Queue[Any]
    generation: int
    incarnation: int

    @property
    def connected(self) -> bool: ...
    def start(self) -> None: ...
    def publish(self, topic: str, payload: bytes, *, qos: int = 1,
                retain: bool = False) -> int | None: ...
    def ack(self, mid: int, qos: int, generation: int) -> None: ...
    def stop(self, timeout: float = 2.0) -> None: ...
    def discard(self) -> None: ...
    def renew(self) -> None: ...


@dataclass(frozen=True)
class PublisherOptions:
    inflight: int = 20
    heartbeat_s: float = 60.0
    poll_s: float = 0.01  # how often another process's commits are noticed
    retry_after_s: float = 30.0  # a row the broker refused is offered again after this
    reconnect_min_s: float = 1.0  # after a lost connection: first wait, doubling ...
    reconnect_max_s: float = 30.0  # ... up to this


class OutboxPublisher:
    """Drains the outbox over `client`; run with start()/stop() or run_forever()."""

    def __init__(self, source: Store, client: MqttPort, options: PublisherOptions | None = None,
                 *, command_handler: CommandHandler | None = None,
                 on_delivered: Callable[[list[str]], None] | None = None) -> None:
        self.source = source
        self.client = client
        self.options = options or PublisherOptions()
        self.command_handler = command_handler
        self.on_delivered = on_delivered
        ident = source.identity
        self.status_topic = status_topic(ident.topic_prefix, ident.site, ident.kiosk)
        self.delivered = 0
        self.refused: dict[str, float] = {}  # event_id -> when it may be offered again
        self.last_refusal = ""
        self._handed: dict[str, int] = {}  # event id -> seq, given to this paho client
        self._drops: dict[str, int] = {}  # oldest row in flight -> connections lost meanwhile
        self._mids: dict[tuple[int, int], str] = {}  # (client incarnation, mid) -> event id
        self._renew_at = 0.0  # when to connect again with a fresh paho client
        self._backoff = self.options.reconnect_min_s
        self._connected_at = 0.0
        self._cursor = 0  # highest seq handed over on this connection
        self._exhausted = False
        self._to_delete: list[str] = []
        self._delete_due = 0.0
        self._data_version = -1
        self._connected = False
        self._next_heartbeat = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="outbox", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.client.events.put(None)  # wake the loop
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Tell the publisher a commit happened (same process): no waiting for the poll."""
        self.client.events.put(None)

    def run_forever(self) -> None:
        store = self.source.another()
        store.db.execute("PRAGMA synchronous=NORMAL")
        self.client.start()
        try:
            while not self._stop.is_set():
                try:
                    self._step(store)
                except sqlite3.OperationalError as exc:  # locked or disk trouble: retry
                    log.error("outbox publisher: database problem (%s); retrying", exc)
                    self._stop.wait(1.0)
        except BaseException as exc:
            self.error = exc
            log.exception("outbox publisher stopped by an error")
            raise
        finally:
            self.client.stop()
            self._collect_late_acks()
            if self._to_delete:
                self._delete(store)
            store.close()

    def _collect_late_acks(self) -> None:
        """PUBACKs that arrived while stopping still count: fewer resends after a restart."""
        late: list[str] = []
        while True:
            try:
                event = self.client.events.get_nowait()
            except queue.Empty:
                break
            if type(event).__name__ == "Acked":
                self._on_ack(event, late)
        self._to_delete.extend(late)

    def _step(self, store: Store) -> None:
        delivered = self._handle_events(store)
        if delivered:
            if not self._to_delete:
                self._delete_due = time.monotonic() + DELETE_DELAY_S
            self._to_delete.extend(delivered)
            self.delivered += len(delivered)
            if self.on_delivered is not None:
                self.on_delivered(delivered)
        if self._to_delete and (len(self._to_delete) >= self.options.inflight
                                or time.monotonic() >= self._delete_due):
            self._delete(store)
        if self._renew_at and time.monotonic() >= self._renew_at:
            self._renew_at = 0.0
            self.client.renew()
        if self._connected:
            self._offer_due_refusals()
            self._fill_window(store)
            if time.monotonic() >= self._next_heartbeat:
                self._publish_status(store)

    # -- events from the network thread -----------------------------------------------------

    def _handle_events(self, store: Store) -> list[str]:
        delivered: list[str] = []
        try:
            event = self.client.events.get(timeout=self.options.poll_s)
        except queue.Empty:
            return delivered
        if len(self._handed) > self.options.inflight:
            # paho holds more than a window: let its thread gather acks while we sleep rather
            # than waking once per PUBACK (each wake-up costs a GIL hand-over).
            time.sleep(BATCH_PAUSE_S)
        while True:
            self._handle_one(store, event, delivered)
            try:
                event = self.client.events.get_nowait()
            except queue.Empty:
                return delivered

    def _handle_one(self, store: Store, event: Any, delivered: list[str]) -> None:
        kind = type(event).__name__
        if kind == "Acked":
            self._on_ack(event, delivered)
        elif kind == "Connected":
            self._on_connected(store)
        elif kind == "Disconnected":
            log.warning("MQTT link lost (%s); events wait in the outbox", event.reason)
            self._on_disconnected()
        elif kind == "ConnectRefused":
            log.warning("MQTT broker not available: %s", event.reason)
        elif kind == "Message":
            self._on_message(store, event)
        elif kind == "Subscribed" and event.refused:
            log.error("the broker refused the HQ command subscription; check the topic ACL")
        elif kind == "CallbackFailed":
            log.error("MQTT callback %s failed: %s", event.where, event.error)

    def _on_connected(self, store: Store) -> None:
        if self._to_delete:  # delivered rows must not be offered again below
            self._delete(store)
        self._connected = True
        self._connected_at = time.monotonic()
        # Resend everything unacknowledged: start again from the first row.
        self._handed.clear()
        self._cursor = 0
        self._exhausted = False
        self._next_heartbeat = 0.0

    def _on_disconnected(self) -> None:
        """Throw paho's client away with whatever it still holds and connect afresh later:
        only the outbox decides what is sent again (paho would otherwise resend its own copies,
        and a message the broker answers by dropping the connection would come back forever)."""
        was_connected, self._connected = self._connected, False
        self._suspect_oldest_in_flight()
        self.client.discard()
        self._handed.clear()
        self._mids.clear()
        now = time.monotonic()
        if was_connected and now - self._connected_at >= STABLE_S:
            self._backoff = self.options.reconnect_min_s
        self._renew_at = now + self._backoff
        self._backoff = min(self._backoff * 2, self.options.reconnect_max_s)

    def _suspect_oldest_in_flight(self) -> None:
        """mosquitto may drop the connection instead of (or right after) refusing a publish its
        ACL denies. Resending everything would then hit the same row first on every connection
        and block the drain: after POISON_DROPS lost connections with the same oldest row in
        flight, that row is set aside like a refused one (kept, offered again later)."""
        if not self._handed:
            return
        oldest = min(self._handed, key=self._handed.__getitem__)
        self._drops[oldest] = self._drops.get(oldest, 0) + 1
        if self._drops[oldest] >= POISON_DROPS:
            del self._drops[oldest]
            self.refused[oldest] = time.monotonic() + self.options.retry_after_s
            self.last_refusal = "connection lost each time it was sent"
            log.error("event %s was in flight in %d lost connections; kept, retried in %.0f s",
                      oldest, POISON_DROPS, self.options.retry_after_s)

    def _on_ack(self, event: Any, delivered: list[str]) -> None:
        event_id = self._mids.pop((event.incarnation, event.mid), None)
        if event_id is None:
            return  # a status or reply message, or an ack from a discarded client
        self._handed.pop(event_id, None)
        self._drops.pop(event_id, None)
        if event.failed:
            self.refused[event_id] = time.monotonic() + self.options.retry_after_s
            self.last_refusal = event.reason
            log.error("broker refused event %s (%s); kept, retried in %.0f s", event_id,
                      event.reason, self.options.retry_after_s)
        else:
            self.refused.pop(event_id, None)
            delivered.append(event_id)

    def _on_message(self, store: Store, event: Any) -> None:
        replies: list[tuple[str, dict[str, Any]]] = []
        if self.command_handler is not None:
            try:
                replies = self.command_handler(store, event.topic, event.payload)
            except Exception:  # noqa: BLE001 - e.g. database locked: must not stop publishing
                # Not acknowledged: the broker delivers it again after the next reconnect.
                log.exception("HQ command on %s could not be handled", event.topic)
                return
        for topic, body in replies:
            if self._connected:
                self.client.publish(topic, encode(body), qos=1)
        self.client.ack(event.mid, event.qos, event.generation)
        self._cursor = 0  # a command may have queued rows again (resend)
        self._exhausted = False

    # -- outbox -> paho ----------------------------------------------------------------------

    def _delete(self, store: Store) -> None:
        """Delete acknowledged rows, many per transaction (SD wear, speed)."""
        event_ids, self._to_delete = self._to_delete, []
        with store.transaction():
            store.db.conn.executemany("DELETE FROM outbox WHERE event_id = ?",
                                      [(e,) for e in event_ids])
            store.db.execute(
                "INSERT INTO sync_state(name, value, updated_at) VALUES ('last_publish_at', ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at", [iso(store.clock.now())] * 2)

    def _offer_due_refusals(self) -> None:
        now = time.monotonic()
        due = [e for e, when in self.refused.items() if when <= now]
        for event_id in due:
            del self.refused[event_id]
        if due:
            self._cursor = 0
            self._exhausted = False

    def _fill_window(self, store: Store) -> None:
        window = self.options.inflight * HANDOVER_FACTOR
        room = window - len(self._handed)
        if room < max(1, window // 4):
            return  # refill in batches: one query hands over many rows
        version = store.db.execute("PRAGMA data_version").fetchone()[0]
        if self._exhausted and version == self._data_version:
            return  # nothing committed since the outbox was last read to its end
        self._data_version = version
        skip = len(self._handed) + len(self.refused) if self._cursor == 0 else len(self.refused)
        rows = store.db.execute(
            "SELECT event_id, seq, topic, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
            [self._cursor, room + skip]).fetchall()
        self._exhausted = len(rows) < room + skip
        for event_id, seq, topic, body in rows:
            if event_id in self.refused:
                continue  # offered again when its retry time comes (cursor reset)
            if event_id in self._handed:
                self._cursor = max(self._cursor, seq)
                continue
            if room <= 0:
                self._exhausted = False
                break
            mid = self.client.publish(topic, body.encode(), qos=1)
            if mid is None:  # paho's bounded queue is full: try again on the next ack
                self._exhausted = False
                break
            self._handed[event_id] = seq
            self._mids[(self.client.incarnation, mid)] = event_id
            self._cursor = max(self._cursor, seq)
            room -= 1

    def _publish_status(self, store: Store) -> None:
        body = status_payload(store, "online", rejected=len(self.refused))
        self.client.publish(self.status_topic, encode(body), qos=1, retain=True)
        self._next_heartbeat = time.monotonic() + self.options.heartbeat_s
