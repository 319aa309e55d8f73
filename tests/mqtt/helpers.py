"""Shared by the MQTT tests: a realistic checkout, config files, waiting."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError
from kiosk.store import Store


def seed(store: Store, assets: int, people: int = 20) -> None:
    """People and assets as an import would leave them (no events: they predate the test)."""
    with store.transaction():
        store.db["categories"].insert({"code": "DR", "name": "Drills"})
        store.db["people"].insert_all({"employee_no": f"E{i:03}", "name": f"Person {i}"}
                                      for i in range(people))
        store.db["assets"].insert_all({"number": f"HAM-DR-{i:05}", "name": "Drill",
                                       "category": "DR", "status": "available"}
                                      for i in range(assets))


def checkout(store: Store, asset: str, employee_no: str) -> dict[str, Any]:
    """Lend an asset: check it, change it, record the event, all in one transaction."""
    with store.transaction():
        row = store.one("SELECT status FROM assets WHERE number = ?", [asset])
        if row is None or row["status"] != "available":
            raise KioskError(f"{asset} is not available")
        due = (store.clock.now() + dt.timedelta(days=7)).isoformat()
        store.db.execute("UPDATE assets SET status = 'checked_out', holder = ?, due_at = ? "
                         "WHERE number = ?", [employee_no, due, asset])
        return store.record("loan.checked_out", {"holder": employee_no, "due_at": due},
                            actor=employee_no, asset=asset)


def write_config(path: Path, data_dir: Path, port: int, **mqtt: Any) -> Path:
    values = {"enabled": True, "host": "127.0.0.1", "port": port, "reconnect_min_s": 0.1,
              "reconnect_max_s": 0.5, "heartbeat_s": 5, **mqtt}
    lines = ["[kiosk]", 'site = "HAM"', 'kiosk_id = "crib-1"', f'data_dir = "{data_dir}"',
             "[gpio]", 'pin_factory = "mock"', "[mqtt]"]
    for key, value in values.items():
        lines.append(f"{key} = {_toml(value)}")
    lines += ["[hq]", f'database = "{data_dir / "hq.db"}"', "gap_grace_s = 0.5"]
    path.write_text("\n".join(lines) + "\n")
    return path


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0, what: str = "",
               interval: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"not reached in {timeout} s: {what}")
