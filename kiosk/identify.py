"""What a typed or scanned inventory number is: known, unknown, mistyped or malformed.

Old labels are imported as they are and need not fit the scheme, so a number
found in the store (as an asset or an alias) is known whatever its form. Any
other text is judged by the scheme: malformed, check character wrong
(probably mistyped or misread), or well-formed but unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from kiosk.numbering import NumberStatus, Scheme
from kiosk.store import Store
from kiosk.text import visible


class Verdict(Enum):
    KNOWN = "known"
    UNKNOWN = "unknown"            # well-formed, right check character, not in the store
    CHECK_WRONG = "check-wrong"    # fits the scheme but the check character does not match
    MALFORMED = "malformed"        # does not fit the scheme


@dataclass(frozen=True)
class Identified:
    verdict: Verdict
    text: str                          # what was typed or scanned, stripped
    asset: dict[str, Any] | None = None

    @property
    def message(self) -> str:
        shown = visible(self.text, 40)
        if self.verdict is Verdict.KNOWN:
            return f"{self.asset['number']}: {visible(self.asset['name'])}"
        if self.verdict is Verdict.UNKNOWN:
            return f"{shown} is a valid number but no asset has it here"
        if self.verdict is Verdict.CHECK_WRONG:
            return (f"{shown}: check character wrong, probably mistyped or misread; "
                    "type it again or scan the label")
        return f"{shown} is not an inventory number"


def identify(store: Store, scheme: Scheme, text: str) -> Identified:
    typed = text.strip()
    asset = _lookup(store, typed)
    if asset is not None:
        return Identified(Verdict.KNOWN, typed, asset)
    status = scheme.validate(typed)
    if status is NumberStatus.MALFORMED:
        return Identified(Verdict.MALFORMED, typed)
    if status is NumberStatus.CHECK_WRONG:
        return Identified(Verdict.CHECK_WRONG, typed)
    return Identified(Verdict.UNKNOWN, typed)


def _lookup(store: Store, typed: str) -> dict[str, Any] | None:
    if not typed:
        return None
    for candidate in dict.fromkeys((typed, typed.upper())):
        row = store.one("SELECT * FROM assets WHERE number = ?", [candidate])
        if row is not None:
            return row
    return store.one("SELECT a.* FROM aliases al JOIN assets a ON a.number = al.asset_number "
                     "WHERE al.alias = ?", [typed])
