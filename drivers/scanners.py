"""All configured scanners on one asyncio loop, as one stream of scans.

    hub = ScannerHub(specs)              # real evdev backend unless one is given
    async with hub:
        async for spec, scan in hub.scans():
            ...

Starts with no scanner attached and keeps running: each device has its own
`ScannerReader`; udev events (when pyudev can watch) wake them early.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Any

from drivers.evdev_scanner import Backend, ScannerReader, ScannerSpec, Status
from drivers.framing import DecodedScan


class ScannerHub:
    """Runs one reader per spec and queues their scans in arrival order."""

    def __init__(self, specs: list[ScannerSpec], backend: Backend | None = None,
                 watch: Callable[[Callable[[], None]], Callable[[], None] | None] | None = None,
                 **reader_options: Any) -> None:
        if backend is None:
            from drivers.evdev_backend import EvdevBackend, watch_udev

            backend, watch = EvdevBackend(), watch or watch_udev
        self.queue: asyncio.Queue[tuple[ScannerSpec, DecodedScan]] = asyncio.Queue()
        self.readers = [ScannerReader(spec, backend, self._emit, **reader_options)
                        for spec in specs]
        self._watch = watch
        self._tasks: list[asyncio.Task[None]] = []
        self._stop_watch: Callable[[], None] | None = None

    def _emit(self, spec: ScannerSpec, scan: DecodedScan) -> None:
        self.queue.put_nowait((spec, scan))

    def nudge(self) -> None:
        for reader in self.readers:
            reader.nudge()

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(reader.run(), name=f"scanner {reader.spec.identity}")
                       for reader in self.readers]
        if self._watch is not None:
            self._stop_watch = self._watch(self.nudge)

    async def stop(self) -> None:
        if self._stop_watch is not None:
            self._stop_watch()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def __aenter__(self) -> ScannerHub:
        await self.start()
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    async def scans(self) -> AsyncIterator[tuple[ScannerSpec, DecodedScan]]:
        while True:
            yield await self.queue.get()

    def statuses(self) -> dict[str, Status]:
        return {reader.spec.identity: reader.status for reader in self.readers}
