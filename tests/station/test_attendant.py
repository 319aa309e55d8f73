"""Attendant mode: badge + PIN, maintenance, labels, stocktake, overrides, due list, reminders."""

from __future__ import annotations

import pytest

from kiosk.demo import DEMO_PIN
from tests.station.conftest import ANNA, JIRI, OGAKI, asset_row, badge, events, tool


@pytest.fixture
def signed_in(make_runtime):
    runtime = make_runtime()
    station = runtime.station
    station.touch("attendant")
    station.scan(badge(ANNA))
    assert station.touch("pin", DEMO_PIN).headline == "Attendant mode"
    return runtime


def test_only_an_attendant_with_the_right_pin_gets_in(make_runtime, store):
    station = make_runtime(pin_attempts=2).station
    station.touch("attendant")
    assert station.scan(badge(OGAKI)).code == "not-attendant"
    assert station.scan(badge(ANNA)).headline == "Hello Anna Müller"
    assert station.view().phase == "pin"
    assert station.touch("pin", "0000").code == "pin-wrong"
    assert station.touch("due") is None                       # nothing works before the PIN
    assert station.touch("pin", "9999").detail.startswith("Too many wrong PINs")
    assert station.view().mode == "crib"                      # thrown back to the station
    types = [e["type"] for e in events(store) if e["type"].startswith("attendant.")]
    assert types == ["attendant.refused", "attendant.pin_failed", "attendant.pin_failed"]


def test_inspect_repair_retire_move(signed_in, store, world):
    station = signed_in.station
    torque = world["assets"][3]                 # inspection overdue
    station.touch("inspect")
    assert station.scan(tool(torque)).tone == "ok"
    assert asset_row(store, torque)["next_inspection_due"] == "2027-06-01"   # +180 days
    station.touch("repair")
    assert station.scan(tool(torque)).code == "attendant-refused"   # not waiting for repair
    store.db.execute("UPDATE assets SET status = 'maintenance' WHERE number = ?", [torque])
    assert station.scan(tool(torque)).tone == "ok"
    assert asset_row(store, torque)["status"] == "available"
    assert station.touch("move", "nowhere").code == "attendant-refused"
    station.touch("move", "van-3")
    station.scan(tool(torque))
    assert asset_row(store, torque)["current_location"] == "VAN-3"
    station.touch("retire")
    station.scan(tool(torque))
    assert asset_row(store, torque)["status"] == "retired"
    types = [e["type"] for e in events(store) if e["asset"] == torque][-4:]
    assert types == ["asset.inspected", "asset.repaired", "asset.moved", "asset.retired"]
    assert {e["actor"] for e in events(store) if e["asset"] == torque and
            e["type"].startswith("asset.") and e["type"] != "asset.registered"} == {"E1001"}


def test_register_and_reprint_print_labels(signed_in, store):
    station = signed_in.station
    outcome = station.touch("register", "DRL Impact driver")
    number = outcome.label.number
    assert number.startswith("HAM-DRL-26") and outcome.label.qr == number
    assert asset_row(store, number)["name"] == "Impact driver"
    assert station.touch("register", "XYZ Something").detail.startswith("unknown category")
    station.touch("reprint")
    assert station.scan(tool(number)).label.reprint is True
    labels = sorted(p.name for p in signed_in.prints_dir.glob("label-*.txt"))
    assert labels == [f"label-{number}-2.txt", f"label-{number}.txt"]
    assert events(store, "label.reprinted")[-1]["asset"] == number


def test_stocktake_reports_missing_misplaced_unexpected(signed_in, store, world):
    station = signed_in.station
    a = world["assets"]
    store.db.execute("UPDATE assets SET current_location = 'SHELF-A' WHERE number IN (?, ?)",
                     [a[0], a[1]])
    station.touch("stocktake", "shelf-a")
    for scanned in (a[0], a[2], a[6], "HAM-ZZZ-999"):
        station.scan(tool(scanned))
    outcome = station.touch("finish")
    assert outcome.detail == "1 missing, 1 misplaced, 2 unexpected"
    report = "\n".join(station.view().report)
    assert a[1] in report and "recorded at CRIB" in report and "recorded as checked out" in report
    payload = events(store, "stocktake.completed")[-1]["payload"]
    assert (payload["missing"], payload["misplaced"]) == ([a[1]], [a[2]])


def test_override_a_refusal_with_a_written_reason(make_runtime, store, world):
    station = make_runtime().station
    station.scan(badge(JIRI))
    assert station.scan(tool(world["assets"][0])).code == "overdue-held"
    station.touch("attendant")
    station.scan(badge(ANNA))
    station.touch("pin", DEMO_PIN)
    assert station.touch("override", "ok").code == "attendant-refused"   # reason too short
    assert station.touch("override", "Urgent line stop, grinder found").tone == "ok"
    row = asset_row(store, world["assets"][0])
    assert (row["status"], row["holder"]) == ("checked_out", "E1002")
    granted = events(store, "override.granted")[-1]
    assert (granted["actor"], granted["payload"]["code"]) == ("E1001", "overdue-held")
    assert granted["payload"]["reason"] == "Urgent line stop, grinder found"
    assert station.touch("override", "again please").code == "attendant-refused"


def test_due_list_and_daily_reminders_once_a_day(signed_in, store, clock, world):
    station = signed_in.station
    station.touch("due")
    report = "\n".join(station.view().report)
    assert "Inspections due (2)" in report and "Overdue loans (1)" in report
    assert "Jiří Kuče (E1002)" in report
    station.tick()
    station.tick()
    assert len(events(store, "reminder.inspection_due")) == 2
    assert [e["actor"] for e in events(store, "reminder.loan_overdue")] == ["E1002"]
    clock.advance(days=1)
    station.tick()
    assert len(events(store, "reminder.loan_overdue")) == 2


def test_leaving_and_closing_the_kiosk(signed_in, store):
    station = signed_in.station
    assert station.touch("quit").quit is True
    assert events(store, "kiosk.closed")[-1]["actor"] == "E1001"
    station.touch("leave")
    assert station.view().mode == "crib"
