"""What a scan is, before and after classification (plain data, no I/O).

The scanner driver decodes key events into a `Scan`; `kiosk.classify` turns
it into a `Classified` scan; the station flows are driven by `Classified`
scans and touches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("badge", "asset", "gs1", "iso15434", "url", "unknown")


@dataclass(frozen=True)
class Scan:
    """One decoded scan from one device."""

    text: str                      # decoded text; control characters (GS, RS, EOT) kept as data
    device: str = "keyboard"       # stable device identity (by-id link or vid:pid:serial)
    role: str = "any"              # badge | tool | any: the role configured for the device
    symbology: str | None = None   # AIM symbology identifier such as "]C1", if the scanner sent one
    flags: tuple[str, ...] = ()    # e.g. "unknown-key", "overflow", "stray-alt"; empty = clean
    first_at: float = 0.0          # monotonic time of the first key event
    last_at: float = 0.0           # monotonic time of the terminating key event

    @property
    def raw(self) -> str:
        return self.text


@dataclass(frozen=True)
class Classified:
    """A scan with its meaning."""

    scan: Scan
    kind: str                      # one of KINDS
    value: str = ""                # badge: normalized badge; asset: inventory number; else text
    fields: dict[str, Any] = field(default_factory=dict)  # parsed fields (GS1 AIs, URL parts)
    problem: str | None = None     # plain-language reason when the scan cannot be used
