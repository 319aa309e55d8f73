"""A long crib session keeps its newest line on screen at the smallest size (80x24)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.ui.screenshots import ANNA, make_app, play


@pytest.mark.parametrize("demo", [True, False])
async def test_the_newest_session_line_stays_visible(tmp_path: Path, demo: bool) -> None:
    app = make_app("crib", demo, tmp_path)
    steps = [("scan", ANNA), *(("scan", f"tool:{i}") for i in range(8)),
             *(("scan", f"JUNK{i}") for i in range(4)), ("scan", "NEWEST")]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await play(app, pilot, steps)
        await pilot.pause()
        screen = app.export_screenshot()
        assert "NEWEST" in screen and "JUNK3" in screen   # the newest lines, at the bottom
        assert "Person:" in screen                       # whose session: always in sight
    app.runtime.close()
