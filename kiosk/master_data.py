"""Categories and locations added one at a time (the CSV import adds them in bulk).

A fresh database has none, and `kiosk asset add` needs a category: these are the
commands a new site starts with. Each addition is one transaction with its event.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from kiosk.csv_refs import CODE
from kiosk.errors import KioskError
from kiosk.store import Store
from kiosk.text import first_control, visible


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    loan_days: int = 7
    qualification: str | None = None
    inspection_interval_days: int | None = None
    useful_life_years: int | None = None
    free_to_leave: bool = False


def checked_code(code: str, entity: str) -> str:
    """Codes end up inside inventory numbers: upper-case letters, digits, - and _."""
    code = code.strip().upper()
    if not CODE.fullmatch(code):
        raise KioskError(f"{entity} code {visible(code)!r} is not usable: use 1-16 letters, "
                         "digits, - or _, starting with a letter or digit")
    return code


def checked_text(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise KioskError(f"{what} cannot be empty")
    if first_control(value) is not None:
        raise KioskError(f"{what} {visible(value)!r} contains a control character")
    return value


def checked_positive(value: int | None, what: str) -> int | None:
    if value is not None and value < 1:
        raise KioskError(f"{what} must be 1 or more (got {value})")
    return value


def add_category(store: Store, category: Category, actor: str | None = None) -> dict[str, Any]:
    row = asdict(category)
    row.update(code=checked_code(category.code, "category"),
               name=checked_text(category.name, "category name"),
               qualification=checked_text(category.qualification, "qualification")
               if category.qualification else None,
               free_to_leave=int(category.free_to_leave))
    for key, what in (("loan_days", "--loan-days"), ("inspection_interval_days",
                      "--inspection-days"), ("useful_life_years", "--useful-life-years")):
        checked_positive(row[key], what)
    with store.transaction() as db:
        if store.one("SELECT 1 FROM categories WHERE code = ?", [row["code"]]):
            raise KioskError(f"category {row['code']} already exists")
        db["categories"].insert({**row, "updated_at": store.clock.now().isoformat()})
        store.record("category.added", {"source": "cli", **row}, actor=actor)
    return row


def add_location(store: Store, code: str, name: str, parent: str | None = None,
                 actor: str | None = None) -> dict[str, Any]:
    row = {"code": checked_code(code, "location"), "name": checked_text(name, "location name"),
           "parent": checked_code(parent, "parent location") if parent else None}
    with store.transaction() as db:
        if store.one("SELECT 1 FROM locations WHERE code = ?", [row["code"]]):
            raise KioskError(f"location {row['code']} already exists")
        if store.one("SELECT 1 FROM locations WHERE name = ?", [row["name"]]):
            raise KioskError(f"a location is already named {visible(row['name'])!r}")
        if row["parent"] and not store.one("SELECT 1 FROM locations WHERE code = ?",
                                           [row["parent"]]):
            raise KioskError(f"unknown parent location {row['parent']}; add it first")
        db["locations"].insert({**row, "updated_at": store.clock.now().isoformat()})
        store.record("location.added", {"source": "cli", **row}, actor=actor)
    return row


def categories(store: Store) -> list[dict[str, Any]]:
    return store.all("SELECT code, name, loan_days, qualification, inspection_interval_days, "
                     "useful_life_years, free_to_leave FROM categories ORDER BY code")


def locations(store: Store) -> list[dict[str, Any]]:
    return store.all("SELECT code, name, parent FROM locations ORDER BY code")
