"""Real mosquitto brokers on free ports, and helpers to watch topics.

`Broker` writes its own mosquitto.conf, can be stopped (SIGTERM), killed (SIGKILL) and started
again on the same port with the same persistence file, like a broker host that reboots.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers.mqtt_client import Message, MqttClient, MqttOptions, Subscribed
from kiosk.config import Settings, parse_settings

MOSQUITTO = "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Broker:
    def __init__(self, folder: Path, *, extra: str = "", listener: str = "") -> None:
        self.folder = folder
        self.port = free_port()
        self.conf = folder / "mosquitto.conf"
        self.log = folder / "mosquitto.log"
        self.proc: subprocess.Popen[bytes] | None = None
        listener = listener or f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
        self.conf.write_text(
            f"{listener}"
            f"persistence true\npersistence_location {folder}/\n"
            "autosave_interval 1\n"
            "max_queued_messages 0\nmax_inflight_messages 0\n"
            # As root, mosquitto would switch to user mosquitto, who cannot read tmp_path.
            f"{'user root' if os.geteuid() == 0 else ''}\n"
            f"log_dest file {self.log}\nlog_type error\nlog_type warning\nlog_type notice\n{extra}")

    def start(self) -> None:
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mosquitto exited: {self.proc.stderr.read().decode()}"
                                   f"{self.log.read_text() if self.log.exists() else ''}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("mosquitto did not start listening")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    folder = tmp_path / "broker"
    folder.mkdir()
    b = Broker(folder)
    b.start()
    yield b
    b.kill()


def kiosk_settings(tmp_path: Path, port: int, **mqtt: Any) -> Settings:
    return parse_settings({
        "kiosk": {"site": "HAM", "kiosk_id": "crib-1", "data_dir": str(tmp_path)},
        "gpio": {"pin_factory": "mock"},
        "mqtt": {"enabled": True, "host": "127.0.0.1", "port": port, "reconnect_min_s": 0.1,
                 "reconnect_max_s": 0.5, "heartbeat_s": 5, **mqtt},
        "hq": {"database": str(tmp_path / "hq.db"), "gap_grace_s": 0.5},
    }, source="test")


class Watcher:
    """A plain subscriber that collects every message on some topics."""

    def __init__(self, port: int, topics: list[str], *, protocol: str = "5",
                 **options: Any) -> None:
        self.queue: queue.Queue[Any] = queue.Queue()
        client_id = options.pop("client_id", f"watch-{time.monotonic_ns()}")
        opts = MqttOptions(host="127.0.0.1", port=port, client_id=client_id,
                           protocol=protocol, reconnect_min_s=0.1, reconnect_max_s=0.5,
                           subscriptions=tuple((t, 1) for t in topics), **options)
        self.client = MqttClient(opts, self.queue)
        self.messages: list[Message] = []
        self.client.start()
        self._await_subscription()

    def _await_subscription(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                item = self.queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if isinstance(item, Subscribed):
                assert not item.refused, "the broker refused the subscription"
                return
            if isinstance(item, Message):
                self.messages.append(item)
        raise AssertionError("subscription not confirmed")

    def wait_for(self, predicate: Any, timeout: float = 20.0, after: int = 0) -> Message:
        """The first matching message, looking only at messages number `after` and later."""
        for message in self.messages[after:]:
            if predicate(message):
                return message
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                item = self.queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if isinstance(item, Message):
                self.messages.append(item)
                if predicate(item):
                    return item
        raise AssertionError(f"no matching message; saw {[m.topic for m in self.messages]}")

    def close(self) -> None:
        self.client.stop()


@pytest.fixture
def watch(broker: Broker) -> Iterator[Any]:
    watchers: list[Watcher] = []

    def make(topics: list[str], **options: Any) -> Watcher:
        watcher = Watcher(broker.port, topics, **options)
        watchers.append(watcher)
        return watcher
    yield make
    for watcher in watchers:
        watcher.close()
