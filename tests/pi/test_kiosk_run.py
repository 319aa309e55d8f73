"""`kiosk run`, as the systemd unit starts it: in a terminal, with NOTIFY_SOCKET and a
watchdog, no scanner attached. It must report READY, keep pinging, and stop cleanly on
SIGTERM with exit status 0."""

from __future__ import annotations

import os
import pty
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def test_kiosk_run_reports_ready_pings_the_watchdog_and_stops_on_sigterm(tmp_path: Path):
    config = tmp_path / "kiosk.toml"
    config.write_text(f"""
[kiosk]
site = "HAM"
kiosk_id = "crib-1"
data_dir = "{tmp_path / 'data'}"
[gpio]
pin_factory = "mock"
[printer]
connection = "dummy"
""")
    notify = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify))
    sock.settimeout(60)
    env = {**os.environ, "NOTIFY_SOCKET": str(notify), "WATCHDOG_USEC": "400000",
           "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    env.pop("WATCHDOG_PID", None)
    controller, terminal = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "kiosk", "--config", str(config), "run"],
                             stdin=terminal, stdout=terminal, stderr=terminal, env=env,
                             close_fds=True, start_new_session=True)
    os.close(terminal)
    messages: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
                any("READY=1" in m for m in messages)
                and sum("WATCHDOG=1" in m for m in messages) >= 2):
            drain(controller)          # keep the terminal's buffer from filling up
            try:
                messages.append(sock.recv(4096).decode())
            except TimeoutError:
                break
        child.send_signal(signal.SIGTERM)
        end = time.monotonic() + 30
        while child.poll() is None and time.monotonic() < end:
            drain(controller)
        status = child.wait(5)
    finally:
        if child.poll() is None:
            child.kill()
        sock.close()
        os.close(controller)
    assert any("READY=1" in m for m in messages), messages
    assert sum("WATCHDOG=1" in m for m in messages) >= 2
    assert status == 0


def drain(fd: int) -> None:
    while select.select([fd], [], [], 0.05)[0]:
        try:
            if not os.read(fd, 65536):
                return
        except OSError:
            return
