"""S1 through the mounted app: Hypothesis cases from key events and hostile text to widgets."""

from __future__ import annotations

from pathlib import Path

from bench.fuzz import Target, fuzz_app
from kiosk.scans import Scan


async def test_fuzzed_scans_never_crash_or_reach_the_screen_raw(tmp_path: Path) -> None:
    report = await fuzz_app(tmp_path, text_cases=300, stream_cases=150)
    assert report.cases >= 400 and report.scans >= 300
    assert (report.crashes, report.escapes) == (0, 0), report.examples


async def test_fuzz_target_counts_an_escape_when_a_widget_shows_one(tmp_path: Path) -> None:
    target = Target(tmp_path)
    try:
        async with target.app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            target.case(Scan(target.world.badges[0]))
            target.app.screen.query_one("#prompt").update("\x1b]0;raw")  # bypassing visible()
            target.app.present = lambda outcome: None                  # keep the raw text up
            target.case(Scan("anything"))
    finally:
        target.close()
    assert target.report.escapes == 1
