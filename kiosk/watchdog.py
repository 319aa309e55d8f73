"""systemd readiness, status and watchdog pings, fed from the UI's event loop.

With ``Type=notify`` and ``WatchdogSec=`` systemd expects READY=1 once the
kiosk can take scans, then WATCHDOG=1 at least every ``WATCHDOG_USEC``; a
missed ping kills and restarts the service (SYS-04). The pings must come from
the Textual event loop itself (``app.set_interval(wd.interval_s, wd.tick)``),
never from a helper thread, or a frozen UI would look healthy. Background
threads that matter (publisher, scanner bridge) call ``beat(name)``; `tick()`
stops pinging when one of them has gone quiet, so systemd restarts the kiosk.

Without systemd (laptop, tests without NOTIFY_SOCKET) every call is a no-op.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping

import sdnotify

from kiosk.text import visible

DEFAULT_INTERVAL_S = 10.0


class Watchdog:
    """Talks to systemd through $NOTIFY_SOCKET; safe to use when it is unset."""

    def __init__(self, *, heartbeat_max_age_s: float = 60.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        # sdnotify reads $NOTIFY_SOCKET itself, so the environment is the one source.
        env = os.environ
        self._socket_path = env.get("NOTIFY_SOCKET", "")
        self._watchdog_usec = _own_watchdog_usec(env)
        self._notifier = sdnotify.SystemdNotifier() if self._socket_path else None
        self._heartbeat_max_age_s = heartbeat_max_age_s
        self._monotonic = monotonic
        self._beats: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """True when systemd asked for watchdog pings (WatchdogSec= set for this process)."""
        return self._notifier is not None and self._watchdog_usec is not None

    @property
    def interval_s(self) -> float:
        """How often to call `tick()`: half the watchdog timeout, as sd_notify(3) advises."""
        if self._watchdog_usec is None:
            return DEFAULT_INTERVAL_S
        return max(self._watchdog_usec / 2_000_000, 0.05)

    def ready(self, status: str = "ready") -> None:
        """The UI is mounted and the database migrated: scans can be taken."""
        self._send(f"READY=1\nSTATUS={_one_line(status)}")

    def status(self, text: str) -> None:
        """Free text shown by `systemctl status kiosk` (e.g. "printer offline")."""
        self._send(f"STATUS={_one_line(text)}")

    def stopping(self) -> None:
        self._send("STOPPING=1")

    def beat(self, name: str) -> None:
        """A critical worker is alive; callable from any thread."""
        with self._lock:
            self._beats[name] = self._monotonic()

    def stale(self) -> list[str]:
        """Workers whose last heartbeat is older than the allowed age."""
        now = self._monotonic()
        with self._lock:
            return sorted(name for name, at in self._beats.items()
                          if now - at > self._heartbeat_max_age_s)

    def tick(self) -> bool:
        """Ping the watchdog if every worker is fresh; call on the event loop."""
        quiet = self.stale()
        if quiet:
            self.status(f"not pinging the watchdog: no heartbeat from {', '.join(quiet)}")
            return False
        self._send("WATCHDOG=1")
        return True

    def _send(self, message: str) -> None:
        if self._notifier is not None:
            self._notifier.notify(message)


def _own_watchdog_usec(env: Mapping[str, str]) -> int | None:
    """WATCHDOG_USEC, unless WATCHDOG_PID says it is meant for another process."""
    usec = env.get("WATCHDOG_USEC", "")
    pid = env.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and pid.isdigit() and int(pid) != os.getpid():
        return None
    return int(usec)


def _one_line(text: str) -> str:
    # A newline would start a new KEY=value assignment in the notify datagram.
    return visible(text.replace("\n", " "), limit=200)
