"""init, config, asset add/show, person add, badge add, history."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kiosk import documents, records
from kiosk.commands import open_store, scheme_of, settings_from
from kiosk.commands.printing import output_dir_of
from kiosk.config import Settings, describe_fields
from kiosk.csv_formats import CellProblem, to_money
from kiosk.dates import parse_iso_day
from kiosk.depreciation import book_value
from kiosk.errors import KioskError
from kiosk.text import visible


def register(subparsers: argparse._SubParsersAction) -> None:
    init = subparsers.add_parser("init", help="create or upgrade the database")
    init.set_defaults(func=cmd_init)

    config = subparsers.add_parser("config", help="check the configuration and show it")
    config.add_argument("--show", action="store_true", help="print every setting")
    config.set_defaults(func=cmd_config)

    asset = subparsers.add_parser("asset", help="register and look at assets")
    asset_sub = asset.add_subparsers(dest="asset_command", metavar="ACTION", required=True)
    add = asset_sub.add_parser("add", help="register an asset; prints its new number")
    add.add_argument("--name", required=True)
    add.add_argument("--category", required=True, help="category code")
    add.add_argument("--location", default="", help="home location code")
    add.add_argument("--number", help="keep an existing label's number instead of generating")
    add.add_argument("--serial", default=None)
    add.add_argument("--manufacturer", default=None)
    add.add_argument("--model", default=None)
    add.add_argument("--purchase-date", default=None, help="YYYY-MM-DD")
    add.add_argument("--cost", default=None, help="purchase cost, e.g. 219.90")
    add.set_defaults(func=cmd_asset_add)
    show = asset_sub.add_parser("show", help="show one asset, its book value and documents")
    show.add_argument("number")
    show.set_defaults(func=cmd_asset_show)
    attach = asset_sub.add_parser("attach", help="attach an invoice, inspection report or photo")
    attach.add_argument("number")
    attach.add_argument("file", type=Path)
    attach.add_argument("--kind", choices=documents.KINDS, default="invoice")
    attach.set_defaults(func=cmd_asset_attach)

    person = subparsers.add_parser("person", help="people who borrow tools")
    person_sub = person.add_subparsers(dest="person_command", metavar="ACTION", required=True)
    padd = person_sub.add_parser("add", help="add a person")
    padd.add_argument("--employee-no", required=True)
    padd.add_argument("--name", required=True)
    padd.add_argument("--department", default="")
    padd.set_defaults(func=cmd_person_add)

    badge = subparsers.add_parser("badge", help="badges of people")
    badge_sub = badge.add_subparsers(dest="badge_command", metavar="ACTION", required=True)
    badd = badge_sub.add_parser("add", help="give a person a badge")
    badd.add_argument("--employee-no", required=True)
    badd.add_argument("--badge", required=True, help="the number as the reader prints it")
    badd.add_argument("--format", default="decimal",
                      help="decimal, hex, hex-reversed, facility-card or text")
    badd.add_argument("--valid-until", default=None, help="YYYY-MM-DD")
    badd.set_defaults(func=cmd_badge_add)

    hist = subparsers.add_parser("history", help="all events of an asset, newest first")
    hist.add_argument("number")
    hist.set_defaults(func=cmd_history)


def cmd_init(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    store = open_store(settings)
    print(f"database ready: {store.path}")
    folder = printer_folder(settings)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        print(f"print folder ready: {folder}")
    return 0


def printer_folder(settings: Settings) -> Path | None:
    """Where a file or dummy printer writes (what `kiosk doctor` checks); None for devices."""
    printer = settings.printer
    if printer.connection == "file":
        return Path(printer.target).parent if printer.target else None
    if printer.connection == "dummy":
        return output_dir_of(settings)
    return None


def cmd_config(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    print(f"configuration {settings.source} is valid")
    if args.show:
        for key, _help, _default in describe_fields():
            section, name = key.split(".", 1)
            value = getattr(getattr(settings, section), name, None) if section != "scanners" \
                else [getattr(s, name) for s in settings.scanners]
            if "password" in name or "key_file" in name:
                value = "***" if value else ""
            print(f"{key} = {json.dumps(value, default=str)}")
    return 0


def cmd_asset_add(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    store = open_store(settings)
    extra = {k: getattr(args, k) for k in ("serial", "manufacturer", "model")
             if getattr(args, k)}
    if args.purchase_date:
        extra["purchase_date"] = parse_iso_day(args.purchase_date, "purchase date").isoformat()
    if args.cost:
        try:
            extra["purchase_cost"] = to_money(args.cost)
        except CellProblem as exc:
            raise KioskError(f"--cost: {exc}") from None
    number = records.add_asset(store, scheme_of(settings), name=args.name,
                               category=args.category, location=args.location,
                               number=args.number,
                               reserved_block=settings.numbering.reserved_block, **extra)
    print(number)
    return 0


def cmd_asset_show(args: argparse.Namespace) -> int:
    store = open_store(settings_from(args))
    asset = records.get_asset(store, args.number)
    width = max(len(k) for k in asset)
    for key, value in asset.items():
        if value not in (None, ""):
            print(f"{key.replace('_', ' '):<{width}}  {visible(str(value))}")
    category = store.one("SELECT useful_life_years FROM categories WHERE code = ?",
                         [asset["category"]]) or {}
    value = book_value(asset["purchase_cost"], asset["purchase_date"],
                       category.get("useful_life_years"), records.today(store))
    print(f"{'book value':<{width}}  {value}")
    for doc in documents.documents_of(store, asset["number"]):
        print(f"{'document':<{width}}  {doc['kind']}: {visible(doc['filename'])} "
              f"({doc['media_type']}, {doc['size']} bytes, sha256 {doc['sha256'][:12]})")
    return 0


def cmd_asset_attach(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    store = open_store(settings)
    doc, new = documents.attach(store, settings.data_dir, args.number, args.file, args.kind,
                                max_bytes=settings.kiosk.attachment_max_mb * documents.MB)
    state = "attached" if new else "already attached"
    print(f"{state}: {doc['kind']} {visible(doc['filename'])} to {doc['asset_number']} "
          f"(sha256 {doc['sha256']})")
    return 0


def cmd_person_add(args: argparse.Namespace) -> int:
    store = open_store(settings_from(args))
    records.add_person(store, employee_no=args.employee_no, name=args.name,
                       department=args.department)
    print(f"added {args.employee_no}")
    return 0


def cmd_badge_add(args: argparse.Namespace) -> int:
    store = open_store(settings_from(args))
    records.add_badge(store, employee_no=args.employee_no, raw=args.badge,
                      badge_format=args.format, valid_until=args.valid_until)
    print(f"badge added for {args.employee_no}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    store = open_store(settings_from(args))
    number = records.get_asset(store, args.number)["number"]
    for event in records.history(store, number):
        print(f"{event['at']}  #{event['seq']:<6} {event['type']:<22} "
              f"{visible(event['actor'] or '-'):<10} {visible(event['payload'])}")
    return 0
