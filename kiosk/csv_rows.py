"""Turn one CSV record into the fields of one asset, person or location.

Every problem becomes an error naming file, line and column; a record with an
error is left out of the plan (and the plan, having errors, is not applied).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiosk import dates
from kiosk.csv_formats import (
    NOT_STORED,
    CellProblem,
    looks_scientific,
    scientific_problem,
    to_bool,
    to_money,
)
from kiosk.csv_read import Record
from kiosk.numbering import NumberStatus, Scheme
from kiosk.text import first_control, visible

if TYPE_CHECKING:
    from kiosk.csv_import import Plan

CREATE_ONLY = {"current_location"}   # live state: set when an asset arrives, then the kiosk's


def choose_date_formats(plan: Plan, present: dict[str, str],
                        prefer: str) -> dict[str, dates.DateFormat | None]:
    chosen: dict[str, dates.DateFormat | None] = {}
    for column in plan.layout.columns:
        if column.kind != "date" or column.field not in present:
            continue
        header = present[column.field]
        values = [r.cells[header] for r in plan.table.records]
        fmt = dates.choose_format(values, prefer) or dates.best_single_format(values)
        chosen[column.field] = fmt
        sample = next((v for v in values if fmt and dates.parse_with_or_none(fmt, v)), None)
        if fmt and sample:
            name = plan.table.headers[plan.table.column(header) - 1]
            note = (f"column {name!r}: dates read as {fmt.label}, e.g. {sample.strip()!r} = "
                    f"{dates.parse_with(fmt, sample).isoformat()}")
            if dates.is_ambiguous(values, fmt):
                other = "mdy" if fmt.order == "dmy" else "dmy"
                note += f" (they could also be read the other way round: --dates {other})"
            plan.notes.append(note)
    return chosen


def convert(plan: Plan, record: Record, present: dict[str, str],
            date_formats: dict[str, dates.DateFormat | None]) -> dict[str, Any] | None:
    """Typed fields of one record, or None after adding its errors to the plan."""
    row: dict[str, Any] = {}
    failed = False
    for column in plan.layout.columns:
        header = present.get(column.field)
        if header is None:
            continue
        text = record.cells[header].strip()
        try:
            row[column.field] = _value(column.kind, column.required, text,
                                       date_formats.get(column.field))
        except CellProblem as exc:
            plan.errors.append(f"{plan.table.where(record.line, header)}: {exc}")
            failed = True
    return None if failed else row


def refuse_control_characters(kind: str, text: str) -> str:
    """Names and codes are shown on screens and printed on labels: no control characters.

    Free text (notes) may keep line breaks and tabs, as spreadsheets write them in a cell;
    a CR LF (Windows) or lone CR (old Mac) there becomes LF. Every other C0, DEL or C1
    character is refused.
    """
    if kind == "free":
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        allowed = "\n\t"
    else:
        allowed = ""
    for position, char in enumerate(text, start=1):
        if char not in allowed and first_control(char) is not None:
            raise CellProblem(f"contains the control character {visible(char)} at position "
                              f"{position} ('{visible(text, 40)}'); remove it in the "
                              "spreadsheet")
    return text


def _value(kind: str, required: bool, text: str, fmt: dates.DateFormat | None) -> Any:
    text = refuse_control_characters(kind, text)
    if kind != "free" and looks_scientific(text):
        raise CellProblem(scientific_problem(text))
    if not text:
        if required:
            raise CellProblem("is empty but required")
        return None
    if kind == "date":
        day = dates.parse_with_or_none(fmt, text) if fmt else None
        if day is None:
            raise CellProblem(dates.why_not_a_date(text) if fmt is None or
                              dates.is_serial(text) else
                              f"{text!r} does not fit {fmt.label}, the format of the other "
                              "dates in this column")
        return day.isoformat()
    if kind == "money":
        return to_money(text)
    if kind == "bool":
        return int(to_bool(text))
    return text


def shape(plan: Plan, row: dict[str, Any], record: Record,
          scheme: Scheme | None) -> dict[str, Any] | None:
    """Entity rules: references to codes, Snipe-IT quirks, names; None on error."""
    shaper = {"assets": _asset, "people": _person, "locations": _location}[plan.kind]
    try:
        shaped = shaper(plan, row, record, scheme)
    except CellProblem as exc:
        plan.errors.append(f"{plan.table.path.name} line {record.line}: {exc}")
        return None
    return {k: v for k, v in shaped.items() if k not in NOT_STORED}


def _asset(plan: Plan, row: dict[str, Any], record: Record,
           scheme: Scheme | None) -> dict[str, Any]:
    by, line = plan.layout.refs_by, record.line
    if not row.get("name"):
        row["name"] = row.get("model")
        if not row["name"]:
            raise CellProblem("the asset has neither a name nor a model")
    for field, entity in (("category", "category"), ("home_location", "location")):
        if row.get(field):
            row[field] = plan.refs.resolve(entity, row[field], by, line)
    if scheme and scheme.validate(row["number"]) is NumberStatus.CHECK_WRONG:
        plan.notes.append(f"line {line}: {row['number']} looks like one of our numbers but "
                          "its check character is wrong: a typo? (imported as written)")
    if plan.layout.fmt == "snipeit":
        _snipeit_checkout(plan, row, record)
    return row


def _snipeit_checkout(plan: Plan, row: dict[str, Any], record: Record) -> None:
    kind = record.cells.get("checkout type", "").strip().casefold()
    if kind == "location":
        place = record.cells.get("checked out to: location", "").strip()
        if place:
            row["current_location"] = plan.refs.resolve("location", place, "name", record.line)
    elif kind == "user":
        user = visible(record.cells.get("checked out to: username", "").strip())
        plan.notes.append(f"line {record.line}: {row['number']} is checked out to {user!r} in "
                          "Snipe-IT; loans are not imported, it arrives as available")


def _person(plan: Plan, row: dict[str, Any], record: Record,
            scheme: Scheme | None) -> dict[str, Any]:
    if plan.layout.fmt == "snipeit":
        if not row.get("employee_no"):
            if not row.get("username"):
                raise CellProblem("neither an employee number nor a username")
            row["employee_no"] = row["username"]
            plan.notes.append(f"line {record.line}: no employee number; the username "
                              f"{row['username']!r} is used as employee number")
        full = " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)
        if not full:
            raise CellProblem("the person has no name")
        row["name"] = full
    if row.get("active") is None:
        row.pop("active", None)
    return row


def _location(plan: Plan, row: dict[str, Any], record: Record,
              scheme: Scheme | None) -> dict[str, Any]:
    refs = plan.refs
    if row.get("parent"):
        parent = refs.find("location", row["parent"], plan.layout.refs_by)
        if parent is None:
            raise CellProblem(f"parent location {row['parent']!r} is unknown; list it on an "
                              "earlier line or import it first")
        row["parent"] = parent
    existing = refs.find("location", row["name"], "name")
    if existing is not None:
        row["code"] = row.get("code") or existing
    else:
        code = row.get("code") or refs.make_code("location", row["name"])
        if refs.code_taken("location", code):
            raise CellProblem(f"location code {code!r} is already used by "
                              f"{refs.name_of('location', code)!r}")
        row["code"] = code
        refs.listed(code, row["name"], record.line)
    return row


def defaults(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A complete new row from the imported fields."""
    row = dict(fields)
    if kind == "assets":
        row["status"] = "available"
        row["current_location"] = row.get("current_location") or row.get("home_location")
    return row
