"""What a scan means: badge, asset, GS1, ISO/IEC 15434, our label URL, or unknown.

`classify(scan, lookups, settings)` is pure: the few questions it asks the
database go through `Lookups` (implemented over the Store by `StoreLookups`;
`NoLookups` when there is no database, e.g. `kiosk replay` on a laptop).

Order, for tools and "any" readers: a flagged scan is never guessed at;
then ISO/IEC 15434 envelopes, URLs, GS1 (chosen by AIM identifier, or by a
GS inside, never by digits alone), our inventory numbers (check character
validated), aliases, badges ("any" readers only), bare GTINs. A badge
reader's scans are always badges, normalized as that reader prints them.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any, Protocol

from kiosk.badges import normalize_badge
from kiosk.config import ScannerSection, Settings
from kiosk.gs1 import (
    GS1_SYMBOLOGIES,
    GTIN_SYMBOLOGIES,
    Parsed,
    is_gtin,
    is_iso15434,
    looks_like_gs1,
    parse_gs1,
    parse_gtin,
    parse_iso15434,
)
from kiosk.numbering import NumberStatus, Scheme, parse_scheme
from kiosk.scans import Classified, Scan
from kiosk.store import Store
from kiosk.text import visible

FLAG_WORDS = {
    "unknown-key": "the scanner sent a key that is not a character",
    "stray-alt": "the scanner sent an Alt key combination",
    "ctrl-chord": "the scanner sent a Ctrl key combination that is no control character",
    "no-character": "the scanner sent a key this keyboard layout cannot type",
    "overflow": "the scan was far too long",
}


class Lookups(Protocol):
    """The database questions classification needs."""

    def asset_exists(self, number: str) -> bool: ...
    def asset_for_alias(self, alias: str) -> str | None: ...
    def badge_exists(self, normalized: str) -> bool: ...


class StoreLookups:
    """`Lookups` over the kiosk database (parameterized SQL only)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def asset_exists(self, number: str) -> bool:
        return self.store.one("SELECT 1 FROM assets WHERE number = ?", [number]) is not None

    def asset_for_alias(self, alias: str) -> str | None:
        row = self.store.one("SELECT asset_number FROM aliases WHERE alias = ?", [alias])
        return row["asset_number"] if row else None

    def badge_exists(self, normalized: str) -> bool:
        return self.store.one("SELECT 1 FROM badges WHERE normalized = ?",
                              [normalized]) is not None


class NoLookups:
    """No database: nothing is registered."""

    def asset_exists(self, number: str) -> bool:
        return False

    def asset_for_alias(self, alias: str) -> str | None:
        return None

    def badge_exists(self, normalized: str) -> bool:
        return False


def _is_text(text: str) -> bool:
    """False for lone surrogates (possible in JSON from HQ): SQLite cannot even look them up."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def device_identity(section: ScannerSection) -> str:
    """The name a configured reader's scans carry: its link, else vid:pid[:serial]."""
    if section.path:
        return section.path
    ident = f"{section.vendor.lower()}:{section.product.lower()}"
    return f"{ident}:{section.serial}" if section.serial else ident


def reader_of(scan: Scan, settings: Settings) -> ScannerSection | None:
    return next((s for s in settings.scanners if device_identity(s) == scan.device), None)


def classify(scan: Scan, lookups: Lookups, settings: Settings) -> Classified:
    if scan.flags:
        words = "; ".join(FLAG_WORDS.get(f, f) for f in scan.flags)
        return Classified(scan, "unknown", scan.text, {"flags": list(scan.flags)},
                          f"scan not understood ({words}); please scan again")
    text = scan.text.strip("\r\n")
    if not text:
        return Classified(scan, "unknown", "", {}, "empty scan")
    if not _is_text(text):
        return Classified(scan, "unknown", visible(text), {}, "the scan contains characters "
                          "that are not text; please scan again")
    reader = reader_of(scan, settings)
    if scan.role == "badge":
        return _badge(scan, text, reader, lookups) or _badge_problem(scan, text, reader)
    scheme = parse_scheme(settings.numbering.scheme, settings.numbering.check)
    for step in (_iso15434, _url, _gs1_by_symbology):
        found = step(scan, text, scheme, lookups, settings)
        if found is not None:
            return found
    found = _asset(scan, text, scheme, lookups) or _alias(scan, text, lookups)
    if found is None and scan.role == "any":
        found = _badge(scan, text, reader, lookups, registered_only=True)
    if found is None and is_gtin(text):
        found = _gs1(scan, parse_gtin(text), lookups)
    return found or Classified(scan, "unknown", text, {}, "this code is not one of ours: "
                               "no asset, badge or label matches it")


def _badge(scan: Scan, text: str, reader: ScannerSection | None, lookups: Lookups,
           registered_only: bool = False) -> Classified | None:
    badge_format = reader.badge_format if reader else "decimal"
    try:
        normalized = normalize_badge(text, badge_format)
    except ValueError:
        return None
    registered = lookups.badge_exists(normalized)
    if registered_only and not registered:
        return None
    return Classified(scan, "badge", normalized, {"registered": registered,
                                                  "format": badge_format})


def _badge_problem(scan: Scan, text: str, reader: ScannerSection | None) -> Classified:
    badge_format = reader.badge_format if reader else "decimal"
    return Classified(scan, "badge", text, {"format": badge_format},
                      f"the badge reader sent {text!r}, which is not a {badge_format} card "
                      "number; check badge_format of this reader")


def _asset(scan: Scan, text: str, scheme: Scheme, lookups: Lookups) -> Classified | None:
    number = text.strip().upper()
    for registered in dict.fromkeys((text.strip(), number)):
        if lookups.asset_exists(registered):  # old labels need not fit today's scheme
            return Classified(scan, "asset", registered, {"number": registered,
                                                          "registered": True})
    status = scheme.validate(number)
    if status is NumberStatus.MALFORMED:
        return None
    fields: dict[str, Any] = {"number": number, "registered": False}
    if status is NumberStatus.CHECK_WRONG:
        return Classified(scan, "asset", number, fields, "the check character of this "
                          "inventory number is wrong: the label is damaged or was misread; "
                          "scan again or type the number")
    return Classified(scan, "asset", number, fields)


def _alias(scan: Scan, text: str, lookups: Lookups) -> Classified | None:
    number = lookups.asset_for_alias(text)
    if number is None:
        return None
    return Classified(scan, "asset", number, {"number": number, "registered": True,
                                              "alias": text})


def _iso15434(scan: Scan, text: str, scheme: Scheme, lookups: Lookups,
              settings: Settings) -> Classified | None:
    if not is_iso15434(text):
        return None
    parsed = parse_iso15434(text)
    return _resolved(scan, "iso15434", text, parsed, lookups)


def _url(scan: Scan, text: str, scheme: Scheme, lookups: Lookups,
         settings: Settings) -> Classified | None:
    if not re.match(r"^https?://", text, re.IGNORECASE):
        return None
    template = settings.station.label_url
    if "{number}" in template:
        head, _, tail = template.partition("{number}")
        pattern = re.escape(head) + r"(?P<number>[^/?#]+)" + re.escape(tail) + r"/?$"
        match = re.match(pattern, text, re.IGNORECASE)
        if match:
            number = urllib.parse.unquote(match.group("number"))
            found = _asset(scan, number, scheme, lookups)
            fields = {**(found.fields if found else {}), "url": text}
            problem = found.problem if found else f"the label's number {number!r} is not a " \
                                                  "valid inventory number"
            return Classified(scan, "url", number.upper(), fields, problem)
    return Classified(scan, "unknown", text, {"url": text},
                      "this QR code is a web address, not one of our labels")


def _gs1_by_symbology(scan: Scan, text: str, scheme: Scheme, lookups: Lookups,
                      settings: Settings) -> Classified | None:
    if scan.symbology in GTIN_SYMBOLOGIES:
        return _gs1(scan, parse_gtin(text), lookups)
    if scan.symbology in GS1_SYMBOLOGIES or (scan.symbology is None and looks_like_gs1(text)):
        return _gs1(scan, parse_gs1(text), lookups)
    return None


def _gs1(scan: Scan, parsed: Parsed, lookups: Lookups) -> Classified:
    return _resolved(scan, "gs1", scan.text, parsed, lookups)


def _resolved(scan: Scan, kind: str, text: str, parsed: Parsed,
              lookups: Lookups) -> Classified:
    """GIAI, GTIN + serial or a 15434 serial that names one of our assets."""
    fields: dict[str, Any] = {"values": parsed.values, "interpreted": parsed.interpreted}
    value = text
    for key in parsed.alias_keys:
        number = lookups.asset_for_alias(key)
        if number is not None:
            fields.update(asset=number, alias=key)
            value = number
            break
    return Classified(scan, kind, value, fields, parsed.problem)
