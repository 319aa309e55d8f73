"""What every station flow shares: the context, badge and tool lookups, state writes.

Flows never print, beep or draw: they decide, commit one transaction (state + event + outbox)
and return an `Outcome`; `kiosk.station.Station` gives the feedback afterwards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ulid import ULID

from kiosk import facts
from kiosk.clock import iso
from kiosk.config import Settings
from kiosk.outcome import Receipt, ReceiptItem
from kiosk.policy import Asset, Denial, Person, Rules, badge_denial
from kiosk.scans import Classified
from kiosk.store import Store
from kiosk.text import visible

SCANNED_IN_EVENT_MAX = 64  # what a refused scan looked like, shortened, for HQ


@dataclass
class PendingOverride:
    """The last refusal an attendant may override with a written reason."""

    employee_no: str
    asset_number: str
    code: str
    reason: str


class Ctx:
    """Store, settings and the little state that crosses flows."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.pending_override: PendingOverride | None = None
        st = settings.station
        self.rules = Rules(st.item_limit, st.block_when_overdue, st.gate_allows_department)

    def now(self) -> dt.datetime:
        return self.store.clock.now()

    @property
    def location(self) -> str | None:
        return self.settings.station.location or None

    def identify(self, scan: Classified) -> tuple[Person | None, Denial | None]:
        """The person behind a badge scan, or why the badge is refused."""
        found_badge = facts.badge(self.store, scan.value)
        who = facts.person(self.store, found_badge.employee_no if found_badge else None)
        refusal = badge_denial(found_badge, who, self.now().date())
        return (who if refusal is None else None), refusal

    def asset(self, scan: Classified) -> Asset | None:
        return facts.asset(self.store, scan.value) if scan.value else None

    def update_asset(self, number: str, **changes: Any) -> None:
        """Change an asset row; call inside `store.transaction()`."""
        changes["updated_at"] = iso(self.now())
        columns = ", ".join(f"{name} = ?" for name in changes)
        self.store.db.execute(f"UPDATE assets SET {columns}, version = version + 1 "  # noqa: S608
                              "WHERE number = ?", [*changes.values(), number])

    def receipt(self, title: str, person: Person | None, items: list[ReceiptItem],
                refusals: list[tuple[str, str]]) -> Receipt:
        ident = self.store.identity
        return Receipt(ident.site, ident.kiosk, title, person.name if person else "",
                       person.employee_no if person else "", iso(self.now()),
                       str(ULID.from_datetime(self.now())), tuple(items), tuple(refusals))


def shown(scan: Classified) -> str:
    """A scan as it may appear in an event or on paper: visible and short."""
    return visible(scan.value or scan.scan.text, SCANNED_IN_EVENT_MAX)


def unusable_reason(scan: Classified) -> str:
    return scan.problem or "That scan could not be read as a badge or a tool."


def unreadable_line(count: int) -> list[tuple[str, str]]:
    """Scans that were not ours, as one receipt line at most."""
    if not count:
        return []
    return [(f"{count} unreadable scan{'s' if count > 1 else ''}",
             "not a badge or tool of this site")]
