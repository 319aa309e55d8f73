"""MQTT link benchmark: outbox drain vs plain paho QoS 1, and idle commit-to-PUBACK latency.

    .venv/bin/python bench/mqtt.py [--events 5000] [--inflight 100] [--idle 200]

Starts its own mosquitto on a free port. Prints figures; asserts nothing (goals: drain/paho
ratio >= 0.8, drain >= 2,000 events/s, idle p99 <= 20 ms).
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from kiosk.config import parse_settings
from kiosk.link import outbox_publisher
from kiosk.store import Identity, Store


def start_broker(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    conf = folder / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\n"
                    "max_queued_messages 0\nmax_inflight_messages 0\n")
    proc = subprocess.Popen(["/usr/sbin/mosquitto", "-c", str(conf)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.02)
    raise SystemExit("mosquitto did not start")


def fill_outbox(store: Store, count: int) -> list[tuple[str, bytes]]:
    with store.transaction():
        for n in range(count):
            store.record("loan.checked_out", {"holder": f"E{n % 50:03}", "due_at":
                                               "2026-12-10T09:00:00"},
                         actor=f"E{n % 50:03}", asset=f"HAM-DR-{n:05}")
    return [(t, b.encode()) for t, b in store.db.execute(
        "SELECT topic, body FROM outbox ORDER BY seq").fetchall()]


def plain_paho(port: int, messages: list[tuple[str, bytes]], inflight: int) -> float:
    done = threading.Event()
    acked = [0]

    def on_publish(*_args: object) -> None:
        acked[0] += 1
        if acked[0] == len(messages):
            done.set()
    connected = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-plain",
                         protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(inflight)
    client.on_publish = on_publish
    client.on_connect = lambda *_a: connected.set()
    start = time.perf_counter()
    client.connect("127.0.0.1", port)
    client.loop_start()
    connected.wait(10)
    for topic, body in messages:
        client.publish(topic, body, qos=1)
    done.wait(120)
    elapsed = time.perf_counter() - start
    client.disconnect()
    client.loop_stop()
    return len(messages) / elapsed


def settings_for(folder: Path, port: int, inflight: int) -> object:
    return parse_settings({"kiosk": {"site": "HAM", "kiosk_id": "crib-1",
                                     "data_dir": str(folder)},
                           "mqtt": {"enabled": True, "host": "127.0.0.1", "port": port,
                                    "inflight": inflight, "heartbeat_s": 3600}})


def outbox_drain(folder: Path, port: int, store: Store, count: int, inflight: int) -> float:
    done = threading.Event()
    publisher = outbox_publisher(settings_for(folder, port, inflight), store,
                                 on_delivered=lambda _ids: None)
    publisher.on_delivered = lambda _ids: done.set() if publisher.delivered >= count else None
    start = time.perf_counter()
    publisher.start()
    done.wait(120)
    elapsed = time.perf_counter() - start
    publisher.stop()
    return count / elapsed


def idle_latency(folder: Path, port: int, store: Store, samples: int) -> list[float]:
    delivered: dict[str, float] = {}
    arrived = threading.Event()

    def on_delivered(ids: list[str]) -> None:
        now = time.perf_counter()
        for event_id in ids:
            delivered[event_id] = now
        arrived.set()
    publisher = outbox_publisher(settings_for(folder, port, 20), store, on_delivered=on_delivered)
    publisher.start()
    time.sleep(0.5)  # connected and idle
    latencies = []
    for n in range(samples):
        arrived.clear()
        with store.transaction():
            event = store.record("loan.returned", {"n": n}, actor="E001", asset="HAM-DR-00001")
        committed = time.perf_counter()
        arrived.wait(5)
        latencies.append((delivered[event["id"]] - committed) * 1000)
        time.sleep(random.uniform(0.005, 0.03))  # idle between scans
    publisher.stop()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--inflight", type=int, default=100)
    parser.add_argument("--idle", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs; medians shown")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        broker, port = start_broker(folder)
        try:
            store = Store(folder / "kiosk.db", Identity("HAM", "crib-1"))
            paho_rates, drain_rates = [], []
            for _ in range(args.rounds):  # alternate, so machine noise hits both alike
                messages = fill_outbox(store, args.events)
                paho_rates.append(plain_paho(port, messages, args.inflight))
                drain_rates.append(outbox_drain(folder, port, store, args.events,
                                                args.inflight))
            paho_rate, drain_rate = statistics.median(paho_rates), statistics.median(drain_rates)
            latencies = sorted(idle_latency(folder, port, store, args.idle))
        finally:
            broker.kill()
            broker.wait()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"events: {args.events}, in flight: {args.inflight}, QoS 1, mosquitto on loopback, "
          f"median of {args.rounds} alternating rounds")
    print(f"plain paho QoS 1 publish:  {paho_rate:8.0f} events/s")
    print(f"outbox drain (SQLite):     {drain_rate:8.0f} events/s")
    print(f"ratio drain / plain paho:  {drain_rate / paho_rate:8.2f}")
    print(f"idle commit -> PUBACK ({len(latencies)} events, poll 10 ms): "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms")


if __name__ == "__main__":
    main()
