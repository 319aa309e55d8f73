"""Crib mode: a badge opens a session; each tool scan is checked out or returned at once.

Scanning a tool again in the same session undoes what its first scan did. "Done", another
badge or the idle timeout closes the session and prints one receipt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk import facts
from kiosk.clock import iso
from kiosk.flows import Ctx, PendingOverride, shown, unreadable_line, unusable_reason
from kiosk.outcome import (
    DENIED,
    Line,
    Outcome,
    ReceiptItem,
    View,
    denied,
    info,
    ok,
)
from kiosk.policy import AVAILABLE, CHECKED_OUT, Asset, Denial, Person, decide_tool
from kiosk.scans import Classified
from kiosk.text import visible


@dataclass
class SessionItem:
    before: Asset            # the row as it was, so a second scan can undo
    action: str              # "checkout" | "return"
    due_at: str = ""


class CribFlow:
    mode = "crib"

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.person: Person | None = None
        self.items: dict[str, SessionItem] = {}
        self.refusals: list[tuple[str, str]] = []    # for the receipt: refused real scans
        self.shown_refusals: list[tuple[str, str]] = []   # for the screen: every refused scan
        self.unreadable = 0   # scans that are not ours at all: counted on paper, never printed
        self.last_activity = ctx.now()

    # -- inputs -----------------------------------------------------------------------------

    def scan(self, scan: Classified) -> Outcome:
        self.last_activity = self.ctx.now()
        if scan.kind == "badge":
            return self._badge(scan)
        if scan.kind == "asset":
            return self._tool(scan)
        return self._refuse_scan(scan)

    def touch(self, action: str, text: str = "") -> Outcome | None:
        if action == "done" and self.person:
            return self.close("Session closed. Take your receipt.")
        return None

    def tick(self, now: dt.datetime) -> Outcome | None:
        idle = dt.timedelta(seconds=self.ctx.settings.station.session_idle_s)
        if self.person and now - self.last_activity >= idle:
            return self.close("Session closed after no activity.")
        return None

    # -- session ----------------------------------------------------------------------------

    def _badge(self, scan: Classified) -> Outcome:
        store = self.ctx.store
        with store.transaction():
            person, refusal = self.ctx.identify(scan)
            if refusal:
                store.record("session.refused", {"code": refusal.code})
        if refusal:
            return denied("Badge refused", refusal.reason, refusal.code)
        assert person is not None
        if self.person and person.employee_no == self.person.employee_no:
            return info(f"Hello {person.name}", "Your session continues.")
        previous = self.close("") if self.person else None
        self.person = person
        return ok(f"Hello {person.name}", "Scan the tools you take or return.",
                  receipt=previous.receipt if previous else None)

    def close(self, message: str) -> Outcome:
        person, items, refusals, unreadable = (self.person, self.items, self.refusals,
                                               self.unreadable)
        self.person, self.items, self.refusals, self.shown_refusals = None, {}, [], []
        self.unreadable = 0
        if person is None or not (items or refusals):
            return info("Session closed", message)
        receipt_items = [ReceiptItem(n, i.before.name, "out" if i.action == "checkout"
                                     else "returned", i.due_at) for n, i in items.items()]
        receipt = self.ctx.receipt("Tool crib", person, receipt_items,
                                   refusals + unreadable_line(unreadable))
        with self.ctx.store.transaction():
            self.ctx.store.record("session.closed", {
                "transaction_id": receipt.transaction_id,
                "out": [n for n, i in items.items() if i.action == "checkout"],
                "returned": [n for n, i in items.items() if i.action == "return"],
                "refused": len(refusals), "unreadable": unreadable}, actor=person.employee_no)
        return info("Session closed", message, receipt=receipt)

    # -- tools ------------------------------------------------------------------------------

    def _tool(self, scan: Classified) -> Outcome:
        if self.person is None:
            return Outcome("info", "Scan your badge first", "Then scan the tools.",
                           signal="attention")
        known = self.ctx.asset(scan)
        if known is not None and known.number in self.items:
            return self._undo(known.number)
        return self._decide(self.person, scan)

    def _decide(self, person: Person, scan: Classified) -> Outcome:
        ctx, store = self.ctx, self.ctx.store
        now = ctx.now()
        with store.transaction():
            asset = ctx.asset(scan)   # read again inside the write lock
            category = facts.category(store, asset.category) if asset else None
            verdict = decide_tool(person, asset, category,
                                  facts.qualifications(store, person.employee_no),
                                  facts.holdings(store, person.employee_no, now), ctx.rules, now)
            if verdict.action == "checkout":
                self._check_out(person, asset, iso(verdict.due_at))
            elif verdict.action == "return":
                self._take_back(person, asset)
            else:
                store.record("checkout.denied", {"code": verdict.denial.code,
                                                 "scanned": shown(scan)},
                             actor=person.employee_no, asset=asset.number if asset else None)
        if verdict.action == "checkout":
            return ok("Checked out", f"{asset.name}: due {self.items[asset.number].due_at[:10]}")
        if verdict.action == "return":
            return ok("Returned", f"{asset.name}. Thank you.")
        return self._refused(person, asset, scan, verdict.denial)

    def _check_out(self, person: Person, asset: Asset, due: str) -> None:
        """Inside the decision's transaction."""
        self.ctx.update_asset(asset.number, status=CHECKED_OUT, holder=person.employee_no,
                              due_at=due, current_location=None)
        self.ctx.store.record("loan.checked_out", {"due_at": due, "from": asset.current_location},
                              actor=person.employee_no, asset=asset.number)
        self.items[asset.number] = SessionItem(asset, "checkout", due)

    def _take_back(self, person: Person, asset: Asset) -> None:
        """Inside the decision's transaction."""
        place = self.ctx.location or asset.home_location
        self.ctx.update_asset(asset.number, status=AVAILABLE, holder=None, due_at=None,
                              current_location=place)
        self.ctx.store.record("loan.returned", {"location": place, "via": "crib",
                                                "was_due": asset.due_at},
                              actor=person.employee_no, asset=asset.number)
        self.items[asset.number] = SessionItem(asset, "return")

    def _refused(self, person: Person, asset: Asset | None, scan: Classified,
                 refusal: Denial) -> Outcome:
        self.refusals.append((shown(scan), refusal.reason))
        self.shown_refusals.append((shown(scan), refusal.reason))
        if asset is not None:
            self.ctx.pending_override = PendingOverride(person.employee_no, asset.number,
                                                        refusal.code, refusal.reason)
        name = asset.name if asset else shown(scan)
        return denied("Not allowed", f"{name}: {refusal.reason}", refusal.code)

    def _undo(self, number: str) -> Outcome:
        ctx, item = self.ctx, self.items.pop(number)
        before = item.before
        with ctx.store.transaction():
            ctx.update_asset(number, status=before.status, holder=before.holder,
                             due_at=before.due_at, current_location=before.current_location)
            ctx.store.record("loan.undone", {"undid": item.action},
                             actor=self.person.employee_no if self.person else None,
                             asset=number)
        what = "checkout" if item.action == "checkout" else "return"
        return Outcome("info", "Undone", f"{before.name}: {what} cancelled.", signal="attention")

    def _refuse_scan(self, scan: Classified) -> Outcome:
        reason = unusable_reason(scan)
        if self.person:
            self.shown_refusals.append((shown(scan), reason))
            if scan.kind == "unknown":   # junk: paper gets a count, not the junk itself
                self.unreadable += 1
            else:
                self.refusals.append((shown(scan), reason))
        return denied("Not a badge or tool", reason, "scan-unusable")

    # -- screen -----------------------------------------------------------------------------

    def view(self) -> View:
        if self.person is None:
            return View("crib", "idle", "Scan your badge to start.")
        lines = [Line(n, i.before.name, f"out until {i.due_at[:10]}" if i.action == "checkout"
                      else "returned") for n, i in self.items.items()]
        lines += [Line(visible(s, 40), "", f"refused: {r}", DENIED) for s, r in self.shown_refusals]
        return View("crib", "session", "Scan tools to take or return them. Press Done when "
                    "finished.", person=self.person.name, lines=tuple(lines))
