"""S1 end to end: the real app in a pty and under Pilot never emits data as escapes or markup."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from gpiozero.pins.mock import MockFactory
from rich.console import Console

from bench.hostile import ESCAPES, escaped_bytes, hostile_samples, shown_is_safe
from bench.pty_demo import run
from bench.reliability_world import open_store, seed_crib, settings_for
from drivers.queue_scanner import QueueScanner
from kiosk import bootstrap
from kiosk.ui.app import KioskApp
from kiosk.ui.widgets import SessionList, StatusPanel


def test_demo_in_a_pty_shows_payloads_as_text_and_keeps_scanning(tmp_path: Path) -> None:
    result = run(tmp_path, hostile_samples(40, seed=5))
    assert result.alive, result.capture[-2000:]
    assert result.answered_after
    assert result.escaped == [], result.escaped
    # The payloads did reach the screen, as visible text: the check looked at real data.
    assert b"PWNED-TITLE" in result.capture and b"\\X1B]0;PWNED-TITLE" in result.capture


def test_the_capture_check_finds_a_raw_escape() -> None:
    for payload, _ in ESCAPES:
        assert escaped_bytes(b"frame " + payload.encode() + b" frame")


@pytest.fixture
def hostile_app(tmp_path: Path):
    config = settings_for(tmp_path)
    store = open_store(config)
    names = {f"W{i:03d}": payload for i, (payload, _) in enumerate(ESCAPES[:5])}
    world = seed_crib(store, config, names=names)
    runtime = bootstrap.build(config, "test", pin_factory=MockFactory(), store=store)
    app = KioskApp(runtime, QueueScanner(), demo=True)
    yield app, world
    runtime.close()


def _rendered(app: KioskApp) -> str:
    text = "".join(app.screen.query_one(w).render().plain for w in (StatusPanel, SessionList))
    return text.replace("\n", " ")   # line breaks are the layout's, not data


async def test_app_under_pilot_survives_hostile_scans(hostile_app) -> None:
    app, world = hostile_app
    payloads = [*world.badges[:5], *hostile_samples(80, seed=9), "9" * 10_000]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for payload in payloads:
            expected = app.handled + 1
            app.scanner.put(payload)
            while app.handled < expected:
                await pilot.pause()
            assert shown_is_safe(_rendered(app))
        await pilot.press("f4", "f4", "f4", "f4")
        expected = app.handled + 1
        app.scanner.put(world.badges[5])
        while app.handled < expected:
            await pilot.pause()
        assert "HELLO WORKER 5" in _rendered(app)
        assert app.is_running
        screen = StringIO()
        Console(file=screen, force_terminal=True, width=100).print(
            app.screen.query_one(SessionList).render())
        assert escaped_bytes(screen.getvalue().encode()) == []


async def test_pasted_control_characters_never_sit_raw_in_the_scanner_line(hostile_app) -> None:
    """Textual's Input draws its value as it is: a pasted U+009D (8-bit OSC) once reached the
    pty raw while the line was on screen. A paste is now scanned at once, never kept."""
    from textual import events
    from textual.widgets import Input

    app, _ = hostile_app
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        line = app.screen.query_one("#scanner", Input)
        line.post_message(events.Paste("\x9d0;PWNED\x07 \x1b[2J [b]x"))
        while app.handled < 1:
            await pilot.pause()
        assert line.value == ""
        assert shown_is_safe(_rendered(app))
