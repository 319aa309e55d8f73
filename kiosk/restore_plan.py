"""What a restore loses, and keeping printed numbers unique afterwards.

A backup rolls the counters back with everything else. Without care the
restored kiosk would hand out inventory numbers that are already printed on
labels, and event seq numbers HQ has already received for other events. So,
before the swap, we read every database we can still find (the live one and
earlier `*.before-restore-*` copies next to it) and raise the restored
counters past the highest value any of them handed out.

What cannot be recovered: the events recorded after the backup are gone from
this kiosk. Their seq numbers are skipped (never reused), so HQ sees a gap in
this kiosk's seq, or already holds events the kiosk no longer has. When the
replaced database is unreadable, numbers handed out after the backup cannot be
learned and may be issued again: the restore says so.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.errors import StoreError
from kiosk.store import EVENT_SEQ_SCOPE

# Counters that must never go backwards: printed inventory numbers and event seq per kiosk.
CARRIED_SCOPES = ("number:", f"{EVENT_SEQ_SCOPE}:")


@dataclass(frozen=True)
class Newest:
    """The newest event of a database (seq 0 and no time when it has none)."""

    seq: int = 0
    at: str | None = None

    def describe(self) -> str:
        return f"newest event seq {self.seq} at {self.at}" if self.at else "no events"


@dataclass
class RestorePlan:
    backup: Newest
    live: Newest | None = None        # None: no live database, or unreadable
    live_problem: str | None = None   # why the live database could not be read
    counters: dict[str, int] = field(default_factory=dict)  # highest known per carried scope

    @property
    def loses_events(self) -> bool:
        if self.live is None:
            return False
        return self.live.seq > self.backup.seq or (self.live.at or "") > (self.backup.at or "")

    def describe(self) -> list[str]:
        lines = [f"backup: {self.backup.describe()}"]
        if self.live_problem:
            lines.append(f"live database: cannot be read ({self.live_problem}); inventory "
                         "numbers handed out after the backup cannot be learned and may be "
                         "issued again: check the newest printed labels")
        elif self.live is not None:
            lines.append(f"live database: {self.live.describe()}")
            if self.loses_events:
                lines.append(f"LOST: events after the backup (seq {self.backup.seq + 1} to "
                             f"{self.live.seq}) and every change they recorded; HQ will see "
                             "a gap in this kiosk's seq")
        return lines


def read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)


def newest_event(path: Path) -> Newest:
    conn = read_only(path)
    try:
        row = conn.execute("SELECT seq, at FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    return Newest(*row) if row else Newest()


def carried_counters(path: Path) -> dict[str, int]:
    conn = read_only(path)
    try:
        rows = conn.execute("SELECT scope, value FROM counters").fetchall()
    finally:
        conn.close()
    return {scope: value for scope, value in rows if scope.startswith(CARRIED_SCOPES)}


def merge_max(into: dict[str, int], more: dict[str, int]) -> None:
    for scope, value in more.items():
        into[scope] = max(into.get(scope, value), value)


def plan_restore(source: Path, db_path: Path) -> RestorePlan:
    """Compare the backup with the live database; collect the counters to carry forward."""
    try:
        plan = RestorePlan(newest_event(source))
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read the events of {source}: {exc}") from exc
    if db_path.exists():
        try:
            plan.live = newest_event(db_path)
            merge_max(plan.counters, carried_counters(db_path))
        except sqlite3.Error as exc:
            plan.live, plan.live_problem = None, str(exc)
    for earlier in sorted(db_path.parent.glob(f"{db_path.name}.before-restore-*")):
        if earlier.name.endswith(("-wal", "-shm")):
            continue
        try:
            merge_max(plan.counters, carried_counters(earlier))
        except sqlite3.Error:
            continue  # a damaged earlier copy teaches nothing; the live one still counts
    return plan


def carry_counters(path: Path, counters: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Raise counters in `path` to at least the known values; returns scope -> (was, now)."""
    raised: dict[str, tuple[int, int]] = {}
    conn = sqlite3.connect(path)
    try:
        with conn:
            for scope, value in sorted(counters.items()):
                row = conn.execute("SELECT value FROM counters WHERE scope = ?",
                                   [scope]).fetchone()
                was = row[0] if row else 0
                if value > was:
                    conn.execute("INSERT INTO counters(scope, value) VALUES (?, ?) ON CONFLICT"
                                 "(scope) DO UPDATE SET value = excluded.value", [scope, value])
                    raised[scope] = (was, value)
    finally:
        conn.close()
    return raised
