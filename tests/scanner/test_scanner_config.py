"""[[scanners]] settings become driver specs; mistakes are explained."""

from __future__ import annotations

import pytest

from drivers.keycodes import KEY_CODES
from kiosk.config import ScannerSection
from kiosk.errors import ConfigError
from kiosk.scanning import spec_of, to_scan


def test_section_becomes_a_driver_spec() -> None:
    spec = spec_of(ScannerSection(name="gate", role="tool", vendor="05E0", product="1200",
                                  serial="S1", layout="de", profile="F8=GS",
                                  terminators=["tab", "lf"], idle_framing_ms=300,
                                  abandon_ms=1500))
    assert (spec.identity, spec.vendor, spec.product, spec.serial) == (
        "05e0:1200:S1", 0x5E0, 0x1200, "S1")
    assert spec.profile == {KEY_CODES["F8"]: "\x1d"} and spec.layout == "de"
    assert spec.framing.terminators == frozenset({KEY_CODES["TAB"]})
    assert spec.framing.lf_terminates and spec.framing.idle_s == 0.3
    assert spec.framing.abandon_s == 1.5


def test_link_is_the_identity_and_ids_are_still_checked() -> None:
    spec = spec_of(ScannerSection(path="/dev/input/by-id/usb-X-event-kbd", vendor="05e0",
                                  product="1200"))
    assert spec.identity == "/dev/input/by-id/usb-X-event-kbd" and spec.vendor == 0x5E0


@pytest.mark.parametrize(("fields", "words"), [
    ({"vendor": "zz", "product": "1200"}, "not a hex USB id"),
    ({"path": "/dev/x", "profile": "fancy"}, "unknown scanner profile"),
    ({"path": "/dev/x", "terminators": ["space"]}, "unknown terminator"),
])
def test_bad_scanner_settings_are_config_errors(fields: dict, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        spec_of(ScannerSection(name="s", **fields))


def test_decoded_scan_becomes_a_kiosk_scan() -> None:
    from drivers.framing import DecodedScan

    decoded = DecodedScan("0109506000134352", "]C10109506000134352", "]C1", ("overflow",),
                          ("overflow (max length 4096)",), 1.0, 1.5)
    scan = to_scan(decoded, device="05e0:1200", role="tool")
    assert (scan.text, scan.symbology, scan.flags, scan.first_at, scan.last_at) == (
        "0109506000134352", "]C1", ("overflow",), 1.0, 1.5)
    assert (scan.device, scan.role) == ("05e0:1200", "tool")
