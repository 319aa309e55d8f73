"""Read the text the `evtest` tool prints: device header plus one line per event.

Installers capture a scanner with ``sudo evtest /dev/input/eventN > scan.txt``;
`kiosk replay` and the tests feed such captures through the same decoder the
live reader uses. Header lines are parsed for identity and key capabilities;
anything else that is not an event line is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from drivers.keycodes import EV_KEY, EV_SYN, SYN_DROPPED, SYN_REPORT

_EVENT = re.compile(r"^Event: time (\d+\.\d+), type (\d+) \([^)]*\), code (\d+) \([^)]*\), "
                    r"value (-?[0-9a-fA-F]+)")
_SYN = re.compile(r"^Event: time (\d+\.\d+), -+ SYN_REPORT -+")
_DROPPED = re.compile(r"^Event: time (\d+\.\d+), >+ SYN_DROPPED <+")
_ID = re.compile(r"^Input device ID: bus 0x([0-9a-f]+) vendor 0x([0-9a-f]+) "
                 r"product 0x([0-9a-f]+)", re.IGNORECASE)
_NAME = re.compile(r'^Input device name: "(.*)"')
_TYPE = re.compile(r"^\s+Event type (\d+) ")
_CODE = re.compile(r"^\s+Event code (\d+) ")


@dataclass(frozen=True)
class Event:
    """One input event; `time` is the capture's timestamp in seconds."""

    type: int
    code: int
    value: int
    time: float


@dataclass
class Capture:
    """A parsed evtest capture."""

    name: str = ""
    vendor: int = 0
    product: int = 0
    keys: set[int] = field(default_factory=set)
    events: list[Event] = field(default_factory=list)


def parse_event_line(line: str) -> Event | None:
    """The event on this line, or None for header and other lines."""
    if match := _EVENT.match(line):
        time, type_, code, raw = match.groups()
        value = int(raw) if re.fullmatch(r"-?\d+", raw) else int(raw, 16)  # MSC_SCAN is hex
        return Event(int(type_), int(code), value, float(time))
    if match := _SYN.match(line):
        return Event(EV_SYN, SYN_REPORT, 0, float(match.group(1)))
    if match := _DROPPED.match(line):
        return Event(EV_SYN, SYN_DROPPED, 0, float(match.group(1)))
    return None


def parse_capture(lines: Iterable[str]) -> Capture:
    capture = Capture()
    section: int | None = None
    for line in lines:
        event = parse_event_line(line)
        if event is not None:
            capture.events.append(event)
        elif match := _ID.match(line):
            capture.vendor, capture.product = int(match.group(2), 16), int(match.group(3), 16)
        elif match := _NAME.match(line):
            capture.name = match.group(1)
        elif match := _TYPE.match(line):
            section = int(match.group(1))
        elif (match := _CODE.match(line)) and section == EV_KEY:
            capture.keys.add(int(match.group(1)))
    return capture


def read_capture(path: str) -> Capture:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return parse_capture(handle)


def merge_by_time(*streams: list[Event]) -> Iterator[tuple[int, Event]]:
    """Events of several nodes in timestamp order, tagged with their stream index."""
    tagged = [(event.time, index, position, event) for index, events in enumerate(streams)
              for position, event in enumerate(events)]
    for _time, index, _position, event in sorted(tagged):
        yield index, event
