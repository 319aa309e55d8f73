"""Online backup and verified restore of the kiosk database.

A backup runs while the kiosk keeps scanning: SQLite's backup API copies the
database in one step, inside one read transaction, so the copy is a consistent
snapshot even while another process commits (in WAL mode readers never block
the writer). Never copy kiosk.db with `cp`: the -wal file holds the newest
commits (SQL-06).

Restore checks the candidate first (integrity_check, that it is a kiosk
database, that its schema is not newer than this software), compares it with
the live database (kiosk/restore_plan.py: events lost, counters to carry
forward) and only then swaps it in with an atomic rename, keeping the old file
next to it.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.errors import StoreError
from kiosk.migrations import migrations
from kiosk.restore_plan import RestorePlan, carry_counters, plan_restore

BACKUP_PREFIX = "kiosk-"
WAL_SUFFIXES = ("-wal", "-shm")


@dataclass(frozen=True)
class Verification:
    path: Path
    problems: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    events: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def utc_stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def open_existing(path: Path, timeout_s: float = 10.0) -> sqlite3.Connection:
    """Connect without creating the file when it is missing."""
    if not path.is_file():
        raise StoreError(f"no database at {path}")
    try:
        return sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=timeout_s)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}") from exc


def verify(path: Path) -> Verification:
    """Integrity and schema of a database file; never modifies it."""
    try:
        conn = open_existing(path)
    except StoreError as exc:
        return Verification(path, [str(exc)])
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            return Verification(path, [f"integrity_check failed: {'; '.join(result[:5])}"])
        applied = [row[0] for row in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
            [migrations.name])]
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return Verification(path, [f"not a kiosk database: {exc}"])
    finally:
        conn.close()
    return schema_verdict(path, applied, events)


def schema_verdict(path: Path, applied: list[str], events: int) -> Verification:
    known = [m.name for m in migrations._migrations]
    unknown = [name for name in applied if name not in known]
    problems = []
    if unknown:
        problems.append(f"made by newer software (unknown migrations {', '.join(unknown)}); "
                        "update crib-kiosk before using it")
    pending = [name for name in known if name not in applied]
    return Verification(path, problems, applied, pending, events)


def backup_target(dest: Path) -> Path:
    """A folder (existing, or a new name without a suffix) gets a time-stamped file inside."""
    if dest.is_dir() or (not dest.exists() and not dest.suffix):
        dest.mkdir(parents=True, exist_ok=True)
        return dest / f"{BACKUP_PREFIX}{utc_stamp()}.db"
    return dest


def same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def refuse_bad_target(db_path: Path, target: Path, *, force: bool) -> None:
    """Never write over the live database (or its WAL); a non-backup file only with force."""
    live_files = [db_path, *(Path(f"{db_path}{suffix}") for suffix in WAL_SUFFIXES)]
    if any(same_file(target, live) for live in live_files):
        raise StoreError(f"{target} is the live database itself; choose another file or a "
                         "folder (nothing was written)")
    if target.exists() and not target.is_file():
        raise StoreError(f"{target} exists and is not a regular file; nothing was written")
    if target.exists() and not force and not verify(target).ok:
        raise StoreError(f"{target} already exists and is not a kiosk backup; add --force to "
                         "overwrite it (nothing was written)")


def backup(db_path: Path, dest: Path, *, keep: int | None = None,
           force: bool = False) -> Verification:
    """Copy the live database to `dest` (a file, or a folder for time-stamped copies).

    An existing kiosk backup at `dest` is replaced; any other existing file only with `force`.
    """
    if keep is not None and keep < 1:
        raise StoreError(f"--keep must be 1 or more (got {keep}); nothing was written")
    target = backup_target(dest)
    refuse_bad_target(db_path, target, force=force)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = open_existing(db_path)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # pages=-1: one step, one consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
        finally:
            copy.close()
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"backup to {target} failed: {exc}") from exc
    finally:
        source.close()
    checked = verify(partial)
    if not checked.ok:
        partial.unlink(missing_ok=True)
        raise StoreError(f"backup copy failed its check: {'; '.join(checked.problems)}")
    durable_replace(partial, target)
    if keep and dest.is_dir():
        prune(dest, keep)
    return Verification(target, [], checked.applied, checked.pending, checked.events)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` time-stamped backups in `folder`."""
    backups = sorted(folder.glob(f"{BACKUP_PREFIX}*.db"))
    doomed = backups[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink()
    return doomed


@dataclass(frozen=True)
class Restored:
    kept: Path | None                  # where the replaced database went
    plan: RestorePlan                  # what the backup holds versus the live database
    raised: dict[str, tuple[int, int]]  # counter scope -> (value in backup, value now)


def restore(source: Path, db_path: Path, *, confirmed: bool = False) -> Restored:
    """Replace the database with a verified copy of `source`, keeping the old one aside.

    Refuses (unless `confirmed`) when the live database has events newer than the backup.
    Counters of inventory numbers and event seq are raised past every value still known,
    so no printed label's number and no published seq is handed out again.
    Stop the kiosk service first: a running kiosk keeps writing to the file it opened.
    """
    checked = verify(source)
    if not checked.ok:
        raise StoreError(f"{source} is not restorable, nothing was changed: "
                         f"{'; '.join(checked.problems)}")
    plan = plan_restore(source, db_path)
    if plan.loses_events and not confirmed:
        raise StoreError(f"the live database has newer events than {source} "
                         f"({'; '.join(plan.describe())}); add --yes to restore anyway, "
                         "nothing was changed")
    refuse_if_in_use(db_path)
    incoming = db_path.with_name(db_path.name + ".restoring")
    incoming.unlink(missing_ok=True)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    reader, copy = open_existing(source), sqlite3.connect(incoming)
    try:
        reader.backup(copy)
    finally:
        reader.close()
        copy.close()
    raised = carry_counters(incoming, plan.counters)
    if not verify(incoming).ok:
        incoming.unlink(missing_ok=True)
        raise StoreError(f"copying {source} failed its check; nothing was changed")
    kept = keep_old(db_path)
    durable_replace(incoming, db_path)
    return Restored(kept, plan, raised)


def refuse_if_in_use(db_path: Path) -> None:
    """Raise when another connection (a running kiosk or publisher) has the database open.

    In WAL mode every open connection holds a shared lock on the file, so an
    exclusive lock is refused while anyone else has it open, even when idle.
    """
    if not db_path.exists():
        return
    conn = sqlite3.connect(db_path, timeout=1.0, isolation_level=None)
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise StoreError(f"{db_path} is in use (is kiosk.service or kiosk-publish.service "
                             "running?): stop them first; nothing was changed") from exc
    except sqlite3.DatabaseError:
        pass  # a damaged database is exactly what gets replaced
    finally:
        conn.close()


def keep_old(db_path: Path) -> Path | None:
    """Move the current database and its WAL files aside, as one set, under a dated name."""
    if not db_path.exists():
        return None
    kept = db_path.with_name(f"{db_path.name}.before-restore-{utc_stamp()}")
    for suffix in WAL_SUFFIXES:
        sidecar = Path(f"{db_path}{suffix}")
        if sidecar.exists():
            os.replace(sidecar, f"{kept}{suffix}")
    os.replace(db_path, kept)
    return kept


def durable_replace(source: Path, target: Path) -> None:
    """fsync the file, rename it over the target, fsync the folder (survives a power cut)."""
    with open(source, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(source, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
