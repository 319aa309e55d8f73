"""SQLite storage: one connection per thread, durable commits, event + outbox together.

Every state change goes through `Store.transaction()`, which opens
``BEGIN IMMEDIATE`` (so a read-then-write never fails half-way with "database
is locked") and commits with ``synchronous=FULL`` in WAL mode, so a confirmed
scan survives a power cut. Inside it, `Store.record()` appends the event with
the next gapless per-kiosk sequence number and its outbox row: the change, its
event and its outbox row are committed together or not at all.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations
from ulid import ULID

from kiosk.clock import Clock, iso
from kiosk.errors import StoreError
from kiosk.migrations import migrations

ENVELOPE_VERSION = 1
EVENT_SEQ_SCOPE = "event-seq"


@dataclass(frozen=True)
class Identity:
    """Who writes: stamped on every event and used for outbox topics."""

    site: str
    kiosk: str
    topic_prefix: str = "crib"


def connect(path: Path | str, busy_timeout_ms: int = 10000) -> sqlite_utils.Database:
    """A connection with the production PRAGMAs; use one per thread."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves.
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=busy_timeout_ms / 1000)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open the database {path}: {exc}") from exc
    try:
        # Small pages: a checkout rewrites ~13 b-tree pages (row, indexes, outbox, counter);
        # at 512 B instead of 4 KiB that is what keeps SD-card wear under 16 KiB per checkout
        # (bench/writes.py). Only takes effect on a new file, so it must precede WAL.
        conn.execute("PRAGMA page_size=512")
        _switch_to_wal(conn, busy_timeout_ms / 1000)
        conn.execute("PRAGMA synchronous=FULL")
        # Fewer checkpoints: each one copies every changed page back into the database file.
        conn.execute("PRAGMA wal_autocheckpoint=4000")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    except sqlite3.OperationalError as exc:
        conn.close()
        if _is_busy(exc):
            raise StoreError(f"the database {path} is busy: another program holds it locked "
                             "for too long; stop it and try again") from exc
        raise StoreError(f"cannot use the database {path}: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"the database {path} is damaged or not a database: {exc}; "
                         "restore it from a backup (`kiosk restore`)") from exc
    return sqlite_utils.Database(conn)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _switch_to_wal(conn: sqlite3.Connection, timeout_s: float) -> None:
    """journal_mode=WAL needs a moment of exclusive access; SQLite does not wait for it.

    Several processes opening a new file together (kiosk, publisher, HQ consumers) get
    SQLITE_BUSY at once, busy timeout or not, so retry with a short back-off.
    """
    deadline = time.monotonic() + timeout_s
    delay = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def migrate(db: sqlite_utils.Database, migration_set: Migrations = migrations) -> None:
    """Apply pending migrations under one write lock.

    Two processes starting at once (the kiosk and `kiosk publish`, or several `kiosk hq`)
    would otherwise both read "pending" in deferred transactions and one would fail with
    "database is locked" on the upgrade to a write. Inside BEGIN IMMEDIATE, sqlite-utils
    runs each migration in a savepoint, so the set still applies all or nothing.
    """
    if not migration_set.pending(db):
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        migration_set.apply(db)
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def schema_version(db: sqlite_utils.Database) -> list[str]:
    return [m.name for m in migrations.applied(db)]


class Store:
    """The kiosk's database, bound to the thread that created it."""

    def __init__(self, path: Path | str, identity: Identity, *, clock: Clock | None = None,
                 busy_timeout_ms: int = 10000, apply_migrations: bool = True) -> None:
        self.path = Path(path)
        self.identity = identity
        self.clock = clock or Clock()
        self.busy_timeout_ms = busy_timeout_ms
        self.db = connect(self.path, busy_timeout_ms)
        self._thread = threading.get_ident()
        if apply_migrations:
            migrate(self.db)

    def another(self) -> Store:
        """A new Store on the same file for another thread (SQLite objects are per thread)."""
        return Store(self.path, self.identity, clock=self.clock,
                     busy_timeout_ms=self.busy_timeout_ms, apply_migrations=False)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """BEGIN IMMEDIATE ... COMMIT; rolled back on any exception."""
        conn = self.db.conn
        if conn.in_transaction:
            raise StoreError("nested transaction: commit the outer one first")
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            # A failed COMMIT leaves the transaction open; without the rollback every later
            # transaction() on this connection would fail as "nested".
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"could not save the change: {exc}") from exc

    def allocate(self, scope: str, *, first: int = 1, last: int | None = None) -> int:
        """Next value of a counter; call inside `transaction()` so it is atomic."""
        self._require_transaction()
        row = self.db.execute("SELECT value FROM counters WHERE scope = ?", [scope]).fetchone()
        value = first if row is None else max(row[0] + 1, first)
        if last is not None and value > last:
            raise StoreError(f"number block for {scope!r} is used up (last = {last}); "
                             "ask headquarters for a new reserved_block")
        self.db.execute("INSERT INTO counters(scope, value) VALUES (?, ?) "
                        "ON CONFLICT(scope) DO UPDATE SET value = excluded.value", [scope, value])
        return value

    def record(self, event_type: str, payload: dict[str, Any] | None = None, *,
               actor: str | None = None, asset: str | None = None) -> dict[str, Any]:
        """Append an event and its outbox row; call inside `transaction()`.

        `actor` is an employee number, never a raw badge number.
        """
        self._require_transaction()
        seq = self.allocate(f"{EVENT_SEQ_SCOPE}:{self.identity.kiosk}")
        moment = self.clock.now()
        event = {
            "v": ENVELOPE_VERSION,
            "id": str(ULID.from_datetime(moment)),
            "kiosk": self.identity.kiosk,
            "site": self.identity.site,
            "seq": seq,
            "type": event_type,
            "at": iso(moment),
            "clock_synced": self.clock.synced(),
            "actor": actor,
            "asset": asset,
            "payload": payload or {},
        }
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        self.db.execute(
            "INSERT INTO events(id, seq, site, kiosk, type, at, clock_synced, actor, asset, "
            "payload) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [event["id"], seq, event["site"], event["kiosk"], event_type, event["at"],
             int(event["clock_synced"]), actor, asset,
             json.dumps(event["payload"], ensure_ascii=False, sort_keys=True)])
        self.db.execute("INSERT INTO outbox(seq, event_id, topic, body, created_at) "
                        "VALUES (?,?,?,?,?)",
                        [seq, event["id"], self.topic_for(event_type), body, event["at"]])
        return event

    def topic_for(self, event_type: str) -> str:
        ident = self.identity
        return f"{ident.topic_prefix}/{ident.site}/{ident.kiosk}/events/{event_type}"

    def _require_transaction(self) -> None:
        if not self.db.conn.in_transaction:
            raise StoreError("write outside a transaction: wrap it in store.transaction()")

    # -- small read helpers shared by the CLI, station and HQ sync -------------------------

    def one(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> dict[str, Any] | None:
        cursor = self.db.execute(sql, list(params))
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cursor.description], row, strict=True))

    def all(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        cursor = self.db.execute(sql, list(params))
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
