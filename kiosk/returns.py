"""Returns mode (unattended, overnight): tools scanned alone.

Each known tool becomes "returned, awaiting inspection" at this station's location with its
holder cleared. "Damaged" flags the last returned tool for repair. "Done" or the idle timeout
ends the batch and prints one receipt for it.
"""

from __future__ import annotations

import datetime as dt

from kiosk.flows import Ctx, shown, unreadable_line, unusable_reason
from kiosk.outcome import DENIED, Line, Outcome, ReceiptItem, View, denied, info, ok
from kiosk.policy import AWAITING_INSPECTION, MAINTENANCE, return_denial
from kiosk.scans import Classified


class ReturnsFlow:
    mode = "returns"

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.batch: list[ReceiptItem] = []
        self.refusals: list[tuple[str, str]] = []
        self.unreadable = 0   # scans that are not ours at all: counted on paper, never printed
        self.last_activity = ctx.now()

    def scan(self, scan: Classified) -> Outcome:
        self.last_activity = self.ctx.now()
        if scan.kind == "asset":
            return self._return(scan)
        if scan.kind == "badge":
            return info("No badge needed", "Just scan the tools you bring back.",
                        signal="attention")
        self.unreadable += 1
        return denied("Not a tool", unusable_reason(scan), "scan-unusable")

    def touch(self, action: str, text: str = "") -> Outcome | None:
        if action == "damaged":
            return self._flag_damaged()
        if action == "done" and (self.batch or self.refusals or self.unreadable):
            return self.close()
        return None

    def tick(self, now: dt.datetime) -> Outcome | None:
        idle = dt.timedelta(seconds=self.ctx.settings.station.session_idle_s)
        if (self.batch or self.refusals or self.unreadable) and \
                now - self.last_activity >= idle:
            return self.close()
        return None

    def _return(self, scan: Classified) -> Outcome:
        ctx, store = self.ctx, self.ctx.store
        known = ctx.asset(scan)
        if known is not None and any(item.number == known.number for item in self.batch):
            return info("Already returned", f"{known.name} is in this batch.")
        with store.transaction():
            asset = ctx.asset(scan)
            refusal = return_denial(asset)
            if refusal:
                store.record("return.refused", {"code": refusal.code, "scanned": shown(scan)},
                             asset=asset.number if asset else None)
            else:
                place = ctx.location or asset.home_location
                ctx.update_asset(asset.number, status=AWAITING_INSPECTION, holder=None,
                                 due_at=None, current_location=place)
                # The holder is the actor: the return closes *their* loan.
                store.record("loan.returned", {"location": place, "via": "returns",
                                               "was_status": asset.status,
                                               "was_due": asset.due_at},
                             actor=asset.holder, asset=asset.number)
        if refusal:
            self.refusals.append((shown(scan), refusal.reason))
            return denied("Not accepted", refusal.reason, refusal.code)
        self.batch.append(ReceiptItem(asset.number, asset.name, "returned"))
        return ok("Returned", f"{asset.name}: waits for inspection. Damaged? Press Damaged.")

    def _flag_damaged(self) -> Outcome:
        if not self.batch:
            return info("Scan the tool first", "Then press Damaged.", signal="attention")
        last = self.batch[-1]
        if last.action == "returned-damaged":
            return info("Already flagged", f"{last.name} is marked damaged.")
        with self.ctx.store.transaction():
            self.ctx.update_asset(last.number, status=MAINTENANCE)
            self.ctx.store.record("asset.defect_reported", {"via": "returns"},
                                  asset=last.number)
        self.batch[-1] = ReceiptItem(last.number, last.name, "returned-damaged")
        return ok("Marked damaged", f"{last.name} goes to repair. Thank you.")

    def close(self) -> Outcome | None:
        if not self.batch and not self.refusals:
            self.unreadable = 0       # only junk was scanned: nothing to put on paper
            return None
        receipt = self.ctx.receipt("Returns", None, self.batch,
                                   self.refusals + unreadable_line(self.unreadable))
        with self.ctx.store.transaction():
            self.ctx.store.record("returns.batch_closed", {
                "transaction_id": receipt.transaction_id,
                "returned": [i.number for i in self.batch],
                "damaged": [i.number for i in self.batch if i.action == "returned-damaged"],
                "refused": len(self.refusals), "unreadable": self.unreadable})
        self.batch, self.refusals, self.unreadable = [], [], 0
        return info("Thank you", "Take your receipt.", receipt=receipt)

    def view(self) -> View:
        lines = [Line(i.number, i.name, "damaged - to repair" if i.action == "returned-damaged"
                      else "returned, awaiting inspection") for i in self.batch]
        lines += [Line(s, "", f"refused: {r}", DENIED) for s, r in self.refusals]
        if not lines:
            return View("returns", "idle", "Scan each tool you bring back. No badge needed.")
        return View("returns", "batch", "Scan the next tool, press Damaged for a broken one, "
                    "or Done for your receipt.", lines=tuple(lines))
