"""Badge numbers: one card, one normalized key, however a reader prints it.

Readers print the same card as decimal with or without leading zeros, as hex,
byte-reversed hex, or as facility + card number. `normalize_badge` turns each
form into one canonical key (the card's value in decimal, no leading zeros)
so a card registered at one reader matches at every other.
"""

from __future__ import annotations

import re

FORMATS = ("decimal", "hex", "hex-reversed", "facility-card", "text")
_FACILITY_CARD = re.compile(r"^(\d{1,3})[-:/ ,](\d{1,5})$")


def normalize_badge(raw: str, badge_format: str = "decimal") -> str:
    """Canonical badge key; raises ValueError when `raw` does not fit the format."""
    text = raw.strip()
    if not text:
        raise ValueError("empty badge number")
    if badge_format == "text":
        return text.upper()
    if badge_format == "decimal":
        if text.isdigit():
            return str(int(text))
        return text.upper()  # alphanumeric badges (barcode badges) are kept as they are
    if badge_format in ("hex", "hex-reversed"):
        if not re.fullmatch(r"[0-9A-Fa-f]+", text):
            raise ValueError(f"not a hex card number: {text!r}")
        if badge_format == "hex-reversed":
            if len(text) % 2:
                text = "0" + text
            text = "".join(reversed([text[i:i + 2] for i in range(0, len(text), 2)]))
        return str(int(text, 16))
    if badge_format == "facility-card":
        match = _FACILITY_CARD.match(text)
        if not match:
            raise ValueError(f"expected facility and card like 123-45678, got {text!r}")
        # Wiegand 26: 8-bit facility code, 16-bit card number.
        return str((int(match.group(1)) << 16) | int(match.group(2)))
    raise ValueError(f"unknown badge format {badge_format!r}")
