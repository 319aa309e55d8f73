"""Untrusted text (barcodes, names from CSV or HQ) shown safely.

Control characters never reach a terminal: C0 (except none), DEL and C1 are
replaced by a visible ``\\xNN`` form, so an ESC sequence in a barcode is shown,
not executed. Lone surrogates (JSON from HQ can carry "\\ud800") cannot be
encoded for a terminal or SQLite at all and become ``\\udNNN``.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def visible(text: str, limit: int | None = None) -> str:
    """Text with every control character made visible, optionally shortened."""
    shown = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    shown = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", shown)
    if limit is not None and len(shown) > limit:
        shown = shown[: max(limit - 1, 0)] + "…"
    return shown


def first_control(text: str) -> int | None:
    """Position of the first control character (C0, DEL, C1), or None when there is none."""
    found = _CONTROL.search(text)
    return None if found is None else found.start()
