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
    assert refused[1:] == ["REFUSED 3 unreadable scans: not a badge or tool of this crib"]
    assert "JUNK" not in receipt and "hello" not in receipt and "x1b" not in receipt
