"""`kiosk run`: the kiosk on its real hardware (the systemd unit's ExecStart)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from kiosk.commands import open_store, settings_from

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="run the kiosk on this machine's scanners, GPIO "
                                "and printer (what the systemd unit starts)")
    run.add_argument("--mode", choices=("crib", "gate", "returns"),
                     help="override [kiosk] mode for this run")
    run.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    from kiosk import bootstrap
    from kiosk.logging_setup import setup_logging
    from kiosk.ui.app import KioskApp
    from kiosk.watchdog import Watchdog

    settings = settings_from(args)
    log_file = Path(settings.logging.file) if settings.logging.file else \
        settings.data_dir / "kiosk.log"
    setup_logging(ui_owns_terminal=True, log_file=log_file, level=settings.logging.level)
    store = open_store(settings)
    runtime = bootstrap.build(settings, "hardware", store=store, station_mode=args.mode)
    watchdog = Watchdog()
    app = KioskApp(runtime, bootstrap.scan_source(settings, "hardware"), watchdog=watchdog)
    try:
        app.run()
    finally:
        watchdog.stopping()
        runtime.close()
    # A crash inside the app ends run() normally; systemd must still see a failure.
    return app.return_code or 0
