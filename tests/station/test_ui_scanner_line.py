"""The demo's simulated scanner line takes whatever is typed or pasted as scan data."""

from __future__ import annotations

from textual import events

from kiosk.ui.screenshots import ANNA, play
from kiosk.ui.widgets import SessionList, StatusPanel
from tests.station.conftest import shown

HOSTILE_PASTE = "A\x1b[31mRED\x07\x08\tTAB\rCR\x00NUL"


async def test_a_hostile_paste_is_scan_data_and_presses_nothing(demo_app) -> None:
    app = demo_app
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await play(app, pilot, [("scan", ANNA)])
        app.post_message(events.Paste(HOSTILE_PASTE))   # as a terminal's bracketed paste
        while app.handled < 3:                           # one scan per CR/LF-separated part
            await pilot.pause()
        listed = shown(app, SessionList)
        assert "A\\x1b[31mRED\\x07\\x08\\x0" in listed and "CR\\x00NUL" in listed
        assert "\x1b" not in listed and "\x07" not in listed
        assert "NOT A BADGE OR TOOL" in shown(app, StatusPanel)
        assert "not one of ours" in shown(app, StatusPanel)
        assert app.focused is not None and app.focused.id == "scanner"
        await pilot.press("enter")                       # must not press Done
        while app.handled < 4:
            await pilot.pause()
        assert app.station.flow.person is not None       # the session is still open
        assert app.screen.name == "crib"


async def test_typed_tab_is_data_and_control_characters_show_visibly(demo_app) -> None:
    app = demo_app
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await play(app, pilot, [("scan", ANNA)])
        await pilot.press("X", "tab", "Y")
        field = app.screen.query_one("#scanner")
        assert app.focused is field and field.value == "X\tY"
        assert "X␉Y" in field.render_line(0).text         # one visible cell per control char
        await pilot.press("enter")
        while app.handled < 2:
            await pilot.pause()
        assert "✗ X\\x09Y  refused" in shown(app, SessionList)
        assert app.screen.name == "crib"


async def test_focus_returns_to_the_scanner_line_after_a_touch(demo_app) -> None:
    app = demo_app
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await play(app, pilot, [("scan", ANNA), ("click", "#touch-done")])
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "scanner"
        await pilot.press("enter")                       # a second Enter: a scan, not "Done"
        while app.handled < 2:
            await pilot.pause()
        assert app.screen.name == "crib"
