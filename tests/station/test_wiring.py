"""Composition root, layering, the fallback classifier, receipts as text, the scan loop."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from gpiozero.pins.mock import MockFactory

from drivers.queue_scanner import QueueScanner
from kiosk import bootstrap
from kiosk.errors import KioskError
from kiosk.outcome import Receipt, ReceiptItem, receipt_text
from kiosk.runner import pump
from kiosk.scans import Scan
from tests.station.conftest import ANNA, station_settings

ROOT = Path(__file__).resolve().parents[2]


def test_bootstrap_picks_mock_pins_outside_hardware_mode(tmp_path, store) -> None:
    settings = station_settings(tmp_path)
    assert isinstance(bootstrap.pin_factory_for(settings, "demo"), MockFactory)
    assert isinstance(bootstrap.pin_factory_for(settings, "hardware"), MockFactory)  # mock cfg
    with pytest.raises(KioskError, match="unknown run mode"):
        bootstrap.build(settings, "production", store=store)


def test_runtime_classifies_with_the_scanner_rules(world, store, tmp_path) -> None:
    runtime = bootstrap.build(station_settings(tmp_path), "test", store=store,
                              pin_factory=MockFactory())

    def kind(text: str, role: str = "any") -> tuple[str, str]:
        found = runtime.classify(Scan(text, role=role))
        return found.kind, found.value

    try:
        assert kind(ANNA) == ("badge", "4011234")
        assert kind(world["assets"][0]) == ("asset", world["assets"][0])
        assert kind("nothing-here")[0] == "unknown"
        assert kind("nothing-here", role="tool")[0] == "unknown"
    finally:
        runtime.close()


def test_receipt_text_shows_control_characters_instead_of_sending_them() -> None:
    receipt = Receipt("HAM", "crib-1", "Tool crib", "Eve\x1b[2J", "E9", "2026-12-03T09:00:00Z",
                      "01TX", (ReceiptItem("HAM-1", "Drill\x07", "out",
                                           "2026-12-10T23:59:59Z"),),
                      (("\x1bX", "This code is not a tool we know."),))
    text = receipt_text(receipt)
    assert "\x1b" not in text and "\x07" not in text
    assert "Eve\\x1b[2J (E9)" in text and "due 2026-12-10" in text and "Ref 01TX" in text


def test_scan_loop_handles_scans_in_order_and_survives_a_failing_screen(make_runtime,
                                                                         world) -> None:
    runtime = make_runtime()
    seen: list[str] = []

    def show(scan, outcome) -> None:  # noqa: ANN001
        seen.append(outcome.headline)
        if len(seen) == 1:
            raise RuntimeError("screen broke")

    async def run() -> None:
        scanner = QueueScanner()
        for text in (ANNA, world["assets"][0], world["assets"][0]):
            scanner.put(text)
        scanner.close()
        await pump(scanner, runtime.station, runtime.classify, show)

    asyncio.run(run())
    assert seen == ["Hello Anna Müller", "Checked out", "Undone"]
