"""Running the kiosk on a Pi: doctor, backup, restore, udev-rules."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk import backup as backups
from kiosk.commands import settings_from
from kiosk.restore_plan import plan_restore


def register(subparsers: argparse._SubParsersAction) -> None:
    doctor = subparsers.add_parser("doctor", help="check config, database, disk, clock and "
                                   "devices; exits non-zero on any failure")
    doctor.add_argument("--min-free-mb", type=int, default=200,
                        help="fail when the data folder has less free space (default 200)")
    doctor.add_argument("--timeout", type=float, default=3.0,
                        help="seconds to wait for the broker and network printer")
    doctor.set_defaults(func=cmd_doctor)

    backup = subparsers.add_parser("backup", help="copy the database while the kiosk runs")
    backup.add_argument("dest", help="backup file, or a folder for time-stamped copies")
    backup.add_argument("--keep", type=at_least_one, default=None,
                        help="with a folder: keep only this many newest backups (1 or more)")
    backup.add_argument("--force", action="store_true",
                        help="overwrite an existing file that is not a kiosk backup")
    backup.set_defaults(func=cmd_backup)

    restore = subparsers.add_parser("restore", help="replace the database with a checked "
                                    "backup (stop kiosk.service first)")
    restore.add_argument("source", help="backup file to restore")
    restore.add_argument("--yes", action="store_true",
                         help="restore even though the live database has newer events "
                         "(they are lost)")
    restore.set_defaults(func=cmd_restore)

    rules = subparsers.add_parser("udev-rules", help="print udev rules for the configured "
                                  "scanners, printer and GPIO chip")
    rules.add_argument("--group", default="crib-kiosk", help="group given the devices")
    rules.set_defaults(func=cmd_udev_rules)


def at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more (got {value})")
    return value


def cmd_backup(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    result = backups.backup(settings.kiosk.database_path, Path(args.dest), keep=args.keep,
                            force=args.force)
    print(f"backup written: {result.path} ({result.events} events, integrity ok)")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    source, db_path = Path(args.source), settings.kiosk.database_path
    if backups.verify(source).ok:
        for line in plan_restore(source, db_path).describe():
            print(line)
    result = backups.restore(source, db_path, confirmed=args.yes)
    print(f"restored {source} to {db_path}")
    if result.kept:
        print(f"kept the old database as {result.kept}")
    for scope, (was, now) in result.raised.items():
        print(f"counter {scope} moved from {was} to {now} (already handed out before)")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from kiosk.doctor import Limits, print_report, run_checks

    limits = Limits(min_free_mb=args.min_free_mb, timeout_s=args.timeout)
    results = run_checks(getattr(args, "config", None), limits)
    return print_report(results)


def cmd_udev_rules(args: argparse.Namespace) -> int:
    from kiosk.udev import udev_rules

    print(udev_rules(settings_from(args), group=args.group), end="")
    return 0
