"""Event builders shared by the scanner tests (token notation of the scanner notes)."""

from __future__ import annotations

from pathlib import Path

from drivers.keycodes import EV_KEY, EV_MSC, EV_SYN, SYN_REPORT, key_code
from drivers.keymap import KeyDecoder

HID = Path(__file__).parent.parent / "fixtures" / "hid"
MSC_SCAN = 4


def tokens(text: str) -> list[tuple[int, int, int]]:
    """'LEFTSHIFT+ A LEFTSHIFT- [KP0+ KP1+] ENTER' -> events with MSC_SCAN and SYN frames.

    K+ press, K- release, K~ autorepeat, bare K = press then release; [..] = one frame.
    """
    events: list[tuple[int, int, int]] = []
    frame: list[tuple[int, int, int]] | None = None
    for token in text.replace("[", " [ ").replace("]", " ] ").split():
        if token == "[":
            frame = []
            continue
        if token == "]":
            events.extend(frame or [])
            events.append((EV_SYN, SYN_REPORT, 0))
            frame = None
            continue
        keys = _key_events(token)
        if frame is not None:
            frame.extend(keys)
        else:
            for key in keys:
                events.extend([key, (EV_SYN, SYN_REPORT, 0)])
    return events


def _key_events(token: str) -> list[tuple[int, int, int]]:
    suffix = token[-1] if token[-1] in "+-~" and len(token) > 1 else ""
    code = key_code(token[:-1] if suffix else token)
    values = {"+": [1], "-": [0], "~": [2], "": [1, 0]}[suffix]
    out = []
    for value in values:
        out += [(EV_MSC, MSC_SCAN, 0x70000 + code), (EV_KEY, code, value)]
    return out


def decode(events: list[tuple[int, int, int]], decoder: KeyDecoder | None = None,
           step: float = 0.004, settle: float = 5.0) -> list:
    """Feed events 4 ms apart (per SYN frame), then let the timers expire."""
    decoder = decoder or KeyDecoder()
    now, out = 100.0, []
    for type_, code, value in events:
        out += decoder.feed(type_, code, value, now)
        if type_ == EV_SYN:
            now += step
    return out + decoder.poll(now + settle)


def texts(scans: list) -> list[str]:
    return [s.raw for s in scans]
