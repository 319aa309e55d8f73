"""kiosk import / kiosk export: CSV in our format or Snipe-IT's."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.commands import open_store, scheme_of, settings_from
from kiosk.csv_export import export
from kiosk.csv_formats import FORMATS, KINDS
from kiosk.csv_import import Change, Plan, import_file
from kiosk.text import visible

SHOWN_CHANGES = 50
SHOWN_ERRORS = 200


def register(subparsers: argparse._SubParsersAction) -> None:
    imp = subparsers.add_parser("import", help="import assets, people or locations from CSV "
                                "(dry run unless --apply)")
    imp.add_argument("kind", choices=KINDS)
    imp.add_argument("file", type=Path)
    imp.add_argument("--format", choices=FORMATS, default="ours",
                     help="ours (what `kiosk export` writes) or snipeit (Snipe-IT import CSV)")
    imp.add_argument("--apply", action="store_true",
                     help="write the changes (in one transaction); without it nothing changes")
    imp.add_argument("--dates", choices=("dmy", "mdy"), default=None,
                     help="how to read dates like 03/04/2024 when a column fits both "
                     "(default: mdy for snipeit, dmy for ours)")
    imp.set_defaults(func=cmd_import)

    exp = subparsers.add_parser("export", help="write assets, people or locations as CSV")
    exp.add_argument("kind", choices=KINDS)
    exp.add_argument("file", type=Path, nargs="?", help="output file (default: standard output)")
    exp.set_defaults(func=cmd_export)


def cmd_import(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    store = open_store(settings)
    plan = import_file(store, args.kind, args.file, args.format, apply=args.apply,
                       dates=args.dates, scheme=scheme_of(settings))
    print_plan(plan, applied=args.apply)
    return 1 if plan.errors else 0


def print_plan(plan: Plan, *, applied: bool) -> None:
    verb = "" if applied else "would "
    print(f"{plan.table.path.name}: {plan.layout.fmt} {plan.kind}, "
          f"{len(plan.table.records)} rows")
    for note in plan.notes:
        print(f"  note: {visible(note)}")
    for ref in plan.refs.new():
        print(f"  {verb}create {ref.entity} {ref.code} {visible(ref.name)!r} "
              f"(first named on line {ref.line})")
    for change in plan.changes[:SHOWN_CHANGES]:
        print(f"  line {change.line}: {verb}{_describe(plan, change)}")
    if len(plan.changes) > SHOWN_CHANGES:
        print(f"  ... and {len(plan.changes) - SHOWN_CHANGES} more changes")
    creates = sum(c.action == "create" for c in plan.changes)
    print(f"  {creates} to create, {len(plan.changes) - creates} to update, "
          f"{plan.unchanged} unchanged, {len(plan.errors)} errors")
    for error in plan.errors[:SHOWN_ERRORS]:
        print(f"  error: {visible(error)}")
    if len(plan.errors) > SHOWN_ERRORS:
        print(f"  ... and {len(plan.errors) - SHOWN_ERRORS} more errors")
    if plan.errors:
        print("nothing was changed: fix the errors and run the command again")
    elif not applied:
        print("dry run: nothing was changed; add --apply to import")
    else:
        print(f"imported: {len(plan.changes)} changes saved")


def _describe(plan: Plan, change: Change) -> str:
    entity = {"assets": "asset", "people": "person", "locations": "location"}[plan.kind]
    if change.action == "create":
        name = change.fields.get("name") or ""
        key = change.fields.get("code") if plan.kind == "locations" else change.key
        return f"create {entity} {visible(str(key))} {visible(str(name))!r}"
    diffs = ", ".join(f"{field} {visible(str(change.before.get(field)))!r} -> "
                      f"{visible(str(value))!r}" for field, value in change.fields.items())
    return f"update {entity} {visible(change.key)}: {diffs}"


def cmd_export(args: argparse.Namespace) -> int:
    store = open_store(settings_from(args))
    count = export(store, args.kind, args.file)
    if args.file is not None:
        print(f"wrote {count} {args.kind} to {args.file}")
    return 0
