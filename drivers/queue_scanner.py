"""A scanner fed from software: the demo's "simulated scanner" line, sample-scan keys, tests.

Produces the same `(text, device, role, first_at, last_at)` primitives the evdev scanner does,
through an asyncio queue, so the station's scan loop cannot tell the difference.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass


@dataclass(frozen=True)
class RawScan:
    text: str
    device: str
    role: str
    first_at: float
    last_at: float


class QueueScanner:
    def __init__(self, device: str = "simulated", role: str = "any") -> None:
        self.device = device
        self.role = role
        self._queue: asyncio.Queue[RawScan | None] = asyncio.Queue()

    def put(self, text: str, role: str | None = None) -> None:
        """Hand in one finished scan; the moment of the call counts as its terminating key."""
        now = time.monotonic()
        self._queue.put_nowait(RawScan(text, self.device, role or self.role, now, now))

    def close(self) -> None:
        self._queue.put_nowait(None)

    async def scans(self) -> AsyncIterator[RawScan]:
        while True:
            raw = await self._queue.get()
            if raw is None:
                return
            yield raw
