"""`kiosk export`: our CSV format, the one `kiosk import --format ours` reads back.

Files get a UTF-8 byte-order mark and CRLF line ends so Excel opens umlauts
and line breaks correctly; standard output gets plain UTF-8.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TextIO

from kiosk.csv_formats import LAYOUTS
from kiosk.errors import KioskError
from kiosk.store import Store

ORDER = {"assets": "number", "people": "employee_no", "locations": "name"}


def export_columns(kind: str) -> list[str]:
    layout = LAYOUTS[(kind, "ours")]
    return [c.headers[0] for c in layout.columns] + list(layout.read_only)


def write_rows(store: Store, kind: str, out: TextIO) -> int:
    """Write every row of `kind`; returns how many."""
    columns = export_columns(kind)
    names = ", ".join(columns)  # our own column names, never user text
    rows = store.all(f"SELECT {names} FROM {kind} ORDER BY {ORDER[kind]}")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in columns])
    return len(rows)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def export(store: Store, kind: str, path: Path | None) -> int:
    if path is None:
        return write_rows(store, kind, sys.stdout)
    try:
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            return write_rows(store, kind, out)
    except OSError as exc:
        raise KioskError(f"cannot write {path}: {exc.strerror or exc}") from None
