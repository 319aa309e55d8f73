"""Run the real `kiosk demo` in a pseudo-terminal, feed it hostile data, capture every byte.

The demo database is prepared first with workers whose names are escape payloads (as a CSV
import or HQ could deliver them). Then, through the terminal, like a person at the keyboard:
their badges are typed on the simulated scanner line, F4 sends the app's hostile samples (ESC
sequences, markup, a 10,000-character flood), markup is typed, and payloads with raw control
characters arrive as bracketed paste. Finally a normal badge must still be greeted.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

from bench.hostile import ESCAPES, escaped_bytes
from bench.reliability_world import open_store, seed_crib, settings_for

COLS, ROWS = 120, 40


@dataclass
class PtyResult:
    capture: bytes
    alive: bool              # still running when we stopped it (it never crashed or quit)
    answered_after: bool     # greeted a normal badge after all the hostile input
    escaped: list[bytes]     # forbidden escape sequences found in the capture
    payloads: int


def prepare(folder: Path) -> list[str]:
    """Seed the demo database with hostile names; returns the workers' badges."""
    settings = settings_for(folder)
    names = {f"W{i:03d}": f"{payload}Evil {i}" for i, (payload, _) in enumerate(ESCAPES[:5])}
    store = open_store(settings)
    crib = seed_crib(store, settings, names=names)
    store.close()
    return crib.badges


class Terminal:
    def __init__(self, argv: list[str], cwd: Path) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLS),
               "LINES": str(ROWS)}
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd,
                                     env=env, start_new_session=True)
        os.close(slave)
        self.capture = bytearray()

    def read_until(self, needle: bytes, timeout: float, start: int = 0) -> bool:
        deadline = time.monotonic() + timeout
        while needle not in self.capture[start:]:
            left = deadline - time.monotonic()
            if left <= 0 or not self.pump(min(left, 0.2)):
                return needle in self.capture[start:]
        return True

    def pump(self, wait: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], wait)
        if ready:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return False
            self.capture += chunk
        return self.proc.poll() is None

    def type(self, data: bytes) -> None:
        os.write(self.master, data)
        self.pump(0.05)

    def stop(self) -> bool:
        alive = self.proc.poll() is None
        if alive:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        os.close(self.master)
        return alive


def scan_line(term: Terminal, text: str, expect: bytes, timeout: float = 20.0) -> bool:
    start = len(term.capture)
    term.type(text.encode() + b"\r")
    return term.read_until(expect, timeout, start)


def run(folder: Path, extra_payloads: list[str], timeout: float = 60.0) -> PtyResult:
    badges = prepare(folder)
    argv = [sys.executable, "-m", "kiosk", "demo", "--data-dir", str(folder)]
    term = Terminal(argv, folder)
    try:
        term.read_until(b"Simulated", timeout)
        for badge in badges[:5]:            # names carrying ESC payloads
            scan_line(term, badge, b"Evil")
        for _ in range(4):                  # the app's own hostile samples, ESC included
            start = len(term.capture)
            term.type(b"\x1bOS")            # F4 (xterm: ESC O S)
            term.read_until(b"NOT A BADGE", 20, start)
        # Control characters arrive as bracketed paste. Scans are handled in order, so a
        # badge scanned after each payload tells when the payload was handled: two workers
        # alternate, so the greeting changes and is drawn every time.
        markers = [(badges[4], b"EVIL 4"), (badges[5], b"HELLO WORKER 5")]
        for index, payload in enumerate(extra_payloads):
            term.type(b"\x1b[200~" + payload.encode("utf-8", "replace") + b"\x1b[201~\r")
            badge, greeting = markers[index % 2]
            if not scan_line(term, badge, greeting, timeout=1):
                # Textual sometimes drops the Enter right after a paste that held escapes;
                # the marker's digits then joined the payload's scan. Scan the marker again.
                scan_line(term, badge, greeting, timeout=10)
        answered = scan_line(term, badges[5], b"HELLO WORKER 5")
    finally:
        alive = term.stop()
    capture = bytes(term.capture)
    return PtyResult(capture, alive, answered, escaped_bytes(capture), 4 + 5 + len(extra_payloads))
