#!/usr/bin/env python3
"""Store benchmark: allocation rate, lookup by number and checkout commit latency.

    .venv/bin/python bench/store.py [--assets 100000] [--events 1000000]

Builds a database with the production PRAGMAs (WAL, synchronous=FULL) in a
temporary folder, fills it with executemany in one transaction, then measures:

- allocation: inventory numbers per second, each in its own BEGIN IMMEDIATE
  transaction (what `kiosk asset add` does);
- lookup: `records.get_asset` by number, p50/p99 (goal p99 <= 1 ms);
- checkout: update the asset row + `Store.record` (event and outbox row) in one
  transaction, committed with synchronous=FULL, p50/p99 (goal p99 <= 5 ms).

It prints figures; it asserts nothing. Disk and fsync speed dominate the commit
figure, so run it on the Pi's own data partition for numbers that matter there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kiosk import records
from kiosk.numbering import parse_scheme
from kiosk.store import EVENT_SEQ_SCOPE, Identity, Store

SCHEME = parse_scheme("{site}-{category}-{yy}{seq:05}{check}", "damm")
KIOSK = "crib-1"


def build(store: Store, assets: int, events: int) -> list[str]:
    """Fill the store fast; returns the asset numbers."""
    values = {"site": "HAM", "category": "DRL", "yy": "26"}
    numbers = [SCHEME.render(values, i) for i in range(1, assets + 1)]
    now = "2026-01-01T00:00:00.000Z"
    with store.transaction() as db:
        db["categories"].insert({"code": "DRL", "name": "Drills", "useful_life_years": 5})
        db["people"].insert({"employee_no": "E1", "name": "Bench Person"})
        db.conn.executemany(
            "INSERT INTO assets(number, name, category, status, version, updated_at) "
            "VALUES (?, ?, 'DRL', 'available', 0, ?)",
            ((n, f"Drill {i}", now) for i, n in enumerate(numbers)))
        db.conn.executemany(
            "INSERT INTO events(id, seq, site, kiosk, type, at, clock_synced, actor, asset, "
            "payload) VALUES (?, ?, 'HAM', ?, 'asset.checked_out', ?, 1, 'E1', ?, ?)",
            ((f"01BENCH{seq:019d}", seq, KIOSK, now, numbers[seq % assets],
              '{"due_at":"2026-01-08"}') for seq in range(1, events + 1)))
        db.execute("INSERT INTO counters(scope, value) VALUES (?, ?)",
                   [f"{EVENT_SEQ_SCOPE}:{KIOSK}", events])
        db.execute("INSERT INTO counters(scope, value) VALUES (?, ?)",
                   [f"number:{SCHEME.scope(values)}", assets])
    store.db.execute("ANALYZE")
    return numbers


def timed(action: Callable[[], object], count: int) -> list[float]:
    """Milliseconds per call."""
    samples = []
    for _ in range(count):
        start = time.perf_counter_ns()
        action()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


def percentile(samples: list[float], p: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(p) - 1]


def allocation_rate(store: Store, count: int) -> float:
    def allocate() -> None:
        with store.transaction():
            records.next_number(store, SCHEME, category="DRL")
    start = time.perf_counter()
    for _ in range(count):
        allocate()
    return count / (time.perf_counter() - start)


def checkout(store: Store, number: str) -> None:
    """What the station does when a tool is lent: state, event and outbox in one commit."""
    due = (store.clock.now() + dt.timedelta(days=7)).date().isoformat()
    with store.transaction() as db:
        asset = store.one("SELECT number, status, version FROM assets WHERE number = ?",
                          [number])
        db.execute("UPDATE assets SET status = 'checked_out', holder = 'E1', due_at = ?, "
                   "version = version + 1, updated_at = ? WHERE number = ?",
                   [due, store.clock.now().isoformat(), number])
        store.record("asset.checked_out", {"due_at": due, "was": asset["status"],
                                           "version": asset["version"] + 1},
                     actor="E1", asset=number)


def report(name: str, samples: list[float], goal_ms: float | None = None) -> None:
    p50, p99 = percentile(samples, 50), percentile(samples, 99)
    verdict = "" if goal_ms is None else (
        f"  goal p99 <= {goal_ms} ms: {'met' if p99 <= goal_ms else 'NOT met'}")
    print(f"{name:<34} p50 {p50:7.3f} ms   p99 {p99:7.3f} ms   max {max(samples):7.3f} ms"
          f"  (n={len(samples)}){verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as folder:
        store = Store(Path(folder) / "bench.db", Identity("HAM", KIOSK))
        started = time.perf_counter()
        numbers = build(store, args.assets, args.events)
        size_mb = (Path(folder) / "bench.db").stat().st_size / 1e6
        print(f"built {args.assets:,} assets and {args.events:,} events in "
              f"{time.perf_counter() - started:.1f} s ({size_mb:.0f} MB, WAL, synchronous=FULL)")
        rate = allocation_rate(store, args.samples)
        print(f"{'allocation (one transaction each)':<34} {rate:,.0f} numbers/s")
        rng = random.Random(7)
        lookups = [rng.choice(numbers) for _ in range(args.samples)]
        report("lookup by number", timed(lambda: records.get_asset(store, lookups.pop()),
                                         args.samples), goal_ms=1)
        lent = iter(rng.sample(numbers, args.samples))
        report("checkout transaction + commit", timed(lambda: checkout(store, next(lent)),
                                                      args.samples), goal_ms=5)
        events = store.one("SELECT COUNT(*) AS n FROM events")["n"]
        print(f"events after the run: {events:,}; outbox rows: "
              f"{store.one('SELECT COUNT(*) AS n FROM outbox')['n']:,}")
        version = store.db.execute("SELECT sqlite_version()").fetchone()[0]
        print(f"SQLite {version}; database in {folder} (removed afterwards)")
        store.close()


if __name__ == "__main__":
    main()
