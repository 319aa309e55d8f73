"""Stocktake of one location: scan everything on the shelf, then compare with the records.

- missing: recorded at this location (and not out, retired or lost) but not scanned;
- misplaced: scanned here but recorded at another location;
- unexpected: scanned here although it is checked out, retired or lost, or not a known tool.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk import facts
from kiosk.errors import NotFound
from kiosk.flows import Ctx
from kiosk.policy import CHECKED_OUT, LOST, RETIRED

GONE = (CHECKED_OUT, RETIRED, LOST)


@dataclass
class Stocktake:
    location: str
    seen: dict[str, str] = field(default_factory=dict)       # number -> name
    strangers: list[str] = field(default_factory=list)       # unknown codes, shown safely

    def scan(self, ctx: Ctx, value: str) -> str:
        asset = facts.asset(ctx.store, value)
        if asset is None:
            self.strangers.append(value)
            return "Not a known tool: noted as unexpected"
        self.seen[asset.number] = asset.name
        return f"{asset.name}: counted ({len(self.seen)} so far)"


@dataclass(frozen=True)
class StocktakeReport:
    location: str
    counted: int
    missing: list[str]
    misplaced: list[str]
    unexpected: list[str]

    def lines(self) -> list[str]:
        out = [f"Stocktake {self.location}: {self.counted} counted"]
        for title, rows in (("Missing", self.missing), ("Misplaced", self.misplaced),
                            ("Unexpected", self.unexpected)):
            out.append(f"{title} ({len(rows)}):")
            out += [f"  {row}" for row in rows]
        return out


def start(ctx: Ctx, location: str) -> Stocktake:
    code = location.strip().upper()
    if not ctx.store.one("SELECT 1 FROM locations WHERE code = ?", [code]):
        raise NotFound(f"There is no location {code!r}. Type the shelf's location code.")
    return Stocktake(code)


def finish(ctx: Ctx, actor: str, take: Stocktake) -> StocktakeReport:
    expected = ctx.store.all(
        "SELECT number, name FROM assets WHERE current_location = ? AND status NOT IN (?,?,?) "
        "ORDER BY number", [take.location, *GONE])
    missing = [f"{r['number']} {r['name']}" for r in expected if r["number"] not in take.seen]
    misplaced, unexpected = [], list(take.strangers)
    for number in sorted(take.seen):
        asset = facts.asset(ctx.store, number)
        if asset is None:
            continue
        if asset.status in GONE:
            unexpected.append(f"{number} {asset.name} (recorded as "
                              f"{asset.status.replace('_', ' ')})")
        elif asset.current_location != take.location:
            misplaced.append(f"{number} {asset.name} (recorded at "
                             f"{asset.current_location or 'no location'})")
    report = StocktakeReport(take.location, len(take.seen), missing, misplaced, unexpected)
    with ctx.store.transaction():
        ctx.store.record("stocktake.completed", {
            "location": take.location, "counted": sorted(take.seen),
            "missing": [m.split(" ")[0] for m in missing],
            "misplaced": [m.split(" ")[0] for m in misplaced],
            "unexpected": len(unexpected)}, actor=actor)
    return report
