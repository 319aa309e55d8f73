"""A writer process doing synthetic checkouts and returns, as the station will.

Run as `python checkout_writer.py DB COUNT`: seeds people and assets, prints
"ready", then performs COUNT checkouts/returns, each one Store.transaction()
with the asset update and Store.record() (event + outbox), and prints "done".
"""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.store import Identity, Store

PEOPLE = 10
ASSETS = 25


def seed(store: Store) -> None:
    with store.transaction() as db:
        for p in range(PEOPLE):
            db.execute("INSERT INTO people(employee_no, name) VALUES (?, ?)",
                       [f"E{p:04d}", f"Person {p}"])
        for a in range(ASSETS):
            db.execute("INSERT INTO assets(number, name, status) VALUES (?, ?, 'available')",
                       [f"HAM-T-26{a:05d}", f"Tool {a}"])


def checkout_or_return(store: Store, index: int) -> None:
    """Asset index % ASSETS flips between available and checked out."""
    number = f"HAM-T-26{index % ASSETS:05d}"
    with store.transaction() as db:
        row = db.execute("SELECT status FROM assets WHERE number = ?", [number]).fetchone()
        if row[0] == "available":
            holder = f"E{index % PEOPLE:04d}"
            db.execute("UPDATE assets SET status = 'checked_out', holder = ?, version = "
                       "version + 1 WHERE number = ?", [holder, number])
            store.record("checked_out", {"holder": holder}, actor=holder, asset=number)
        else:
            db.execute("UPDATE assets SET status = 'available', holder = NULL, version = "
                       "version + 1 WHERE number = ?", [number])
            store.record("returned", {}, asset=number)


def main(path: str, count: int) -> None:
    store = Store(Path(path), Identity("HAM", "crib-1"))
    seed(store)
    print("ready", flush=True)
    for index in range(count):
        checkout_or_return(store, index)
    store.close()
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
