"""Scan framing: where one scan ends, plus the AIM symbology split.

A scan ends at a terminator key, after an optional idle period (scanners
without a suffix), or is abandoned when nothing completes it. Times are
seconds on the monotonic clock, passed in by the caller (never the event
timestamps: they follow the realtime clock, which steps when NTP syncs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from drivers.keycodes import ENTER_KEYS

# ']' + symbology letter + modifier (ISO/IEC 15424), e.g. ]C1 GS1-128, ]d2 GS1 DataMatrix.
AIM_PREFIX = re.compile(r"\][A-Za-z][0-9A-Za-z]")
CODABAR_START_STOP = frozenset("ABCDabcd")


@dataclass(frozen=True)
class Framing:
    """Per-device framing settings (seconds)."""

    terminators: frozenset[int] = ENTER_KEYS
    lf_terminates: bool = False       # a decoded LF (e.g. Ctrl+J) ends the scan
    idle_s: float | None = None       # end a scan after this much silence; None = off
    abandon_s: float = 1.0            # drop an unterminated partial scan after this long
    max_len: int = 4096
    stuck_s: float = 1.0              # report a key held (autorepeating) this long


@dataclass(frozen=True)
class DecodedScan:
    """One scan as primitives; `kiosk` wraps it into kiosk.scans.Scan."""

    text: str                         # payload, AIM identifier split off
    raw: str                          # everything decoded, identifier included
    symbology: str | None             # e.g. "]C1"
    flags: tuple[str, ...]            # machine codes, empty when clean
    notes: tuple[str, ...]            # what the flags mean, for logs and installers
    first_at: float
    last_at: float


def split_aim(raw: str) -> tuple[str | None, str]:
    """(symbology identifier, payload); Codabar start/stop letters stripped only under ]F."""
    if not AIM_PREFIX.match(raw):
        return None, raw
    symbology, payload = raw[:3], raw[3:]
    if symbology[1] == "F" and len(payload) >= 2 and payload[0] in CODABAR_START_STOP \
            and payload[-1] in CODABAR_START_STOP:
        payload = payload[1:-1]
    return symbology, payload


@dataclass
class ScanFramer:
    """Collects characters and flags of one device until the scan is complete."""

    framing: Framing = field(default_factory=Framing)
    chars: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    length: int = 0
    overflow: bool = False
    first_at: float | None = None
    last_activity: float | None = None

    @property
    def pending(self) -> bool:
        return bool(self.chars or self.flags)

    def touch(self, now: float) -> None:
        """Any key press or release keeps the partial scan alive."""
        self.last_activity = now

    def add(self, text: str, now: float) -> list[DecodedScan]:
        done: list[DecodedScan] = []
        for char in text:
            if char == "\n" and self.framing.lf_terminates:
                done.extend(self.finish(now))
                continue
            self._start(now)
            if self.length >= self.framing.max_len:
                if not self.overflow:
                    self.overflow = True
                    self.flag("overflow", f"overflow (max length {self.framing.max_len})", now)
                continue
            self.chars.append(char)
            self.length += 1
        return done

    def flag(self, flag: str, note: str, now: float) -> None:
        self._start(now)
        if flag not in self.flags:
            self.flags.append(flag)
        if note not in self.notes:
            self.notes.append(note)

    def finish(self, now: float) -> list[DecodedScan]:
        """Close the scan; an empty, unflagged scan (double Enter, Enter prefix) yields nothing."""
        if not self.pending:
            self._clear()
            return []
        raw = "".join(self.chars)
        symbology, payload = split_aim(raw)
        scan = DecodedScan(payload, raw, symbology, tuple(self.flags), tuple(self.notes),
                           self.first_at if self.first_at is not None else now, now)
        self._clear()
        return [scan]

    def discard(self) -> str:
        """Drop the partial scan; returns its text for the log."""
        text = "".join(self.chars)
        self._clear()
        return text

    def deadline(self) -> float | None:
        if not self.pending or self.last_activity is None:
            return None
        wait = self.framing.abandon_s
        if self.framing.idle_s is not None:
            wait = min(wait, self.framing.idle_s)
        return self.last_activity + wait

    def _start(self, now: float) -> None:
        if self.first_at is None:
            self.first_at = now
        self.last_activity = now

    def _clear(self) -> None:
        self.chars, self.flags, self.notes = [], [], []
        self.length, self.overflow, self.first_at = 0, False, None
