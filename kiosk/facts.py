"""Read the facts a decision needs from the store into `kiosk.policy` dataclasses.

Only primary-key and indexed lookups, so a scan costs the same with 100 or 100,000 assets.
"""

from __future__ import annotations

import datetime as dt

from kiosk.clock import iso
from kiosk.policy import CHECKED_OUT, Asset, Badge, Category, Holdings, Person
from kiosk.store import Store


def badge(store: Store, normalized: str) -> Badge | None:
    """The badge; blocked if flagged here or on headquarters' site-wide blocked list."""
    row = store.one("SELECT b.employee_no, b.blocked OR EXISTS (SELECT 1 FROM blocked_badges l "
                    "WHERE l.normalized = b.normalized) AS blocked, b.valid_until "
                    "FROM badges b WHERE b.normalized = ?", [normalized])
    if row is None:
        return None
    return Badge(row["employee_no"], bool(row["blocked"]), row["valid_until"] or None)


def person(store: Store, employee_no: str | None) -> Person | None:
    if not employee_no:
        return None
    row = store.one("SELECT employee_no, name, department, active, attendant, item_limit "
                    "FROM people WHERE employee_no = ?", [employee_no])
    if row is None:
        return None
    return Person(row["employee_no"], row["name"], row["department"] or "",
                  bool(row["active"]), bool(row["attendant"]), row["item_limit"])


def asset(store: Store, number: str) -> Asset | None:
    key = number.strip()
    row = store.one("SELECT * FROM assets WHERE number = ?", [key.upper()])
    if row is None:
        row = store.one("SELECT a.* FROM aliases al JOIN assets a ON a.number = al.asset_number "
                        "WHERE al.alias = ?", [key])
    if row is None:
        return None
    return Asset(row["number"], row["name"], row["status"], row["category"], row["holder"],
                 row["due_at"], row["next_inspection_due"], bool(row["free_to_leave"]),
                 row["current_location"], row["home_location"])


def category(store: Store, code: str | None) -> Category | None:
    if not code:
        return None
    row = store.one("SELECT * FROM categories WHERE code = ?", [code])
    if row is None:
        return None
    return Category(row["code"], row["name"] or "", row["loan_days"] or 7,
                    row["qualification"] or None, row["inspection_interval_days"],
                    bool(row["free_to_leave"]))


def qualifications(store: Store, employee_no: str) -> dict[str, str]:
    rows = store.all("SELECT kind, valid_until FROM qualifications WHERE employee_no = ?",
                     [employee_no])
    return {r["kind"]: r["valid_until"] or "" for r in rows}


def holdings(store: Store, employee_no: str, now: dt.datetime) -> Holdings:
    rows = store.all("SELECT number, due_at FROM assets WHERE holder = ? AND status = ? "
                     "ORDER BY due_at", [employee_no, CHECKED_OUT])
    stamp = iso(now)
    overdue = tuple(r["number"] for r in rows if r["due_at"] and r["due_at"] < stamp)
    return Holdings(len(rows), overdue)


def department_of(store: Store, employee_no: str | None) -> str | None:
    found = person(store, employee_no)
    return found.department if found else None
