"""Junk scans (not ours at all) never fill the crib receipt; refusals of real tools stay."""

from __future__ import annotations

from pathlib import Path

from kiosk.ui.screenshots import ANNA, TORQUE_OVERDUE, make_app, number_of, play
from kiosk.ui.widgets import SessionList

JUNK = ["JUNK-" + "x" * 35, "\x1b[31mred", "hello world"]


async def test_the_receipt_counts_junk_scans_and_lists_real_refusals(tmp_path: Path) -> None:
    app = make_app("crib", True, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await play(app, pilot, [("scan", ANNA), ("scan", TORQUE_OVERDUE),
                                *(("scan", junk) for junk in JUNK)])
        assert "JUNK-xxx" in app.screen.query_one(SessionList).render().plain  # still shown
        await pilot.click("#touch-done")
        await pilot.pause()
    app.runtime.close()
    [receipt] = [p.read_text() for p in app.runtime.prints_dir.glob("receipt-*.txt")]
    torque = number_of(app, TORQUE_OVERDUE)
    refused = [line for line in receipt.splitlines() if line.startswith("REFUSED")]
    assert refused[0].startswith(f"REFUSED {torque}: ")
    assert refused[1:] == ["REFUSED 3 unreadable scans: not a badge or tool of this site"]
    assert "JUNK" not in receipt and "hello" not in receipt and "x1b" not in receipt


async def test_returns_box_prints_no_junk_and_no_receipt_for_junk_alone(tmp_path: Path) -> None:
    app = make_app("returns", True, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await play(app, pilot, [("scan", "[link=https://evil.example]free tools[/link]")])
        await pilot.click("#touch-done")
        await pilot.pause()
        assert list(app.runtime.prints_dir.glob("receipt-*.txt")) == []  # nothing returned
        await play(app, pilot, [("scan", "tool:0"), ("scan", "\x1b[31mred")])
        await pilot.pause(0.7)   # a second tap on Done within 0.6 s counts as a double tap
        await pilot.click("#touch-done")
        await pilot.pause()
    app.runtime.close()
    [receipt] = [p.read_text() for p in app.runtime.prints_dir.glob("receipt-*.txt")]
    assert "evil" not in receipt and "x1b" not in receipt
    assert "REFUSED 1 unreadable scan: not a badge or tool of this site" in receipt
    assert number_of(app, "tool:0") in receipt
