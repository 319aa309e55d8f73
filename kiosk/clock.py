"""Wall-clock time and whether it is trustworthy.

A Pi has no real-time clock: until NTP has synchronized, timestamps can be
years off. Every event records `clock_synced` so headquarters can correct
times later; ordering always uses the per-kiosk sequence number.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

# systemd-timesyncd creates this file once it has synchronized the clock.
TIMESYNC_FLAG = Path("/run/systemd/timesync/synchronized")


class Clock:
    """UTC time plus a cached answer to "is the clock synchronized?"."""

    def __init__(self, now: Callable[[], dt.datetime] | None = None,
                 synced: Callable[[], bool] | None = None) -> None:
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self._synced = synced or _system_clock_synced
        self._synced_cache: tuple[float, bool] = (-1e9, False)

    def now(self) -> dt.datetime:
        return self._now()

    def synced(self) -> bool:
        checked_at, value = self._synced_cache
        if time.monotonic() - checked_at > 30:
            value = self._synced()
            self._synced_cache = (time.monotonic(), value)
        return value


def _system_clock_synced() -> bool:
    if TIMESYNC_FLAG.exists():
        return True
    return _kernel_says_synced()


def _kernel_says_synced() -> bool:
    """adjtimex(2) returns TIME_ERROR (5) while the kernel clock is unsynchronized.

    chrony, ntpd and timesyncd all clear that state once they have a source.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        timex = ctypes.create_string_buffer(512)  # struct timex with modes = 0: read only
        return libc.adjtimex(timex) not in (-1, 5)
    except (OSError, AttributeError):
        return False


def iso(moment: dt.datetime) -> str:
    """UTC timestamp with milliseconds and a Z, as stored and published."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
