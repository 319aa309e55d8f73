"""The HQ side of the crash trials: a real mosquitto, the outbox publisher, a subscriber.

With a link, each trial also forks a publisher process (`kiosk publish`'s publisher: the
outbox drained over paho at QoS 1, rows deleted after PUBACK) that is killed with the station.
"Acknowledged" then means: the row left the outbox. After every kill each acknowledged event
must reach the subscriber (awaited, up to `DELIVERY_WAIT_S`); the rest must still be queued.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt

MOSQUITTO = "/usr/sbin/mosquitto"
DELIVERY_WAIT_S = 15.0
TOPICS = "crib/HAM/crib-1/events/#"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Broker:
    """mosquitto on a free loopback port; no queue limit (a full queue would drop, R2)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        conf = folder / "mosquitto.conf"
        conf.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
                        "max_queued_messages 0\nmax_inflight_messages 0\n"
                        f"{'user root' if os.geteuid() == 0 else ''}\n"
                        f"log_dest file {folder / 'mosquitto.log'}\n")
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("mosquitto did not start") from None
                time.sleep(0.02)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(10)


class Receiver:
    """HQ stand-in: a QoS 1 subscriber that remembers every event id it was sent."""

    def __init__(self, port: int) -> None:
        self.ids: set[str] = set()
        self.messages = 0
        self.changed = threading.Condition()
        subscribed = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="trial-hq")
        self.client.on_connect = lambda c, *_: c.subscribe(TOPICS, qos=1)
        self.client.on_subscribe = lambda *_: subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        if not subscribed.wait(10):
            raise RuntimeError("the trial subscriber could not subscribe")

    def _on_message(self, _client: object, _userdata: object, message: mqtt.MQTTMessage) -> None:
        event_id = json.loads(message.payload)["id"]
        with self.changed:
            self.messages += 1
            self.ids.add(event_id)
            self.changed.notify_all()

    def missing(self, ids: set[str], timeout: float = DELIVERY_WAIT_S) -> set[str]:
        """Which of `ids` have not arrived once they all did or `timeout` passed."""
        with self.changed:
            self.changed.wait_for(lambda: ids <= self.ids, timeout)
            return ids - self.ids

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def publisher_main(workdir: Path, port: int) -> None:
    """In a forked process: drain the outbox until killed."""
    from bench.reliability_world import open_store, settings_for
    from kiosk import link

    settings = settings_for(workdir, mqtt={"enabled": True, "port": port,
                                           "host": "127.0.0.1", "reconnect_min_s": 0.1,
                                           "reconnect_max_s": 0.5})
    store = open_store(settings)
    link.outbox_publisher(settings, store, heartbeat_s=3600).run_forever()
