"""Scanner benchmark: decoder throughput and terminator-to-classified latency.

    .venv/bin/python bench/scanner.py [--scans 10000]

Builds a store of realistic size (20,000 assets, 5,000 aliases, 2,000 people
with badges) in a temporary folder, types 10,000 mixed scans (inventory
numbers, EAN-13, GS1 with GIAI, badges, label URLs) as a US scanner would,
and prints events/s, p50/p99 latency from the terminating key event to the
classified scan, and lost/doubled characters. Goal: p99 <= 1 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from drivers.encoder import keystrokes, type_scan
from drivers.keycodes import EV_KEY, KEY_CODES
from drivers.keymap import KeyDecoder
from kiosk.classify import StoreLookups, classify
from kiosk.config import parse_settings
from kiosk.numbering import parse_scheme
from kiosk.scanning import to_scan
from kiosk.store import Identity, Store

ENTER = KEY_CODES["ENTER"]


def build_store(folder: Path) -> tuple[Store, list[str], list[str], list[str]]:
    store = Store(folder / "kiosk.db", Identity("HAM", "crib-1"))
    scheme = parse_scheme("{site}-{category}-{yy}{seq:05}{check}", "damm")
    numbers = [scheme.render({"site": "HAM", "category": "DRL", "yy": "26"}, n)
               for n in range(1, 20001)]
    giais = [f"9506000134T{n:06d}" for n in range(5000)]
    badges = [f"{4000000 + n * 7}" for n in range(2000)]
    with store.transaction() as db:
        db["categories"].insert({"code": "DRL", "name": "Drills"})
        db["assets"].insert_all(({"number": n, "name": "Drill", "category": "DRL",
                                  "status": "available"} for n in numbers), batch_size=1000)
        db["aliases"].insert_all(({"alias": f"(8004){g}", "asset_number": numbers[i],
                                   "kind": "giai"} for i, g in enumerate(giais)))
        db["people"].insert_all({"employee_no": f"E{i}", "name": f"P{i}"}
                                 for i in range(2000))
        db["badges"].insert_all(({"normalized": b, "raw": b, "employee_no": f"E{i}"}
                                 for i, b in enumerate(badges)))
    return store, numbers, giais, badges


def scan_texts(count: int, numbers: list[str], giais: list[str], badges: list[str],
               rng: random.Random) -> list[str]:
    makers = [
        lambda: rng.choice(numbers),
        lambda: "4006381333931",
        lambda: f"]C1414950600013437680{'04'}{rng.choice(giais)}",
        lambda: rng.choice(badges),
        lambda: f"https://assets.example.com/a/{rng.choice(numbers)}",
        lambda: f"]d201095060001343521725123110B{rng.randint(1, 999)}\x1d21S{rng.randint(1, 99)}",
    ]
    weights = [40, 15, 15, 10, 10, 10]
    return [rng.choices(makers, weights)[0]() for _ in range(count)]


def throughput(streams: list[list[tuple[int, int, int]]], expected: list[str]) -> None:
    decoder = KeyDecoder("us")
    events = [e for stream in streams for e in stream]
    start = time.perf_counter()
    scans = decoder.feed_all(events, 1.0)
    elapsed = time.perf_counter() - start
    got = Counter("".join(s.raw for s in scans))
    want = Counter("".join(expected))
    print(f"decoder throughput: {len(events) / elapsed:,.0f} events/s "
          f"({len(events):,} events, {len(scans):,} scans in {elapsed:.3f} s)")
    print(f"scans decoded: {len(scans)} of {len(expected)}; exact: "
          f"{sum(s.raw == t for s, t in zip(scans, expected, strict=False))}")
    print(f"lost characters: {sum((want - got).values())}, doubled characters: "
          f"{sum((got - want).values())}")


def latency(streams: list[list[tuple[int, int, int]]], store: Store, settings) -> list[float]:
    decoder, lookups, kinds = KeyDecoder("us"), StoreLookups(store), Counter()
    samples: list[float] = []
    for stream in streams:
        cut = next(i for i, e in enumerate(stream) if e[:2] == (EV_KEY, ENTER) and e[2] == 1)
        decoder.feed_all(stream[:cut], 1.0)
        start = time.perf_counter_ns()
        (decoded,) = decoder.feed(*stream[cut], 1.0)
        result = classify(to_scan(decoded, "bench", "any"), lookups, settings)
        samples.append((time.perf_counter_ns() - start) / 1e6)
        kinds[result.kind] += 1
        decoder.feed_all(stream[cut + 1:], 1.0)
    print(f"classified kinds: {dict(kinds)}")
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store, numbers, giais, badges = build_store(Path(folder))
        settings = parse_settings({"kiosk": {"site": "HAM", "kiosk_id": "crib-1",
                                             "data_dir": folder},
                                   "station": {"label_url": "https://assets.example.com/a/"
                                                            "{number}"}})
        texts = scan_texts(args.scans, numbers, giais, badges, random.Random(7))
        strokes = keystrokes("us")
        streams = [type_scan(text, strokes) for text in texts]
        throughput(streams, texts)
        samples = sorted(latency(streams, store, settings))
        p50 = statistics.median(samples)
        p99 = samples[int(len(samples) * 0.99) - 1]
        print(f"terminating key -> classified scan over {len(samples):,} scans: "
              f"p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {samples[-1]:.3f} ms "
              f"(goal p99 <= 1 ms: {'met' if p99 <= 1.0 else 'NOT met'})")
        store.close()


if __name__ == "__main__":
    main()
