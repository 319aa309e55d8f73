"""Bytes written to disk per checkout (SD card wear, goal R3: <= 16 KiB per checkout).

    .venv/bin/python bench/writes.py [--checkouts 1000] [--dir FOLDER] [--page-size N]

Each checkout is what the station commits: one BEGIN IMMEDIATE transaction that
updates the asset and appends the event and its outbox row (Store.record),
committed with WAL + synchronous=FULL. Figures come from /proc/self/io:
write_bytes (what reached the block layer, the SD wear figure) and wchar (bytes
passed to write(2), an upper bound when the filesystem does not account
write_bytes, as in some containers), plus the growth of kiosk.db + kiosk.db-wal.
Run it on the Pi's data partition with --dir to measure the real card.
"""

from __future__ import annotations

import argparse
import sqlite3
import struct
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.store import Identity, Store  # noqa: E402

GOAL_BYTES = 16 * 1024
PEOPLE, ASSETS = 50, 500


def proc_io() -> dict[str, int]:
    fields = {}
    for line in Path("/proc/self/io").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = int(value)
    return fields


def files_size(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())


def seed(store: Store) -> None:
    with store.transaction() as db:
        for p in range(PEOPLE):
            db.execute("INSERT INTO people(employee_no, name) VALUES (?, ?)",
                       [f"E{p:04d}", f"Person {p}"])
        for a in range(ASSETS):
            db.execute("INSERT INTO assets(number, name, status) VALUES (?, ?, 'available')",
                       [f"HAM-T-26{a:05d}", f"Cordless drill {a}"])


def checkout(store: Store, index: int) -> None:
    number, holder = f"HAM-T-26{index % ASSETS:05d}", f"E{index % PEOPLE:04d}"
    with store.transaction() as db:
        db.execute("UPDATE assets SET status = 'checked_out', holder = ?, due_at = ?, "
                   "version = version + 1 WHERE number = ?",
                   [holder, "2026-12-10T17:00:00Z", number])
        store.record("checked_out", {"holder": holder, "due_at": "2026-12-10T17:00:00Z",
                                     "location": "crib"}, actor=holder, asset=number)


def create_store(db_path: Path, page_size: int, autocheckpoint: int) -> Store:
    """A new database; page_size must be set before the first write switches to WAL."""
    if page_size:
        with sqlite3.connect(db_path) as conn:
            conn.execute(f"PRAGMA page_size={int(page_size)}")
            conn.execute("VACUUM")
    store = Store(db_path, Identity("HAM", "crib-1"))
    if autocheckpoint:
        store.db.execute(f"PRAGMA wal_autocheckpoint={int(autocheckpoint)}")
    seed(store)
    return store


def measure(folder: Path, count: int, page_size: int, autocheckpoint: int) -> dict[str, float]:
    db_path = folder / "kiosk.db"
    store = create_store(db_path, page_size, autocheckpoint)
    actual_page = store.db.execute("PRAGMA page_size").fetchone()[0]
    before_io, before_size = proc_io(), files_size(db_path)
    for index in range(count):
        checkout(store, index)
    after_io, after_size = proc_io(), files_size(db_path)
    store.close()
    return {"page_size": actual_page,
            "write_bytes": (after_io["write_bytes"] - before_io["write_bytes"]) / count,
            "wchar": (after_io["wchar"] - before_io["wchar"]) / count,
            "growth": (after_size - before_size) / count}


def pages_of_one_checkout(folder: Path, page_size: int) -> list[str]:
    """Which b-trees one checkout rewrites: WAL frame page numbers mapped through dbstat."""
    db_path = folder / "pages.db"
    store = create_store(db_path, page_size, 0)
    for index in range(50):
        checkout(store, index)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkout(store, 50)
    wal = Path(f"{db_path}-wal").read_bytes()
    page_size = struct.unpack(">I", wal[8:12])[0]
    pages = [struct.unpack(">I", wal[offset:offset + 4])[0]
             for offset in range(32, len(wal) - 23, 24 + page_size)]
    try:
        owner = dict(store.db.execute("SELECT pageno, name FROM dbstat").fetchall())
    except sqlite3.OperationalError:  # SQLite built without dbstat
        owner = {}
    store.close()
    return [owner.get(page, f"page {page}") for page in pages]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkouts", type=int, default=1000)
    parser.add_argument("--dir", help="folder on the disk to measure (default: a temp folder)")
    parser.add_argument("--page-size", type=int, default=0,
                        help="create the database with this SQLite page size (default: 4096)")
    parser.add_argument("--autocheckpoint", type=int, default=0,
                        help="PRAGMA wal_autocheckpoint in pages (default: SQLite's 1000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        result = measure(Path(folder), args.checkouts, args.page_size, args.autocheckpoint)
        pages = pages_of_one_checkout(Path(folder), args.page_size)
    print(f"checkouts: {args.checkouts}  page_size: {result['page_size']}  "
          f"wal_autocheckpoint: {args.autocheckpoint or 1000}  "
          f"folder: {args.dir or tempfile.gettempdir()}")
    print(f"write_bytes per checkout: {result['write_bytes']:,.0f} B "
          f"({result['write_bytes'] / 1024:.1f} KiB; goal <= {GOAL_BYTES // 1024} KiB)")
    print(f"wchar per checkout:       {result['wchar']:,.0f} B")
    print(f"db+wal growth per checkout: {result['growth']:,.0f} B")
    print(f"pages rewritten by one checkout ({len(pages)}): {', '.join(sorted(pages))}")
    if result["write_bytes"] == 0:
        print("note: this filesystem/container reports write_bytes = 0; use wchar (bytes handed "
              "to write(2)) as the upper bound and measure on the Pi")
    figure = result["write_bytes"] or result["wchar"]
    print("verdict:", "within goal" if figure <= GOAL_BYTES else "OVER the goal")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
