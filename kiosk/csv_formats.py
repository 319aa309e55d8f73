"""Which CSV column feeds which field, for our format and Snipe-IT's, and cell conversion.

Our format is what `kiosk export` writes. Snipe-IT's is its import format
(column names as in its sample files); categories and locations there are
referred to by name, in ours by code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("assets", "people", "locations")
FORMATS = ("ours", "snipeit")


@dataclass(frozen=True)
class Column:
    field: str                  # our field name
    headers: tuple[str, ...]    # accepted header names (normalized), first = the one we write
    kind: str = "text"          # text | id | date | money | bool | category | location
    required: bool = False


@dataclass(frozen=True)
class Layout:
    kind: str                   # assets | people | locations
    fmt: str                    # ours | snipeit
    key: str                    # field that identifies a row for upsert
    columns: tuple[Column, ...]
    refs_by: str = "code"       # how category/location columns refer: code | name
    read_only: tuple[str, ...] = ()   # exported for information, ignored on import
    also_reads: tuple[str, ...] = ()  # headers read by the entity rules, not a field


def _c(field: str, *headers: str, kind: str = "text", required: bool = False) -> Column:
    return Column(field, headers or (field,), kind, required)


ASSET_STATE = ("current_location", "status", "holder", "due_at")
LAYOUTS = {
    ("assets", "ours"): Layout("assets", "ours", "number", (
        _c("number", kind="id", required=True), _c("name", required=True),
        _c("category", kind="category"), _c("manufacturer"), _c("model"),
        _c("serial", kind="id"), _c("home_location", kind="location"),
        _c("purchase_date", kind="date"), _c("purchase_cost", kind="money"),
        _c("next_inspection_due", kind="date"), _c("notes", kind="free"),
    ), read_only=ASSET_STATE),
    ("people", "ours"): Layout("people", "ours", "employee_no", (
        _c("employee_no", kind="id", required=True), _c("name", required=True),
        _c("department"), _c("email"), _c("active", kind="bool"),
    )),
    ("locations", "ours"): Layout("locations", "ours", "name", (
        _c("name", required=True), _c("code", kind="id"), _c("parent", kind="location"),
    )),
    ("assets", "snipeit"): Layout("assets", "snipeit", "number", (
        _c("number", "asset tag", kind="id", required=True), _c("name", "name"),
        _c("category", "category", kind="category"), _c("manufacturer", "manufacturer"),
        _c("model", "model"), _c("serial", "serial", "serial number", kind="id"),
        _c("home_location", "location", kind="location"),
        _c("purchase_date", "purchase date", kind="date"),
        _c("purchase_cost", "purchase cost", kind="money"),
        _c("notes", "asset notes", "notes", kind="free"),
        _c("order_number", "order number", kind="id"),
    ), refs_by="name", also_reads=(
        "checkout type", "checked out to: username", "checked out to: location")),
    ("people", "snipeit"): Layout("people", "snipeit", "employee_no", (
        _c("employee_no", "employee number", kind="id"), _c("username", "username", kind="id"),
        _c("first_name", "first name"), _c("last_name", "last name"),
        _c("department", "department"), _c("email", "email"),
        _c("active", "activated", kind="bool"),
    ), refs_by="name"),
    ("locations", "snipeit"): Layout("locations", "snipeit", "name", (
        _c("name", "name", required=True), _c("parent", "parent", kind="location"),
    ), refs_by="name"),
}
# Fields a layout reads but does not store as such (checked, then folded or dropped).
NOT_STORED = {"order_number", "username", "first_name", "last_name"}

# Excel shows long digit strings as 6.37702E+15 and saves them so: the digits are gone.
_SCIENTIFIC = re.compile(r"^[+-]?\d(\.\d+)?E[+-]\d{1,3}$", re.IGNORECASE | re.ASCII)
_TRUE = {"1", "true", "yes", "y", "ja", "x", "active"}
_FALSE = {"0", "false", "no", "n", "nein", "inactive"}


class CellProblem(ValueError):
    """A cell that cannot be stored; the text says why in plain words."""


def looks_scientific(text: str) -> bool:
    return bool(_SCIENTIFIC.match(text.strip()))


def scientific_problem(text: str) -> str:
    return (f"{text.strip()!r} is a number a spreadsheet turned into scientific notation; "
            "the original digits are lost. Format the column as Text in the spreadsheet, "
            "re-enter the values and export again")


def to_bool(text: str) -> bool:
    word = text.strip().casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise CellProblem(f"{text!r} is not yes/no (use true/false, yes/no or 1/0)")


def to_money(text: str) -> float:
    """1234.5, 1,234.50, 1.234,50, 1234,50, '$ 12', '12 EUR' -> a non-negative amount."""
    cleaned = re.sub(r"[^\d.,-]", "", text)
    if not cleaned or not re.search(r"\d", cleaned):
        raise CellProblem(f"{text!r} is not an amount of money")
    if "," in cleaned and "." in cleaned:
        thousands = "," if cleaned.rfind(".") > cleaned.rfind(",") else "."
        cleaned = cleaned.replace(thousands, "")
    if "," in cleaned:
        whole, _, cents = cleaned.rpartition(",")
        if len(cents) == 3 and cleaned.count(",") == 1:
            raise CellProblem(f"{text!r} is ambiguous (thousands or decimals?); write "
                              f"{whole}{cents} or {whole}.{cents}")
        cleaned = cleaned.replace(",", ".") if cleaned.count(",") == 1 else \
            cleaned.replace(",", "")
    try:
        amount = float(cleaned)
    except ValueError:
        raise CellProblem(f"{text!r} is not an amount of money") from None
    if amount < 0:
        raise CellProblem(f"{text!r} is negative; a purchase cost cannot be")
    return round(amount, 2)
