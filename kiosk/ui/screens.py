"""One screen per station mode, the attendant screen and the PIN pad.

Screens only show a `View` and the last `Outcome`, and turn button presses into touches the
app hands to the station (attributes down, messages up).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from kiosk.outcome import Outcome, View
from kiosk.ui.widgets import (
    IndicatorPanel,
    KioskInput,
    PersonLine,
    Prompt,
    ScannerLine,
    SessionList,
    StatusPanel,
    TouchButton,
    button_row,
)

TITLES = {"crib": "TOOL CRIB", "gate": "GATE", "returns": "RETURNS (no badge needed)",
          "attendant": "ATTENDANT"}


def demo_bar(read_state: Callable[[], dict[str, bool]]) -> ComposeResult:
    yield IndicatorPanel(read_state, id="gpio")
    yield Static(Text(ScannerLine.HINT), id="demo-hint")
    yield ScannerLine(id="scanner-line")


class Touched(Message):
    """A button on a screen was pressed; `text` carries the screen's text field, if any."""

    def __init__(self, action: str, text: str = "") -> None:
        super().__init__()
        self.action = action
        self.text = text


class StationScreen(Screen):
    """Title, big status, person and items, prompt, touch buttons (and the demo bar)."""

    mode = "crib"
    BUTTONS: list[tuple[str, str]] = []
    BINDINGS = [Binding("escape", "cancel", show=False)]
    CANCEL_PHASES: tuple[str, ...] = ()   # phases that Escape cancels, like their Cancel button

    def __init__(self, place: str, demo_state: Callable[[], dict[str, bool]] | None = None,
                 name: str | None = None) -> None:
        super().__init__(name=name or self.mode)
        self.place = place
        self.demo_state = demo_state
        self._pending: tuple[View, Outcome | None] | None = None
        self._ready = False   # widgets composed; `is_mounted` turns True only after on_mount
        self.phase = ""

    def compose(self) -> ComposeResult:
        yield Static(Text(f"{TITLES[self.mode]}  ·  {self.place}"), classes="title")
        yield StatusPanel("", id="status")
        yield PersonLine("", id="person")
        with VerticalScroll(id="body"):
            yield from self.body()
        yield Prompt("", id="prompt")
        yield button_row([*self.BUTTONS, ("Attendant", "attendant")])
        if self.demo_state is not None:
            yield from demo_bar(self.demo_state)

    def body(self) -> ComposeResult:
        yield SessionList("", id="items")

    def on_mount(self) -> None:
        self._ready = True
        self.focus_input()
        if self._pending is not None:
            self.show(*self._pending)

    def on_screen_resume(self) -> None:
        self.focus_input()

    # Where typing goes: the PIN on the PIN pad, else the (demo) scanner line, so typed codes
    # are always scans; the attendant's text field only when clicked, or without a scanner line.
    FOCUS_ORDER = ("#pin", "#scanner", "#field")

    def focus_input(self) -> None:
        for selector in self.FOCUS_ORDER:
            target = next(iter(self.query(selector).results(Input)), None)
            if target is not None and target.display:
                target.focus()
                return

    def show(self, view: View, outcome: Outcome | None) -> None:
        self.phase = view.phase
        if not self._ready:              # first visit: shown once composed
            self._pending = (view, outcome)
            return
        self.query_one(StatusPanel).show(outcome, view.prompt)
        self.query_one(SessionList).show(view)
        for person in self.query(PersonLine).results(PersonLine):
            person.show(view)
        self.query_one(Prompt).show(view)
        self._scroll_body(view)

    def _scroll_body(self, view: View) -> None:
        """A session grows at the bottom: keep its newest line in sight. A report reads from
        its heading."""
        for body in self.query("#body").results(VerticalScroll):
            if view.report:
                self.call_after_refresh(body.scroll_home, animate=False)
            else:
                self.call_after_refresh(body.scroll_end, animate=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        action = (event.button.id or "").removeprefix("touch-")
        self.post_message(Touched(action, self.field_text()))

    def action_cancel(self) -> None:
        if self.phase in self.CANCEL_PHASES:
            self.post_message(Touched("cancel"))

    def field_text(self) -> str:
        return ""


class CribScreen(StationScreen):
    mode = "crib"
    BUTTONS = [("Done", "done")]


class GateScreen(StationScreen):
    mode = "gate"
    BUTTONS = [("Cancel", "cancel")]


class ReturnsScreen(StationScreen):
    mode = "returns"
    BUTTONS = [("Damaged", "damaged"), ("Done", "done")]


ATTENDANT_BUTTONS = [("Inspected", "inspect"), ("Repaired", "repair"), ("Retire", "retire"),
                     ("Move to", "move"), ("Reprint", "reprint"), ("Register", "register"),
                     ("Stocktake", "stocktake"), ("Finish", "finish"), ("Due list", "due"),
                     ("Override", "override"), ("Leave", "leave"), ("Stop kiosk", "quit")]


class AttendantScreen(StationScreen):
    """Attendant menu: a text field (location, reason, "CAT name") and the action grid."""

    mode = "attendant"
    CANCEL_PHASES = ("badge",)

    def compose(self) -> ComposeResult:
        yield Static(Text(f"{TITLES[self.mode]}  ·  {self.place}"), classes="title")
        yield StatusPanel("", id="status")
        yield Prompt("", id="prompt")
        yield button_row([("Cancel", "cancel")], id="signin")
        yield KioskInput(placeholder="location code / reason / category and name, then a button",
                    id="field", max_length=200)
        with Grid(id="actions"):
            for label, action in ATTENDANT_BUTTONS:
                yield TouchButton(label, id=f"touch-{action}", classes="touch")
        yield PersonLine("", id="person")
        with VerticalScroll(id="body"):
            yield SessionList("", id="items")
        if self.demo_state is not None:
            yield from demo_bar(self.demo_state)

    def field_text(self) -> str:
        return self.query_one("#field", Input).value

    def show(self, view: View, outcome: Outcome | None) -> None:
        super().show(view, outcome)
        if not self._ready:
            return
        self.query_one("#actions").display = view.phase == "menu"
        self.query_one("#field").display = view.phase == "menu"
        self.query_one("#signin").display = view.phase == "badge"
        if not isinstance(self.focused, Input) or not self.focused.display:
            self.focus_input()


class PinScreen(StationScreen):
    """A PIN pad big enough for fingers; the digits never appear on screen."""

    mode = "attendant"
    CANCEL_PHASES = ("pin",)

    def compose(self) -> ComposeResult:
        yield Static(Text(f"{TITLES[self.mode]}  ·  {self.place}"), classes="title")
        yield StatusPanel("", id="status")
        yield KioskInput(password=True, id="pin", max_length=12, placeholder="PIN")
        with Grid(id="keypad"):
            for key in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok"]:
                label = {"clear": "Clear", "ok": "OK"}.get(key, key)
                yield TouchButton(label, id=f"key-{key}", classes="touch key")
        yield button_row([("Cancel", "cancel")])
        yield Prompt("", id="prompt")
        yield SessionList("", id="items")   # keeps show() uniform; hidden by CSS

    def on_button_pressed(self, event: Button.Pressed) -> None:
        key = (event.button.id or "").removeprefix("key-")
        if key == event.button.id:          # not a keypad key: Cancel
            super().on_button_pressed(event)
            return
        event.stop()
        pin = self.query_one("#pin", Input)
        if key == "clear":
            pin.value = ""
        elif key == "ok":
            self.submit()
        else:
            pin.value += key

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "pin":
            event.stop()
            self.submit()

    def submit(self) -> None:
        pin = self.query_one("#pin", Input)
        self.post_message(Touched("pin", pin.value))
        pin.value = ""
