"""Reduced soak: thousands of scans in compressed time; memory flat, nothing fails.

The full 200,000-scan soak and its response-time figures are in bench/reliability.py.
"""

from __future__ import annotations

from pathlib import Path

from bench.soak import soak


def test_station_runs_weeks_of_scans_without_growing_or_failing(tmp_path: Path) -> None:
    report = soak(tmp_path, scans=6000)
    assert report.system_errors == 0
    assert report.events > 3000          # most scans are decisions that leave an event
    assert report.memory_growth <= 0.10
    assert 0 < report.bytes_per_event < 16 * 1024


def test_dummy_printer_keeps_only_recent_jobs_in_memory() -> None:
    """"dummy" is the default printer connection; it kept every receipt ever printed, so a
    kiosk without a configured printer grew by each receipt for as long as it ran."""
    from drivers.escpos_printer import DUMMY_KEEP, EscposPrinter

    printer = EscposPrinter("dummy")
    for index in range(DUMMY_KEEP * 3):
        printer.send(b"job %d" % index)
    assert len(printer.sent) == DUMMY_KEEP
    assert printer.sent[-1] == b"job %d" % (DUMMY_KEEP * 3 - 1)
