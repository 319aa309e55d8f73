"""Wiring of the HQ link: the only module in `kiosk` that reaches the MQTT driver, lazily.

Here: the MQTT link (outbox publisher + HQ commands) and the HQ consumer's client.
"""

from __future__ import annotations

import queue
from pathlib import Path
from typing import Any

from kiosk.config import Settings
from kiosk.errors import ConfigError, KioskError
from kiosk.hq_sync import command_topics, handle_command
from kiosk.link_status import encode, status_payload, status_topic
from kiosk.outbox import OutboxPublisher, PublisherOptions
from kiosk.store import Store


def read_secret(path: str) -> str:
    """The password from its file; the error names the file, never the content."""
    if not path:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError([f"mqtt.password_file: cannot read {path} ({exc.strerror})"]) from None


def mask(text: str, *secrets: str) -> str:
    """Replace every secret in an error text or log line by ***."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def mqtt_options(settings: Settings, *, client_id: str, status: str = "",
                 online: bytes = b"", offline: bytes = b"",
                 subscriptions: tuple[tuple[str, int], ...] = (),
                 manual_ack: bool = False) -> Any:
    from drivers.mqtt_client import MqttOptions

    m = settings.mqtt
    return MqttOptions(
        host=m.host, port=m.port, client_id=client_id, protocol=m.protocol,
        username=m.username, password=read_secret(m.password_file), tls=m.tls,
        ca_file=m.ca_file, cert_file=m.cert_file, key_file=m.key_file,
        keepalive_s=m.keepalive_s, reconnect_min_s=m.reconnect_min_s,
        reconnect_max_s=m.reconnect_max_s, session_expiry_s=m.session_expiry_s,
        max_inflight=m.inflight, max_queued=max(m.max_queued, 5 * m.inflight + 10),
        status_topic=status, online_payload=online, offline_payload=offline,
        subscriptions=subscriptions, manual_ack=manual_ack)


def mqtt_client(options: Any) -> Any:
    from drivers.mqtt_client import MqttClient, MqttSetupError

    try:
        return MqttClient(options, queue.SimpleQueue())  # C-implemented: cheap per PUBACK
    except MqttSetupError as exc:
        raise KioskError(mask(str(exc), options.password)) from None


def outbox_publisher(settings: Settings, store: Store, *, heartbeat_s: float | None = None,
                     **kwargs: Any) -> OutboxPublisher:
    """The kiosk's link to HQ: outbox drain, heartbeat, Last Will and HQ commands.
    `heartbeat_s` overrides the configured interval (tests, benches)."""
    ident = store.identity
    client_id = settings.mqtt.client_id or f"{ident.site}-{ident.kiosk}"
    options = mqtt_options(
        settings, client_id=client_id, status=status_topic(ident.topic_prefix, ident.site,
                                                           ident.kiosk),
        online=encode({**status_payload(store, "offline"), "state": "online"}),
        offline=encode(status_payload(store, "offline")),
        subscriptions=tuple(command_topics(ident.topic_prefix, ident.site, ident.kiosk)),
        manual_ack=True)
    publisher_options = PublisherOptions(inflight=settings.mqtt.inflight,
                                         heartbeat_s=heartbeat_s or settings.mqtt.heartbeat_s,
                                         poll_s=settings.mqtt.poll_ms / 1000,
                                         reconnect_min_s=settings.mqtt.reconnect_min_s,
                                         reconnect_max_s=settings.mqtt.reconnect_max_s)
    return OutboxPublisher(store, mqtt_client(options), publisher_options,
                           command_handler=handle_command, **kwargs)
