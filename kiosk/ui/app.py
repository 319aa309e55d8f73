"""The kiosk's Textual application.

It cannot be left from the keyboard: the command palette is off and Ctrl+Q/Ctrl+C are bound to
nothing (with priority, so no widget sees them). Only "Close kiosk" in attendant mode, after
badge and PIN, quits. Scans come from the scan loop in `kiosk.runner`, started as a worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import signal
import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.widgets import Input

from kiosk.bootstrap import Runtime
from kiosk.outcome import Outcome, View
from kiosk.runner import pump
from kiosk.scans import Scan
from kiosk.ui.screens import (
    AttendantScreen,
    CribScreen,
    GateScreen,
    PinScreen,
    ReturnsScreen,
    StationScreen,
    Touched,
)

log = logging.getLogger(__name__)

MODE_SCREENS = {"crib": CribScreen, "gate": GateScreen, "returns": ReturnsScreen}
STATUS_HOLD_S = 8.0   # how long a decision stays on screen before the prompt returns
# A finger tap can arrive as a double click (Textual chains clicks within 0.5 s): the same
# button again within this time is ignored, so "Register" never registers twice.
REPEAT_TOUCH_S = 0.6

# Scans that must show as plain text: markup, an unclosed tag, terminal escapes, a flood.
HOSTILE_SAMPLES = ["[link=https://evil.example]free tools[/link]", "[bold red]HACKED",
                   "\x1b[2J\x1b]0;owned\x07\x1b[31mred", "9" * 10_000]


class KioskApp(App, inherit_bindings=False):
    CSS_PATH = "kiosk.tcss"
    ENABLE_COMMAND_PALETTE = False
    TITLE = "crib-kiosk"
    BINDINGS = [
        Binding("ctrl+q", "nothing", show=False, priority=True),
        Binding("ctrl+c", "nothing", show=False, priority=True),
        Binding("ctrl+p", "nothing", show=False, priority=True),
        Binding("ctrl+z", "nothing", show=False, priority=True),
    ]
    DEMO_BINDINGS = [
        Binding("f2", "sample('badge')", "sample badge", priority=True),
        Binding("f3", "sample('tool')", "sample tool", priority=True),
        Binding("f4", "sample('hostile')", "hostile scan", priority=True),
    ]

    def __init__(self, runtime: Runtime, scanner, *, demo: bool = False,  # noqa: ANN001
                 samples: dict[str, list[str]] | None = None, tick_s: float = 1.0,
                 watchdog: Any = None) -> None:
        super().__init__()
        self.watchdog = watchdog            # kiosk.watchdog.Watchdog under systemd
        self.runtime = runtime
        self.station = runtime.station
        self.scanner = scanner
        self.demo = demo
        self.tick_s = tick_s
        self.last: Outcome | None = None
        self.handled = 0                                            # scans shown so far
        self.on_screen_updated: Callable[[], None] | None = None   # bench hook
        samples = samples or {}
        self._samples = {kind: itertools.cycle(values) for kind, values in samples.items()
                         if values}
        self._samples["hostile"] = itertools.cycle(HOSTILE_SAMPLES)
        self._clear_timer = None
        self._last_touch: tuple[str, float] = ("", 0.0)
        if demo:
            for binding in self.DEMO_BINDINGS:
                self._bindings.bind(binding.key, binding.action, binding.description,
                                    show=False, priority=True)

    # -- lifecycle --------------------------------------------------------------------------

    def on_mount(self) -> None:
        ident = self.runtime.store.identity
        place = f"{ident.site} {ident.kiosk}"
        demo_state = self.runtime.indicator.state if self.demo else None
        for name, cls in MODE_SCREENS.items():
            self.install_screen(cls(place, demo_state), name)
        self.install_screen(AttendantScreen(place, demo_state), "attendant")
        self.install_screen(PinScreen(place, demo_state, name="pin"), "pin")
        self.push_screen(self.station.mode)
        self.call_after_refresh(self.present, None)
        self.run_worker(pump(self.scanner, self.station, self.runtime.classify, self.on_scan),
                        name="scan-loop", exit_on_error=False)
        self.set_interval(self.tick_s, self._tick)
        self.runtime.print_listeners.append(self._print_notice_from_worker)
        if self.watchdog is not None:
            self.watchdog.ready(f"taking scans ({self.station.mode})")
            if self.watchdog.enabled:
                self.set_interval(self.watchdog.interval_s, self.watchdog.tick)
        # systemd stops the kiosk with SIGTERM: leave through the orderly exit path. Not
        # possible off the main thread (tests) or where the loop has no signal support.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self.exit)

    def _print_notice_from_worker(self, notice: Any) -> None:
        """Called on the print worker's thread: hop to the UI thread before touching widgets."""
        if not notice.printed:
            self.call_from_thread(self.notify, notice.text, title="Printer",
                                  severity="warning", timeout=10, markup=False)

    def action_nothing(self) -> None:
        """Keys that would quit or escape a normal app do nothing here."""

    def action_sample(self, kind: str) -> None:
        values = self._samples.get(kind)
        if values is not None:
            self.scanner.put(next(values))

    # -- inputs -----------------------------------------------------------------------------

    def on_scan(self, scan: Scan, outcome: Outcome) -> None:
        self.handled += 1
        self.present(outcome)

    def on_touched(self, message: Touched) -> None:
        action, at = self._last_touch
        now = time.monotonic()
        self._last_touch = (message.action, now)
        if action == message.action and now - at < REPEAT_TOUCH_S:
            return
        outcome = self.station.touch(message.action, message.text)
        if message.action not in ("pin",):
            for field in self.screen.query("#field").results(Input):
                field.value = ""
        self.present(outcome if outcome is not None else self.last)
        # After a touch, typing goes back to the scanner line (or the PIN): never a button.
        self.call_after_refresh(self._refocus)

    def _refocus(self) -> None:
        if isinstance(self.screen, StationScreen):
            self.screen.focus_input()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "scanner":
            event.stop()
            self.scanner.put(event.value)
            event.input.value = ""

    def _tick(self) -> None:
        outcome = self.station.tick()
        if outcome is not None:
            self.present(outcome)

    # -- output -----------------------------------------------------------------------------

    def present(self, outcome: Outcome | None, retried: bool = False) -> None:
        """Show the station's current view and the latest decision."""
        if outcome is not None and outcome.quit:
            self.exit()
            return
        self.last = outcome
        view = self.station.view()
        screen = self._screen_for(view)
        try:
            screen.show(view, outcome)
        except NoMatches:
            # A screen just switched to is composed on the next refresh (the fuzzer found a
            # timer landing in that gap): show the view then, instead of crashing the kiosk.
            if not retried:
                self.call_after_refresh(self.present, outcome, True)
            else:
                log.warning("screen %s was not ready twice; the next scan redraws it",
                            screen.name)
            return
        if self._clear_timer is not None:
            self._clear_timer.stop()
        if outcome is not None:
            self._clear_timer = self.set_timer(STATUS_HOLD_S, lambda: self.present(None))
        if self.on_screen_updated is not None:
            self.call_after_refresh(self.on_screen_updated)

    def _screen_for(self, view: View) -> StationScreen:
        name = view.mode
        if view.mode == "attendant":
            name = "pin" if view.phase == "pin" else "attendant"
        if self.screen.name != name:   # screens are named after their mode
            self.switch_screen(name)
        return self.get_screen(name)  # type: ignore[return-value]
