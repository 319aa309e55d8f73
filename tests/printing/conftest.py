"""Fixtures for printing tests: sample receipts and labels, a TCP "printer" on loopback."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator

import pytest

from kiosk.receipt import Label, Receipt, label_for

# Names copied from the Snipe-IT users/locations samples (shared/data/snipeit), plus
# the names the printing issue calls out. The samples' people are all ASCII.
SAMPLE_NAMES = ["Reagen Tenant", "Veronike Poytress", "Braun, Ullrich and O'Hara",
                "Bahía Honda"]
HARD_NAMES = ["Kuče", "Ōgaki", "Müller", "€"]


@pytest.fixture
def receipt() -> Receipt:
    return Receipt(
        kind="checkout", site="HAM", kiosk="crib-1", person_name="Jürgen Müller-Kuče",
        employee_no="E1001", at=dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC),
        items=[(f"HAM-DRL-2600{n:03}7", f"Drill {n} Ōgaki 18 V", dt.date(2026, 12, 10),
                "checked out") for n in range(1, 6)],
        refusals=[("HAM-SAW-26000015", "needs the chainsaw qualification")],
        transaction_id="01JEFQ7Z5W4X9K2M3N4P5Q6R7S")


@pytest.fixture
def label() -> Label:
    return label_for("HAM-DRL-26000127", "Cordless drill Müller €", "HAM",
                     "https://assets.example.com/a/{number}")


class LoopbackPrinter:
    """A port-9100 printer on 127.0.0.1: records what it receives; answers status queries."""

    def __init__(self, status_reply: bytes | None = b"\x12") -> None:
        self.status_reply = status_reply
        self.received = bytearray()
        self.done = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        conn, _ = self._server.accept()
        with conn:
            while chunk := conn.recv(65536):
                if chunk.startswith(b"\x10\x04\x04") and self.status_reply is not None:
                    conn.sendall(self.status_reply)
                    chunk = chunk[3:]
                self.received += chunk
        self.done.set()

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def loopback_printer() -> Iterator[LoopbackPrinter]:
    printer = LoopbackPrinter()
    yield printer
    printer.close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
