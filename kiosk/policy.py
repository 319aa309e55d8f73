"""Who may take, return or carry out which tool: pure decisions over plain data.

Nothing here reads the database or the clock: callers pass the facts and "now", so the same
input always gives the same decision. Every refusal is a `Denial` with a stable machine code
(used in events, reports and tests) and a sentence a worker understands.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Asset statuses the station reads and writes.
AVAILABLE = "available"
CHECKED_OUT = "checked_out"
AWAITING_INSPECTION = "awaiting_inspection"
MAINTENANCE = "maintenance"
RETIRED = "retired"
LOST = "lost"

# code -> plain-language reason; codes are stable, the wording may improve.
REASONS = {
    "person-unknown": "This badge is not registered. Please see the crib attendant.",
    "person-inactive": "Your account is not active. Please see the crib attendant.",
    "badge-blocked": "This badge is blocked. Please see the crib attendant.",
    "badge-expired": "This badge has expired. Please see the crib attendant.",
    "asset-unknown": "This code is not a tool we know. Please hand it to the attendant.",
    "asset-retired": "This tool is retired and may not be used. Please hand it in.",
    "asset-lost": "This tool is reported lost. Please hand it to the attendant.",
    "asset-maintenance": "This tool is in repair and may not be used.",
    "asset-awaiting-inspection": "This tool was returned and waits for inspection.",
    "asset-out-to-other": "This tool is checked out to someone else.",
    "inspection-overdue": "This tool is overdue for inspection or calibration.",
    "qualification-missing": "You need the {qualification} qualification for this tool.",
    "qualification-expired": "Your {qualification} qualification has expired.",
    "over-item-limit": "You already hold {held} items, the limit is {limit}. "
                       "Return something first.",
    "overdue-held": "You hold overdue items ({numbers}). Return them first.",
    "gate-not-yours": "This tool is not checked out to you. It may not leave.",
    "scan-unusable": "That scan could not be read as a badge or a tool.",
}


@dataclass(frozen=True)
class Denial:
    code: str
    reason: str


def deny(code: str, **values: object) -> Denial:
    return Denial(code, REASONS[code].format(**values))


@dataclass(frozen=True)
class Person:
    employee_no: str
    name: str
    department: str = ""
    active: bool = True
    attendant: bool = False
    item_limit: int | None = None


@dataclass(frozen=True)
class Badge:
    employee_no: str
    blocked: bool = False
    valid_until: str | None = None      # ISO date, inclusive


@dataclass(frozen=True)
class Category:
    code: str
    name: str = ""
    loan_days: int = 7
    qualification: str | None = None
    inspection_interval_days: int | None = None
    free_to_leave: bool = False


@dataclass(frozen=True)
class Asset:
    number: str
    name: str
    status: str = AVAILABLE
    category: str | None = None
    holder: str | None = None
    due_at: str | None = None           # ISO timestamp
    next_inspection_due: str | None = None  # ISO date: the tool may be used on that day
    free_to_leave: bool = False
    current_location: str | None = None
    home_location: str | None = None


@dataclass(frozen=True)
class Holdings:
    """What the person holds right now."""

    count: int = 0
    overdue: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rules:
    item_limit: int = 10
    block_when_overdue: bool = True
    gate_allows_department: bool = False


@dataclass(frozen=True)
class Verdict:
    """What a tool scan in a crib session does."""

    action: str                          # "checkout" | "return" | "deny"
    denial: Denial | None = None
    due_at: dt.datetime | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)


def badge_denial(badge: Badge | None, person: Person | None, today: dt.date) -> Denial | None:
    """Why this badge may not open a session, or None."""
    if badge is None or person is None:
        return deny("person-unknown")
    if badge.blocked:
        return deny("badge-blocked")
    if badge.valid_until and badge.valid_until < today.isoformat():
        return deny("badge-expired")
    if not person.active:
        return deny("person-inactive")
    return None


def asset_denial(asset: Asset | None, today: dt.date) -> Denial | None:
    """Why this tool may not be issued at all, whoever asks."""
    if asset is None:
        return deny("asset-unknown")
    status_codes = {RETIRED: "asset-retired", LOST: "asset-lost",
                    MAINTENANCE: "asset-maintenance",
                    AWAITING_INSPECTION: "asset-awaiting-inspection"}
    if asset.status in status_codes:
        return deny(status_codes[asset.status])
    if asset.status == CHECKED_OUT:
        return deny("asset-out-to-other")
    if asset.next_inspection_due and asset.next_inspection_due < today.isoformat():
        return deny("inspection-overdue")
    return None


def person_denial(person: Person, category: Category | None, qualifications: dict[str, str],
                  holdings: Holdings, rules: Rules, today: dt.date) -> Denial | None:
    """Why this person may not take one more tool of this category, or None.

    `qualifications` maps kind -> valid-until ISO date ("" = no end date).
    """
    needed = category.qualification if category else None
    if needed:
        if needed not in qualifications:
            return deny("qualification-missing", qualification=needed)
        until = qualifications[needed]
        if until and until < today.isoformat():
            return deny("qualification-expired", qualification=needed)
    limit = person.item_limit or rules.item_limit
    if holdings.count >= limit:
        return deny("over-item-limit", held=holdings.count, limit=limit)
    if rules.block_when_overdue and holdings.overdue:
        return deny("overdue-held", numbers=", ".join(holdings.overdue[:3]))
    return None


def due_date(now: dt.datetime, category: Category | None) -> dt.datetime:
    """Loans are due `loan_days` after checkout, at the end of that day (UTC)."""
    days = category.loan_days if category and category.loan_days else 7
    day = (now + dt.timedelta(days=days)).date()
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC)


def decide_tool(person: Person, asset: Asset | None, category: Category | None,
                qualifications: dict[str, str], holdings: Holdings, rules: Rules,
                now: dt.datetime) -> Verdict:
    """A tool scanned in an open crib session: return it, check it out, or refuse."""
    if asset is not None and asset.status == CHECKED_OUT and \
            asset.holder == person.employee_no:
        return Verdict("return")
    today = now.date()
    refusal = asset_denial(asset, today) or person_denial(
        person, category, qualifications, holdings, rules, today)
    if refusal:
        return Verdict("deny", refusal)
    return Verdict("checkout", due_at=due_date(now, category))


def gate_denial(person: Person, asset: Asset | None, category: Category | None,
                holder_department: str | None, rules: Rules) -> Denial | None:
    """May this tool leave with this person? None means the gate opens."""
    if asset is None:
        return deny("asset-unknown")
    free = asset.free_to_leave or (category is not None and category.free_to_leave)
    if free and asset.status not in (RETIRED, LOST):
        return None
    if asset.status == CHECKED_OUT:
        if asset.holder == person.employee_no:
            return None
        if rules.gate_allows_department and person.department and \
                holder_department == person.department:
            return None
    return deny("gate-not-yours")


def return_denial(asset: Asset | None) -> Denial | None:
    """Unattended returns take any known tool that is not retired."""
    if asset is None:
        return deny("asset-unknown")
    if asset.status == RETIRED:
        return deny("asset-retired")
    return None
