"""Attendant operations on assets, each one transaction with its event.

Functions take the flow context and an attendant's employee number (the actor) and return
a short sentence for the screen, or raise `KioskError` with the reason in plain words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk import facts
from kiosk.clock import iso
from kiosk.errors import KioskError, NotFound
from kiosk.flows import Ctx
from kiosk.policy import (
    AVAILABLE,
    AWAITING_INSPECTION,
    CHECKED_OUT,
    MAINTENANCE,
    RETIRED,
    Asset,
    due_date,
)

REMINDER_SCOPE = "reminders-day"


def known_asset(ctx: Ctx, number: str) -> Asset:
    asset = facts.asset(ctx.store, number)
    if asset is None:
        raise NotFound("This code is not a tool we know.")
    return asset


def inspect(ctx: Ctx, actor: str, number: str) -> str:
    with ctx.store.transaction():
        asset = known_asset(ctx, number)
        if asset.status in (CHECKED_OUT, RETIRED):
            raise KioskError(f"{asset.name} is {asset.status.replace('_', ' ')}; "
                             "it cannot be inspected now.")
        category = facts.category(ctx.store, asset.category)
        interval = category.inspection_interval_days if category else None
        next_due = str(ctx.now().date() + dt.timedelta(days=interval)) if interval else None
        ctx.update_asset(asset.number, status=AVAILABLE, next_inspection_due=next_due)
        ctx.store.record("asset.inspected", {"passed": True, "next_inspection_due": next_due,
                                             "was_status": asset.status},
                         actor=actor, asset=asset.number)
    return f"{asset.name} inspected" + (f"; next inspection {next_due}" if next_due else "")


def repair(ctx: Ctx, actor: str, number: str) -> str:
    with ctx.store.transaction():
        asset = known_asset(ctx, number)
        if asset.status not in (MAINTENANCE, AWAITING_INSPECTION):
            raise KioskError(f"{asset.name} is not waiting for repair.")
        ctx.update_asset(asset.number, status=AVAILABLE)
        ctx.store.record("asset.repaired", {"was_status": asset.status}, actor=actor,
                         asset=asset.number)
    return f"{asset.name} repaired and available"


def retire(ctx: Ctx, actor: str, number: str) -> str:
    with ctx.store.transaction():
        asset = known_asset(ctx, number)
        if asset.status == RETIRED:
            raise KioskError(f"{asset.name} is already retired.")
        ctx.update_asset(asset.number, status=RETIRED, holder=None, due_at=None)
        ctx.store.record("asset.retired", {"was_status": asset.status, "holder": asset.holder},
                         actor=actor, asset=asset.number)
    return f"{asset.name} retired"


def move(ctx: Ctx, actor: str, number: str, location: str) -> str:
    code = location.strip().upper()
    with ctx.store.transaction():
        if not ctx.store.one("SELECT 1 FROM locations WHERE code = ?", [code]):
            raise NotFound(f"There is no location {code!r}. Type a location code first.")
        asset = known_asset(ctx, number)
        ctx.update_asset(asset.number, current_location=code)
        ctx.store.record("asset.moved", {"from": asset.current_location, "to": code},
                         actor=actor, asset=asset.number)
    return f"{asset.name} moved to {code}"


def override(ctx: Ctx, actor: str, reason: str) -> str:
    """Check out the last refused tool anyway; the written reason goes into the event."""
    pending = ctx.pending_override
    if pending is None:
        raise KioskError("There is no refusal to override.")
    if len(reason.strip()) < 5:
        raise KioskError("Write a reason (at least 5 characters) before overriding.")
    now = ctx.now()
    with ctx.store.transaction():
        asset = known_asset(ctx, pending.asset_number)
        if asset.status in (CHECKED_OUT, RETIRED):
            raise KioskError(f"{asset.name} is {asset.status.replace('_', ' ')}; "
                             "return or restore it first.")
        due = iso(due_date(now, facts.category(ctx.store, asset.category)))
        ctx.update_asset(asset.number, status=CHECKED_OUT, holder=pending.employee_no,
                         due_at=due, current_location=None)
        ctx.store.record("override.granted", {"code": pending.code, "reason": reason.strip(),
                                              "for": pending.employee_no},
                         actor=actor, asset=asset.number)
        ctx.store.record("loan.checked_out", {"due_at": due, "override": True,
                                              "from": asset.current_location},
                         actor=pending.employee_no, asset=asset.number)
    ctx.pending_override = None
    return f"{asset.name} checked out to {pending.employee_no} by override"


@dataclass(frozen=True)
class DueList:
    inspections: list[dict]     # number, name, next_inspection_due, status
    overdue_loans: list[dict]   # number, name, due_at, holder, holder_name

    def lines(self) -> list[str]:
        out = [f"Inspections due ({len(self.inspections)}):"]
        out += [f"  {r['next_inspection_due']}  {r['number']}  {r['name']}"
                for r in self.inspections]
        out.append(f"Overdue loans ({len(self.overdue_loans)}):")
        out += [f"  {r['due_at'][:10]}  {r['number']}  {r['name']}  held by "
                f"{r['holder_name']} ({r['holder']})" for r in self.overdue_loans]
        return out


def due_list(ctx: Ctx) -> DueList:
    now = ctx.now()
    horizon = str(now.date() + dt.timedelta(days=ctx.settings.station.due_soon_days))
    inspections = ctx.store.all(
        "SELECT number, name, next_inspection_due, status FROM assets "
        "WHERE next_inspection_due IS NOT NULL AND next_inspection_due <= ? AND status != ? "
        "ORDER BY next_inspection_due, number", [horizon, RETIRED])
    loans = ctx.store.all(
        "SELECT a.number, a.name, a.due_at, a.holder, p.name AS holder_name FROM assets a "
        "JOIN people p ON p.employee_no = a.holder WHERE a.status = ? AND a.due_at < ? "
        "ORDER BY a.due_at, a.number", [CHECKED_OUT, iso(now)])
    return DueList(inspections, loans)


def daily_reminders(ctx: Ctx) -> int:
    """Once per day: one reminder event per due inspection and overdue loan (for HQ).

    Returns how many were recorded (0 when today's reminders exist already).
    """
    today = ctx.now().date()
    with ctx.store.transaction():
        row = ctx.store.one("SELECT value FROM counters WHERE scope = ?", [REMINDER_SCOPE])
        if row is not None and row["value"] >= today.toordinal():
            return 0
        listed = due_list(ctx)
        for item in listed.inspections:
            ctx.store.record("reminder.inspection_due",
                             {"next_inspection_due": item["next_inspection_due"]},
                             asset=item["number"])
        for loan in listed.overdue_loans:
            ctx.store.record("reminder.loan_overdue", {"due_at": loan["due_at"]},
                             actor=loan["holder"], asset=loan["number"])
        ctx.store.db.execute("INSERT INTO counters(scope, value) VALUES (?, ?) ON CONFLICT(scope) "
                             "DO UPDATE SET value = excluded.value",
                             [REMINDER_SCOPE, today.toordinal()])
    return len(listed.inspections) + len(listed.overdue_loans)
