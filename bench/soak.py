"""Soak: many scans through the real station in compressed time.

A manual clock moves 15 s per scan (200,000 scans = about 35 days of a busy crib), the station
gets its once-a-second `tick()` every few scans (idle timeouts, daily reminders) and every
scan goes through the real KeyDecoder, kiosk.classify, the crib flow and a durable SQLite
commit (WAL, synchronous=FULL), with the gpiozero indicator on MockFactory pins.

    .venv/bin/python bench/soak.py [--scans 200000]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reliability_world import (  # noqa: E402
    ManualClock,
    build_station,
    classify_scan,
    decoded_scans,
    load_events,
    open_store,
    seed_crib,
    settings_for,
    workload,
    write_capture,
)

SECONDS_PER_SCAN = 15
TICK_EVERY = 4
WARM_UP = 0.1     # memory baseline taken after this share of the scans


@dataclass
class SoakReport:
    scans: int
    events: int
    rss_after_warmup_kib: int
    rss_end_kib: int
    first_decile_ms: tuple[float, float]   # (median, p99) of the first tenth
    last_decile_ms: tuple[float, float]
    bytes_per_event: float
    system_errors: int

    @property
    def memory_growth(self) -> float:
        return self.rss_end_kib / self.rss_after_warmup_kib - 1


def rss_kib() -> int:
    with open(f"/proc/{os.getpid()}/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _decile(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return (statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99)] * 1000)


def soak(folder: Path, scans: int, seed: int = 3) -> SoakReport:
    rng = random.Random(seed)
    clock = ManualClock()
    settings = settings_for(folder, session_idle_s=60)
    store = open_store(settings, clock)
    crib = seed_crib(store, settings)
    write_capture(folder / "soak.evtest", workload(crib, 2000, rng), rng)
    events = load_events(folder / "soak.evtest")
    runtime, _ = build_station(settings, store)
    station = runtime.station
    took: list[float] = []
    errors = 0
    rss_warm = 0
    for index, decoded in enumerate(itertools.islice(decoded_scans(events), scans)):
        began = time.perf_counter()
        outcome = station.scan(classify_scan(decoded, store, settings))
        took.append(time.perf_counter() - began)
        errors += outcome.code == "system-error"
        clock.advance(SECONDS_PER_SCAN)
        if index % TICK_EVERY == 0:
            station.tick()
        if index == int(scans * WARM_UP):
            gc.collect()
            rss_warm = rss_kib()
    gc.collect()
    rss_end = rss_kib()
    count = store.one("SELECT COUNT(*) AS n FROM events")["n"]
    runtime.close()
    size = sum(p.stat().st_size for p in folder.glob("kiosk.db*"))
    tenth = max(len(took) // 10, 1)
    return SoakReport(scans, count, rss_warm, rss_end, _decile(took[:tenth]),
                      _decile(took[-tenth:]), size / max(count, 1), errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report = soak(Path(folder), args.scans)
    print(report)
    print(f"memory growth after warm-up: {report.memory_growth:+.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
