"""`kiosk print-test` and `kiosk print-jobs`: check the receipt printer, see its queue."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from kiosk.commands import open_store, settings_from
from kiosk.config import Settings
from kiosk.errors import KioskError
from kiosk.preview import save_preview
from kiosk.print_queue import list_jobs
from kiosk.printdoc import media_for, to_primitives
from kiosk.receipt import print_test_ops
from kiosk.text import visible


def register(subparsers: argparse._SubParsersAction) -> None:
    test = subparsers.add_parser("print-test", help="print a test page (ASCII, code page, QR, "
                                 "Code 128) for installers")
    test.add_argument("--output-dir", help="where dummy/file jobs and the PNG preview go "
                      "(default: printer.output_dir, else <data_dir>/prints)")
    test.set_defaults(func=cmd_print_test)
    jobs = subparsers.add_parser("print-jobs", help="list recent print jobs and their status")
    jobs.add_argument("--status", choices=("pending", "printed", "failed"))
    jobs.add_argument("--limit", type=int, default=20)
    jobs.set_defaults(func=cmd_print_jobs)


def build_printer(settings: Settings, output_dir: Path | None = None) -> Any:
    """The configured printer driver; imported lazily so `kiosk` loads without escpos."""
    from drivers.escpos_printer import PrinterError, printer_from_config

    section = settings.printer
    try:
        return printer_from_config(
            section.connection, section.target, profile=section.profile,
            codepage=section.codepage, timeout_s=section.timeout_s, usb_in_ep=section.usb_in_ep,
            usb_out_ep=section.usb_out_ep, check_status=section.check_status,
            output_dir=str(output_dir or output_dir_of(settings)))
    except PrinterError as exc:
        raise KioskError(str(exc)) from exc


def output_dir_of(settings: Settings) -> Path:
    return Path(settings.printer.output_dir) if settings.printer.output_dir else \
        settings.data_dir / "prints"


def cmd_print_test(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    out = Path(args.output_dir) if args.output_dir else output_dir_of(settings)
    media = media_for(settings.printer.width_mm, settings.printer.media)
    ops = print_test_ops(settings.printer.codepage, media)
    printer = build_printer(settings, out)
    job = _render(printer, ops)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    preview = save_preview(ops, out / f"print-test-{stamp}.png", media)
    connection = settings.printer.connection
    if connection == "dummy":
        path = out / f"print-test-{stamp}.bin"
        path.write_bytes(job)
        print(f"test page ({len(job)} bytes of ESC/POS) written to {path}")
    else:
        _send(printer, job)
        print(f"test page ({len(job)} bytes) sent to the {connection} printer "
              f"{settings.printer.target}")
    print(f"preview: {preview}")
    return 0


def _render(printer: Any, ops: list) -> bytes:
    try:
        return printer.render(to_primitives(ops))
    except ValueError as exc:
        raise KioskError(f"cannot build the test page: {exc}") from exc


def _send(printer: Any, job: bytes) -> None:
    from drivers.escpos_printer import PrinterError

    try:
        printer.send(job)
    except PrinterError as exc:
        raise KioskError(f"test page not printed: {exc}") from exc


def cmd_print_jobs(args: argparse.Namespace) -> int:
    store = open_store(settings_from(args))
    rows = list_jobs(store, args.status, args.limit)
    if not rows:
        print("no print jobs")
    for row in rows:
        error = f"  ({visible(row['error'], 80)})" if row["error"] else ""
        print(f"#{row['id']:<6} {row['created_at']}  {row['kind']:<18} {row['status']:<8} "
              f"tries {row['attempts']}{error}")
    return 0
