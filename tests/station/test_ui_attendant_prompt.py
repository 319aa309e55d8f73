"""The attendant sign-in (badge prompt, PIN pad) can always be left: Cancel, Escape, timeout."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.clock import Clock
from kiosk.ui.screenshots import ANNA, FIXED_NOW, JIRI, play
from kiosk.ui.widgets import StatusPanel
from tests.station.conftest import shown


@pytest.mark.parametrize("how", ["button", "escape"])
async def test_the_badge_prompt_cancels_back_to_the_idle_screen(demo_app, how) -> None:
    app = demo_app
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await play(app, pilot, [("click", "#touch-attendant")])
        assert app.screen.name == "attendant"
        if how == "button":
            await pilot.click("#signin #touch-cancel")
        else:
            await pilot.press("escape")
        await pilot.pause()
        assert app.screen.name == "crib" and app.station.attendant is None
        assert app.focused is not None and app.focused.id == "scanner"


@pytest.mark.parametrize("how", ["button", "escape"])
async def test_the_pin_pad_cancels_back_to_the_idle_screen(demo_app, how) -> None:
    app = demo_app
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await play(app, pilot, [("click", "#touch-attendant"), ("scan", ANNA)])
        assert app.screen.name == "pin"
        if how == "button":
            await pilot.click("#touch-cancel")
        else:
            await pilot.press("escape")
        await pilot.pause()
        assert app.screen.name == "crib" and app.station.attendant is None


async def test_a_typed_badge_reaches_the_scanner_line_on_the_badge_prompt(demo_app) -> None:
    app = demo_app
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await play(app, pilot, [("click", "#touch-attendant")])
        await pilot.press(*ANNA, "enter")
        while app.handled < 1:
            await pilot.pause()
        await pilot.pause()
        assert app.screen.name == "pin"
        assert "HELLO ANNA MÜLLER" in shown(app, StatusPanel)


async def test_the_badge_prompt_times_out_and_refused_badges_do_not_extend_it(demo_app) -> None:
    app = demo_app
    idle_s = app.station.ctx.settings.station.session_idle_s
    now = [FIXED_NOW]
    app.runtime.store.clock = Clock(now=lambda: now[0], synced=lambda: True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await play(app, pilot, [("click", "#touch-attendant")])
        now[0] = FIXED_NOW + dt.timedelta(seconds=idle_s - 1)
        await play(app, pilot, [("scan", JIRI)])          # not an attendant: refused
        assert "NOT AN ATTENDANT" in shown(app, StatusPanel)
        now[0] = FIXED_NOW + dt.timedelta(seconds=idle_s)
        app._tick()                                        # what the once-a-second timer calls
        await pilot.pause()
        assert app.screen.name == "crib" and app.station.attendant is None
