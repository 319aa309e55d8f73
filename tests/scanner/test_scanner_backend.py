"""The real backend's file-system side, on a fake /dev/input and /sys/class/input tree."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from drivers import evdev_backend
from drivers.evdev_backend import EvdevBackend, EvdevNode, watch_udev
from drivers.evdev_scanner import NodeInfo


@pytest.fixture
def tree(tmp_path: Path, monkeypatch) -> Path:
    dev, sysfs = tmp_path / "dev" / "input", tmp_path / "sys"
    (dev / "by-id").mkdir(parents=True)
    for number, (name, vendor, product, uniq) in {
        3: ("Symbol Bar Code Scanner", "05e0", "1200", "S123"),
        10: ("Logitech USB Keyboard", "046d", "c31c", ""),
    }.items():
        (dev / f"event{number}").write_text("")
        device = sysfs / f"event{number}" / "device"
        (device / "id").mkdir(parents=True)
        (device / "name").write_text(name + "\n")
        (device / "id" / "vendor").write_text(vendor + "\n")
        (device / "id" / "product").write_text(product + "\n")
        (device / "uniq").write_text(uniq + "\n")
        (device / "phys").write_text(f"usb-0000:01:00.0-1.{number}/input0\n")
    os.symlink(dev / "event3", dev / "by-id" / "usb-Symbol_Scanner_S123-event-kbd")
    monkeypatch.setattr(evdev_backend, "SYSFS_INPUT", sysfs)
    return dev


def test_nodes_carry_identity_from_sysfs_in_numeric_order(tree: Path) -> None:
    nodes = EvdevBackend(str(tree)).nodes()
    assert [n.path.rsplit("/", 1)[1] for n in nodes] == ["event3", "event10"]
    assert nodes[0] == NodeInfo(str(tree / "event3"), "Symbol Bar Code Scanner", 0x5E0, 0x1200,
                                "S123", "usb-0000:01:00.0-1.3/input0")


def test_links_are_resolved_every_time(tree: Path) -> None:
    backend = EvdevBackend(str(tree))
    link = str(tree / "by-id" / "usb-Symbol_Scanner_S123-event-kbd")
    assert backend.resolve(link) == str(tree / "event3")
    assert backend.links() == {str(tree / "event3"): [link]}
    os.remove(link)  # unplugged: udev removes the link
    assert backend.resolve(link) is None
    os.symlink(tree / "event10", link)
    assert backend.resolve(link) == str(tree / "event10")


class StubDevice:
    """Stands in for evdev.InputDevice: read() yields up to 2 events per call like a kernel
    read of limited size, then raises BlockingIOError."""

    def __init__(self, events: list[tuple[int, int, int]]) -> None:
        self.events = list(events)

    def read(self):
        if not self.events:
            raise BlockingIOError
        batch, self.events = self.events[:2], self.events[2:]
        return iter(type("E", (), {"type": t, "code": c, "value": v})() for t, c, v in batch)


def test_read_batch_drains_every_pending_event() -> None:
    events = [(1, 2, 1), (0, 0, 0), (1, 2, 0), (0, 0, 0), (1, 28, 1)]
    node = EvdevNode(StubDevice(events))
    assert node.read_batch() == events
    with pytest.raises(BlockingIOError):
        node.read_batch()


async def test_udev_watch_starts_or_reports_unavailable() -> None:
    changes: list[int] = []
    stop = watch_udev(lambda: changes.append(1))
    if stop is not None:  # netlink available: it must also stop cleanly
        stop()
    await asyncio.sleep(0)
    assert changes == []
