"""Decoder rules not covered by the shared captures."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scanner_helpers import decode, texts, tokens

from drivers.framing import Framing, split_aim
from drivers.keycodes import EV_KEY, EV_SYN, KEY_CODES, SYN_DROPPED, SYN_REPORT
from drivers.keymap import KeyDecoder
from drivers.profiles import parse_profile, parse_terminators

K = KEY_CODES


def test_syn_dropped_discards_partial_scan_and_rereads_held_keys() -> None:
    held = [K["LEFTSHIFT"]]
    decoder = KeyDecoder(active_keys=lambda: held)
    events = tokens("1 2") + [(EV_SYN, SYN_DROPPED, 0), (EV_KEY, K["3"], 1),
                              (EV_SYN, SYN_REPORT, 0)] + tokens("A LEFTSHIFT- B ENTER")
    scans = decode(events, decoder)
    # "12" is gone, the 3 inside the dropped frame is ignored, Shift is still down after it.
    assert texts(scans) == ["Ab"]
    assert decoder.syn_dropped == 1
    assert [d.kind for d in decoder.take_diagnostics()] == ["syn_dropped", "syn_dropped"]


def test_function_key_profile_maps_f8_to_group_separator() -> None:
    decoder = KeyDecoder(profile=parse_profile("honeywell-fkeys"))
    assert texts(decode(tokens("1 0 A F8 2 1 B F9 ENTER"), decoder)) == ["10a\x1d21b\x1e"]


def test_inline_profile_and_unknown_key_without_profile() -> None:
    decoder = KeyDecoder(profile=parse_profile("DOWN=GS,F7=EOT"))
    assert texts(decode(tokens("A DOWN B F7 ENTER"), decoder)) == ["a\x1db\x04"]
    (scan,) = decode(tokens("A DOWN B ENTER"))
    assert scan.flags == ("unknown-key",) and scan.raw == "ab"
    assert scan.notes == ("contained unknown key 108 (KEY_DOWN)",)


@pytest.mark.parametrize("spec", ["nonsense", "F8=XYZ", "NOKEY=GS"])
def test_bad_profile_is_explained(spec: str) -> None:
    with pytest.raises(ValueError, match="unknown"):
        parse_profile(spec)


def test_backspace_and_ctrl_h_are_data_never_editing() -> None:
    assert texts(decode(tokens("A B BACKSPACE LEFTCTRL+ H LEFTCTRL- C ENTER"))) == ["ab\b\bc"]


def test_ctrl_chords_become_c0_controls() -> None:
    events = tokens("LEFTCTRL+ D LEFTCTRL- LEFTCTRL+ LEFTBRACE LEFTCTRL- "
                    "LEFTCTRL+ LEFTSHIFT+ 2 LEFTSHIFT- LEFTCTRL- "
                    "RIGHTCTRL+ BACKSLASH RIGHTCTRL- ENTER")
    assert texts(decode(events)) == ["\x04\x1b\x00\x1c"]


def test_ctrl_with_a_key_that_has_no_control_is_flagged() -> None:
    (scan,) = decode(tokens("A LEFTCTRL+ 1 LEFTCTRL- ENTER"))
    assert scan.flags == ("ctrl-chord",) and scan.raw == "a"


@pytest.mark.parametrize(("digits", "expected"), [
    ("0228", "ä"),   # leading 0: Windows-1252
    ("132", "ä"),    # no leading 0: code page 437
    ("0128", "€"),
    ("29", "\x1d"),  # below 32: the control character itself, never a CP437 glyph
    ("0004", "\x04"),
    ("065", "A"),
])
def test_alt_codes(digits: str, expected: str) -> None:
    keys = " ".join(f"KP{d}" for d in digits)
    assert texts(decode(tokens(f"LEFTALT+ {keys} LEFTALT- ENTER"))) == [expected]


def test_alt_released_without_digits_types_nothing_and_alt_chord_flags() -> None:
    assert decode(tokens("LEFTALT+ LEFTALT- ENTER")) == []
    (scan,) = decode(tokens("LEFTALT+ KP1 A LEFTALT- B ENTER"))
    assert scan.flags == ("stray-alt",) and scan.raw == "b"


def test_alt_code_above_255_is_flagged() -> None:
    (scan,) = decode(tokens("LEFTALT+ KP9 KP9 KP9 LEFTALT- ENTER"))
    assert scan.flags == ("stray-alt",)


def test_lf_terminator_and_crlf_collapse() -> None:
    terminators, lf = parse_terminators(["enter", "lf"])
    decoder = KeyDecoder(framing=Framing(terminators=terminators, lf_terminates=lf))
    events = tokens("1 2 ENTER LEFTCTRL+ J LEFTCTRL- 3 LEFTCTRL+ J LEFTCTRL-")
    assert texts(decode(events, decoder)) == ["12", "3"]


def test_enter_is_data_when_only_tab_terminates() -> None:
    decoder = KeyDecoder(framing=Framing(terminators=parse_terminators(["tab"])[0]))
    assert texts(decode(tokens("1 ENTER 2 TAB"), decoder)) == ["1\r2"]


def test_abandoned_partial_scan_is_dropped_with_a_diagnostic() -> None:
    decoder = KeyDecoder(framing=Framing(abandon_s=0.5))
    scans = decoder.feed_all(tokens("1 2"), 10.0)
    scans += decoder.poll(10.4)
    assert scans == [] and decoder.deadline() == pytest.approx(10.5)
    scans += decoder.poll(10.6)
    assert scans == [] and decoder.deadline() is None
    assert [d.kind for d in decoder.take_diagnostics()] == ["abandoned"]
    assert texts(decoder.feed_all(tokens("3 ENTER"), 11.0)) == ["3"]


def test_idle_framing_closes_a_scan_after_silence() -> None:
    decoder = KeyDecoder(framing=Framing(terminators=frozenset(), idle_s=0.1))
    decoder.feed_all(tokens("4 5"), 1.0)
    assert decoder.poll(1.05) == []
    (scan,) = decoder.poll(1.2)
    assert (scan.raw, scan.first_at, scan.last_at) == ("45", 1.0, 1.0)


def test_max_length_overflow_flags_and_keeps_first_part() -> None:
    decoder = KeyDecoder(framing=Framing(max_len=5))
    (scan,) = decode(tokens("1 2 3 4 5 6 7 ENTER 8 ENTER"), decoder)[:1]
    assert scan.flags == ("overflow",) and scan.raw == "12345"
    assert texts(decode(tokens("8 ENTER"), decoder)) == ["8"]


def test_caps_lock_is_per_device() -> None:
    first, second = KeyDecoder(), KeyDecoder()
    decode(tokens("CAPSLOCK"), first)
    assert texts(decode(tokens("A ENTER"), first)) == ["A"]
    assert texts(decode(tokens("A ENTER"), second)) == ["a"]


def test_key_event_times_become_scan_times() -> None:
    decoder = KeyDecoder()
    decoder.feed(EV_KEY, K["1"], 1, 5.0)
    (scan,) = decoder.feed(EV_KEY, K["ENTER"], 1, 5.25)
    assert (scan.first_at, scan.last_at) == (5.0, 5.25)


@pytest.mark.parametrize(("raw", "expected"), [
    ("]C10109506000134352", ("]C1", "0109506000134352")),
    ("]d2ABC", ("]d2", "ABC")),
    ("]F0A1234B", ("]F0", "1234")),      # Codabar start/stop stripped only under ]F
    ("B1234C", (None, "B1234C")),
    ("]", (None, "]")),
    ("]1ABC", (None, "]1ABC")),
])
def test_aim_split(raw: str, expected: tuple) -> None:
    assert split_aim(raw) == expected


def test_unknown_codes_never_raise() -> None:
    events = [(EV_KEY, code, 1) for code in (0, 113, 240, 700, 0x2FF)] + tokens("1 ENTER")
    (scan,) = decode(events)
    assert scan.raw == "1" and scan.flags == ("unknown-key",)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0, 1, 2, 4, 17]), st.integers(0, 0x2FF),
                          st.integers(-1, 3), st.floats(0, 3)), max_size=300))
def test_any_event_stream_is_survived(stream: list) -> None:
    """Garbage in never raises, never exceeds the maximum length, always ends cleanly."""
    decoder = KeyDecoder("de", framing=Framing(max_len=20, idle_s=0.5))
    now, scans = 0.0, []
    for type_, code, value, gap in stream:
        now += gap
        scans += decoder.feed(type_, code, value, now)
    scans += decoder.poll(now + 10)
    assert all(len(s.raw) <= 20 for s in scans)
    assert decoder.deadline() is None


def test_evtest_lines_parse_including_syn_dropped_and_hex_msc_values() -> None:
    from drivers.evtest import parse_capture

    capture = parse_capture([
        'Input device ID: bus 0x3 vendor 0x5e0 product 0x1200 version 0x110',
        'Input device name: "Symbol Technologies, Inc, 2008 Symbol Bar Code Scanner"',
        "  Event type 1 (EV_KEY)",
        "    Event code 30 (KEY_A)",
        "  Event type 4 (EV_MSC)",
        "    Event code 4 (MSC_SCAN)",
        "Event: time 1700000000.000000, type 4 (EV_MSC), code 4 (MSC_SCAN), value 700e1",
        "Event: time 1700000000.000000, type 1 (EV_KEY), code 30 (KEY_A), value 1",
        "Event: time 1700000000.000000, -------------- SYN_REPORT ------------",
        "Event: time 1700000000.008000, >>>>>>>>>>>>>> SYN_DROPPED <<<<<<<<<<<<",
        "Event: time 1700000000.012000, type 17 (EV_LED), code 1 (LED_CAPSL), value 1",
        "Testing ... (interrupt to exit)",
    ])
    assert (capture.vendor, capture.product, capture.keys) == (0x5E0, 0x1200, {30})
    assert capture.name.startswith("Symbol Technologies")
    assert [(e.type, e.code, e.value) for e in capture.events] == [
        (4, 4, 0x700E1), (1, 30, 1), (0, 0, 0), (0, SYN_DROPPED, 0), (17, 1, 1)]
    assert capture.events[3].time == pytest.approx(1700000000.008)
