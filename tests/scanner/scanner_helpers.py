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


def evtest_text(events: list[tuple[int, int, int]], start: float = 1700000000.0) -> str:
    """Events in the text format `evtest` prints (a short header, one line per event)."""
    lines = ["Input driver version is 1.0.1",
             "Input device ID: bus 0x3 vendor 0x5e0 product 0x1200 version 0x110",
             'Input device name: "Test Scanner"', "Testing ... (interrupt to exit)"]
    now = start
    for type_, code, value in events:
        stamp = f"Event: time {now:.6f},"
        if type_ == EV_SYN:
            lines.append(f"{stamp} -------------- SYN_REPORT ------------")
            now += 0.004
        elif type_ == EV_MSC:
            lines.append(f"{stamp} type 4 (EV_MSC), code 4 (MSC_SCAN), value {value:x}")
        else:
            lines.append(f"{stamp} type 1 (EV_KEY), code {code} (KEY_?), value {value}")
    return "\n".join(lines) + "\n"
