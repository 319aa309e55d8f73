"""The reverse of the decoder: text -> the key events a scanner would send.

Used by the benchmark and usable with python-evdev's UInput for an
end-to-end self-test on the Pi. Control characters are typed as Ctrl
chords (GS = Ctrl+]), the way scanners in "Control+X" mode send them.
"""

from __future__ import annotations

from drivers.keycodes import EV_KEY, EV_MSC, EV_SYN, KEY_CODES, SYN_REPORT
from drivers.layouts import get_layout, is_dead

Event = tuple[int, int, int]
LEVEL_MODIFIERS = {0: (), 1: ("LEFTSHIFT",), 2: ("RIGHTALT",), 3: ("RIGHTALT", "LEFTSHIFT")}
CTRL_KEYS = {"\x1d": "RIGHTBRACE", "\x1e": "6", "\x1f": "MINUS", "\x04": "D", "\n": "J"}


def key_tap(code: int, modifiers: tuple[str, ...] = ()) -> list[Event]:
    """Press and release one key inside its modifiers, one SYN frame per change."""
    events: list[Event] = []
    for name in modifiers:
        events += [(EV_KEY, KEY_CODES[name], 1), (EV_SYN, SYN_REPORT, 0)]
    for value in (1, 0):
        events += [(EV_MSC, 4, 0x70000 + code), (EV_KEY, code, value), (EV_SYN, SYN_REPORT, 0)]
    for name in reversed(modifiers):
        events += [(EV_KEY, KEY_CODES[name], 0), (EV_SYN, SYN_REPORT, 0)]
    return events


def keystrokes(layout_name: str = "us") -> dict[str, list[Event]]:
    """Character -> events, for every character the layout types with one key."""
    layout = get_layout(layout_name)
    strokes: dict[str, list[Event]] = {}
    for code in sorted(layout.keys):
        for level, char in enumerate(layout.keys[code]):
            if char is not None and not is_dead(char):
                strokes.setdefault(char, key_tap(code, LEVEL_MODIFIERS[level]))
    for char, key in CTRL_KEYS.items():
        strokes[char] = key_tap(KEY_CODES[key], ("LEFTCTRL",))
    return strokes


def type_scan(text: str, strokes: dict[str, list[Event]]) -> list[Event]:
    """The events of one scan, Enter-terminated; KeyError for a character it cannot type."""
    return [event for char in text for event in strokes[char]] + key_tap(KEY_CODES["ENTER"])
