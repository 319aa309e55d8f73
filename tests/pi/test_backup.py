"""Online backup during concurrent checkouts, and restore that checks before replacing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import backup as backups
from kiosk.cli import main
from kiosk.errors import StoreError
from kiosk.store import Identity, Store

WRITER = Path(__file__).with_name("checkout_writer.py")
CHECKOUTS = 1000


def assert_consistent_prefix(path: Path) -> int:
    """Events are seq 1..N without gaps; outbox and assets agree with the events."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        seqs = [row[0] for row in conn.execute("SELECT seq FROM events ORDER BY seq")]
        assert seqs == list(range(1, len(seqs) + 1))
        outbox = [row[0] for row in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
        assert outbox == seqs  # nothing published yet, so every event still has its row
        expected: dict[str, tuple[str, str | None]] = {}
        for kind, asset, actor in conn.execute(
                "SELECT type, asset, actor FROM events ORDER BY seq"):
            expected[asset] = ("checked_out", actor) if kind == "checked_out" else (
                "available", None)
        for number, status, holder in conn.execute("SELECT number, status, holder FROM assets"):
            assert (status, holder) == expected.get(number, ("available", None)), number
        return len(seqs)
    finally:
        conn.close()


def test_backup_during_1000_checkouts_restores_a_consistent_prefix(tmp_path):
    live = tmp_path / "kiosk.db"
    folder = tmp_path / "backups"
    folder.mkdir()
    writer = subprocess.Popen([sys.executable, str(WRITER), str(live), str(CHECKOUTS)],
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "ready"
    taken = []
    while writer.poll() is None:
        taken.append(backups.backup(live, folder / f"b{len(taken):04d}.db").path)
    assert writer.wait() == 0
    counts = [assert_consistent_prefix(path) for path in taken]
    assert any(0 < n < CHECKOUTS for n in counts), counts
    middle = taken[[i for i, n in enumerate(counts) if 0 < n < CHECKOUTS][0]]
    target = tmp_path / "restored" / "kiosk.db"
    assert backups.restore(middle, target).kept is None
    assert assert_consistent_prefix(target) == counts[taken.index(middle)]
    assert assert_consistent_prefix(live) == CHECKOUTS


def write_config(tmp_path: Path) -> Path:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\nsite = "HAM"\nkiosk_id = "crib-1"\ndata_dir = "{tmp_path}"\n')
    return config


def make_db(path: Path, events: int) -> None:
    store = Store(path, Identity("HAM", "crib-1"))
    for _ in range(events):
        with store.transaction():
            store.record("note", {"n": 1})
    store.close()


def test_cli_backup_into_a_folder_keeps_the_newest(tmp_path, capsys):
    config = write_config(tmp_path)
    make_db(tmp_path / "kiosk.db", 3)
    folder = tmp_path / "backups"
    folder.mkdir()
    for old in ("kiosk-20240101T000000Z.db", "kiosk-20240102T000000Z.db"):
        (folder / old).write_bytes(b"old")
    assert main(["--config", str(config), "backup", str(folder), "--keep", "2"]) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 2 and names[0] == "kiosk-20240102T000000Z.db"
    assert "3 events" in capsys.readouterr().out
    assert backups.verify(folder / names[1]).events == 3


def test_restore_refuses_a_corrupt_file_and_changes_nothing(tmp_path, capsys):
    config = write_config(tmp_path)
    make_db(tmp_path / "kiosk.db", 2)
    before = (tmp_path / "kiosk.db").read_bytes()
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    assert main(["--config", str(config), "restore", str(bad)]) == 1
    assert "nothing was changed" in capsys.readouterr().err
    assert (tmp_path / "kiosk.db").read_bytes() == before
    assert not list(tmp_path.glob("kiosk.db.before-restore-*"))


def test_restore_refuses_a_database_from_newer_software(tmp_path):
    newer = tmp_path / "newer.db"
    make_db(newer, 1)
    with sqlite3.connect(newer) as conn:
        conn.execute("INSERT INTO _sqlite_migrations(migration_set, name, applied_at) "
                     "VALUES ('kiosk', '9999_from_the_future', '2030-01-01')")
    with pytest.raises(StoreError, match="newer software"):
        backups.restore(newer, tmp_path / "kiosk.db")


def test_restore_keeps_the_old_database_and_its_wal(tmp_path, capsys):
    config = write_config(tmp_path)
    make_db(tmp_path / "kiosk.db", 5)
    good = tmp_path / "good.db"
    make_db(good, 2)
    assert main(["--config", str(config), "restore", str(good), "--yes"]) == 0
    kept = list(tmp_path.glob("kiosk.db.before-restore-*"))
    assert [p for p in kept if not p.name.endswith(("-wal", "-shm"))]
    old = next(p for p in kept if not p.name.endswith(("-wal", "-shm")))
    assert backups.verify(old).events == 5
    assert backups.verify(tmp_path / "kiosk.db").events == 2
    assert "kept the old database" in capsys.readouterr().out


def test_restore_refuses_while_the_kiosk_has_the_database_open(tmp_path):
    make_db(tmp_path / "kiosk.db", 4)
    good = tmp_path / "good.db"
    make_db(good, 1)
    running = Store(tmp_path / "kiosk.db", Identity("HAM", "crib-1"))
    try:
        with pytest.raises(StoreError, match="in use"):
            backups.restore(good, tmp_path / "kiosk.db", confirmed=True)
    finally:
        running.close()
    assert backups.verify(tmp_path / "kiosk.db").events == 4
    assert not list(tmp_path.glob("kiosk.db.before-restore-*"))


def test_backup_to_a_new_folder_name_creates_it(tmp_path):
    make_db(tmp_path / "kiosk.db", 2)
    result = backups.backup(tmp_path / "kiosk.db", tmp_path / "usb" / "backups")
    assert result.path.parent == tmp_path / "usb" / "backups"
    assert result.path.name.startswith("kiosk-") and result.events == 2


def test_backup_refuses_the_live_database_as_its_target(tmp_path, capsys):
    config = write_config(tmp_path)
    make_db(tmp_path / "kiosk.db", 3)
    assert main(["--config", str(config), "backup", str(tmp_path / "kiosk.db")]) == 1
    assert "live database itself" in capsys.readouterr().err
    assert backups.verify(tmp_path / "kiosk.db").events == 3
    assert not list(tmp_path.glob("*.partial"))


def test_backup_refuses_to_overwrite_a_file_that_is_not_a_backup(tmp_path, capsys):
    config = write_config(tmp_path)
    make_db(tmp_path / "kiosk.db", 3)
    precious = tmp_path / "thesis.db"
    precious.write_text("years of work")
    assert main(["--config", str(config), "backup", str(precious)]) == 1
    assert "--force" in capsys.readouterr().err
    assert precious.read_text() == "years of work"
    assert main(["--config", str(config), "backup", str(precious), "--force"]) == 0
    assert backups.verify(precious).events == 3


def test_backup_replaces_an_older_backup_without_force(tmp_path):
    make_db(tmp_path / "kiosk.db", 2)
    target = tmp_path / "nightly.db"
    backups.backup(tmp_path / "kiosk.db", target)
    make_db(tmp_path / "kiosk.db", 1)
    assert backups.backup(tmp_path / "kiosk.db", target).events == 3


@pytest.mark.parametrize("keep", ["0", "-1", "two"])
def test_backup_keep_must_be_one_or_more(tmp_path, capsys, keep):
    config = write_config(tmp_path)
    make_db(tmp_path / "kiosk.db", 1)
    folder = tmp_path / "backups"
    with pytest.raises(SystemExit) as exit_info:
        main(["--config", str(config), "backup", str(folder), "--keep", keep])
    assert exit_info.value.code == 2
    assert "--keep" in capsys.readouterr().err
    assert not folder.exists()
    with pytest.raises(StoreError, match="1 or more"):
        backups.backup(tmp_path / "kiosk.db", folder, keep=0)
