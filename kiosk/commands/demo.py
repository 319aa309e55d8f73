"""`kiosk demo`: the whole kiosk with no hardware, over a seeded demo database.

Scans are typed on the "simulated scanner" line (Enter ends a scan) or sent with F2 (a sample
badge), F3 (a sample tool) and F4 (a hostile scan: markup, escapes, 10,000 characters). The
LEDs, buzzer and relay are gpiozero mock pins mirrored on screen; receipts and labels are
saved as text files under <data dir>/prints.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.commands import open_store, scheme_of
from kiosk.demo import DEMO_PIN, PEOPLE, demo_settings, seed


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser("demo", help="run the kiosk in demo mode (no hardware)")
    demo.add_argument("--data-dir", default="var/demo",
                      help="where the demo database and printouts go (default: var/demo)")
    demo.add_argument("--fresh", action="store_true", help="start from a new demo database")
    demo.add_argument("--mode", choices=("crib", "gate", "returns"), default="crib",
                      help="which station to show (default: crib)")
    demo.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from drivers.queue_scanner import QueueScanner
    from kiosk import bootstrap
    from kiosk.ui.app import KioskApp

    data_dir = Path(args.data_dir)
    settings = demo_settings(data_dir)
    if args.fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{settings.kiosk.database_path}{suffix}").unlink(missing_ok=True)
    fresh = not settings.kiosk.database_path.exists()
    store = open_store(settings)
    if fresh:
        seed(store, scheme_of(settings))
    runtime = bootstrap.build(settings, "demo", store=store, station_mode=args.mode)
    tools = [r["number"] for r in store.all("SELECT number FROM assets ORDER BY number")]
    samples = {"badge": [badge for *_, badge, _ in PEOPLE], "tool": tools}
    app = KioskApp(runtime, QueueScanner(), demo=True, samples=samples)
    try:
        app.run()
    finally:
        runtime.close()
    print(f"demo database: {store.path}")
    print(f"printouts:     {runtime.prints_dir}")
    print(f"attendant:     badge {PEOPLE[0][3]}, PIN {DEMO_PIN}")
    return 0
