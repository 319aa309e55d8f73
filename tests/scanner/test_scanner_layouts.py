"""Layouts: text typed the way a scanner types it decodes back unchanged.

The encoder below inverts the same tables the decoder uses, so the round trip
proves the decoder's level, Caps Lock, dead-key and Alt logic; the
known-position tests pin the tables themselves to the real layouts.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scanner_helpers import decode, texts

from drivers.keycodes import EV_KEY, EV_SYN, KEY_CODES, SYN_REPORT
from drivers.keymap import KeyDecoder
from drivers.layouts import DEAD_SPACING, LAYOUTS, compose, is_dead

GS = "\x1d"
PRINTABLE_ASCII = [chr(c) for c in range(32, 127)]
LEVEL_MODIFIERS = {0: [], 1: ["LEFTSHIFT"], 2: ["RIGHTALT"], 3: ["RIGHTALT", "LEFTSHIFT"]}
K = KEY_CODES


def press(code: int, modifiers: list[str]) -> list[tuple[int, int, int]]:
    events = []
    for name in modifiers:
        events += [(EV_KEY, K[name], 1), (EV_SYN, SYN_REPORT, 0)]
    events += [(EV_KEY, code, 1), (EV_SYN, SYN_REPORT, 0), (EV_KEY, code, 0),
               (EV_SYN, SYN_REPORT, 0)]
    for name in reversed(modifiers):
        events += [(EV_KEY, K[name], 0), (EV_SYN, SYN_REPORT, 0)]
    return events


def keystrokes(layout_name: str) -> dict[str, list[tuple[int, int, int]]]:
    """Every character the layout can type -> the events that type it (simplest way)."""
    layout = LAYOUTS[layout_name]
    direct: dict[str, list[tuple[int, int, int]]] = {}
    dead: dict[str, list[tuple[int, int, int]]] = {}
    for code in sorted(layout.keys):
        for level, char in enumerate(layout.keys[code]):
            if char is None:
                continue
            target = dead if is_dead(char) else direct
            target.setdefault(char, press(code, LEVEL_MODIFIERS[level]))
    typed = dict(direct)
    for mark, events in dead.items():
        typed.setdefault(DEAD_SPACING[mark], events + direct[" "])
        for char, base_events in direct.items():
            composed = compose(mark, char)
            if char != " " and composed:
                typed.setdefault(composed, events + base_events)
    return typed


def encode(text: str, strokes: dict[str, list[tuple[int, int, int]]]) -> list:
    events = [e for char in text for e in strokes[char]]
    return events + press(K["ENTER"], [])


def alt_code(char: str, leading_zero: bool, packed: bool) -> list[tuple[int, int, int]]:
    number = ord(char) if char.isascii() else char.encode("cp1252")[0]
    digits = f"0{number:03d}" if leading_zero else f"{number:03d}"
    keys = [K[f"KP{d}"] for d in digits]
    if packed:  # Alt and all digits in one HID report, released in the next
        return ([(EV_KEY, K["LEFTALT"], 1)] + [(EV_KEY, k, 1) for k in keys] +
                [(EV_SYN, SYN_REPORT, 0)] + [(EV_KEY, k, 0) for k in keys] +
                [(EV_KEY, K["LEFTALT"], 0), (EV_SYN, SYN_REPORT, 0)])
    events = [(EV_KEY, K["LEFTALT"], 1), (EV_SYN, SYN_REPORT, 0)]
    for key in keys:
        events += [(EV_KEY, key, 1), (EV_SYN, SYN_REPORT, 0), (EV_KEY, key, 0),
                   (EV_SYN, SYN_REPORT, 0)]
    return events + [(EV_KEY, K["LEFTALT"], 0), (EV_SYN, SYN_REPORT, 0)]


US_STROKES = {**keystrokes("us"), GS: press(K["RIGHTBRACE"], ["LEFTCTRL"])}
ASCII_AND_GS = st.text(alphabet=[*PRINTABLE_ASCII, GS], min_size=1, max_size=80)


@settings(max_examples=150, deadline=None)
@given(ASCII_AND_GS)
def test_us_scanner_round_trip(text: str) -> None:
    assert texts(decode(encode(text, US_STROKES))) == [text]


@settings(max_examples=150, deadline=None)
@given(ASCII_AND_GS, st.booleans(), st.booleans())
def test_alt_numpad_scanner_round_trip(text: str, leading_zero: bool, packed: bool) -> None:
    events = [e for c in text for e in alt_code(c, leading_zero, packed)]
    assert texts(decode(events + press(K["ENTER"], []))) == [text]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="äöüßéèàç€£µ§°" + string.ascii_letters, min_size=1, max_size=30))
def test_alt_numpad_windows_1252_round_trip(text: str) -> None:
    events = [e for c in text for e in alt_code(c, True, False)]
    assert texts(decode(events + press(K["ENTER"], []))) == [text]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_typable_character_round_trips(layout: str) -> None:
    strokes = keystrokes(layout)
    for char in strokes:
        decoded = texts(decode(encode(char, strokes), KeyDecoder(layout)))
        assert decoded == [char], (layout, char)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_layout_round_trip_random_strings(layout: str, data: st.DataObject) -> None:
    strokes = keystrokes(layout)
    text = data.draw(st.text(alphabet=sorted(strokes), min_size=1, max_size=60))
    assert texts(decode(encode(text, strokes), KeyDecoder(layout))) == [text]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_letters_digits_space_type_on_every_layout(layout: str) -> None:
    """Morovia: letters, digits and space exist on every layout (our enrolment codes use them)."""
    assert set(string.ascii_letters + string.digits + " ") <= set(keystrokes(layout))


# Positions checked against the Windows layouts (key, level, character); levels 0-3 =
# base, Shift, AltGr, Shift+AltGr.
KNOWN = {
    "us": [("2", 1, "@"), ("6", 1, "^"), ("APOSTROPHE", 1, '"'), ("GRAVE", 1, "~"),
           ("BACKSLASH", 0, "\\"), ("Y", 0, "y"), ("SLASH", 1, "?"), ("RIGHTBRACE", 1, "}")],
    "gb": [("2", 1, '"'), ("3", 1, "£"), ("APOSTROPHE", 1, "@"), ("BACKSLASH", 0, "#"),
           ("BACKSLASH", 1, "~"), ("102ND", 0, "\\"), ("GRAVE", 1, "¬"), ("4", 2, "€")],
    "de": [("Y", 0, "z"), ("Z", 0, "y"), ("Q", 2, "@"), ("MINUS", 0, "ß"), ("SLASH", 0, "-"),
           ("SLASH", 1, "_"), ("7", 1, "/"), ("8", 2, "["), ("9", 2, "]"), ("0", 1, "="),
           ("RIGHTBRACE", 2, "~"), ("102ND", 2, "|"), ("SEMICOLON", 0, "ö"), ("E", 2, "€")],
    "fr": [("Q", 0, "a"), ("A", 0, "q"), ("W", 0, "z"), ("Z", 0, "w"), ("SEMICOLON", 0, "m"),
           ("M", 0, ","), ("1", 0, "&"), ("1", 1, "1"), ("0", 2, "@"), ("5", 2, "["),
           ("DOT", 1, "/"), ("SLASH", 0, "!"), ("6", 0, "-"), ("8", 0, "_")],
    "it": [("SEMICOLON", 2, "@"), ("APOSTROPHE", 2, "#"), ("MINUS", 0, "'"), ("EQUAL", 1, "^"),
           ("LEFTBRACE", 3, "{"), ("RIGHTBRACE", 2, "]"), ("3", 1, "£"), ("GRAVE", 0, "\\")],
}


@pytest.mark.parametrize("layout", sorted(KNOWN))
def test_known_key_positions(layout: str) -> None:
    table = LAYOUTS[layout]
    wrong = [(key, level, table.char(K[key], level), char) for key, level, char in KNOWN[layout]
             if table.char(K[key], level) != char]
    assert wrong == []


def test_italian_cannot_type_tilde_or_backtick() -> None:
    assert "~" not in keystrokes("it") and "`" not in keystrokes("it")


def test_german_dead_keys_compose() -> None:
    # ^ then e -> ê; ´ then e -> é; ^ then space -> ^
    events = press(K["GRAVE"], []) + press(K["E"], []) + press(K["EQUAL"], []) + \
        press(K["E"], []) + press(K["GRAVE"], []) + press(K["SPACE"], []) + press(K["ENTER"], [])
    assert texts(decode(events, KeyDecoder("de"))) == ["êé^"]
