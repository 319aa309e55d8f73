"""Fault tests of the evdev reader on a fake device, on a real asyncio loop."""

from __future__ import annotations

import asyncio
import errno
import logging

import pytest
from fake_input import FakeBackend, FakeNode
from scanner_helpers import tokens

from drivers.evdev_scanner import ScannerReader, ScannerSpec
from drivers.framing import Framing
from drivers.scanners import ScannerHub

LINK = "/dev/input/by-id/usb-Symbol_Scanner-event-kbd"


async def until(condition, rounds: int = 2000) -> None:
    """Let the loop run until `condition()` holds (no timed sleeps)."""
    for _ in range(rounds):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never became true")


class Rig:
    """A reader on a fake backend, collecting scans in a queue; long backoff unless nudged."""

    def __init__(self, spec: ScannerSpec, backend: FakeBackend, **options) -> None:
        self.queue: asyncio.Queue = asyncio.Queue()
        self.now = 1000.0
        options.setdefault("backoff", (60.0, 60.0))
        self.reader = ScannerReader(spec, backend, lambda s, scan: self.queue.put_nowait(scan),
                                    clock=lambda: self.now, **options)
        self.task = asyncio.create_task(self.reader.run())

    async def scan(self) -> str:
        return (await asyncio.wait_for(self.queue.get(), timeout=5)).raw

    async def stop(self) -> None:
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task


async def test_unplug_mid_scan_then_replug_under_another_node() -> None:
    backend = FakeBackend()
    first = backend.plug("/dev/input/event5", FakeNode(), link=LINK)
    rig = Rig(ScannerSpec(LINK, path=LINK), backend)
    await until(lambda: rig.reader.status.state == "connected")
    assert first.grabbed
    first.push(tokens("1 2"))
    first.unplug(errno.ENODEV)
    backend.unplug("/dev/input/event5")
    # One immediate re-attach attempt finds nothing, then the reader backs off.
    await until(lambda: first.closed and rig.reader.status.attempts == 2)
    assert rig.reader.status.state == "waiting"
    attempts = rig.reader.status.attempts
    for _ in range(500):  # backing off, not spinning: no new attempts while the loop runs
        await asyncio.sleep(0)
    assert rig.reader.status.attempts == attempts
    second = backend.plug("/dev/input/event9", FakeNode(), link=LINK)
    rig.reader.nudge()  # what the udev watcher does on "add"
    await until(lambda: rig.reader.status.state == "connected")
    second.push(tokens("3 4 5 ENTER"))
    assert await rig.scan() == "345"  # the partial "12" was never emitted
    assert rig.queue.empty() and rig.reader.status.reconnects == 1
    assert rig.reader.status.nodes == ["/dev/input/event9"]
    await rig.stop()
    assert second.closed


async def test_eio_is_an_unplug_too() -> None:
    backend = FakeBackend()
    node = backend.plug("/dev/input/event3", FakeNode(), link=LINK)
    rig = Rig(ScannerSpec(LINK, path=LINK), backend)
    await until(lambda: rig.reader.status.state == "connected")
    node.unplug(errno.EIO)
    await until(lambda: node.closed)
    assert rig.reader.status.state == "waiting"
    await rig.stop()


async def test_reused_node_number_is_not_grabbed_when_identity_differs() -> None:
    backend = FakeBackend()
    keyboard = backend.plug("/dev/input/event7", FakeNode(), vendor=0x046D, product=0xC31C,
                            link=LINK, name="Logitech keyboard")
    rig = Rig(ScannerSpec(LINK, path=LINK, vendor=0x5E0, product=0x1200), backend)
    await until(lambda: rig.reader.status.attempts >= 1)
    assert not keyboard.grabbed and backend.opened == []
    assert "another device" in rig.reader.status.message
    await rig.stop()


async def test_permission_denied_gives_one_actionable_message(caplog) -> None:
    caplog.set_level(logging.INFO, logger="drivers.evdev_scanner")
    backend = FakeBackend()
    node = backend.plug("/dev/input/event4", FakeNode(), link=LINK)
    backend.open_errors["/dev/input/event4"] = PermissionError(errno.EACCES, "denied")
    rig = Rig(ScannerSpec(LINK, path=LINK), backend, permission_retry=3600)
    for _ in range(3):
        await until(lambda: rig.reader.status.state == "permission")
        rig.reader.nudge()
        attempts = rig.reader.status.attempts
        await until(lambda a=attempts: rig.reader.status.attempts > a)
    messages = [r.getMessage() for r in caplog.records if "permission denied" in r.getMessage()]
    assert len(messages) == 1 and "group 'input'" in messages[0] and "udev rule" in messages[0]
    del backend.open_errors["/dev/input/event4"]  # the installer fixed it
    rig.reader.nudge()
    await until(lambda: rig.reader.status.state == "connected")
    assert node.grabbed
    await rig.stop()


async def test_grab_busy_is_an_error_state_and_never_read_ungrabbed() -> None:
    backend = FakeBackend()
    node = backend.plug("/dev/input/event2", FakeNode(grab_errno=errno.EBUSY), link=LINK)
    rig = Rig(ScannerSpec(LINK, path=LINK), backend)
    await until(lambda: rig.reader.status.state == "busy")
    assert node.reads == 0 and rig.reader.status.nodes == []
    node.grab_errno = None  # the other program let go
    rig.reader.nudge()
    await until(lambda: rig.reader.status.state == "connected")
    node.push(tokens("4 2 ENTER"))
    assert await rig.scan() == "42"
    await rig.stop()


async def test_enter_autorepeating_for_two_seconds_gives_one_scan(caplog) -> None:
    caplog.set_level(logging.WARNING, logger="drivers.evdev_scanner")
    backend = FakeBackend()
    node = backend.plug("/dev/input/event6", FakeNode(), link=LINK)
    rig = Rig(ScannerSpec(LINK, path=LINK), backend)
    await until(lambda: rig.reader.status.state == "connected")
    node.push(tokens("5 ENTER+"))
    assert await rig.scan() == "5"
    for _ in range(60):  # 250 ms delay then 33 ms period: about 2 s of repeats
        rig.now += 0.033
        node.push(tokens("ENTER~"))
        await until(lambda: not node.pending)
    node.push(tokens("ENTER- 6 ENTER"))
    assert await rig.scan() == "6"
    assert rig.queue.empty()
    assert any("stuck_key" in r.getMessage() for r in caplog.records)
    await rig.stop()


async def test_several_qualifying_nodes_keep_their_own_buffers() -> None:
    backend = FakeBackend()
    node_a = backend.plug("/dev/input/event10", FakeNode())
    media = backend.plug("/dev/input/event11", FakeNode(keys={113, 114, 115}))
    node_c = backend.plug("/dev/input/event12", FakeNode())
    other = backend.plug("/dev/input/event13", FakeNode(), vendor=0x1234)
    rig = Rig(ScannerSpec("05e0:1200", vendor=0x5E0, product=0x1200), backend)
    await until(lambda: len(rig.reader.status.nodes) == 2)
    assert rig.reader.status.nodes == ["/dev/input/event10", "/dev/input/event12"]
    assert not media.grabbed and media.closed and not other.grabbed
    node_a.push(tokens("1 2"))
    await until(lambda: not node_a.pending)
    node_c.push(tokens("X"))
    await until(lambda: not node_c.pending)
    node_a.push(tokens("3 ENTER"))
    assert await rig.scan() == "123"
    await rig.stop()


async def test_idle_framing_timer_runs_on_the_loop() -> None:
    backend = FakeBackend()
    node = backend.plug("/dev/input/event1", FakeNode(), link=LINK)
    spec = ScannerSpec(LINK, path=LINK, framing=Framing(terminators=frozenset(), idle_s=0.01))
    queue: asyncio.Queue = asyncio.Queue()
    reader = ScannerReader(spec, backend, lambda s, scan: queue.put_nowait(scan))
    task = asyncio.create_task(reader.run())
    await until(lambda: reader.status.state == "connected")
    node.push(tokens("4 5 6"))
    scan = await asyncio.wait_for(queue.get(), timeout=5)
    assert scan.raw == "456"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_hub_starts_with_no_scanner_and_attaches_when_it_appears() -> None:
    backend = FakeBackend()
    hub = ScannerHub([ScannerSpec(LINK, role="tool", path=LINK)], backend=backend,
                     backoff=(60.0, 60.0))
    async with hub:
        await until(lambda: hub.statuses()[LINK].attempts >= 1)
        assert hub.statuses()[LINK].state == "waiting"
        node = backend.plug("/dev/input/event8", FakeNode(), link=LINK)
        hub.nudge()
        await until(lambda: hub.statuses()[LINK].state == "connected")
        node.push(tokens("LEFTSHIFT+ A LEFTSHIFT- 1 ENTER"))
        spec, scan = await asyncio.wait_for(anext(hub.scans()), timeout=5)
        assert (spec.identity, spec.role, scan.raw) == (LINK, "tool", "A1")
    assert node.closed


class BrokenOnce(FakeBackend):
    """A backend whose enumeration fails once with an unexpected error."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 1

    def nodes(self):
        if self.failures:
            self.failures -= 1
            raise RuntimeError("sysfs vanished")
        return super().nodes()


async def test_unexpected_error_while_attaching_does_not_end_the_reader() -> None:
    backend = BrokenOnce()
    node = backend.plug("/dev/input/event4", FakeNode())
    rig = Rig(ScannerSpec("05e0:1200", vendor=0x5E0, product=0x1200), backend)
    await until(lambda: rig.reader.status.state == "error")
    assert "sysfs vanished" in rig.reader.status.message and not rig.task.done()
    rig.reader.nudge()
    await until(lambda: rig.reader.status.state == "connected")
    node.push(tokens("7 ENTER"))
    assert await rig.scan() == "7"
    await rig.stop()
