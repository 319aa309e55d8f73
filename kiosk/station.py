"""The station: routes scans, touches and clock ticks to the active flow, then gives feedback.

Order for every input: the flow decides and commits one transaction (state + event + outbox);
only then does the station signal (LED/buzzer/relay) and hand receipts and labels to the
printer. If the flow raises, nothing was committed, so the answer is the red "system error"
signal and never a green one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from kiosk import maintenance
from kiosk.attendant import AttendantFlow
from kiosk.config import Settings
from kiosk.crib import CribFlow
from kiosk.errors import KioskError
from kiosk.flows import Ctx
from kiosk.gate import GateFlow
from kiosk.outcome import ERROR, LabelRequest, Outcome, Receipt, View, info
from kiosk.ports import Indicator
from kiosk.returns import ReturnsFlow
from kiosk.scans import Classified
from kiosk.store import Store

log = logging.getLogger(__name__)

FLOWS = {"crib": CribFlow, "gate": GateFlow, "returns": ReturnsFlow}
ReceiptSink = Callable[[Receipt], None]
LabelSink = Callable[[LabelRequest], None]


class Flow(Protocol):
    mode: str

    def scan(self, scan: Classified) -> Outcome: ...
    def touch(self, action: str, text: str = "") -> Outcome | None: ...
    def tick(self, now: object) -> Outcome | None: ...
    def view(self) -> View: ...


def _ignore(_: object) -> None:
    """Printer stand-in when no printer is configured."""


class Station:
    def __init__(self, store: Store, settings: Settings, indicator: Indicator, *,
                 print_receipt: ReceiptSink = _ignore, print_label: LabelSink = _ignore,
                 mode: str | None = None) -> None:
        self.ctx = Ctx(store, settings)
        self.mode = mode or settings.kiosk.mode
        self.flow: Flow = FLOWS[self.mode](self.ctx)
        self.attendant: AttendantFlow | None = None
        self.indicator = indicator
        self.print_receipt = print_receipt
        self.print_label = print_label
        self.last: Outcome | None = None
        self._reminders_day = None

    @property
    def active(self) -> Flow:
        return self.attendant or self.flow

    # -- inputs -----------------------------------------------------------------------------

    def scan(self, scan: Classified) -> Outcome:
        outcome = self._run(lambda: self.active.scan(scan))
        assert outcome is not None
        return outcome

    def touch(self, action: str, text: str = "") -> Outcome | None:
        if action == "attendant" and self.attendant is None:
            self.attendant = AttendantFlow(self.ctx)
            return self._run(lambda: info("Attendant mode", "Scan your attendant badge."))
        return self._run(lambda: self.active.touch(action, text))

    def tick(self) -> Outcome | None:
        """Call about once a second: idle timeouts, gate windows, daily reminders."""
        now = self.ctx.now()
        if self._reminders_day != now.date():
            self._run(lambda: self._reminders(now.date()))
        return self._run(lambda: self.active.tick(now))

    def view(self) -> View:
        return self.active.view()

    # -- after the decision -----------------------------------------------------------------

    def _reminders(self, day: object) -> None:
        maintenance.daily_reminders(self.ctx)
        self._reminders_day = day

    def _run(self, step: Callable[[], Outcome | None]) -> Outcome | None:
        try:
            outcome = step()
        except KioskError as exc:
            outcome = Outcome(ERROR, "Not done", str(exc), code="error", signal="alarm")
        except Exception:
            log.exception("station step failed; nothing was confirmed")
            outcome = Outcome(ERROR, "System error", "Nothing was recorded. Please ask staff.",
                              code="system-error", signal="alarm")
        if self.attendant is not None and self.attendant.finished:
            self.attendant = None
        if outcome is not None:
            self._feedback(outcome)
            self.last = outcome
        return outcome

    def _feedback(self, outcome: Outcome) -> None:
        """Signal and print; a failing device is noted on the outcome, never fatal."""
        effects: list[tuple[str, Callable[[], None]]] = []
        if outcome.signal:
            effects.append(("indicator", getattr(self.indicator, outcome.signal)))
        if outcome.relay:
            effects.append(("relay", self.indicator.pulse_relay))
        if outcome.receipt is not None:
            effects.append(("printer", lambda: self.print_receipt(outcome.receipt)))
        if outcome.label is not None:
            effects.append(("label printer", lambda: self.print_label(outcome.label)))
        for name, effect in effects:
            try:
                effect()
            except Exception as exc:  # a device fault must not undo a committed decision
                log.warning("%s failed: %s", name, exc)
                outcome.warnings.append(f"The {name} is not working ({exc}). Please tell staff.")
