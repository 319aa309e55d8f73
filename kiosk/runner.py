"""The scan loop: scanner -> classify -> station -> whoever shows the outcome.

It lives outside the UI: the Textual app starts it as a worker and passes `show`; a headless
kiosk or a test runs it directly.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

from kiosk.outcome import Outcome
from kiosk.scans import Classified, Scan
from kiosk.station import Station

log = logging.getLogger(__name__)


class ScanSource(Protocol):
    def scans(self) -> AsyncIterator[Any]: ...


def to_scan(raw: Any) -> Scan:
    """A driver's primitive scan record as the kiosk's `Scan` (a `Scan` passes through)."""
    if isinstance(raw, Scan):
        return raw
    return Scan(text=raw.text, device=raw.device, role=raw.role,
                symbology=getattr(raw, "symbology", None), flags=tuple(getattr(raw, "flags", ())),
                first_at=raw.first_at, last_at=raw.last_at)


async def pump(source: ScanSource, station: Station, classify: Callable[[Scan], Classified],
               show: Callable[[Scan, Outcome], None]) -> None:
    """Handle scans one at a time, in the order they were made, until the source ends."""
    async for raw in source.scans():
        scan = to_scan(raw)
        try:
            classified = classify(scan)
        except Exception:
            log.exception("classifying a scan failed")
            classified = Classified(scan, "unknown", problem="The scan could not be checked. "
                                    "Please ask staff.")
        outcome = station.scan(classified)
        try:
            show(scan, outcome)
        except Exception:  # the screen failing must not stop scanning
            log.exception("showing an outcome failed")
