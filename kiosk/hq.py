"""Headquarters consumer: events of the whole fleet in one SQLite file.

Several `kiosk hq` processes subscribe through one shared subscription
(`$share/{group}/{prefix}/+/+/events/#`), so the broker hands each event to one of them. Each
process batches what it receives into one transaction (INSERT OR IGNORE by event id: duplicates
from resends vanish) and acknowledges the messages only after the commit (manual ack), so a
crashed HQ process loses nothing. Sequence gaps per kiosk are found with a window query; a gap
older than `gap_grace_s` makes HQ ask that kiosk to resend the range (`cmd/resend`), which
covers a broker that crashed after acknowledging but before delivering.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from pathlib import Path
from typing import Any

from sqlite_utils import Database, Migrations
from ulid import ULID

from kiosk.clock import Clock, iso
from kiosk.link_status import encode
from kiosk.outbox import MqttPort
from kiosk.store import connect, migrate

log = logging.getLogger(__name__)
hq_migrations = Migrations("hq")

# Station events that hand an asset to a person or take it back (kiosk/crib.py, returns.py,
# maintenance.py). `loan.undone` reverses the checkout or return named in its payload.
HOLD_TYPES = frozenset({"loan.checked_out"})
RELEASE_TYPES = frozenset({"loan.returned", "asset.retired"})
EVENT_FIELDS = ("id", "site", "kiosk", "seq", "type", "at", "clock_synced", "actor", "asset",
                "payload")


@hq_migrations(name="0041_hq_events")
def _hq_events(db: Database) -> None:
    db["events"].create({"id": str, "site": str, "kiosk": str, "seq": int, "type": str,
                         "at": str, "clock_synced": int, "actor": str, "asset": str,
                         "payload": str, "received_at": str}, pk="id",
                        not_null={"site", "kiosk", "seq", "type", "at"})
    db["events"].create_index(["site", "kiosk", "seq"])
    db["positions"].create({"asset": str, "site": str, "kiosk": str, "seq": int, "at": str,
                            "type": str, "holder": str, "location": str}, pk="asset")
    db["positions"].create_index(["holder"])
    db["kiosks"].create({"site": str, "kiosk": str, "state": str, "status": str,
                         "last_seq": int, "seen_at": str}, pk=("site", "kiosk"))


def open_hq_db(path: Path | str) -> Database:
    db = connect(path)
    migrate(db, hq_migrations)
    return db


def sent_by_its_own_kiosk(topic: str, row: dict[str, Any]) -> bool:
    """True when the event's site, kiosk and type are the ones its topic names."""
    parts = topic.split("/")
    return len(parts) >= 5 and parts[-4:-2] == [row["site"], row["kiosk"]] and \
        parts[-2] == "events" and parts[-1] == row["type"]


def parse_event(payload: bytes) -> dict[str, Any] | None:
    """An envelope as a row, or None when the message is not a valid event."""
    try:
        event = json.loads(payload.decode("utf-8"))
        row = {k: event[k] for k in EVENT_FIELDS}
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        return None
    if not isinstance(row["seq"], int) or not all(isinstance(row[k], str) for k in
                                                   ("id", "site", "kiosk", "type", "at")):
        return None
    row["clock_synced"] = int(bool(row["clock_synced"]))
    row["payload"] = json.dumps(row["payload"], ensure_ascii=False, sort_keys=True)
    return row


def store_events(db: Database, rows: list[dict[str, Any]], received_at: str) -> int:
    """Insert new events (duplicates ignored) and move asset positions; returns new count."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        new = 0
        for row in rows:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO events(id, site, kiosk, seq, type, at, clock_synced, "
                "actor, asset, payload, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [*(row[k] for k in EVENT_FIELDS), received_at])
            if cursor.rowcount and row["asset"]:
                _move(conn, row)
            new += cursor.rowcount
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return new


def _move(conn: Any, row: dict[str, Any]) -> None:
    """Update where the asset is, unless a newer event about it is already known."""
    old = conn.execute("SELECT at, seq, holder, location FROM positions WHERE asset = ?",
                       [row["asset"]]).fetchone()
    if old is not None and (old[0], old[1]) > (row["at"], row["seq"]):
        return
    holder, location = _holder_and_location(row, old[2] if old else None,
                                            old[3] if old else None)
    conn.execute("INSERT OR REPLACE INTO positions(asset, site, kiosk, seq, at, type, holder, "
                 "location) VALUES (?,?,?,?,?,?,?,?)",
                 [row["asset"], row["site"], row["kiosk"], row["seq"], row["at"], row["type"],
                  holder, location])


def _holder_and_location(row: dict[str, Any], holder: str | None,
                         location: str | None) -> tuple[str | None, str | None]:
    payload = json.loads(row["payload"])
    payload = payload if isinstance(payload, dict) else {}
    kind = row["type"]
    if kind == "loan.undone":
        kind = "loan.returned" if payload.get("undid") == "checkout" else "loan.checked_out"
    if kind in HOLD_TYPES:
        return row["actor"], None
    if kind in RELEASE_TYPES:
        return None, _text_or(payload.get("location"), location)
    if kind == "asset.moved":
        return holder, _text_or(payload.get("to"), location)
    return holder, location


def _text_or(value: Any, default: str | None) -> str | None:
    return value if isinstance(value, str) and value else default


def store_status(db: Database, payload: bytes) -> None:
    try:
        status = json.loads(payload.decode("utf-8"))
        site, kiosk, state = str(status["site"]), str(status["kiosk"]), str(status["state"])
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        return
    last_seq = status.get("last_seq") if isinstance(status.get("last_seq"), int) else None
    db.execute("INSERT INTO kiosks(site, kiosk, state, status, last_seq, seen_at) "
               "VALUES (?,?,?,?,?,?) ON CONFLICT(site, kiosk) DO UPDATE SET "
               "state = excluded.state, status = excluded.status, seen_at = excluded.seen_at, "
               "last_seq = max(coalesce(kiosks.last_seq, 0), coalesce(excluded.last_seq, 0))",
               [site, kiosk, state, json.dumps(status, ensure_ascii=False), last_seq,
                iso(Clock().now())])


def gaps(db: Database) -> list[dict[str, Any]]:
    """Missing seq ranges per kiosk: before the first, between, and after the last known
    event up to the last seq the kiosk reported in its status."""
    rows = db.execute("""
        WITH ordered AS (
          SELECT site, kiosk, seq,
                 lag(seq, 1, 0) OVER (PARTITION BY site, kiosk ORDER BY seq) AS prev
          FROM (SELECT DISTINCT site, kiosk, seq FROM events)),
        inner_gaps AS (
          SELECT site, kiosk, prev + 1 AS first, seq - 1 AS last FROM ordered
          WHERE seq > prev + 1),
        tails AS (
          SELECT k.site, k.kiosk, coalesce(max(e.seq), 0) + 1 AS first, k.last_seq AS last
          FROM kiosks k LEFT JOIN events e ON e.site = k.site AND e.kiosk = k.kiosk
          GROUP BY k.site, k.kiosk HAVING k.last_seq > coalesce(max(e.seq), 0))
        SELECT * FROM inner_gaps UNION ALL SELECT * FROM tails ORDER BY 1, 2, 3""").fetchall()
    return [{"site": s, "kiosk": k, "from_seq": a, "to_seq": b} for s, k, a, b in rows]


def where_is(db: Database, asset: str) -> dict[str, Any] | None:
    row = db.execute("SELECT asset, site, kiosk, holder, location, type, at, seq FROM "
                     "positions WHERE asset = ?", [asset]).fetchone()
    names = ("asset", "site", "kiosk", "holder", "location", "last_event", "at", "seq")
    return dict(zip(names, row, strict=True)) if row else None


def holdings(db: Database, employee_no: str) -> list[dict[str, Any]]:
    rows = db.execute("SELECT asset, site, kiosk, at FROM positions WHERE holder = ? "
                      "ORDER BY at, asset", [employee_no]).fetchall()
    return [dict(zip(("asset", "site", "kiosk", "since"), r, strict=True)) for r in rows]


def command(kind: str, **body: Any) -> dict[str, Any]:
    return {"v": 1, "id": str(ULID()), **body} | {"kind": kind}


class HqConsumer:
    """Consumes events, statuses and replies; asks kiosks to fill gaps."""

    def __init__(self, db_path: Path | str, client: MqttPort, *, prefix: str = "crib",
                 gap_grace_s: float = 10.0, batch: int = 500) -> None:
        self.db_path = Path(db_path)
        self.client = client
        self.prefix = prefix
        self.gap_grace_s = gap_grace_s
        self.batch = batch
        self.received = 0
        self.mismatched = 0   # events whose body names another kiosk than their topic
        self.replies: queue.Queue[dict[str, Any]] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._gaps_seen: dict[tuple[str, str, int], float] = {}
        self._next_gap_check = 0.0

    @staticmethod
    def subscriptions(prefix: str, group: str) -> tuple[tuple[str, int], ...]:
        return ((f"$share/{group}/{prefix}/+/+/events/#", 1), (f"{prefix}/+/+/status", 1),
                (f"$share/{group}/{prefix}/+/+/reply", 1))

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="hq", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_forever(self) -> None:
        db = open_hq_db(self.db_path)
        self.client.start()
        try:
            while not self._stop.is_set():
                self._consume(db, self._take())
                if time.monotonic() >= self._next_gap_check:
                    self.request_resends(db)
        finally:
            self.client.stop()
            db.close()

    def _take(self) -> list[Any]:
        try:
            items = [self.client.events.get(timeout=0.05)]
        except queue.Empty:
            return []
        while len(items) < self.batch:
            try:
                items.append(self.client.events.get_nowait())
            except queue.Empty:
                break
        return items

    def _consume(self, db: Database, items: list[Any]) -> None:
        messages = [m for m in items if type(m).__name__ == "Message"]
        events = []
        for message in messages:
            if "/events/" in message.topic:
                row = parse_event(message.payload)
                if row is None:
                    log.warning("ignored a malformed event on %r", message.topic)
                elif not sent_by_its_own_kiosk(message.topic, row):
                    # The broker's ACL vouches for the topic, not for the body: an event that
                    # claims another kiosk would be filed under it and hide that kiosk's gaps.
                    self.mismatched += 1
                    log.warning("ignored an event of %s/%s that arrived on %r",
                                row["site"], row["kiosk"], message.topic)
                else:
                    events.append(row)
            elif message.topic.endswith("/status"):
                store_status(db, message.payload)
            elif message.topic.endswith("/reply"):
                self._note_reply(message.payload)
        if events:
            self.received += store_events(db, events, iso(Clock().now()))
        for message in messages:  # only now, after the commit
            self.client.ack(message.mid, message.qos, message.generation)

    def _note_reply(self, payload: bytes) -> None:
        try:
            self.replies.put(json.loads(payload.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError):
            log.warning("ignored a malformed reply")

    def request_resends(self, db: Database) -> int:
        """Ask kiosks for ranges missing longer than the grace period; returns requests sent."""
        now = time.monotonic()
        self._next_gap_check = now + min(self.gap_grace_s, 5.0)
        sent = 0
        current = {(g["site"], g["kiosk"], g["from_seq"]): g for g in gaps(db)}
        self._gaps_seen = {k: self._gaps_seen.get(k, now) for k in current}
        for key, gap in current.items():
            if now - self._gaps_seen[key] < self.gap_grace_s or not self.client.connected:
                continue
            body = command("resend", from_seq=gap["from_seq"], to_seq=gap["to_seq"])
            topic = f"{self.prefix}/{gap['site']}/{gap['kiosk']}/cmd/resend"
            self.client.publish(topic, encode(body), qos=1)
            self._gaps_seen[key] = now  # wait another grace period before asking again
            sent += 1
        return sent


def kiosk_acl(prefix: str, site: str, kiosk: str, username: str = "") -> str:
    """mosquitto acl_file block for one kiosk: it writes only its own topics and reads only
    its own commands and its site's lists."""
    base = f"{prefix}/{site}/{kiosk}"
    return (f"user {username or f'{site}-{kiosk}'}\n"
            f"topic write {base}/events/#\ntopic write {base}/status\n"
            f"topic write {base}/reply\ntopic read {base}/cmd/#\n"
            f"topic read {prefix}/{site}/site/#\n")
