"""Restore says what it loses and never hands out a printed number or a seq a second time."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kiosk import backup as backups
from kiosk.cli import main
from kiosk.config import NumberingSection
from kiosk.numbering import parse_scheme
from kiosk.records import add_asset
from kiosk.store import Identity, Store

IDENTITY = Identity("HAM", "crib-1")
SCHEME = parse_scheme(NumberingSection().scheme, NumberingSection().check)


def write_config(tmp_path: Path) -> Path:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\nsite = "HAM"\nkiosk_id = "crib-1"\ndata_dir = "{tmp_path}"\n')
    return config


def add_drills(path: Path, count: int) -> list[str]:
    store = Store(path, IDENTITY)
    try:
        with store.transaction() as db:
            db["categories"].upsert({"code": "DRL", "name": "Drills"}, pk="code")
        return [add_asset(store, SCHEME, name="Drill", category="DRL") for _ in range(count)]
    finally:
        store.close()


def newest_seq(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT max(seq) FROM events").fetchone()[0]


def test_restore_refuses_to_lose_newer_events_without_yes(tmp_path, capsys):
    config, live, backup = write_config(tmp_path), tmp_path / "kiosk.db", tmp_path / "b.db"
    add_drills(live, 2)
    backups.backup(live, backup)
    add_drills(live, 3)
    before = newest_seq(live)
    assert main(["--config", str(config), "restore", str(backup)]) == 1
    out, err = capsys.readouterr()
    assert f"live database: newest event seq {before} at" in out
    assert f"backup: newest event seq {newest_seq(backup)} at" in out
    assert "HQ will see a gap" in out and "--yes" in err and "nothing was changed" in err
    assert newest_seq(live) == before
    assert not list(tmp_path.glob("kiosk.db.before-restore-*"))


def test_restore_never_reissues_a_printed_number_or_a_seq(tmp_path, capsys):
    config, live, backup = write_config(tmp_path), tmp_path / "kiosk.db", tmp_path / "b.db"
    add_drills(live, 2)
    backups.backup(live, backup)
    printed = add_drills(live, 2)  # labels printed after the backup
    live_seq = newest_seq(live)
    assert main(["--config", str(config), "restore", str(backup), "--yes"]) == 0
    assert "moved from 2 to 4" in capsys.readouterr().out
    [fresh] = add_drills(live, 1)
    assert fresh not in printed and fresh.endswith(tuple(f"{5:05d}{c}" for c in "0123456789"))
    assert newest_seq(live) > live_seq


def test_restore_learns_numbers_from_an_earlier_restore_too(tmp_path):
    live, backup = tmp_path / "kiosk.db", tmp_path / "b.db"
    add_drills(live, 1)
    backups.backup(live, backup)
    printed = add_drills(live, 3)
    backups.restore(backup, live, confirmed=True)
    live.unlink()  # the SD card lost the restored database; the kept copy is still there
    backups.restore(backup, live)
    assert add_drills(live, 1)[0] not in printed


def test_restore_over_an_unreadable_database_says_numbers_may_repeat(tmp_path, capsys):
    config, live, backup = write_config(tmp_path), tmp_path / "kiosk.db", tmp_path / "b.db"
    add_drills(backup, 1)
    live.write_bytes(b"not a database at all" * 100)
    assert main(["--config", str(config), "restore", str(backup)]) == 0
    out = capsys.readouterr().out
    assert "cannot be read" in out and "may be issued again" in out
    assert backups.verify(live).ok
