"""category add/list, location add/list: the master data a fresh database needs first."""

from __future__ import annotations

import argparse

from kiosk import master_data
from kiosk.commands import open_store, settings_from
from kiosk.text import visible


def register(subparsers: argparse._SubParsersAction) -> None:
    category = subparsers.add_parser("category", help="tool categories (needed before "
                                     "`kiosk asset add`)")
    category_sub = category.add_subparsers(dest="category_command", metavar="ACTION",
                                           required=True)
    add = category_sub.add_parser("add", help="add a category")
    add.add_argument("code", help="short code used in inventory numbers, e.g. DRL")
    add.add_argument("--name", required=True)
    add.add_argument("--loan-days", type=int, default=7, help="loan period (default 7)")
    add.add_argument("--qualification", default=None,
                     help="qualification kind a borrower needs")
    add.add_argument("--inspection-days", type=int, default=None,
                     help="days between inspections")
    add.add_argument("--useful-life-years", type=int, default=None,
                     help="for straight-line book value")
    add.add_argument("--free-to-leave", action="store_true",
                     help="may pass the gate without a checkout")
    add.set_defaults(func=cmd_category_add)
    category_sub.add_parser("list", help="list categories").set_defaults(
        func=cmd_category_list)

    location = subparsers.add_parser("location", help="storage locations")
    location_sub = location.add_subparsers(dest="location_command", metavar="ACTION",
                                           required=True)
    ladd = location_sub.add_parser("add", help="add a location")
    ladd.add_argument("code", help="short code, e.g. SHELF-A")
    ladd.add_argument("--name", required=True)
    ladd.add_argument("--parent", default=None, help="code of the enclosing location")
    ladd.set_defaults(func=cmd_location_add)
    location_sub.add_parser("list", help="list locations").set_defaults(
        func=cmd_location_list)


def cmd_category_add(args: argparse.Namespace) -> int:
    store = open_store(settings_from(args))
    row = master_data.add_category(store, master_data.Category(
        code=args.code, name=args.name, loan_days=args.loan_days,
        qualification=args.qualification, inspection_interval_days=args.inspection_days,
        useful_life_years=args.useful_life_years, free_to_leave=args.free_to_leave))
    print(f"added category {row['code']}: {visible(row['name'])}")
    return 0


def cmd_category_list(args: argparse.Namespace) -> int:
    store = open_store(settings_from(args))
    rows = master_data.categories(store)
    if not rows:
        print("no categories yet: add one with `kiosk category add CODE --name NAME`")
    for row in rows:
        extras = [f"loan {row['loan_days']} d"]
        if row["qualification"]:
            extras.append(f"needs {visible(row['qualification'])}")
        if row["inspection_interval_days"]:
            extras.append(f"inspect every {row['inspection_interval_days']} d")
        if row["useful_life_years"]:
            extras.append(f"life {row['useful_life_years']} y")
        if row["free_to_leave"]:
            extras.append("free to leave")
        print(f"{row['code']:<8} {visible(row['name'])} ({', '.join(extras)})")
    return 0


def cmd_location_add(args: argparse.Namespace) -> int:
    store = open_store(settings_from(args))
    row = master_data.add_location(store, args.code, args.name, args.parent)
    print(f"added location {row['code']}: {visible(row['name'])}")
    return 0


def cmd_location_list(args: argparse.Namespace) -> int:
    store = open_store(settings_from(args))
    for row in master_data.locations(store):
        parent = f" (in {row['parent']})" if row["parent"] else ""
        print(f"{row['code']:<12} {visible(row['name'])}{parent}")
    return 0
