"""GS1 element strings and ISO/IEC 15434 envelopes, parsed with plain results.

Parsing of AIs (table, predefined lengths, separators, maximum lengths,
dates with day 00, decimal measures, check digits) is done by biip; this
module turns its answer into dictionaries and sentences a worker can act on,
and adds what biip leaves to the caller: the GS1 character set 82 check,
conflicting duplicate AIs, and the alias keys an asset label can resolve
through (GIAI 8004; GTIN 01 + serial 21).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from biip import ParseConfig, ParseError
from biip.gs1_messages import GS1Message
from biip.gtin import Gtin

GS, RS, EOT = "\x1d", "\x1e", "\x04"
GS1_SYMBOLOGIES = frozenset({"]C1", "]e0", "]d2", "]Q3", "]J1"})
GTIN_SYMBOLOGIES = frozenset({"]E0", "]E3", "]E4"})
# GS1 AI encodable character set 82.
_SET_82 = re.compile(r"^[0-9A-Za-z!\"%&'()*+,\-./:;<=>?_]$")
_ISO15434_HEADER = "[)>" + RS
_DATA_IDENTIFIER = re.compile(r"^(\d{0,3}[A-Z])(.*)$", re.DOTALL)
_CONFIG = ParseConfig(separator_chars=[GS])


@dataclass(frozen=True)
class Parsed:
    """AI (or data identifier) -> value, readable extras, a problem, alias keys to try."""

    values: dict[str, str] = field(default_factory=dict)
    interpreted: dict[str, str] = field(default_factory=dict)
    problem: str | None = None
    alias_keys: tuple[str, ...] = ()


def looks_like_gs1(payload: str) -> bool:
    """Without an AIM identifier: a GS inside, or a GTIN (01) with more behind it."""
    return (GS in payload.strip(GS + "\r\n") and payload[:2].isdigit()) or \
        bool(re.match(r"^01\d{14}\d{2}", payload))


def parse_gs1(payload: str) -> Parsed:
    text = payload.removeprefix(GS).rstrip(GS + "\r\n")  # a leading FNC1 arrives as GS
    strange = sorted({c for c in text.replace(GS, "") if not _SET_82.match(c)})
    if strange:
        return Parsed(problem=f"the code holds characters GS1 does not allow ({''.join(strange)!r}"
                              "); check the scanner's keyboard layout and Caps Lock")
    try:
        message = GS1Message.parse(text, config=_CONFIG)
    except ParseError as exc:
        return Parsed(problem=f"not a valid GS1 code ({exc}); if the label is fine, the "
                              "scanner may be dropping the group separator")
    values: dict[str, str] = {}
    interpreted: dict[str, str] = {}
    problems: list[str] = []
    for element in message.element_strings:
        ai, value = element.ai.ai, element.value
        if ai in values and values[ai] != value:
            problems.append(f"AI {ai} appears twice with different values")
        values[ai] = value
        problems.extend(_element_problems(element, ai))
        reading = element.datetime or element.date or element.decimal
        if reading is not None:
            interpreted[ai] = reading.isoformat() if hasattr(reading, "isoformat") \
                else str(reading)
    return Parsed(values, interpreted, "; ".join(problems) or None, _alias_keys(values))


def _element_problems(element: object, ai: str) -> list[str]:
    return [f"check digit wrong in AI {ai}" for name in ("gtin_error", "sscc_error", "gln_error")
            if getattr(element, name, None)]


def parse_gtin(payload: str) -> Parsed:
    try:
        gtin = Gtin.parse(payload)
    except ParseError as exc:
        return Parsed(problem=f"not a valid EAN/UPC ({exc})")
    return Parsed({"01": gtin.as_gtin_14()})


def is_gtin(text: str) -> bool:
    if not text.isdigit() or len(text) not in (8, 12, 13, 14):
        return False
    try:
        Gtin.parse(text)
    except ParseError:
        return False
    return True


def _alias_keys(values: dict[str, str]) -> tuple[str, ...]:
    keys: list[str] = []
    if "8004" in values:
        keys += [f"(8004){values['8004']}", values["8004"]]
    if "01" in values and "21" in values:
        keys.append(f"(01){values['01']}(21){values['21']}")
    return tuple(keys)


def is_iso15434(text: str) -> bool:
    return text.startswith(_ISO15434_HEADER)


def parse_iso15434(text: str) -> Parsed:
    """Format 06 (ANSI MH10.8.2 data identifiers); format 05 carries GS1 AIs."""
    body = text[len(_ISO15434_HEADER):].rstrip(EOT).rstrip(RS)
    values: dict[str, str] = {}
    formats: list[str] = []
    for segment in filter(None, body.split(RS)):
        fmt, _, rest = segment.partition(GS)
        formats.append(fmt)
        if fmt == "05":
            values.update(parse_gs1(rest).values)
            continue
        if fmt != "06":
            continue
        for item in filter(None, rest.split(GS)):
            match = _DATA_IDENTIFIER.match(item)
            if match:
                values[match.group(1)] = match.group(2)
    if "06" not in formats and "05" not in formats:
        return Parsed(problem=f"ISO/IEC 15434 format {', '.join(formats) or '?'} is not "
                              "supported (only 05 and 06)")
    keys = tuple(values[di] for di in ("25S", "S") if values.get(di))
    return Parsed(values, {"format": ",".join(formats)}, None, keys + _alias_keys(values))
