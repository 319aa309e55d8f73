"""Print job size and build time: a receipt with 5 items and an asset label.

    .venv/bin/python bench/printing.py [--profile TM-T20II] [--codepage CP858] [--runs 200]

"Build" is the whole path from plain data to bytes: layout (kiosk.receipt), the
JSON round trip the print queue stores, and rendering with python-escpos (Dummy).
Goal: receipt <= 4 KiB, build <= 20 ms. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time

from drivers.escpos_render import load_escpos, render
from kiosk.printdoc import to_primitives
from kiosk.receipt import Receipt, label_for, label_ops, receipt_ops


def sample_receipt() -> Receipt:
    return Receipt(
        kind="checkout", site="HAM", kiosk="crib-1", person_name="Jürgen Müller-Kuče",
        employee_no="E1001", at=dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC),
        items=[(f"HAM-DRL-2600{n:03}7", f"Cordless drill {n} Ōgaki 18 V", dt.date(2026, 12, 10),
                "checked out") for n in range(1, 6)],
        transaction_id="01JEFQ7Z5W4X9K2M3N4P5Q6R7S")


def measure(name: str, build, runs: int) -> None:
    job = build()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        build()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"{name:<34} {len(job):>6} bytes  build median {statistics.median(times):6.2f} ms  "
          f"p95 {times[int(len(times) * 0.95) - 1]:6.2f} ms  max {times[-1]:6.2f} ms")


# (what, printer profile, paper): an Epson-class 80 mm printer with native QR and
# Code 128, and a cheap 58 mm printer whose profile has neither (raster images).
CASES = [("receipt, 5 items", "TM-T20II", "80"), ("label", "TM-T20II", "80"),
         ("receipt, 5 items", "TM-T20II", "58"), ("label", "TM-T20II", "58"),
         ("label", "TM-T20II", "label"),
         ("receipt, 5 items", "POS-5890", "58"), ("label", "POS-5890", "58")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codepage", default="CP858")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    start = time.perf_counter()
    load_escpos()
    print(f"python-escpos first import: {(time.perf_counter() - start) * 1000:.1f} ms "
          f"(once per process); code page {args.codepage}; {args.runs} runs each")
    receipt = sample_receipt()
    label = label_for("HAM-DRL-26000127", "Cordless drill 18 V", "HAM",
                      "https://assets.example.com/a/{number}")

    def builder(what: str, profile: str, media: str):
        def build() -> bytes:
            ops = (receipt_ops(receipt, media, args.codepage) if what.startswith("receipt")
                   else label_ops(label, media, args.codepage))
            rows = json.loads(json.dumps(to_primitives(ops)))  # as stored in print_jobs
            return render(rows, profile=profile, codepage=args.codepage)
        return build

    for what, profile, media in CASES:
        measure(f"{what}, {profile}, {media}", builder(what, profile, media), args.runs)


if __name__ == "__main__":
    main()
