"""Headquarters -> kiosk: master data on command topics, applied idempotently by version.

Topics (the kiosk subscribes to both):
  {prefix}/{site}/{kiosk}/cmd/{kind}   commands for this kiosk
  {prefix}/{site}/site/{kind}          site-wide, e.g. the retained blocked-badge list
Replies go to {prefix}/{site}/{kiosk}/reply.

Every row carries a `version`; a row is written only when its version is newer than the stored
one, so a late or repeated message never overwrites newer data. A command id seen before gets
its first reply again and changes nothing. Everything HQ sends is data: checked field by field,
written with parameterized SQL, and control characters are refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from kiosk.badges import normalize_badge
from kiosk.clock import iso
from kiosk.store import ENVELOPE_VERSION, Store

COMMAND_VERSION = 1
MAX_TEXT = 200
MAX_ITEMS = 10000
MAX_RESEND = 100000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class CommandError(ValueError):
    """A command or one of its items is malformed; the text goes back to HQ in the reply."""


@dataclass(frozen=True)
class TableSpec:
    table: str
    key: tuple[str, ...]
    fields: dict[str, type]
    required: tuple[str, ...] = ()


MASTER_DATA: dict[str, TableSpec] = {
    "people": TableSpec("people", ("employee_no",), {
        "name": str, "department": str, "email": str, "active": bool, "attendant": bool,
        "item_limit": int}, ("name",)),
    "badges": TableSpec("badges", ("normalized",), {"employee_no": str, "valid_until": str},
                        ("employee_no",)),
    "assets": TableSpec("assets", ("number",), {
        "name": str, "category": str, "manufacturer": str, "model": str, "serial": str,
        "home_location": str, "next_inspection_due": str, "free_to_leave": bool,
        "notes": str}, ("name",)),
    "qualifications": TableSpec("qualifications", ("employee_no", "kind"),
                                {"valid_until": str}),
    "categories": TableSpec("categories", ("code",), {
        "name": str, "loan_days": int, "qualification": str, "inspection_interval_days": int,
        "useful_life_years": int, "free_to_leave": bool}, ("name",)),
}
KINDS = (*MASTER_DATA, "blocked-badges", "resend")


def command_topics(prefix: str, site: str, kiosk: str) -> list[tuple[str, int]]:
    return [(f"{prefix}/{site}/{kiosk}/cmd/+", 1), (f"{prefix}/{site}/site/+", 1)]


def reply_topic(prefix: str, site: str, kiosk: str) -> str:
    return f"{prefix}/{site}/{kiosk}/reply"


def handle_command(store: Store, topic: str, payload: bytes) -> list[tuple[str, dict[str, Any]]]:
    """Apply one HQ message; returns the reply to publish. Never raises on bad input."""
    ident = store.identity
    reply = {"v": COMMAND_VERSION, "site": ident.site, "kiosk": ident.kiosk, "command": None,
             "kind": topic.rsplit("/", 1)[-1], "status": "rejected", "applied": 0,
             "unchanged": 0, "stale": 0, "errors": []}
    try:
        message = _parse(payload)
        reply["command"] = message["id"]
        reply = _apply_once(store, topic, reply["kind"], message, reply)
    except CommandError as exc:
        reply["errors"] = [{"item": None, "error": str(exc)}]
    reply["at"] = iso(store.clock.now())
    return [(reply_topic(ident.topic_prefix, ident.site, ident.kiosk), reply)]


def _parse(payload: bytes) -> dict[str, Any]:
    try:
        message = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"not valid JSON: {exc}") from None
    if not isinstance(message, dict):
        raise CommandError("a command must be a JSON object")
    if message.get("v") != COMMAND_VERSION:
        raise CommandError(f"unsupported command version {message.get('v')!r}; expected 1")
    message["id"] = _text(message.get("id"), "id", limit=64)
    return message


def _apply_once(store: Store, topic: str, kind: str, message: dict[str, Any],
                reply: dict[str, Any]) -> dict[str, Any]:
    if kind not in KINDS:
        raise CommandError(f"unknown command kind {kind!r}; known: {', '.join(KINDS)}")
    with store.transaction():
        seen = store.one("SELECT reply FROM hq_commands WHERE id = ?", [message["id"]])
        if seen is not None:
            return {**json.loads(seen["reply"]), "status": "duplicate"}
        if kind == "resend":
            reply.update(_resend(store, message))
        elif kind == "blocked-badges":
            reply.update(_blocked_list(store, message))
        else:
            reply.update(_master_data(store, MASTER_DATA[kind], message))
        store.db.execute("INSERT INTO hq_commands(id, topic, kind, received_at, status, reply) "
                         "VALUES (?,?,?,?,?,?)",
                         [message["id"], topic, kind, iso(store.clock.now()), reply["status"],
                          json.dumps(reply, ensure_ascii=False)])
    return reply


def _master_data(store: Store, spec: TableSpec, message: dict[str, Any]) -> dict[str, Any]:
    items = message.get("items")
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise CommandError(f"'items' must be a list of at most {MAX_ITEMS} objects")
    counts = {"applied": 0, "unchanged": 0, "stale": 0}
    errors, keys = [], []
    for index, item in enumerate(items):
        store.db.execute("SAVEPOINT item")
        try:
            outcome, key = _upsert(store, spec, item)
            store.db.execute("RELEASE item")
        except (CommandError, ValueError, OverflowError) as exc:
            store.db.execute("ROLLBACK TO item")
            store.db.execute("RELEASE item")
            errors.append({"item": index, "error": str(exc)})
            continue
        except Exception as exc:  # sqlite3 errors: a foreign key, a constraint
            store.db.execute("ROLLBACK TO item")
            store.db.execute("RELEASE item")
            errors.append({"item": index, "error": f"cannot store it: {exc}"})
            continue
        counts[outcome] += 1
        if outcome == "applied" and spec.table != "badges":  # badge numbers stay local
            keys.append("/".join(key))
    status = "rejected" if errors and not any(counts.values()) else (
        "partial" if errors else "applied")
    if counts["applied"]:
        store.record(f"master.{spec.table}.applied", {
            "command": message["id"], "applied": counts["applied"], "keys": keys[:100],
            "stale": counts["stale"], "errors": len(errors)})
    return {**counts, "errors": errors[:50], "status": status}


def _upsert(store: Store, spec: TableSpec, item: Any) -> tuple[str, tuple[str, ...]]:
    if not isinstance(item, dict):
        raise CommandError("each item must be an object")
    unknown = set(item) - set(spec.key) - set(spec.fields) - {"version"}
    if unknown:
        raise CommandError(f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    version = item.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise CommandError("'version' must be a whole number >= 1")
    key = tuple(_text(item.get(k), k, limit=64) for k in spec.key)
    if spec.table == "badges":
        key = (normalize_badge(key[0], "decimal"),)
    row = {k: _field(item[k], k, spec.fields[k]) for k in spec.fields if k in item}
    where = " AND ".join(f"{k} = ?" for k in spec.key)
    current = store.one(f"SELECT version FROM {spec.table} WHERE {where}", key)
    if current is not None and (current["version"] or 0) >= version:
        return ("unchanged" if current["version"] == version else "stale"), key
    missing = [k for k in spec.required if k not in row]
    if current is None and missing:
        raise CommandError(f"new {spec.table} row needs {', '.join(missing)}")
    row.update(dict(zip(spec.key, key, strict=True)), version=version,
               updated_at=iso(store.clock.now()))
    if spec.table == "qualifications":
        row.pop("updated_at")
    if spec.table == "badges" and current is None:
        row["raw"] = key[0]
    if current is None:
        store.db[spec.table].insert(row)
    else:
        store.db[spec.table].update(key if len(key) > 1 else key[0], row)
    return "applied", key


def _blocked_list(store: Store, message: dict[str, Any]) -> dict[str, Any]:
    version = message.get("version")
    badges = message.get("badges")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise CommandError("'version' must be a whole number >= 1")
    if not isinstance(badges, list) or len(badges) > MAX_ITEMS:
        raise CommandError(f"'badges' must be a list of at most {MAX_ITEMS} badge numbers")
    current = store.one("SELECT version FROM sync_state WHERE name = 'blocked-badges'")
    if current is not None and current["version"] >= version:
        outcome = "unchanged" if current["version"] == version else "stale"
        return {outcome: 1, "status": "applied"}
    numbers = sorted({normalize_badge(_text(b, "badge", limit=64), "decimal") for b in badges})
    store.db.execute("DELETE FROM blocked_badges")
    store.db.conn.executemany("INSERT INTO blocked_badges(normalized, list_version) VALUES (?, ?)",
                         [(n, version) for n in numbers])
    store.db.execute("UPDATE badges SET blocked = (normalized IN "
                     "(SELECT normalized FROM blocked_badges))")
    store.db.execute("INSERT INTO sync_state(name, version, updated_at) VALUES "
                     "('blocked-badges', ?, ?) ON CONFLICT(name) DO UPDATE SET "
                     "version = excluded.version, updated_at = excluded.updated_at",
                     [version, iso(store.clock.now())])
    store.record("badges.blocked_list_applied", {"command": message["id"], "version": version,
                                                 "count": len(numbers)})
    return {"applied": 1, "status": "applied"}


def _resend(store: Store, message: dict[str, Any]) -> dict[str, Any]:
    """Queue stored events again (HQ found a gap, e.g. after a broker crash)."""
    first, last = message.get("from_seq"), message.get("to_seq")
    if not all(isinstance(x, int) and not isinstance(x, bool) and x >= 1 for x in (first, last)) \
            or last < first or last - first >= MAX_RESEND:
        raise CommandError(f"'from_seq' and 'to_seq' must be whole numbers >= 1, "
                           f"from <= to, at most {MAX_RESEND} apart")
    ident = store.identity
    rows = store.all("SELECT * FROM events WHERE kiosk = ? AND seq BETWEEN ? AND ?",
                     [ident.kiosk, first, last])
    for row in rows:
        body = envelope_of(row)
        store.db.execute("INSERT OR IGNORE INTO outbox(seq, event_id, topic, body, created_at) "
                         "VALUES (?,?,?,?,?)", [row["seq"], row["id"],
                                                store.topic_for(row["type"]), body, row["at"]])
    return {"applied": len(rows), "status": "applied"}


def envelope_of(row: dict[str, Any]) -> str:
    """The published JSON of a stored event, byte for byte as Store.record() wrote it."""
    event = {"v": ENVELOPE_VERSION, "id": row["id"], "kiosk": row["kiosk"], "site": row["site"],
             "seq": row["seq"], "type": row["type"], "at": row["at"],
             "clock_synced": bool(row["clock_synced"]), "actor": row["actor"],
             "asset": row["asset"], "payload": json.loads(row["payload"])}
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def badge_blocked(store: Store, normalized: str) -> bool:
    """True when the badge is on the blocked list or flagged blocked; checked on every scan."""
    row = store.one("SELECT 1 FROM blocked_badges WHERE normalized = ? UNION ALL "
                    "SELECT 1 FROM badges WHERE normalized = ? AND blocked = 1",
                    [normalized, normalized])
    return row is not None


def _text(value: Any, name: str, *, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CommandError(f"'{name}' must be non-empty text")
    if len(value) > limit:
        raise CommandError(f"'{name}' is longer than {limit} characters")
    if _CONTROL.search(value):
        raise CommandError(f"'{name}' contains control characters")
    if _SURROGATE.search(value):  # JSON may escape them ("\ud800"); SQLite cannot store them
        raise CommandError(f"'{name}' contains characters that are not text")
    return value.strip()


def _field(value: Any, name: str, kind: type) -> Any:
    if value is None:
        return None
    if kind is str:
        return _text(value, name)
    if kind is bool:
        if not isinstance(value, bool):
            raise CommandError(f"'{name}' must be true or false")
        return int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not -10**9 < value < 10**9:
        raise CommandError(f"'{name}' must be a whole number")
    return value
