"""The real `Backend` for drivers.evdev_scanner: python-evdev, sysfs and udev.

evdev is imported lazily so the rest of the kiosk (and every test that
replays captures) runs where it cannot be installed. Node identities come
from sysfs (/sys/class/input/eventN/device), readable without permission,
so `kiosk scanners` can name devices even before the udev rule is in place.
"""

from __future__ import annotations

import errno
import glob
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from drivers.evdev_scanner import NodeInfo

log = logging.getLogger(__name__)
SYSFS_INPUT = Path("/sys/class/input")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def _hex(text: str) -> int:
    try:
        return int(text, 16)
    except ValueError:
        return 0


class EvdevNode:
    """An opened evdev.InputDevice behind the small InputNode interface."""

    def __init__(self, device: Any) -> None:
        self.device = device

    def fileno(self) -> int:
        return self.device.fileno()

    def keys(self) -> set[int]:
        return set(self.device.capabilities().get(1, []))  # 1 = EV_KEY

    def grab(self) -> None:
        self.device.grab()

    def read_batch(self) -> list[tuple[int, int, int]]:
        """Everything pending: evdev's read() returns at most 64 events per call."""
        batch = [(e.type, e.code, e.value) for e in self.device.read()]  # BlockingIOError if none
        while True:
            try:
                batch.extend((e.type, e.code, e.value) for e in self.device.read())
            except BlockingIOError:
                return batch

    def active_keys(self) -> list[int]:
        return list(self.device.active_keys())

    def close(self) -> None:
        self.device.close()


class EvdevBackend:
    """Finds /dev/input/event* nodes and opens them with python-evdev."""

    def __init__(self, dev_input: str = "/dev/input") -> None:
        self.dev_input = dev_input

    def resolve(self, link: str) -> str | None:
        target = os.path.realpath(link)
        return target if os.path.exists(target) else None

    def nodes(self) -> list[NodeInfo]:
        paths = sorted(glob.glob(f"{self.dev_input}/event*"),
                       key=lambda p: int("".join(c for c in p if c.isdigit()) or 0))
        return [info for info in map(self.info, paths) if info is not None]

    def info(self, path: str) -> NodeInfo | None:
        device = SYSFS_INPUT / os.path.basename(path) / "device"
        if not device.exists():
            return NodeInfo(path) if os.path.exists(path) else None
        return NodeInfo(path, _read(device / "name"), _hex(_read(device / "id" / "vendor")),
                        _hex(_read(device / "id" / "product")), _read(device / "uniq"),
                        _read(device / "phys"))

    def open(self, path: str) -> EvdevNode:
        try:
            import evdev  # lazy: see the module docstring
        except ImportError:
            raise OSError(errno.ENOSYS, "python-evdev is not installed (pip install "
                                        "evdev-binary)") from None
        return EvdevNode(evdev.InputDevice(path))

    def links(self) -> dict[str, list[str]]:
        """eventN path -> its /dev/input/by-id and by-path links."""
        found: dict[str, list[str]] = {}
        for link in sorted(glob.glob(f"{self.dev_input}/by-id/*") +
                           glob.glob(f"{self.dev_input}/by-path/*")):
            found.setdefault(os.path.realpath(link), []).append(link)
        return found


def watch_udev(on_change: Callable[[], None]) -> Callable[[], None] | None:
    """Call `on_change` on the running loop for every udev input event.

    Returns a function that stops watching, or None when pyudev or the netlink
    socket is unavailable (the readers then poll with their backoff).
    """
    import asyncio

    try:
        import pyudev

        monitor = pyudev.Monitor.from_netlink(pyudev.Context())
        monitor.filter_by("input")
        monitor.start()
    except (ImportError, OSError, ValueError) as exc:
        log.info("udev monitoring unavailable (%s); polling for scanners instead", exc)
        return None
    loop = asyncio.get_running_loop()

    def readable() -> None:
        while monitor.poll(timeout=0) is not None:  # drain all queued udev events
            pass
        on_change()

    loop.add_reader(monitor.fileno(), readable)

    def stop() -> None:
        loop.remove_reader(monitor.fileno())

    return stop
