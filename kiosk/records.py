"""Master-data changes used by the CLI, the attendant screens and imports.

Each function takes a `Store`, changes state and records the matching event in
one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kiosk.badges import normalize_badge
from kiosk.dates import parse_iso_day
from kiosk.errors import KioskError, NotFound
from kiosk.numbering import Scheme, token_values
from kiosk.store import Store
from kiosk.text import visible


def add_asset(store: Store, scheme: Scheme, *, name: str, category: str, location: str = "",
              department: str = "", number: str | None = None,
              reserved_block: list[int] | None = None, actor: str | None = None,
              **fields: Any) -> str:
    """Register an asset; a number is generated from the scheme unless one is given
    (labels that already exist are imported as they are)."""
    with store.transaction():
        if category and not store.one("SELECT 1 FROM categories WHERE code = ?", [category]):
            raise NotFound(f"unknown category {category!r}; add it first with "
                           f"`kiosk category add {category} --name ...`")
        if location and not store.one("SELECT 1 FROM locations WHERE code = ?", [location]):
            raise NotFound(f"unknown location {location!r}; add it first or import locations")
        if number is None:
            number = next_number(store, scheme, category=category, location=location,
                                       department=department, reserved_block=reserved_block)
        else:
            number = number.strip()
            if not number:
                raise KioskError("an inventory number cannot be empty")
            if store.one("SELECT 1 FROM assets WHERE number = ?", [number]):
                raise KioskError(f"asset {number} already exists")
        row = {"number": number, "name": name, "category": category or None,
               "home_location": location or None, "current_location": location or None,
               "status": "available", "updated_at": store.clock.now().isoformat(), **fields}
        store.db["assets"].insert(row)
        store.record("asset.registered", {k: v for k, v in row.items() if k != "updated_at"},
                     actor=actor, asset=number)
    return number


def next_number(store: Store, scheme: Scheme, *, category: str = "", location: str = "",
                department: str = "", reserved_block: list[int] | None = None) -> str:
    """The next free number of the scheme; call inside `store.transaction()`.

    Allocation skips numbers already in use: an imported old label may hold one.
    """
    values = token_values(site=store.identity.site, kiosk=store.identity.kiosk,
                          category=category, location=location, department=department,
                          today=store.clock.now().date())
    first, last = (reserved_block[0], reserved_block[1]) if reserved_block else (1, None)
    while True:
        seq = store.allocate(f"number:{scheme.scope(values)}", first=first, last=last)
        number = scheme.render(values, seq)
        if not store.one("SELECT 1 FROM assets WHERE number = ?", [number]):
            return number


def add_person(store: Store, *, employee_no: str, name: str, department: str = "",
               actor: str | None = None, **fields: Any) -> None:
    with store.transaction():
        if store.one("SELECT 1 FROM people WHERE employee_no = ?", [employee_no]):
            raise KioskError(f"person {employee_no} already exists")
        row = {"employee_no": employee_no, "name": name, "department": department or None,
               **fields}
        store.db["people"].insert(row)
        store.record("person.added", {"employee_no": employee_no, "name": name,
                                      "department": department}, actor=actor)


def add_badge(store: Store, *, employee_no: str, raw: str, badge_format: str = "decimal",
              valid_until: str | None = None, actor: str | None = None) -> str:
    try:
        normalized = normalize_badge(raw, badge_format)
        if valid_until is not None:
            valid_until = parse_iso_day(valid_until, "valid until").isoformat()
    except ValueError as exc:
        raise KioskError(f"badge not added: {exc}") from exc
    with store.transaction():
        if not store.one("SELECT 1 FROM people WHERE employee_no = ?", [employee_no]):
            raise NotFound(f"no person with employee number {employee_no}")
        if store.one("SELECT 1 FROM badges WHERE normalized = ?", [normalized]):
            raise KioskError("this badge is already registered")
        store.db["badges"].insert({"normalized": normalized, "raw": raw,
                                   "employee_no": employee_no, "valid_until": valid_until})
        # The badge number itself never leaves the kiosk in an event.
        store.record("badge.added", {"employee_no": employee_no, "valid_until": valid_until},
                     actor=actor)
    return normalized


def get_asset(store: Store, number: str) -> dict[str, Any]:
    # Exact first: old labels are imported as they are, possibly in lower case.
    typed = number.strip()
    row = store.one("SELECT * FROM assets WHERE number = ?", [typed])
    if row is None and typed.upper() != typed:
        row = store.one("SELECT * FROM assets WHERE number = ?", [typed.upper()])
    if row is None:
        row = store.one("SELECT a.* FROM aliases al JOIN assets a ON a.number = al.asset_number "
                        "WHERE al.alias = ?", [typed])
    if row is None:
        raise NotFound(f"no asset '{visible(typed)}'")
    return row


def history(store: Store, number: str) -> list[dict[str, Any]]:
    """All events of an asset, newest first."""
    return store.all("SELECT seq, at, type, actor, payload FROM events WHERE asset = ? "
                     "ORDER BY seq DESC", [number])


def today(store: Store) -> dt.date:
    return store.clock.now().date()
