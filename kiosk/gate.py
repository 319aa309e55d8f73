"""Gate mode: badge and tool in either order within a short window; every decision an event.

The gate opens (relay pulse) when the tool is checked out to that person, to their department
(if configured) or is free to leave. A badge stays valid for the window, so one person can
carry several tools out one after another.
"""

from __future__ import annotations

import datetime as dt

from kiosk import facts
from kiosk.flows import Ctx, shown, unusable_reason
from kiosk.outcome import Line, Outcome, View, denied, info, ok
from kiosk.policy import Person, gate_denial
from kiosk.scans import Classified


class GateFlow:
    mode = "gate"

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.person: Person | None = None
        self.person_at: dt.datetime | None = None
        self.tool: Classified | None = None
        self.tool_at: dt.datetime | None = None
        self.recent: list[Line] = []

    def scan(self, scan: Classified) -> Outcome:
        self._expire(self.ctx.now())
        if scan.kind == "badge":
            return self._badge(scan)
        if scan.kind == "asset":
            return self._tool(scan)
        return denied("Not a badge or tool", unusable_reason(scan), "scan-unusable")

    def touch(self, action: str, text: str = "") -> Outcome | None:
        if action == "cancel":
            self.person = self.tool = None
            self.recent = []
            return info("Cancelled", "Scan your badge and the tool.")
        return None

    def tick(self, now: dt.datetime) -> Outcome | None:
        had = self.person is not None or self.tool is not None
        self._expire(now)
        if had and self.person is None and self.tool is None:
            self.recent = []     # the next person must not see this one's decisions
            return info("Time is up", "Scan your badge and the tool again.")
        return None

    def _expire(self, now: dt.datetime) -> None:
        window = dt.timedelta(seconds=self.ctx.settings.station.gate_window_s)
        if self.person_at and now - self.person_at > window:
            self.person = self.person_at = None
        if self.tool_at and now - self.tool_at > window:
            self.tool = self.tool_at = None

    def _badge(self, scan: Classified) -> Outcome:
        store = self.ctx.store
        with store.transaction():
            person, refusal = self.ctx.identify(scan)
            if refusal:
                store.record("gate.denied", {"code": refusal.code})
        if refusal:
            self.person = None
            return denied("Badge refused", refusal.reason, refusal.code)
        assert person is not None
        if self.person is None or self.person.employee_no != person.employee_no:
            self.recent = []     # decisions on screen belong to the person at the gate now
        self.person, self.person_at = person, self.ctx.now()
        if self.tool is not None:
            tool, self.tool = self.tool, None
            return self._decide(person, tool)
        return info(f"Hello {person.name}", "Now scan the tool.", signal="attention")

    def _tool(self, scan: Classified) -> Outcome:
        if self.person is None:
            self.tool, self.tool_at = scan, self.ctx.now()
            return info("Now scan your badge", "The tool is noted.", signal="attention")
        self.person_at = self.ctx.now()   # the window restarts for the next tool
        return self._decide(self.person, scan)

    def _decide(self, person: Person, scan: Classified) -> Outcome:
        store = self.ctx.store
        with store.transaction():
            asset = self.ctx.asset(scan)
            category = facts.category(store, asset.category) if asset else None
            holder_dept = facts.department_of(store, asset.holder) if asset else None
            refusal = gate_denial(person, asset, category, holder_dept, self.ctx.rules)
            number = asset.number if asset else None
            if refusal:
                store.record("gate.denied", {"code": refusal.code, "scanned": shown(scan)},
                             actor=person.employee_no, asset=number)
            else:
                store.record("gate.allowed", {"holder": asset.holder},
                             actor=person.employee_no, asset=number)
        name = asset.name if asset else shown(scan)
        # Newest at the bottom, as in the crib; the last six stay on screen.
        if refusal:
            self.recent.append(Line(number or shown(scan), name, refusal.reason, "denied"))
            del self.recent[:-6]
            return denied("Stop", f"{name}: {refusal.reason}", refusal.code, relay=False)
        self.recent.append(Line(asset.number, name, "may leave"))
        del self.recent[:-6]
        return ok("Go ahead", f"{name} may leave with {person.name}.", relay=True)

    def view(self) -> View:
        if self.person is not None:
            prompt = "Scan the tool you carry out."
        elif self.tool is not None:
            prompt = "Now scan your badge."
        else:
            prompt = "Scan your badge and the tool you carry out, in any order."
        return View("gate", "waiting" if self.person or self.tool else "idle", prompt,
                    person=self.person.name if self.person else "", lines=tuple(self.recent))
