"""Schema, created and upgraded by sqlite-utils' built-in `Migrations`.

Every migration has an explicit, numbered name: renaming one would re-run it.
Append new migrations at the end; never edit one that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("kiosk")


@migrations(name="0001_master_data")
def _master_data(db: Database) -> None:
    db["locations"].create({"code": str, "name": str, "parent": str, "version": int,
                            "updated_at": str}, pk="code", not_null={"name"}, defaults={
                                "version": 0})
    db["locations"].create_index(["name"], unique=True)
    db["categories"].create({
        "code": str, "name": str, "loan_days": int, "qualification": str,
        "inspection_interval_days": int, "useful_life_years": int, "free_to_leave": int,
        "version": int, "updated_at": str,
    }, pk="code", defaults={"loan_days": 7, "free_to_leave": 0, "version": 0})
    db["people"].create({
        "employee_no": str, "name": str, "department": str, "email": str, "active": int,
        "attendant": int, "pin_hash": str, "item_limit": int, "version": int, "updated_at": str,
    }, pk="employee_no", not_null={"name"}, defaults={"active": 1, "attendant": 0, "version": 0})
    db["badges"].create({
        "normalized": str, "raw": str, "employee_no": str, "blocked": int, "valid_until": str,
        "version": int, "updated_at": str,
    }, pk="normalized", foreign_keys=[("employee_no", "people", "employee_no")],
        defaults={"blocked": 0, "version": 0})
    db["badges"].create_index(["employee_no"])
    db["assets"].create({
        "number": str, "name": str, "category": str, "manufacturer": str, "model": str,
        "serial": str, "home_location": str, "current_location": str, "status": str,
        "holder": str, "due_at": str, "next_inspection_due": str, "free_to_leave": int,
        "purchase_date": str, "purchase_cost": float, "notes": str, "version": int,
        "updated_at": str,
    }, pk="number", not_null={"name", "status"}, defaults={
        "status": "available", "free_to_leave": 0, "version": 0},
        foreign_keys=[("category", "categories", "code"), ("holder", "people", "employee_no")])
    db["assets"].create_index(["holder"])
    db["assets"].create_index(["status"])
    db["aliases"].create({"alias": str, "asset_number": str, "kind": str}, pk="alias",
                         foreign_keys=[("asset_number", "assets", "number")])
    db["aliases"].create_index(["asset_number"])
    db["qualifications"].create({"employee_no": str, "kind": str, "valid_until": str,
                                 "version": int}, pk=("employee_no", "kind"),
                                foreign_keys=[("employee_no", "people", "employee_no")],
                                defaults={"version": 0})
    db["documents"].create({"asset_number": str, "sha256": str, "kind": str, "filename": str,
                            "media_type": str, "size": int, "added_at": str},
                           pk=("asset_number", "sha256"),
                           foreign_keys=[("asset_number", "assets", "number")])


@migrations(name="0002_events_outbox_counters")
def _events(db: Database) -> None:
    # Events are append-only: triggers refuse UPDATE and DELETE.
    db["events"].create({
        "id": str, "seq": int, "site": str, "kiosk": str, "type": str, "at": str,
        "clock_synced": int, "actor": str, "asset": str, "payload": str,
    }, pk="id", not_null={"seq", "site", "kiosk", "type", "at", "payload"})
    db["events"].create_index(["kiosk", "seq"], unique=True)
    db["events"].create_index(["asset", "seq"])
    db.execute("CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
               "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END")
    db.execute("CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
               "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END")
    # The outbox is the publisher's queue: a row is deleted only after the broker's PUBACK.
    db["outbox"].create({"event_id": str, "seq": int, "topic": str, "body": str,
                         "created_at": str}, pk="event_id", not_null={"seq", "topic", "body"},
                        foreign_keys=[("event_id", "events", "id")])
    db["outbox"].create_index(["seq"])
    db["counters"].create({"scope": str, "value": int}, pk="scope", not_null={"value"})


@migrations(name="0030_print_jobs")
def _print_jobs(db: Database) -> None:
    # Receipts and labels waiting for, or done by, the printer. `ops` is the job as
    # JSON print operations, so a reprint produces the same bytes.
    db["print_jobs"].create({
        "id": int, "kind": str, "title": str, "ops": str, "media": str, "status": str,
        "attempts": int, "error": str, "created_at": str, "updated_at": str,
        "next_attempt_at": str, "printed_at": str, "reprint_of": int,
    }, pk="id", not_null={"kind", "ops", "status", "created_at"},
        defaults={"status": "pending", "attempts": 0})
    db["print_jobs"].create_index(["status", "next_attempt_at"])


@migrations(name="0040_hq_link")
def _hq_link(db: Database) -> None:
    # Commands from headquarters already handled, with the reply sent: a redelivered command
    # (QoS 1 after a crash) gets the same reply and is not applied twice.
    db["hq_commands"].create({"id": str, "topic": str, "kind": str, "received_at": str,
                              "status": str, "reply": str}, pk="id", not_null={"reply"})
    # Badges on the site-wide blocked list, including ones this kiosk has never seen.
    db["blocked_badges"].create({"normalized": str, "list_version": int}, pk="normalized")
    # Versions of whole-list master data and the publisher's bookkeeping.
    db["sync_state"].create({"name": str, "version": int, "value": str, "updated_at": str},
                            pk="name")
