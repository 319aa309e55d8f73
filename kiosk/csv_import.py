"""CSV import as a plan: read, check every cell, compare with the store, then apply.

`plan_import` only reads. `import_file(apply=True)` builds the plan inside one
``BEGIN IMMEDIATE`` transaction and applies it there, with one event per change,
only when the plan has no error: a file with any error changes nothing, and a
file already imported plans no change at all (upsert by inventory number,
employee number or location name).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk import csv_rows
from kiosk.csv_formats import LAYOUTS, Layout
from kiosk.csv_read import Table, header_key, read_table
from kiosk.csv_refs import Refs
from kiosk.errors import ImportProblem
from kiosk.numbering import Scheme
from kiosk.store import Store

TABLE_OF = {"assets": "assets", "people": "people", "locations": "locations"}
ENTITY_OF = {"assets": "asset", "people": "person", "locations": "location"}


@dataclass
class Change:
    action: str                       # create | update
    key: str
    fields: dict[str, Any]            # create: the new row; update: changed fields only
    before: dict[str, Any] = field(default_factory=dict)
    line: int = 0


@dataclass
class Plan:
    kind: str
    table: Table
    layout: Layout
    refs: Refs
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def plan_import(store: Store, kind: str, path: Path, fmt: str = "ours", *,
                dates: str | None = None, scheme: Scheme | None = None) -> Plan:
    """What importing `path` would change; reads only."""
    layout = LAYOUTS[(kind, fmt)]
    table = read_table(Path(path))
    plan = Plan(kind, table, layout, Refs(store), notes=list(table.notes),
                errors=list(table.problems))
    structural = len(plan.errors)
    present = _check_headers(plan)
    if len(plan.errors) > structural:
        return plan  # without the key column no row can be matched
    prefer = dates or ("mdy" if fmt == "snipeit" else "dmy")
    date_formats = csv_rows.choose_date_formats(plan, present, prefer)
    seen: dict[str, int] = {}
    for record in table.records:
        row = csv_rows.convert(plan, record, present, date_formats)
        if row is None:
            continue
        row = csv_rows.shape(plan, row, record, scheme)
        if row is None:
            continue
        key = str(row[layout.key])
        if key in seen:
            _duplicate(plan, key, record.line, seen[key])
            continue
        seen[key] = record.line
        _compare(store, plan, row, record.line)
    return plan


def _check_headers(plan: Plan) -> dict[str, str]:
    """field -> normalized header present in the file; missing required columns are errors."""
    keys = [header_key(h) for h in plan.table.headers]
    present: dict[str, str] = {}
    for column in plan.layout.columns:
        found = next((h for h in column.headers if h in keys), None)
        if found:
            present[column.field] = found
        elif column.required:
            plan.errors.append(f"{plan.table.path.name} line 1: missing column "
                               f"{column.headers[0]!r}")
    if plan.layout.fmt == "snipeit" and plan.kind == "people" and not (
            {"employee_no", "username"} & present.keys() and "first_name" in present):
        plan.errors.append(f"{plan.table.path.name} line 1: needs 'First Name' and "
                           "'Employee Number' or 'Username' columns")
    state = [h for h in plan.table.headers if header_key(h) in plan.layout.read_only]
    if state:
        plan.notes.append(f"ignored columns {', '.join(state)}: loans and locations change "
                          "only at the kiosk")
    used = set(present.values()) | set(plan.layout.read_only) | set(plan.layout.also_reads)
    ignored = [h for h in plan.table.headers if h and header_key(h) not in used]
    if ignored:
        plan.notes.append(f"ignored columns: {', '.join(ignored)}")
    return present


def _duplicate(plan: Plan, key: str, line: int, first: int) -> None:
    plan.notes.append(f"line {line}: {plan.layout.key} {key!r} repeats line {first}; "
                      "only the first is imported")


def _compare(store: Store, plan: Plan, row: dict[str, Any], line: int) -> None:
    key_field = plan.layout.key
    stored = store.one(f"SELECT * FROM {TABLE_OF[plan.kind]} WHERE {key_field} = ?",
                       [row[key_field]])
    if stored is None:
        plan.changes.append(Change("create", str(row[key_field]), row, line=line))
        return
    if plan.kind == "locations" and row.get("code") and row["code"] != stored["code"]:
        plan.errors.append(f"{plan.table.where(line, 'code')}: location {row['name']!r} has "
                           f"code {stored['code']!r}; a code cannot change")
        return
    updatable = {k: v for k, v in row.items() if k not in csv_rows.CREATE_ONLY}
    changed = {k: v for k, v in updatable.items() if not _same(stored.get(k), v)}
    if not changed:
        plan.unchanged += 1
        return
    plan.changes.append(Change("update", str(row[key_field]), changed,
                               {k: stored.get(k) for k in changed}, line))


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, int | float) and isinstance(new, int | float):
        return abs(float(old) - float(new)) < 0.005
    return (old if old != "" else None) == (new if new != "" else None)


def import_file(store: Store, kind: str, path: Path, fmt: str = "ours", *, apply: bool = False,
                dates: str | None = None, scheme: Scheme | None = None,
                actor: str | None = None) -> Plan:
    """Plan, and with `apply` write the plan in one transaction if it has no error."""
    if not apply:
        return plan_import(store, kind, path, fmt, dates=dates, scheme=scheme)
    with store.transaction():
        plan = plan_import(store, kind, path, fmt, dates=dates, scheme=scheme)
        if not plan.errors:
            try:
                _apply(store, plan, actor)
            except sqlite3.IntegrityError as exc:
                raise ImportProblem(f"{plan.table.path.name}: nothing imported, the database "
                                    f"refused a row ({exc})") from None
    return plan


def _apply(store: Store, plan: Plan, actor: str | None) -> None:
    now = store.clock.now().isoformat()
    source = {"source": "import", "file": plan.table.path.name, "format": plan.layout.fmt}
    for entity, table in (("category", "categories"), ("location", "locations")):
        for ref_row in plan.refs.rows(entity, now):
            store.db[table].insert(ref_row)
            store.record(f"{entity}.added", {**source, "code": ref_row["code"],
                                             "name": ref_row["name"]}, actor=actor)
    entity, table = ENTITY_OF[plan.kind], TABLE_OF[plan.kind]
    for change in plan.changes:
        asset = change.key if plan.kind == "assets" else None
        payload = {**source, "line": change.line}
        if change.action == "create":
            store.db[table].insert({**csv_rows.defaults(plan.kind, change.fields),
                                    "updated_at": now})
            event = "asset.registered" if asset else f"{entity}.added"
            store.record(event, {**payload, **change.fields}, actor=actor, asset=asset)
        else:
            pk = _pk(store, plan.kind, change)
            store.db[table].update(pk, {**change.fields, "updated_at": now})
            diff = {k: [change.before.get(k), v] for k, v in change.fields.items()}
            store.record(f"{entity}.updated", {**payload, plan.layout.key: change.key,
                                               "changes": diff}, actor=actor, asset=asset)


def _pk(store: Store, kind: str, change: Change) -> str:
    if kind != "locations":
        return change.key
    return store.one("SELECT code FROM locations WHERE name = ?", [change.key])["code"]

