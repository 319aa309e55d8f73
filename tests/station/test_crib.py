"""Crib sessions against the demo crib in a real SQLite file, with MockFactory pins."""

from __future__ import annotations

import sqlite3

from gpiozero.pins.mock import MockPin

from kiosk.store import Store
from tests.station.conftest import (
    ANNA,
    BLOCKED,
    JIRI,
    OGAKI,
    asset_row,
    badge,
    events,
    pin_history,
    tool,
)

GREEN, RED = 17, 27


def test_badge_then_tool_checks_out_with_due_date_and_event(make_runtime, store, world):
    station = make_runtime().station
    drill = world["assets"][0]
    assert station.scan(badge(ANNA)).headline == "Hello Anna Müller"
    outcome = station.scan(tool(drill))
    assert (outcome.tone, outcome.headline) == ("ok", "Checked out")
    row = asset_row(store, drill)
    assert (row["status"], row["holder"], row["due_at"]) == (
        "checked_out", "E1001", "2026-12-10T23:59:59.000Z")
    event = events(store, "loan.checked_out")[-1]
    assert (event["actor"], event["asset"]) == ("E1001", drill)
    assert ANNA.lstrip("0") not in str(event)   # the badge number never leaves in an event
    assert store.one("SELECT 1 FROM outbox WHERE event_id = ?", [event["id"]])
    assert station.view().lines[0].state == "out until 2026-12-10"


def test_same_tool_again_in_the_session_undoes(make_runtime, store, world):
    station = make_runtime().station
    drill = world["assets"][0]
    station.scan(badge(ANNA))
    station.scan(tool(drill))
    outcome = station.scan(tool(drill))
    assert outcome.headline == "Undone"
    row = asset_row(store, drill)
    assert (row["status"], row["holder"], row["current_location"]) == ("available", None, "CRIB")
    assert events(store, "loan.undone")[-1]["payload"] == {"undid": "checkout"}
    assert station.view().lines == ()


def test_tool_out_to_this_person_is_returned_and_undo_restores_the_loan(make_runtime, store,
                                                                        world):
    station = make_runtime().station
    tablet = world["assets"][7]             # out to Ōgaki in the demo
    due_before = asset_row(store, tablet)["due_at"]
    station.scan(badge(OGAKI))
    assert station.scan(tool(tablet)).headline == "Returned"
    assert (asset_row(store, tablet)["status"], asset_row(store, tablet)["holder"]) == (
        "available", None)
    station.scan(tool(tablet))
    row = asset_row(store, tablet)
    assert (row["status"], row["holder"], row["due_at"]) == ("checked_out", "E1003", due_before)


def test_refusals_name_the_reason_and_are_recorded(make_runtime, store, world):
    station = make_runtime().station
    a = world["assets"]
    station.scan(badge(ANNA))
    cases = [(a[3], "inspection-overdue"), (a[6], "asset-out-to-other"),
             ("HAM-XXX-0000", "asset-unknown")]
    for number, code in cases:
        outcome = station.scan(tool(number))
        assert (outcome.tone, outcome.code) == ("denied", code)
    station.scan(badge(JIRI))               # holds an overdue grinder
    assert station.scan(tool(a[0])).code == "overdue-held"
    station.scan(badge(OGAKI))
    assert station.scan(tool(a[2])).code == "qualification-missing"
    recorded = [e["payload"]["code"] for e in events(store, "checkout.denied")]
    assert recorded == ["inspection-overdue", "asset-out-to-other", "asset-unknown",
                        "overdue-held", "qualification-missing"]
    assert asset_row(store, a[0])["status"] == "available"


def test_expired_qualification_and_item_limit(make_runtime, store, world):
    station = make_runtime(block_when_overdue=False, item_limit=2).station
    a = world["assets"]
    station.scan(badge(JIRI))               # torque qualification expired 10 days ago
    assert station.scan(tool(a[2])).code == "qualification-expired"
    assert station.scan(tool(a[0])).headline == "Checked out"   # holds 2 now
    assert station.scan(tool(a[1])).code == "over-item-limit"


def test_bad_badges_do_not_open_a_session(make_runtime, store, world):
    station = make_runtime().station
    assert station.scan(badge(BLOCKED)).code == "badge-blocked"
    assert station.scan(badge("12345")).code == "person-unknown"
    assert station.view().phase == "idle"
    assert [e["payload"]["code"] for e in events(store, "session.refused")] == [
        "badge-blocked", "person-unknown"]
    outcome = station.scan(tool(world["assets"][0]))
    assert (outcome.headline, outcome.signal) == ("Scan your badge first", "attention")


def test_done_closes_and_prints_one_receipt(make_runtime, store, world):
    runtime = make_runtime()
    station = runtime.station
    station.scan(badge(ANNA))
    station.scan(tool(world["assets"][0]))
    station.scan(tool(world["assets"][3]))
    outcome = station.touch("done")
    assert outcome.receipt is not None and len(outcome.receipt.items) == 1
    printed = list(runtime.prints_dir.glob("receipt-*.txt"))
    assert len(printed) == 1
    text = printed[0].read_text()
    assert world["assets"][0] in text and "due 2026-12-10" in text and "REFUSED" in text
    assert "Anna Müller (E1001)" in text
    closed = events(store, "session.closed")[-1]
    assert closed["payload"]["transaction_id"] == outcome.receipt.transaction_id
    assert station.view().phase == "idle"


def test_idle_timeout_and_another_badge_close_the_session(make_runtime, store, clock, world):
    runtime = make_runtime(session_idle_s=30)
    station = runtime.station
    station.scan(badge(ANNA))
    station.scan(tool(world["assets"][0]))
    switched = station.scan(badge(OGAKI))
    assert switched.receipt is not None and switched.receipt.employee_no == "E1001"
    assert station.view().person == "Ōgaki Hiroshi"
    station.scan(tool(world["assets"][7]))
    clock.advance(seconds=29)
    assert station.tick() is None
    clock.advance(seconds=1)
    assert station.tick().receipt.employee_no == "E1003"
    assert station.view().phase == "idle"
    assert len(list(runtime.prints_dir.glob("receipt-*.txt"))) == 2


def test_green_led_lights_only_after_the_commit(make_runtime, store, world, mock_factory):
    """A pin class that, when the LED turns on, looks at the database from another
    connection: the loan must already be committed (visible) at that moment."""
    seen: list[int] = []
    path = store.path

    class CommitCheckingPin(MockPin):
        def _change_state(self, value):  # noqa: ANN001, ANN202 - gpiozero's signature
            if value and self.info.name == f"GPIO{GREEN}":
                with sqlite3.connect(path) as other:
                    seen.append(other.execute("SELECT count(*) FROM events WHERE type = "
                                              "'loan.checked_out' AND actor = 'E1001'"
                                              ).fetchone()[0])
            return super()._change_state(value)

    mock_factory.pin_class = CommitCheckingPin
    station = make_runtime().station
    station.scan(badge(ANNA))
    station.scan(tool(world["assets"][0]))
    station.indicator.settle()
    assert seen and seen[-1] == 1
    assert pin_history(mock_factory, GREEN)[:3] == [False, True, False]


def test_a_failed_commit_gives_red_never_green(make_runtime, store, world, mock_factory):
    station = make_runtime().station
    station.scan(badge(ANNA))
    station.indicator.off()                          # end the greeting's blink
    mock_factory.pin(GREEN).clear_states()
    blocker = Store(store.path, store.identity, busy_timeout_ms=100, apply_migrations=False)
    store.db.execute("PRAGMA busy_timeout=100")
    blocker.db.execute("BEGIN IMMEDIATE")            # someone else holds the write lock
    try:
        outcome = station.scan(tool(world["assets"][0]))
    finally:
        blocker.db.execute("ROLLBACK")
        blocker.close()
    assert (outcome.tone, outcome.signal) == ("error", "alarm")
    assert asset_row(store, world["assets"][0])["status"] == "available"
    assert True not in pin_history(mock_factory, GREEN)
    assert True in pin_history(mock_factory, RED)
