"""Barcode scanners and badge readers read through evdev, grabbed, with hot-plug.

One `ScannerReader` supervises one configured device on the application's
asyncio loop: resolve its stable identity (by-id link, re-resolved on every
attempt, or vendor:product[+serial]) -> open -> check key capabilities ->
grab -> read. Every input node that qualifies gets its own `KeyDecoder`, so
characters of two nodes never mix. A grab that fails (EBUSY: someone else
holds it) is an error state and is retried; the node is never read
ungrabbed, so scans never reach a console. Unplug (ENODEV, EIO) drops the
partial scan, removes the fd from the loop at once and backs off 0.5 s -> 5 s;
permission denied logs one actionable message and retries slowly. A udev
watcher (`nudge()`) cuts the wait short when a device appears.

The hardware side is behind `Backend`/`InputNode` (see drivers.evdev_backend
for the real one); tests pass a small fake.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from drivers.framing import DecodedScan, Framing
from drivers.keycodes import DIGIT_KEYS, ENTER_KEYS, LETTER_KEYS
from drivers.keymap import KeyDecoder

log = logging.getLogger(__name__)

PERMISSION_HELP = ("add the service user to group 'input' (sudo usermod -aG input USER) or "
                   "install the udev rule from docs/scanners.md, then re-plug the scanner")


@dataclass(frozen=True)
class NodeInfo:
    """Identity of one /dev/input/eventN node (readable from sysfs without permission)."""

    path: str
    name: str = ""
    vendor: int = 0
    product: int = 0
    uniq: str = ""
    phys: str = ""


class InputNode(Protocol):
    """An opened input node: the calls the reader makes."""

    def fileno(self) -> int: ...
    def keys(self) -> set[int]: ...
    def grab(self) -> None: ...
    def read_batch(self) -> list[tuple[int, int, int]]: ...  # all pending; BlockingIOError if none
    def active_keys(self) -> list[int]: ...
    def close(self) -> None: ...


class Backend(Protocol):
    """Finding and opening nodes."""

    def resolve(self, link: str) -> str | None: ...      # the eventN a link points to now
    def nodes(self) -> list[NodeInfo]: ...                # every event node present
    def info(self, path: str) -> NodeInfo | None: ...
    def open(self, path: str) -> InputNode: ...


@dataclass(frozen=True)
class ScannerSpec:
    """One configured device, as primitives."""

    identity: str                     # how the application names it (link or vid:pid[:serial])
    role: str = "any"                 # badge | tool | any
    path: str = ""
    vendor: int | None = None
    product: int | None = None
    serial: str = ""
    layout: str = "us"
    profile: dict[int, str] = field(default_factory=dict)
    framing: Framing = field(default_factory=Framing)

    def matches(self, info: NodeInfo) -> bool:
        if self.vendor is not None and info.vendor != self.vendor:
            return False
        if self.product is not None and info.product != self.product:
            return False
        return not self.serial or info.uniq == self.serial


def qualifies(keys: set[int], role: str) -> bool:
    """Digits and Enter always; letters too unless it is a (numeric) badge reader."""
    if not keys & ENTER_KEYS or not keys >= DIGIT_KEYS:
        return False
    return role == "badge" or keys >= LETTER_KEYS


@dataclass
class Status:
    """Health of one configured device, for the UI and `kiosk scan-test`."""

    state: str = "waiting"            # waiting | connected | busy | permission | no-keys | error
    message: str = "not connected yet"
    nodes: list[str] = field(default_factory=list)
    reconnects: int = 0
    attempts: int = 0
    syn_dropped: int = 0
    last_scan_at: float | None = None


Emit = Callable[["ScannerSpec", DecodedScan], None]


@dataclass
class _Reading:
    node: InputNode
    path: str
    decoder: KeyDecoder
    timer: asyncio.TimerHandle | None = None


class ScannerReader:
    """Keeps one configured scanner attached; hands every scan to `emit`."""

    def __init__(self, spec: ScannerSpec, backend: Backend, emit: Emit, *,
                 backoff: tuple[float, float] = (0.5, 5.0), permission_retry: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.spec, self.backend, self.emit, self.clock = spec, backend, emit, clock
        self.backoff, self.permission_retry = backoff, permission_retry
        self.status = Status()
        self.reading: dict[str, _Reading] = {}
        self._wake = asyncio.Event()

    def nudge(self) -> None:
        """Something changed in /dev/input (udev add, or a node was lost): look again now."""
        self._wake.set()

    async def run(self) -> None:
        """Attach, read, re-attach; until cancelled. Never spins."""
        delay = self.backoff[0]
        was_connected = ever_connected = False
        try:
            while True:
                if self._attach_safely():
                    if ever_connected and not was_connected:
                        self.status.reconnects += 1
                    was_connected = ever_connected = True
                    delay = self.backoff[0]
                    await self._sleep(None)  # until a node is lost or udev reports a change
                    continue
                was_connected = False
                wait = self.permission_retry if self.status.state == "permission" else delay
                await self._sleep(wait)
                delay = min(delay * 2, self.backoff[1])
        finally:
            self.close()

    def _attach_safely(self) -> bool:
        try:
            return self.attach()
        except Exception as exc:  # a bug or odd device must not end the reader for good
            message = f"unexpected error: {exc!r}; retrying"
            if message != self.status.message:  # log the traceback once, not every retry
                log.exception("scanner %s: error while attaching", self.spec.identity)
            self._set("error", message)
            return bool(self.reading)

    def attach(self) -> bool:
        """One attempt to open every qualifying node; True when at least one is read."""
        self.status.attempts += 1
        for path in self._candidates():
            if path not in self.reading:
                self._try_open(path)
        self.status.nodes = sorted(self.reading)
        if self.reading:
            self._set("connected", f"reading {', '.join(self.status.nodes)}")
        return bool(self.reading)

    def close(self) -> None:
        for path in list(self.reading):
            self._drop(path, "closed")

    def _candidates(self) -> list[str]:
        if self.spec.path:
            target = self.backend.resolve(self.spec.path)  # re-resolved on every attempt
            if target is None:
                self._set("waiting", f"{self.spec.path} is not there (scanner unplugged?)")
                return []
            info = self.backend.info(target)
            if info is not None and not self.spec.matches(info):
                self._set("waiting", f"{target} is another device ({info.name}); waiting")
                return []
            return [target]
        found = [info.path for info in self.backend.nodes() if self.spec.matches(info)]
        if not found:
            self._set("waiting", f"no device {self.spec.identity} plugged in")
        return found

    def _try_open(self, path: str) -> None:
        try:
            node = self.backend.open(path)
        except PermissionError:
            self._set("permission", f"permission denied on {path}: {PERMISSION_HELP}")
            return
        except OSError as exc:
            self._set("waiting", f"cannot open {path}: {exc.strerror or exc}")
            return
        if not self._grab_checked(node, path):
            node.close()
            return
        decoder = KeyDecoder(self.spec.layout, self.spec.profile, self.spec.framing,
                             active_keys=node.active_keys)
        try:
            asyncio.get_running_loop().add_reader(node.fileno(), self._readable, path)
        except (OSError, ValueError) as exc:
            node.close()
            self._set("error", f"cannot watch {path}: {exc}")
            return
        self.reading[path] = _Reading(node, path, decoder)
        log.info("scanner %s: reading %s (grabbed)", self.spec.identity, path)

    def _grab_checked(self, node: InputNode, path: str) -> bool:
        if not qualifies(node.keys(), self.spec.role):
            self._set("no-keys", f"{path} has no letter/digit/Enter keys (a mouse or media "
                                 "node of the scanner?); skipped")
            return False
        try:
            node.grab()
        except OSError as exc:
            if exc.errno == errno.EBUSY:
                self._set("busy", f"{path} is grabbed by another program; retrying")
            else:
                self._set("error", f"cannot grab {path}: {exc.strerror or exc}")
            return False
        return True

    def _readable(self, path: str) -> None:
        reading = self.reading.get(path)
        if reading is None:
            return
        try:
            events = reading.node.read_batch()
        except BlockingIOError:
            return
        except OSError as exc:
            self._drop(path, f"lost ({exc.strerror or exc})")
            return
        self._deliver(reading, reading.decoder.feed_all(events, self.clock()))

    def _timer(self, path: str) -> None:
        reading = self.reading.get(path)
        if reading is not None:
            reading.timer = None
            self._deliver(reading, reading.decoder.poll(self.clock()))

    def _deliver(self, reading: _Reading, scans: list[DecodedScan]) -> None:
        for diagnostic in reading.decoder.take_diagnostics():
            log.warning("scanner %s (%s): %s: %s", self.spec.identity, reading.path,
                        diagnostic.kind, diagnostic.detail)
        self.status.syn_dropped = sum(r.decoder.syn_dropped for r in self.reading.values())
        for scan in scans:
            self.status.last_scan_at = scan.last_at
            self.emit(self.spec, scan)
        self._schedule(reading)

    def _schedule(self, reading: _Reading) -> None:
        if reading.timer is not None:
            reading.timer.cancel()
            reading.timer = None
        deadline = reading.decoder.deadline()
        if deadline is not None:
            delay = max(deadline - self.clock(), 0.0)
            reading.timer = asyncio.get_running_loop().call_later(delay, self._timer,
                                                                  reading.path)

    def _drop(self, path: str, why: str) -> None:
        reading = self.reading.pop(path)
        # Remove the fd from the loop before closing it: a dead fd left in the selector spins.
        asyncio.get_running_loop().remove_reader(reading.node.fileno())
        if reading.timer is not None:
            reading.timer.cancel()
        reading.decoder.discard("unplugged", self.clock())
        for diagnostic in reading.decoder.take_diagnostics():
            log.warning("scanner %s: %s", self.spec.identity, diagnostic.detail)
        with contextlib.suppress(OSError):  # the node may already be gone
            reading.node.close()
        self.status.nodes = sorted(self.reading)
        if why != "closed":
            log.warning("scanner %s: %s %s", self.spec.identity, path, why)
            if not self.reading:
                self._set("waiting", f"{path} {why}; reconnecting")
        self._wake.set()

    async def _sleep(self, seconds: float | None) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        self._wake.clear()

    def _set(self, state: str, message: str) -> None:
        if (state, message) != (self.status.state, self.status.message):
            level = logging.ERROR if state in ("permission", "busy", "error") else logging.INFO
            log.log(level, "scanner %s: %s", self.spec.identity, message)
        self.status.state, self.status.message = state, message
