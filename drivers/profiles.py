"""Per-scanner control profiles and terminators, from names in the configuration.

Some scanners cannot send Ctrl chords or Alt codes and transmit control
characters as function or arrow keys instead (Honeywell EZConfig with
"Control+X" off sends GS as F8 and RS as F9; the Hand Held Products
ValueTeam 3060 table sends GS as DOWN). A profile maps such keys to the
control character. It is given either by a built-in name or inline, e.g.
``"F8=GS,F9=RS,DOWN=EOT"``.
"""

from __future__ import annotations

from collections.abc import Iterable

from drivers.keycodes import CONTROL_BY_NAME, KEY_CODES, key_code

PROFILES: dict[str, dict[str, str]] = {
    "": {},
    "honeywell-fkeys": {"F8": "GS", "F9": "RS"},
    "hhp-arrows": {"DOWN": "GS"},
}

TERMINATOR_KEYS = {"enter": "ENTER", "kpenter": "KPENTER", "tab": "TAB"}


def parse_profile(spec: str) -> dict[int, str]:
    """Key code -> character for a profile name or an inline KEY=CONTROL list."""
    spec = spec.strip()
    if spec in PROFILES:
        pairs = PROFILES[spec]
    elif "=" in spec:
        pairs = dict(_pair(item) for item in spec.split(",") if item.strip())
    else:
        raise ValueError(f"unknown scanner profile {spec!r}; use one of "
                         f"{', '.join(p for p in PROFILES if p)} or KEY=CONTROL pairs "
                         "like F8=GS,F9=RS")
    return {key_code(key): _control(value) for key, value in pairs.items()}


def _pair(item: str) -> tuple[str, str]:
    key, _, value = item.partition("=")
    return key.strip(), value.strip()


def _control(name: str) -> str:
    upper = name.upper()
    if upper in CONTROL_BY_NAME:
        return CONTROL_BY_NAME[upper]
    if len(name) == 1:
        return name
    raise ValueError(f"unknown control character {name!r}; use names like GS, RS, EOT, LF")


def parse_terminators(names: Iterable[str]) -> tuple[frozenset[int], bool]:
    """(terminator key codes, whether a decoded LF ends a scan) from enter/kpenter/tab/lf."""
    codes: set[int] = set()
    lf = False
    for name in names:
        clean = name.strip().lower().removeprefix("key_")
        if clean == "lf":
            lf = True
        elif clean in TERMINATOR_KEYS:
            codes.add(KEY_CODES[TERMINATOR_KEYS[clean]])
        else:
            raise ValueError(f"unknown terminator {name!r}; use enter, kpenter, tab or lf")
    return frozenset(codes), lf
