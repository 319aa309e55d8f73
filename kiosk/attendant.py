"""Attendant mode: attendant badge plus PIN, then maintenance, stocktake and overrides.

Entered from any mode with the "Attendant" button; left with "Leave" (back to the station) or
"Close kiosk" (the only way to quit the application). Tool scans do the action chosen last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from kiosk import maintenance, records, stocktake
from kiosk.errors import KioskError
from kiosk.flows import Ctx, unusable_reason
from kiosk.numbering import parse_scheme
from kiosk.outcome import LabelRequest, Outcome, View, denied, info, ok
from kiosk.pins import check_pin
from kiosk.policy import Person
from kiosk.scans import Classified

SCAN_ACTIONS = {
    "inspect": "Scan each tool that passed inspection.",
    "repair": "Scan each repaired tool.",
    "retire": "Scan each tool to retire.",
    "move": "Scan each tool to move to {location}.",
    "reprint": "Scan a tool to print its label again.",
    "stocktake": "Scan everything on {location}, then press Finish.",
}


class AttendantFlow:
    mode = "attendant"

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.phase = "badge"
        self.candidate: Person | None = None
        self.attendant: Person | None = None
        self.failed_pins = 0
        self.action = ""
        self.location = ""
        self.take: stocktake.Stocktake | None = None
        self.report: tuple[str, ...] = ()
        self.finished = False
        self.last_activity = ctx.now()
        # Badge and PIN prompts close session_idle_s after they appeared; a refused badge or a
        # wrong PIN does not buy more time, so a stray prompt never lingers.
        self.prompt_since = self.last_activity

    # -- inputs -----------------------------------------------------------------------------

    def scan(self, scan: Classified) -> Outcome:
        if self.phase == "badge":
            return self._badge(scan)
        self.last_activity = self.ctx.now()
        if self.phase == "pin":
            return info("Enter your PIN", "Type the PIN on the screen and press OK.")
        if scan.kind != "asset" and self.action != "stocktake":
            return denied("Not a tool", unusable_reason(scan), "scan-unusable")
        return self._guarded(lambda: self._scan_action(scan))

    def touch(self, action: str, text: str = "") -> Outcome | None:
        self.last_activity = self.ctx.now()
        if action == "leave" or (action == "cancel" and self.phase != "menu"):
            self.finished = True
            return info("Attendant mode closed", "")
        if self.phase == "pin" and action == "pin":
            return self._pin(text)
        if self.phase != "menu":
            return None
        return self._guarded(lambda: self._menu(action, text))

    def tick(self, now: dt.datetime) -> Outcome | None:
        idle_s = self.ctx.settings.station.session_idle_s
        if self.phase == "menu":
            idle, since = dt.timedelta(seconds=idle_s * 4), self.last_activity
        else:
            idle, since = dt.timedelta(seconds=idle_s), self.prompt_since
        if now - since >= idle:
            self.finished = True
            return info("Attendant mode closed", "Closed after no activity.")
        return None

    # -- sign-in ----------------------------------------------------------------------------

    def _badge(self, scan: Classified) -> Outcome:
        if scan.kind != "badge":
            return info("Scan your attendant badge", "", signal="attention")
        with self.ctx.store.transaction():
            person, refusal = self.ctx.identify(scan)
            if refusal is None and not person.attendant:
                self.ctx.store.record("attendant.refused", {"code": "not-attendant"},
                                      actor=person.employee_no)
        if refusal:
            return denied("Badge refused", refusal.reason, refusal.code)
        if not person.attendant:
            return denied("Not an attendant", "This badge cannot open attendant mode.",
                          "not-attendant")
        self.candidate, self.phase = person, "pin"
        self.prompt_since = self.ctx.now()
        return info(f"Hello {person.name}", "Enter your PIN.", signal="attention")

    def _pin(self, pin: str) -> Outcome:
        person = self.candidate
        stored = self.ctx.store.one("SELECT pin_hash FROM people WHERE employee_no = ?",
                                    [person.employee_no])
        good = check_pin(pin, stored["pin_hash"] if stored else None)
        with self.ctx.store.transaction():
            self.ctx.store.record("attendant.signed_in" if good else "attendant.pin_failed", {},
                                  actor=person.employee_no)
        if good:
            self.attendant, self.phase = person, "menu"
            return ok("Attendant mode", f"Signed in as {person.name}. Choose what to do.")
        self.failed_pins += 1
        if self.failed_pins >= self.ctx.settings.station.pin_attempts:
            self.finished = True
            return denied("Wrong PIN", "Too many wrong PINs. Attendant mode closed.",
                          "pin-wrong")
        return denied("Wrong PIN", "Try again.", "pin-wrong")

    # -- menu -------------------------------------------------------------------------------

    def _guarded(self, step: Callable[[], Outcome | None]) -> Outcome | None:
        try:
            return step()
        except KioskError as exc:
            return denied("Not done", str(exc), "attendant-refused")

    def _menu(self, action: str, text: str) -> Outcome | None:
        actor = self.attendant.employee_no
        if action in ("inspect", "repair", "retire", "reprint"):
            self.action, self.report = action, ()
            return info(action.capitalize(), SCAN_ACTIONS[action])
        if action == "move":
            self.location = stocktake.start(self.ctx, text).location  # validates the code
            self.action = "move"
            return info("Move", SCAN_ACTIONS["move"].format(location=self.location))
        if action == "stocktake":
            self.take, self.action = stocktake.start(self.ctx, text), "stocktake"
            self.report = ()
            return info("Stocktake", SCAN_ACTIONS["stocktake"].format(location=self.take.location))
        if action == "finish" and self.take is not None:
            result = stocktake.finish(self.ctx, actor, self.take)
            self.take, self.action, self.report = None, "", tuple(result.lines())
            return ok("Stocktake done", f"{len(result.missing)} missing, {len(result.misplaced)} "
                      f"misplaced, {len(result.unexpected)} unexpected")
        if action == "due":
            self.report = tuple(maintenance.due_list(self.ctx).lines())
            return info("Due list", "")
        if action == "override":
            return ok("Override recorded", maintenance.override(self.ctx, actor, text))
        if action == "register":
            return self._register(actor, text)
        if action == "quit":
            with self.ctx.store.transaction():
                self.ctx.store.record("kiosk.closed", {}, actor=actor)
            return Outcome("info", "Kiosk closing", "", quit=True)
        return None

    def _scan_action(self, scan: Classified) -> Outcome:
        actor, number = self.attendant.employee_no, scan.value
        if self.action == "stocktake":
            return info("Counted", self.take.scan(self.ctx, number))
        if self.action == "move":
            return ok("Moved", maintenance.move(self.ctx, actor, number, self.location))
        if self.action == "reprint":
            return self._reprint(actor, number)
        operations = {"inspect": maintenance.inspect, "repair": maintenance.repair,
                      "retire": maintenance.retire}
        if self.action not in operations:
            return info("Choose what to do first", "Then scan the tools.", signal="attention")
        return ok("Done", operations[self.action](self.ctx, actor, number))

    def _register(self, actor: str, text: str) -> Outcome:
        category, _, name = text.strip().partition(" ")
        if not category or not name.strip():
            raise KioskError("Type the category code and the name, e.g. DRL Cordless drill.")
        settings = self.ctx.settings
        scheme = parse_scheme(settings.numbering.scheme, settings.numbering.check)
        number = records.add_asset(self.ctx.store, scheme, name=name.strip(),
                                   category=category.upper(), location=self.ctx.location or "",
                                   reserved_block=settings.numbering.reserved_block or None,
                                   actor=actor)
        return ok("Registered", f"{number} {name.strip()}: label printing",
                  label=self._label(number, name.strip()))

    def _reprint(self, actor: str, number: str) -> Outcome:
        with self.ctx.store.transaction():
            asset = maintenance.known_asset(self.ctx, number)
            self.ctx.store.record("label.reprinted", {}, actor=actor, asset=asset.number)
        return ok("Label", f"{asset.number} {asset.name}: label printing",
                  label=self._label(asset.number, asset.name, reprint=True))

    def _label(self, number: str, name: str, reprint: bool = False) -> LabelRequest:
        template = self.ctx.settings.station.label_url
        return LabelRequest(number, name, template.format(number=number) if template
                            else number, reprint)

    def view(self) -> View:
        if self.phase == "badge":
            return View("attendant", "badge", "Attendant: scan your badge.")
        if self.phase == "pin":
            return View("attendant", "pin", "Enter your PIN and press OK.",
                        person=self.candidate.name)
        prompt = SCAN_ACTIONS.get(self.action, "Choose what to do.").format(
            location=self.take.location if self.take else self.location)
        return View("attendant", "menu", prompt, person=self.attendant.name,
                    report=self.report, action=self.action)
