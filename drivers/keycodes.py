"""Linux input event codes the scanner decoder needs, as plain ints.

Numbers come from linux/input-event-codes.h (checked against python-evdev
1.9.1 `evdev.ecodes`). They are hard-coded so the decoder runs, and its
tests replay captures, where evdev cannot be imported.
"""

from __future__ import annotations

EV_SYN, EV_KEY, EV_MSC, EV_LED = 0, 1, 4, 17
SYN_REPORT, SYN_DROPPED = 0, 3
KEY_RELEASE, KEY_PRESS, KEY_REPEAT = 0, 1, 2

# Key names (without KEY_) -> code, for profiles, terminators and messages.
KEY_CODES: dict[str, int] = {
    "ESC": 1, "1": 2, "2": 3, "3": 4, "4": 5, "5": 6, "6": 7, "7": 8, "8": 9, "9": 10,
    "0": 11, "MINUS": 12, "EQUAL": 13, "BACKSPACE": 14, "TAB": 15, "Q": 16, "W": 17, "E": 18,
    "R": 19, "T": 20, "Y": 21, "U": 22, "I": 23, "O": 24, "P": 25, "LEFTBRACE": 26,
    "RIGHTBRACE": 27, "ENTER": 28, "LEFTCTRL": 29, "A": 30, "S": 31, "D": 32, "F": 33, "G": 34,
    "H": 35, "J": 36, "K": 37, "L": 38, "SEMICOLON": 39, "APOSTROPHE": 40, "GRAVE": 41,
    "LEFTSHIFT": 42, "BACKSLASH": 43, "Z": 44, "X": 45, "C": 46, "V": 47, "B": 48, "N": 49,
    "M": 50, "COMMA": 51, "DOT": 52, "SLASH": 53, "RIGHTSHIFT": 54, "KPASTERISK": 55,
    "LEFTALT": 56, "SPACE": 57, "CAPSLOCK": 58, "F1": 59, "F2": 60, "F3": 61, "F4": 62,
    "F5": 63, "F6": 64, "F7": 65, "F8": 66, "F9": 67, "F10": 68, "NUMLOCK": 69,
    "SCROLLLOCK": 70, "KP7": 71, "KP8": 72, "KP9": 73, "KPMINUS": 74, "KP4": 75, "KP5": 76,
    "KP6": 77, "KPPLUS": 78, "KP1": 79, "KP2": 80, "KP3": 81, "KP0": 82, "KPDOT": 83,
    "102ND": 86, "F11": 87, "F12": 88, "KPENTER": 96, "RIGHTCTRL": 97, "KPSLASH": 98,
    "SYSRQ": 99, "RIGHTALT": 100, "HOME": 102, "UP": 103, "PAGEUP": 104, "LEFT": 105,
    "RIGHT": 106, "END": 107, "DOWN": 108, "PAGEDOWN": 109, "INSERT": 110, "DELETE": 111,
    "MUTE": 113, "VOLUMEDOWN": 114, "VOLUMEUP": 115, "POWER": 116, "KPEQUAL": 117,
    "PAUSE": 119, "KPCOMMA": 121, "LEFTMETA": 125, "RIGHTMETA": 126, "COMPOSE": 127,
    **{f"F{n}": 170 + n for n in range(13, 25)},  # F13..F24 = 183..194
}
KEY_NAMES: dict[int, str] = {code: name for name, code in KEY_CODES.items()}

K = KEY_CODES
SHIFT_KEYS = frozenset({K["LEFTSHIFT"], K["RIGHTSHIFT"]})
CTRL_KEYS = frozenset({K["LEFTCTRL"], K["RIGHTCTRL"]})
META_KEYS = frozenset({K["LEFTMETA"], K["RIGHTMETA"]})
LEFT_ALT, RIGHT_ALT = K["LEFTALT"], K["RIGHTALT"]
CAPSLOCK, NUMLOCK, SCROLLLOCK = K["CAPSLOCK"], K["NUMLOCK"], K["SCROLLLOCK"]
LOCK_KEYS = frozenset({NUMLOCK, SCROLLLOCK})

KEYPAD_DIGITS: dict[int, int] = {K[f"KP{d}"]: d for d in range(10)}
# Keypad keys are characters whatever the Num Lock state (scanners in keypad mode rely on it).
KEYPAD_CHARS: dict[int, str] = {
    **{code: str(d) for code, d in KEYPAD_DIGITS.items()},
    K["KPDOT"]: ".", K["KPMINUS"]: "-", K["KPPLUS"]: "+", K["KPASTERISK"]: "*",
    K["KPSLASH"]: "/", K["KPEQUAL"]: "=", K["KPCOMMA"]: ",",
}
# Keys that type a control character on every layout; kept as data, never as editing.
CONTROL_KEYS: dict[int, str] = {
    K["ENTER"]: "\r", K["KPENTER"]: "\r", K["TAB"]: "\t", K["BACKSPACE"]: "\b",
    K["ESC"]: "\x1b",
}

LETTER_KEYS = frozenset(K[c] for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
DIGIT_KEYS = frozenset(K[c] for c in "0123456789")
ENTER_KEYS = frozenset({K["ENTER"], K["KPENTER"]})

CONTROL_NAMES = (
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR",
    "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC",
    "FS", "GS", "RS", "US",
)
CONTROL_BY_NAME: dict[str, str] = {name: chr(i) for i, name in enumerate(CONTROL_NAMES)}


def key_name(code: int) -> str:
    """Readable name like KEY_MUTE; never raises, whatever the code."""
    name = KEY_NAMES.get(code)
    return f"KEY_{name}" if name else f"key {code}"


def key_code(name: str) -> int:
    """Code for a key name such as 'F8', 'KEY_F8' or 'enter'; ValueError names the problem."""
    clean = name.strip().upper().removeprefix("KEY_")
    if clean not in KEY_CODES:
        raise ValueError(f"unknown key name {name!r}; use names like ENTER, TAB, F8, DOWN")
    return KEY_CODES[clean]
