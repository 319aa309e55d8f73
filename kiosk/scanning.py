"""The seam between the scanner driver and the kiosk.

The driver speaks primitives (`drivers.framing.DecodedScan`); here they
become `kiosk.scans.Scan`, and the [[scanners]] configuration becomes the
driver's `ScannerSpec`s. Driver modules are imported inside the functions
(they need no hardware library, but the kiosk package stays importable
without them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiosk.classify import device_identity
from kiosk.config import ScannerSection, Settings
from kiosk.errors import ConfigError
from kiosk.scans import Scan

if TYPE_CHECKING:
    from drivers.evdev_scanner import ScannerSpec
    from drivers.framing import Framing


def to_scan(decoded: Any, device: str = "keyboard", role: str = "any") -> Scan:
    """Wrap a driver's DecodedScan (text, symbology, flags, first_at, last_at)."""
    return Scan(text=decoded.text, device=device, role=role, symbology=decoded.symbology,
                flags=tuple(decoded.flags), first_at=decoded.first_at, last_at=decoded.last_at)


def framing_of(section: ScannerSection) -> Framing:
    from drivers.framing import Framing
    from drivers.profiles import parse_terminators

    terminators, lf = parse_terminators(section.terminators)
    idle = section.idle_framing_ms / 1000 if section.idle_framing_ms else None
    return Framing(terminators=terminators, lf_terminates=lf, idle_s=idle,
                   abandon_s=section.abandon_ms / 1000)


def spec_of(section: ScannerSection) -> ScannerSpec:
    """The driver's view of one [[scanners]] table; ConfigError names what is wrong."""
    from drivers.evdev_scanner import ScannerSpec
    from drivers.profiles import parse_profile

    try:
        return ScannerSpec(
            identity=device_identity(section), role=section.role, path=section.path,
            vendor=_usb_id("vendor", section.vendor), product=_usb_id("product", section.product),
            serial=section.serial, layout=section.layout,
            profile=parse_profile(section.profile), framing=framing_of(section))
    except ValueError as exc:
        raise ConfigError([f"scanner {section.name!r}: {exc}"]) from None


def _usb_id(name: str, text: str) -> int | None:
    if not text:
        return None
    try:
        return int(text, 16)
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a hex USB id like \"05e0\" "
                         "(`kiosk scanners` shows the ids)") from None


def specs_of(settings: Settings) -> list[ScannerSpec]:
    return [spec_of(section) for section in settings.scanners]
