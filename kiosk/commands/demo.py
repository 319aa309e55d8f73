"""`kiosk demo`: the kiosk with no hardware, over a seeded demo database."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk import records
from kiosk.commands import open_store, scheme_of
from kiosk.demo import demo_settings, seed
from kiosk.text import visible


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser("demo", help="run the kiosk in demo mode (no hardware)")
    demo.add_argument("--data-dir", default="var/demo",
                      help="where the demo database and printouts go (default: var/demo)")
    demo.add_argument("--fresh", action="store_true", help="start from a new demo database")
    demo.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir)
    settings = demo_settings(data_dir)
    if args.fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{settings.kiosk.database_path}{suffix}").unlink(missing_ok=True)
    fresh = not settings.kiosk.database_path.exists()
    store = open_store(settings)
    if fresh:
        created = seed(store, scheme_of(settings))
        print(f"demo database created at {store.path}")
        print(f"  badges: {', '.join(created['badges'])}")
        print(f"  tools:  {', '.join(created['assets'])}")
    print("\nDemo walk-through (the station UI replaces this):")
    for asset in store.all("SELECT number, name, status, next_inspection_due FROM assets "
                           "ORDER BY number"):
        print(f"  {asset['number']:<20} {visible(asset['name']):<28} {asset['status']:<12} "
              f"inspection due {asset['next_inspection_due'] or '-'}")
    number = store.one("SELECT number FROM assets ORDER BY number LIMIT 1")["number"]
    print(f"\nhistory of {number}:")
    for event in records.history(store, number):
        print(f"  #{event['seq']} {event['at']} {event['type']}")
    return 0
