"""Widgets of the kiosk screens. Every piece of data is shown as `rich.text.Text` made with
`visible()`, so names and scans can never carry Textual markup or terminal escapes."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from kiosk.outcome import Line, Outcome, View
from kiosk.text import visible

TONE_STYLE = {"ok": "bold", "denied": "bold", "error": "bold", "info": ""}
MAX_SHOWN = 70


def safe(text: str, limit: int = MAX_SHOWN) -> Text:
    return Text(visible(text, limit))


class StatusPanel(Static):
    """The big status area: a headline and one or two lines of explanation."""

    def show(self, outcome: Outcome | None, idle_prompt: str) -> None:
        for tone in ("ok", "denied", "error", "info"):
            self.remove_class(f"tone-{tone}")
        if outcome is None:
            self.add_class("tone-info")
            self.update(Text("READY\n", style="bold").append(visible(idle_prompt, 160)))
            return
        self.add_class(f"tone-{outcome.tone}")
        text = Text(visible(outcome.headline, 60).upper(), style="bold")
        if outcome.detail:
            text.append("\n")
            text.append(visible(outcome.detail, 160))
        for warning in outcome.warnings:
            text.append("\n")
            text.append(visible(warning, 160), style="italic")
        self.update(text)


class SessionList(Static):
    """The person's items in this session (or recent decisions at the gate)."""

    def show(self, view: View) -> None:
        text = Text()
        if view.person:
            text.append("Person: ", style="bold")
            text.append(visible(view.person, 50))
            text.append("\n")
        for line in view.lines[-12:]:
            text.append_text(self._line(line))
        for row in view.report[-40:]:
            text.append(visible(row, 100) + "\n")
        self.update(text)

    @staticmethod
    def _line(line: Line) -> Text:
        row = Text("✗ " if line.tone == "denied" else "• ",
                   style="bold red" if line.tone == "denied" else "bold green")
        row.append(visible(line.number, 24), style="bold")
        if line.name:
            row.append("  " + visible(line.name, 34))
        row.append("  " + visible(line.state, 80) + "\n")
        return row


class Prompt(Static):
    def show(self, view: View) -> None:
        self.update(Text(visible(view.prompt, 160)))


class IndicatorPanel(Static):
    """Demo only: mirrors the mock GPIO pins (LEDs, buzzer, relay) on screen."""

    def __init__(self, read_state: Callable[[], dict[str, bool]], **kw: object) -> None:
        super().__init__("", **kw)  # type: ignore[arg-type]
        self.read_state = read_state

    def on_mount(self) -> None:
        self.refresh_state()
        self.set_interval(0.1, self.refresh_state)

    def refresh_state(self) -> None:
        text = Text("Simulated GPIO  ")
        colours = {"green": "green", "red": "red", "amber": "yellow", "buzzer": "magenta",
                   "relay": "cyan"}
        for name, on in self.read_state().items():
            style = f"bold reverse {colours.get(name, 'white')}" if on else "dim"
            text.append(f" {'●' if on else '○'} {name} ", style=style)
            text.append(" ")
        self.update(text)


class KioskInput(Input):
    """An input whose cursor does not blink: less redrawing on a Pi, stable screenshots.

    Typed and pasted text is stored with control characters made visible: Textual's Input
    draws its value as it is, and a pasted C1 control (e.g. U+009D, an 8-bit OSC) went to
    the terminal raw (found by tests/reliability/test_terminal.py).
    """

    def on_mount(self) -> None:
        self.cursor_blink = False

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(visible(text), start, end)


class ScannerLine(Horizontal):
    """Demo only: the simulated scanner. Type a code and press Enter, or use the F-keys."""

    HINT = "F2 sample badge · F3 sample tool · F4 hostile scan · attendant PIN 1234"

    def compose(self) -> ComposeResult:
        yield Static(Text("Simulated scanner:"), classes="scanner-label")
        yield KioskInput(placeholder="type a badge or tool code, Enter = scan", id="scanner",
                    max_length=10000)


def button_row(buttons: list[tuple[str, str]]) -> Horizontal:
    return Horizontal(*(Button(label, id=f"touch-{action}", classes="touch")
                        for label, action in buttons), classes="buttons")
