"""Watchdog against a real NOTIFY_SOCKET datagram socket, as systemd provides it."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.watchdog import Watchdog


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5)
    yield sock, path
    sock.close()


def received(sock: socket.socket) -> list[str]:
    messages = []
    sock.setblocking(False)
    try:
        while True:
            messages.append(sock.recv(4096).decode())
    except BlockingIOError:
        return messages
    finally:
        sock.setblocking(True)


def systemd_env(monkeypatch, **values: str) -> None:
    for key in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
        monkeypatch.delenv(key, raising=False)
    for key, value in values.items():
        monkeypatch.setenv(key, value)


def test_ready_status_and_watchdog_reach_the_socket(notify_socket, monkeypatch):
    sock, path = notify_socket
    systemd_env(monkeypatch, NOTIFY_SOCKET=path, WATCHDOG_USEC="20000000",
                WATCHDOG_PID=str(os.getpid()))
    dog = Watchdog()
    dog.ready("waiting for badge")
    dog.status("printer offline\nESC:\x1b[2J")
    assert dog.tick() is True
    assert received(sock) == ["READY=1\nSTATUS=waiting for badge",
                              "STATUS=printer offline ESC:\\x1b[2J", "WATCHDOG=1"]
    assert dog.enabled and dog.interval_s == 10.0


def test_tick_stops_pinging_when_a_worker_goes_quiet(notify_socket, monkeypatch):
    sock, path = notify_socket
    systemd_env(monkeypatch, NOTIFY_SOCKET=path, WATCHDOG_USEC="2000000")
    now = [100.0]
    dog = Watchdog(heartbeat_max_age_s=5, monotonic=lambda: now[0])
    dog.beat("publisher")
    now[0] += 4
    assert dog.tick() is True
    now[0] += 2
    assert dog.stale() == ["publisher"]
    assert dog.tick() is False
    messages = received(sock)
    assert messages[0] == "WATCHDOG=1"
    assert messages[1].startswith("STATUS=not pinging the watchdog: no heartbeat from publisher")
    assert "WATCHDOG=1" not in messages[1:]
    assert dog.interval_s == 1.0


def test_watchdog_meant_for_another_process_is_ignored(notify_socket, monkeypatch):
    _sock, path = notify_socket
    systemd_env(monkeypatch, NOTIFY_SOCKET=path, WATCHDOG_USEC="2000000",
                WATCHDOG_PID=str(os.getpid() + 1))
    dog = Watchdog()
    assert not dog.enabled


def test_without_systemd_every_call_is_harmless(monkeypatch):
    systemd_env(monkeypatch)
    dog = Watchdog()
    dog.ready()
    dog.status("x")
    assert dog.tick() is True
    assert not dog.enabled
