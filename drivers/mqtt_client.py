"""A thin paho-mqtt 2.x adapter: one connection, everything it hears goes to a queue.

Rules from the paho pitfalls (see docs/mqtt.md):
- CallbackAPIVersion.VERSION2 always (2.1+ silently falls back to VERSION1 otherwise).
- connect_async() + loop_start(): a missing broker at boot never raises; paho reconnects with
  reconnect_delay_set(min, max).
- The Last Will (`offline`, retained) is set before connecting; a retained `online` status is
  published in *every* on_connect; a clean stop publishes `offline` itself.
- Callbacks only put plain events on the caller's queue and are wrapped, so an exception can
  never end the network thread (plus `suppress_exceptions` as a second net).
- TLS verifies the server (CA file, hostname); `tls_insecure_set` is never called.

The caller owns every other paho call (publish, ack) from a single thread.
"""

from __future__ import annotations

import collections
import logging
import queue
import ssl
import threading
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

log = logging.getLogger(__name__)
paho_log = logging.getLogger(__name__ + ".paho")
# paho logs this at ERROR on every loop turn while it waits to reconnect; it is not an error.
paho_log.addFilter(lambda record: not str(record.msg).startswith("Client is not connected"))


class MqttSetupError(Exception):
    """The client cannot be set up (bad TLS files, bad options); the text names the cause."""


@dataclass(frozen=True)
class MqttOptions:
    host: str
    port: int
    client_id: str
    protocol: str = "5"
    username: str = ""
    password: str = field(default="", repr=False)  # never printed
    tls: bool = False
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    keepalive_s: int = 30
    reconnect_min_s: float = 1.0
    reconnect_max_s: float = 30.0
    session_expiry_s: int = 0  # 0 = a clean session at every connect
    max_inflight: int = 20
    max_queued: int = 1000
    status_topic: str = ""
    online_payload: bytes = b""
    offline_payload: bytes = b""
    subscriptions: tuple[tuple[str, int], ...] = ()
    manual_ack: bool = False


# -- what the network thread reports; plain data only (tuples: cheap to make per PUBACK) --

class Connected(NamedTuple):
    generation: int
    session_present: bool


class ConnectRefused(NamedTuple):
    reason: str


class Disconnected(NamedTuple):
    reason: str


class Acked(NamedTuple):
    mid: int
    failed: bool
    reason: str
    incarnation: int  # which paho client object; mids of a discarded one mean nothing


class Message(NamedTuple):
    topic: str
    payload: bytes
    mid: int
    qos: int
    retain: bool
    generation: int


class Subscribed(NamedTuple):
    generation: int
    refused: bool


class CallbackFailed(NamedTuple):
    where: str
    error: str


class MqttClient:
    """One broker connection. `events` receives Connected/Disconnected/Acked/Message/..."""

    def __init__(self, options: MqttOptions, events: queue.Queue[Any] | queue.SimpleQueue[Any]
                 ) -> None:
        self.options = options
        self.events = events
        self.generation = 0  # connections so far (received mids are per connection)
        self.incarnation = 0  # paho client objects so far (see renew())
        self.callback_failures = 0
        self._connected = threading.Event()
        self._waiting: dict[int, threading.Event] = {}
        # Recent acks, for stop(): the PUBACK can beat publish()'s return (MQTT-09).
        self._recent_acks: collections.deque[int] = collections.deque(maxlen=256)
        self._client = self._build()

    # -- set-up ----------------------------------------------------------------------------

    def _build(self) -> mqtt.Client:
        opts = self.options
        v5 = opts.protocol == "5"
        persistent = opts.session_expiry_s > 0
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=opts.client_id,
            protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
            clean_session=None if v5 else not persistent, manual_ack=opts.manual_ack)
        client.suppress_exceptions = True  # second net; our wrappers are the first
        client.enable_logger(paho_log)
        client.reconnect_delay_set(opts.reconnect_min_s, opts.reconnect_max_s)  # type: ignore[arg-type]
        client.max_inflight_messages_set(opts.max_inflight)
        client.max_queued_messages_set(opts.max_queued)
        if opts.username:
            client.username_pw_set(opts.username, opts.password or None)
        if opts.tls:
            self._set_tls(client)
        if opts.status_topic:
            client.will_set(opts.status_topic, opts.offline_payload, qos=1, retain=True)
        client.on_connect = self._guard("on_connect", self._on_connect)
        client.on_connect_fail = self._guard("on_connect_fail", self._on_connect_fail)
        client.on_disconnect = self._guard("on_disconnect", self._on_disconnect)
        client.on_publish = self._guard("on_publish", self._on_publish)
        client.on_message = self._guard("on_message", self._on_message)
        client.on_subscribe = self._guard("on_subscribe", self._on_subscribe)
        return client

    def _set_tls(self, client: mqtt.Client) -> None:
        opts = self.options
        try:
            client.tls_set(ca_certs=opts.ca_file or None, certfile=opts.cert_file or None,
                           keyfile=opts.key_file or None, cert_reqs=ssl.CERT_REQUIRED,
                           tls_version=ssl.PROTOCOL_TLS_CLIENT)
        except (OSError, ssl.SSLError, ValueError) as exc:
            raise MqttSetupError(f"TLS set-up failed ({type(exc).__name__}: {exc}); check "
                                 "mqtt.ca_file, mqtt.cert_file and mqtt.key_file") from None

    def _connect_properties(self) -> Properties | None:
        if self.options.protocol != "5" or self.options.session_expiry_s <= 0:
            return None
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = self.options.session_expiry_s
        return props

    def _guard(self, where: str, func: Any) -> Any:
        """Wrap a callback: log and report an exception instead of ending the network thread."""
        def guarded(*args: Any) -> None:
            try:
                func(*args)
            except Exception as exc:  # noqa: BLE001 - must never escape into paho's thread
                self.callback_failures += 1
                log.exception("MQTT callback %s failed", where)
                self.events.put(CallbackFailed(where, f"{type(exc).__name__}: {exc}"))
        return guarded

    # -- callbacks (network thread): only enqueue ------------------------------------------

    def _on_connect(self, client: mqtt.Client, _userdata: Any, flags: Any, reason_code: Any,
                    _properties: Any) -> None:
        if reason_code.is_failure:
            self.events.put(ConnectRefused(str(reason_code)))
            return
        self.generation += 1
        self._connected.set()
        if self.options.subscriptions:
            client.subscribe(list(self.options.subscriptions))
        if self.options.status_topic and self.options.online_payload:
            client.publish(self.options.status_topic, self.options.online_payload, qos=1,
                           retain=True)
        self.events.put(Connected(self.generation, bool(flags.session_present)))

    def _on_connect_fail(self, _client: mqtt.Client, _userdata: Any) -> None:
        self.events.put(ConnectRefused("cannot reach the broker (network, TLS or clock)"))

    def _on_disconnect(self, _client: mqtt.Client, _userdata: Any, _flags: Any,
                       reason_code: Any, _properties: Any) -> None:
        self._connected.clear()
        self.events.put(Disconnected(str(reason_code)))

    def _on_publish(self, _client: mqtt.Client, _userdata: Any, mid: int, reason_code: Any,
                    _properties: Any) -> None:
        self._recent_acks.append(mid)
        waiter = self._waiting.pop(mid, None)
        if waiter is not None:
            waiter.set()
        failed = bool(reason_code.is_failure)  # the hot path: name the code only on failure
        self.events.put(Acked(mid, failed, str(reason_code) if failed else "", self.incarnation))

    def _on_subscribe(self, _client: mqtt.Client, _userdata: Any, _mid: int,
                      reason_codes: Any, _properties: Any) -> None:
        refused = any(rc.is_failure for rc in reason_codes)
        self.events.put(Subscribed(self.generation, refused))

    def _on_message(self, _client: mqtt.Client, _userdata: Any, msg: mqtt.MQTTMessage) -> None:
        self.events.put(Message(msg.topic, bytes(msg.payload), msg.mid, msg.qos,
                                bool(msg.retain), self.generation))

    # -- verbs (one owner thread) ----------------------------------------------------------

    def start(self) -> None:
        """Connect in the background; never raises because the broker is away."""
        opts = self.options
        kwargs: dict[str, Any] = {"keepalive": opts.keepalive_s}
        if opts.protocol == "5":
            kwargs["clean_start"] = opts.session_expiry_s <= 0
            kwargs["properties"] = self._connect_properties()
        self._client.connect_async(opts.host, opts.port, **kwargs)
        self._client.loop_start()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def publish(self, topic: str, payload: bytes, *, qos: int = 1,
                retain: bool = False) -> int | None:
        """Hand one message to paho; the mid, or None when paho's bounded queue is full."""
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        # MQTT_ERR_NO_CONN still queues the message (it goes out after reconnect): keep the mid.
        if info.rc == MQTTErrorCode.MQTT_ERR_QUEUE_SIZE:
            return None
        return info.mid

    def ack(self, mid: int, qos: int, generation: int) -> None:
        """Acknowledge a received message (manual_ack); mids are only valid per connection."""
        if qos > 0 and generation == self.generation and self.connected:
            self._client.ack(mid, qos)

    def stop(self, timeout: float = 2.0) -> None:
        """Publish the retained `offline`, disconnect cleanly and end the network thread."""
        if self.connected and self.options.status_topic:
            done = threading.Event()
            info = self._client.publish(self.options.status_topic, self.options.offline_payload,
                                        qos=1, retain=True)
            self._waiting[info.mid] = done
            if info.mid not in self._recent_acks:
                done.wait(timeout)
        if self.connected:
            self._client.disconnect()
        self._client.loop_stop()

    def discard(self) -> None:
        """Stop the network thread and forget paho's client with everything it still holds
        (its in-memory queue is never trusted: the caller resends from its own store)."""
        self._client.loop_stop()
        sock = self._client.socket()
        if sock is not None:
            sock.close()
        self._connected.clear()

    def renew(self) -> None:
        """A fresh paho client (same options, same session id) that connects in the background."""
        self.discard()
        self.incarnation += 1
        self._client = self._build()
        self.start()
