"""Whole sessions through the Textual app (Pilot), scans injected through the scan loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.demo import DEMO_PIN
from kiosk.ui.app import HOSTILE_SAMPLES
from kiosk.ui.screens import Touched
from kiosk.ui.screenshots import ANNA, DRILL, GRINDER, OGAKI, TABLET, make_app, number_of, play
from kiosk.ui.widgets import PersonLine, SessionList, StatusPanel


def shown(app, widget_type) -> str:
    return app.screen.query_one(widget_type).render().plain


@pytest.fixture
def crib_app(tmp_path: Path):
    app = make_app("crib", True, tmp_path)
    yield app
    app.runtime.close()


async def test_crib_session_from_badge_to_receipt(crib_app) -> None:
    app = crib_app
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Scan your badge to start" in shown(app, StatusPanel)
        await play(app, pilot, [("scan", ANNA), ("scan", DRILL)])
        assert "CHECKED OUT" in shown(app, StatusPanel)
        drill = number_of(app, DRILL)
        assert drill in shown(app, SessionList) and "Anna Müller" in shown(app, PersonLine)
        await pilot.click("#touch-done")
        await pilot.pause()
        assert "SESSION CLOSED" in shown(app, StatusPanel)
        assert len(list(app.runtime.prints_dir.glob("receipt-*.txt"))) == 1
        row = app.runtime.store.one("SELECT status, holder FROM assets WHERE number = ?",
                                    [drill])
        assert row == {"status": "checked_out", "holder": "E1001"}


async def test_typed_scans_and_sample_keys_reach_the_station(crib_app) -> None:
    app = crib_app
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f2")                    # Anna's badge
        while app.handled < 1:
            await pilot.pause()
        await pilot.press(*number_of(app, DRILL), "enter")   # typed on the scanner line
        while app.handled < 2:
            await pilot.pause()
        assert "CHECKED OUT" in shown(app, StatusPanel)
        panel = app.screen.query_one("#gpio").render().plain
        assert "green" in panel and "○ red" in panel      # mirror of the mock pins; red unlit


async def test_keys_that_quit_other_apps_do_nothing(crib_app) -> None:
    app = crib_app
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in ("ctrl+q", "ctrl+c", "ctrl+p", "ctrl+z", "escape", "tab", "ctrl+backslash"):
            await pilot.press(key)
            await pilot.pause()
        assert app.is_running and app.screen.name == "crib"
        assert len(app.screen_stack) == 2          # default screen + ours: no palette opened


async def test_only_attendant_mode_closes_the_kiosk(crib_app) -> None:
    app = crib_app
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await play(app, pilot, [("click", "#touch-attendant"), ("scan", ANNA)])
        assert app.screen.name == "pin"
        assert "HELLO ANNA MÜLLER" in shown(app, StatusPanel)   # first visit shows status too
        for digit in DEMO_PIN:
            await pilot.click(f"#key-{digit}")
        pin = app.screen.query_one("#pin")
        assert (pin.value, pin.password) == (DEMO_PIN, True)   # typed, shown as dots
        await pilot.click("#key-ok")
        await pilot.pause()
        assert app.screen.name == "attendant"
        await pilot.click("#touch-due")
        await pilot.pause()
        assert "Overdue loans (1)" in shown(app, SessionList)
        await pilot.click("#touch-quit")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


async def test_hostile_names_and_scans_are_shown_as_plain_text(crib_app) -> None:
    app = crib_app
    app.runtime.store.db.execute(
        "UPDATE people SET name = ? WHERE employee_no = 'E1001'",
        ["[link=https://evil.example]Anna[/link] [bold \x1b[2J\x1b]0;t\x07"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await play(app, pilot, [("scan", ANNA)])
        for _ in HOSTILE_SAMPLES:
            await pilot.press("f4")
        while app.handled < 1 + len(HOSTILE_SAMPLES):
            await pilot.pause()
        listed = shown(app, SessionList)
        person = shown(app, PersonLine)
        assert "Person: [link=https://evil.example]Anna[/link] [bold \\x1b" in person
        assert "\x1b" not in person
        assert "[bold red]HACKED" in listed and "\\x1b[2J\\x1b]0;owned\\x07" in listed
        assert "\x1b" not in listed and "\x07" not in listed
        assert max(len(line) for line in listed.splitlines()) < 200   # the 10,000 chars cut
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "evil.example" in svg and 'href="https://evil' not in svg
        assert app.is_running


async def test_gate_and_returns_screens(tmp_path: Path) -> None:
    gate = make_app("gate", False, tmp_path / "gate")
    async with gate.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await play(gate, pilot, [("scan", TABLET), ("scan", OGAKI)])
        assert "GO AHEAD" in shown(gate, StatusPanel)
    gate.runtime.close()
    returns = make_app("returns", False, tmp_path / "returns")
    async with returns.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await play(returns, pilot, [("scan", GRINDER), ("click", "#touch-damaged"),
                                    ("click", "#touch-done")])
        assert "THANK YOU" in shown(returns, StatusPanel)
        assert len(list(returns.runtime.prints_dir.glob("receipt-*.txt"))) == 1
    returns.runtime.close()


async def test_a_double_tap_registers_one_asset(crib_app) -> None:
    app = crib_app
    store = app.runtime.store
    before = store.one("SELECT count(*) AS n FROM assets")["n"]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await play(app, pilot, [("click", "#touch-attendant"), ("scan", ANNA)])
        for digit in [*DEMO_PIN, "ok"]:
            await pilot.click(f"#key-{digit}")
        await pilot.pause()
        for _ in range(2):   # a tap arriving twice, as a terminal's double click can deliver
            app.screen.post_message(Touched("register", "DRL Impact driver"))
        await pilot.pause()
        assert "REGISTERED" in shown(app, StatusPanel)
    assert store.one("SELECT count(*) AS n FROM assets")["n"] == before + 1
    assert len(list(app.runtime.prints_dir.glob("label-*.txt"))) == 1
