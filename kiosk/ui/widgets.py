"""Widgets of the kiosk screens. Every piece of data is shown as `rich.text.Text` made with
`visible()`, so names and scans can never carry Textual markup or terminal escapes."""

from __future__ import annotations

import re
from collections.abc import Callable

from rich.cells import cell_len, get_character_cell_size
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
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


class PersonLine(Static):
    """Whose session this is; stays put above the scrolling list."""

    def show(self, view: View) -> None:
        self.display = bool(view.person)
        self.update(Text("Person: ", style="bold").append(visible(view.person or "", 50)))


class SessionList(Static):
    """The person's items in this session (or recent decisions at the gate)."""

    def show(self, view: View) -> None:
        text = Text()
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
    """An input whose cursor does not blink: less redrawing on a Pi, stable screenshots."""

    def on_mount(self) -> None:
        self.cursor_blink = False


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Keys the input itself binds (ctrl+a = home, ...): typed, they edit; they are not data.
_EDITING_KEYS = {key.strip() for binding in Input.BINDINGS if isinstance(binding, Binding)
                 for key in binding.key.split(",")} | {"escape", "backspace"}


def pictured(text: str) -> str:
    """One cell per character: C0 controls and DEL as Unicode control pictures (␛ for ESC)."""
    return _CONTROL.sub(lambda m: chr(0x2421 if m.group() == "\x7f" else 0x2400 + ord(m.group())),
                        text)


class ScannerField(KioskInput):
    """The simulated scanner's field: whatever is typed or pasted is scan data, never a command.

    A paste becomes scans at once, one per CR/LF-separated part (a wedge scanner ends each code
    with Enter); control characters stay in the data and show as control pictures. Tab and
    other control keys are typed into the field, so focus never leaves it and no button is
    ever pressed from here.
    """

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        for part in LINE_BREAK.split(event.text):
            if part:
                self.post_message(Input.Submitted(self, part))

    async def _on_key(self, event: events.Key) -> None:
        char = event.character
        if (char and len(char) == 1 and _CONTROL.fullmatch(char)
                and event.key not in _EDITING_KEYS):
            event.stop()
            event.prevent_default()
            self.insert_text_at_cursor(char)
            return
        await super()._on_key(event)

    @property
    def _value(self) -> Text:
        return Text(pictured(self.value), no_wrap=True, overflow="ignore", end="")

    def _position_to_cell(self, position: int) -> int:
        return cell_len(pictured(self.value[:position]))

    def _cell_offset_to_index(self, offset: int) -> int:
        cells, target = 0, offset + self.scroll_offset.x
        for index, char in enumerate(pictured(self.value)):
            width = get_character_cell_size(char)
            if cells <= target < cells + width:
                return index
            cells += width
        return max(0, min(target, len(self.value)))


class ScannerLine(Horizontal):
    """Demo only: the simulated scanner. Type a code and press Enter, or use the F-keys."""

    HINT = "F2 sample badge · F3 sample tool · F4 hostile scan · attendant PIN 1234"

    def compose(self) -> ComposeResult:
        yield Static(Text("Simulated scanner:"), classes="scanner-label")
        yield ScannerField(placeholder="type a badge or tool code, Enter = scan", id="scanner",
                           max_length=10000)


class TouchButton(Button):
    """A button for fingers. It never takes focus, so typing always stays in the field it was
    in, and no key (Enter, Space) can ever press it: only a touch or a click."""

    can_focus = False


def button_row(buttons: list[tuple[str, str]], **kw: str) -> Horizontal:
    return Horizontal(*(TouchButton(label, id=f"touch-{action}", classes="touch")
                        for label, action in buttons), classes="buttons", **kw)
