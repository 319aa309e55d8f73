"""Hostile input: payloads, Hypothesis strategies and the terminal check for goal S1.

A payload is anything a barcode, a badge, a CSV file or HQ could carry: terminal escapes (OSC
title, CSI clear screen, DCS/APC/PM/SOS, 8-bit C1 introducers), Textual markup, SQL and shell
metacharacters, Alt-code oddities (C1 bytes, lone surrogates, bidi and zero-width controls),
and 10,000-character floods. Each escape payload carries a unique sentinel so a captured
terminal stream can be searched for it: the sentinel may appear (shown as text), the escape
byte in front of it may not.
"""

from __future__ import annotations

import random
import re

from hypothesis import strategies as st

from kiosk.text import visible

ESC, BEL, CSI8, OSC8 = "\x1b", "\x07", "\x9b", "\x9d"
# (payload, the raw bytes that must never reach the terminal)
ESCAPES = [
    (f"{ESC}]0;PWNED-TITLE{BEL}", b"\x1b]0;PWNED-TITLE"),
    (f"{ESC}[2JPWNED-CLEAR", b"\x1b[2JPWNED-CLEAR"),
    (f"{ESC}P+q544e{ESC}\\PWNED-DCS", b"\x1bP+q544e"),
    (f"{ESC}[6nPWNED-QUERY", b"\x1b[6nPWNED-QUERY"),
    (f"{ESC}_APC{ESC}\\PWNED-APC", b"\x1b_APC"),
    (f"{ESC}]8;;http://evil.example{ESC}\\PWNED-LINK", b"\x1b]8;;http://evil"),
    (f"{CSI8}2JPWNED-C1CSI", "\x9b2JPWNED-C1CSI".encode()),
    (f"{OSC8}0;PWNED-C1OSC{BEL}", "\x9d0;PWNED-C1OSC".encode()),
    ("\x1bcPWNED-RIS", b"\x1bcPWNED-RIS"),
]
MARKUP = ["[link=http://evil.example]free tools[/link]", "[bold red]HACKED", "[/]", "[",
          "[@click=app.quit]x[/]", "[on red]", "\\[escaped]", "[b]" * 50]
INJECTION = ["'; DROP TABLE events;--", "\" OR 1=1 --", "$(reboot)", "`id`", "a; rm -rf /",
             "|| shutdown -h now", "%s%s%n", "{0.__class__}", "../../etc/passwd", "\x00NUL"]
ODD = ["\u202eLOOT", "\u200b\u200d", "\ud800", "\ufffd", "\x85NEL", "\u2028", "\ufeff",
       "é" * 3, "\x7f", "ÿ\x80\x81"]
ALPHABET = st.characters(codec=None, exclude_categories=())   # every code point, surrogates too
FRAGMENTS = [p for p, _ in ESCAPES] + MARKUP + INJECTION + ODD


def hostile_text() -> st.SearchStrategy[str]:
    """Fragments glued together with arbitrary characters, sometimes 10,000 long."""
    piece = st.one_of(st.sampled_from(FRAGMENTS), st.text(ALPHABET, max_size=20),
                      st.text(st.characters(max_codepoint=0x9f), max_size=20))
    glued = st.lists(piece, max_size=8).map("".join)
    flood = st.tuples(st.sampled_from(FRAGMENTS), st.integers(9_000, 10_000)).map(
        lambda pair: (pair[0] * (pair[1] // max(len(pair[0]), 1) + 1))[:pair[1]])
    return st.one_of(glued, glued, glued, flood)


def hostile_samples(count: int, seed: int = 0) -> list[str]:
    """Deterministic payloads for runs where Hypothesis cannot drive (pty, app sessions)."""
    rng = random.Random(seed)
    out = [p for p, _ in ESCAPES] + MARKUP + INJECTION + ODD
    while len(out) < count:
        parts = rng.sample(FRAGMENTS, rng.randint(1, 4))
        parts.append("".join(chr(rng.randrange(0, 0xA0)) for _ in range(rng.randint(0, 8))))
        rng.shuffle(parts)
        out.append("".join(parts))
    return out[:count]


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def shown_is_safe(text: str) -> bool:
    """What reached a widget: no C0, DEL or C1 character at all."""
    return _CONTROL.search(text) is None


# Textual's own OSC: pointer shape. Every other OSC, DCS, APC, PM, SOS, RIS or 8-bit C1
# introducer in a capture came from data.
_OWN_OSC = re.compile(rb"\x1b\]22;[a-z-]*\x07")
_FOREIGN = re.compile(rb"\x1b[\]P_^Xc].{0,24}|\xc2[\x80-\x9f].{0,24}", re.DOTALL)


def escaped_bytes(capture: bytes) -> list[bytes]:
    """Forbidden byte strings in a terminal capture: every sentinel escape from `ESCAPES`,
    and any escape kind Textual itself never writes."""
    found = [raw for _, raw in ESCAPES if raw in capture]
    return found + _FOREIGN.findall(_OWN_OSC.sub(b"", capture))


def expected_on_screen(payload: str) -> str:
    return visible(payload)
