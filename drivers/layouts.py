"""Keyboard layouts as tables: key code -> character per level.

Levels are (base, Shift, AltGr, Shift+AltGr). The tables are hand-written
because xkbcommon does not build on the target (it needs libxkbcommon-dev).
They follow the Windows layouts of the same name, since a scanner's
"keyboard country" setting is made to match Windows: e.g. German AltGr+Q is
'@', French AltGr+0 is '@', Italian has no '~' or '`' at all, and UK has
'#' on the key next to Enter. A dead key is stored as its combining mark
(U+0300..U+0308) and composes with the next key, as on Windows.
Keypad keys, Enter, Tab, Backspace and Esc are the same on every layout and
live in `drivers.keycodes`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from drivers.keycodes import KEY_CODES

Levels = tuple[str | None, str | None, str | None, str | None]

DEAD_SPACING = {"\u0300": "`", "\u0301": "´", "\u0302": "^", "\u0303": "~", "\u0308": "¨"}


@dataclass(frozen=True)
class Layout:
    """One keyboard layout; `has_altgr` False means Right Alt is a plain Alt (US)."""

    name: str
    keys: dict[int, Levels]
    has_altgr: bool = True

    def char(self, code: int, level: int) -> str | None:
        levels = self.keys.get(code)
        return levels[level] if levels else None


def is_dead(char: str) -> bool:
    return char in DEAD_SPACING


def compose(dead: str, char: str) -> str | None:
    """The accented character for dead key + char, or None if the pair does not compose."""
    if char == " ":
        return DEAD_SPACING[dead]
    composed = unicodedata.normalize("NFC", char + dead)
    return composed if len(composed) == 1 else None


def _build(letters: str, pairs: dict[str, str | tuple[str | None, str | None]],
           altgr: dict[str, tuple[str | None, str | None]]) -> dict[int, Levels]:
    """letters: what keys A..Z type; pairs: key -> base+shift; altgr: key -> levels 3+4."""
    table: dict[int, Levels] = {}
    for key, char in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", letters, strict=True):
        table[KEY_CODES[key]] = (char, char.upper(), None, None)
    for key, both in pairs.items():
        table[KEY_CODES[key]] = (both[0], both[1], None, None)
    for key, (third, fourth) in altgr.items():
        base, shift, _, _ = table[KEY_CODES[key]]
        table[KEY_CODES[key]] = (base, shift, third, fourth)
    return table


_QWERTY = "abcdefghijklmnopqrstuvwxyz"
_QWERTZ = _QWERTY.translate(str.maketrans("yz", "zy"))      # KEY_Y types z, KEY_Z types y
_AZERTY = _QWERTY.translate(str.maketrans("aqzw", "qawz"))  # KEY_M is replaced below

US = Layout("us", _build(_QWERTY, {
    "GRAVE": "`~", "1": "1!", "2": "2@", "3": "3#", "4": "4$", "5": "5%", "6": "6^",
    "7": "7&", "8": "8*", "9": "9(", "0": "0)", "MINUS": "-_", "EQUAL": "=+",
    "LEFTBRACE": "[{", "RIGHTBRACE": "]}", "BACKSLASH": "\\|", "SEMICOLON": ";:",
    "APOSTROPHE": "'\"", "COMMA": ",<", "DOT": ".>", "SLASH": "/?", "SPACE": "  ",
}, {}), has_altgr=False)

GB = Layout("gb", _build(_QWERTY, {
    "GRAVE": "`¬", "1": "1!", "2": "2\"", "3": "3£", "4": "4$", "5": "5%", "6": "6^",
    "7": "7&", "8": "8*", "9": "9(", "0": "0)", "MINUS": "-_", "EQUAL": "=+",
    "LEFTBRACE": "[{", "RIGHTBRACE": "]}", "BACKSLASH": "#~", "102ND": "\\|",
    "SEMICOLON": ";:", "APOSTROPHE": "'@", "COMMA": ",<", "DOT": ".>", "SLASH": "/?",
    "SPACE": "  ",
}, {"GRAVE": ("¦", None), "4": ("€", None), "A": ("á", "Á"), "E": ("é", "É"),
    "I": ("í", "Í"), "O": ("ó", "Ó"), "U": ("ú", "Ú")}))

DE = Layout("de", _build(_QWERTZ, {
    "GRAVE": ("\u0302", "°"), "1": "1!", "2": "2\"", "3": "3§", "4": "4$", "5": "5%",
    "6": "6&", "7": "7/", "8": "8(", "9": "9)", "0": "0=", "MINUS": "ß?",
    "EQUAL": ("\u0301", "\u0300"), "LEFTBRACE": "üÜ", "RIGHTBRACE": "+*", "SEMICOLON": "öÖ",
    "APOSTROPHE": "äÄ", "BACKSLASH": "#'", "102ND": "<>", "COMMA": ",;", "DOT": ".:",
    "SLASH": "-_", "SPACE": "  ",
}, {"2": ("²", None), "3": ("³", None), "7": ("{", None), "8": ("[", None), "9": ("]", None),
    "0": ("}", None), "MINUS": ("\\", None), "Q": ("@", None), "E": ("€", None),
    "RIGHTBRACE": ("~", None), "102ND": ("|", None), "M": ("µ", None)}))

FR = Layout("fr", _build(_AZERTY, {
    "GRAVE": ("²", None), "1": "&1", "2": "é2", "3": "\"3", "4": "'4", "5": "(5", "6": "-6",
    "7": "è7", "8": "_8", "9": "ç9", "0": "à0", "MINUS": ")°", "EQUAL": "=+",
    "LEFTBRACE": ("\u0302", "\u0308"), "RIGHTBRACE": "$£", "SEMICOLON": "mM",
    "APOSTROPHE": "ù%", "BACKSLASH": "*µ", "102ND": "<>", "M": ",?", "COMMA": ";.",
    "DOT": ":/", "SLASH": "!§", "SPACE": "  ",
}, {"2": ("\u0303", None), "3": ("#", None), "4": ("{", None), "5": ("[", None),
    "6": ("|", None), "7": ("\u0300", None), "8": ("\\", None), "9": ("^", None),
    "0": ("@", None), "MINUS": ("]", None), "EQUAL": ("}", None), "RIGHTBRACE": ("¤", None),
    "E": ("€", None)}))

IT = Layout("it", _build(_QWERTY, {
    "GRAVE": "\\|", "1": "1!", "2": "2\"", "3": "3£", "4": "4$", "5": "5%", "6": "6&",
    "7": "7/", "8": "8(", "9": "9)", "0": "0=", "MINUS": "'?", "EQUAL": "ì^",
    "LEFTBRACE": "èé", "RIGHTBRACE": "+*", "SEMICOLON": "òç", "APOSTROPHE": "à°",
    "BACKSLASH": "ù§", "102ND": "<>", "COMMA": ",;", "DOT": ".:", "SLASH": "-_",
    "SPACE": "  ",
}, {"LEFTBRACE": ("[", "{"), "RIGHTBRACE": ("]", "}"), "SEMICOLON": ("@", None),
    "APOSTROPHE": ("#", None), "E": ("€", None)}))

LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in (US, GB, DE, FR, IT)}


def get_layout(name: str) -> Layout:
    try:
        return LAYOUTS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown keyboard layout {name!r}; use one of "
                         f"{', '.join(LAYOUTS)}") from None
