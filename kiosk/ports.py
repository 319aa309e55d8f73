"""Ports: the verbs the kiosk needs from hardware, as Protocols.

Drivers implement them with primitives only; `kiosk.bootstrap` is the only
place that chooses an implementation (real, mock or fake).
"""

from __future__ import annotations

from typing import Protocol


class Indicator(Protocol):
    """LEDs, buzzer and optional gate relay. Every verb returns at once (never blocks)."""

    def accept(self) -> None: ...
    def deny(self) -> None: ...
    def alarm(self) -> None: ...
    def attention(self) -> None: ...
    def pulse_relay(self) -> None: ...
    def off(self) -> None: ...


class PrinterPort(Protocol):
    """Sends one finished ESC/POS job; blocking, called off the event loop."""

    def send(self, job: bytes) -> None: ...
    def is_ready(self) -> tuple[bool, str]: ...
