"""Gate (badge + tool in either order) and unattended returns."""

from __future__ import annotations

from tests.station.conftest import ANNA, JIRI, OGAKI, asset_row, badge, events, pin_history, tool

RELAY = 23  # active-low in the test settings: high = relay off


def test_gate_opens_for_the_holder_in_either_order(make_runtime, store, world, mock_factory):
    runtime = make_runtime("gate")
    station, tablet = runtime.station, world["assets"][7]     # out to Ōgaki
    # The mock pin starts as an undriven input (False); it is driven high (= off) at once.
    assert pin_history(mock_factory, RELAY) == [False, True]
    assert station.scan(badge(OGAKI)).headline == "Hello Ōgaki Hiroshi"
    allowed = station.scan(tool(tablet))
    assert (allowed.headline, allowed.relay) == ("Go ahead", True)
    runtime.indicator.settle()
    assert pin_history(mock_factory, RELAY) == [False, True, False, True]  # one pulse, safe
    station.touch("cancel")
    assert station.scan(tool(tablet)).headline == "Now scan your badge"
    assert station.scan(badge(OGAKI)).headline == "Go ahead"
    assert [e["actor"] for e in events(store, "gate.allowed")] == ["E1003", "E1003"]


def test_gate_stops_a_tool_that_is_not_yours(make_runtime, store, world, mock_factory):
    runtime = make_runtime("gate")
    station = runtime.station
    station.scan(badge(ANNA))
    stop = station.scan(tool(world["assets"][7]))
    assert (stop.code, stop.relay, stop.signal) == ("gate-not-yours", False, "deny")
    assert pin_history(mock_factory, RELAY) == [False, True]
    denied = events(store, "gate.denied")[-1]
    assert (denied["actor"], denied["payload"]["code"]) == ("E1001", "gate-not-yours")
    assert station.scan(badge("999")).code == "person-unknown"
    assert events(store, "gate.denied")[-1]["actor"] is None


def test_gate_department_rule_and_free_to_leave(make_runtime, store, world):
    grinder = world["assets"][6]                                # out to Jiří (Assembly)
    store.db.execute("UPDATE people SET department = 'Assembly' WHERE employee_no = 'E1003'")
    first = make_runtime("gate")
    first.station.scan(badge(OGAKI))
    assert first.station.scan(tool(grinder)).code == "gate-not-yours"
    first.indicator.close()                                     # frees the pins
    lenient = make_runtime("gate", gate_allows_department=True).station
    lenient.scan(badge(OGAKI))
    assert lenient.scan(tool(grinder)).headline == "Go ahead"
    store.db.execute("UPDATE categories SET free_to_leave = 1 WHERE code = 'LAP'")
    assert lenient.scan(tool(world["assets"][4])).headline == "Go ahead"


def test_gate_window_expires(make_runtime, clock, world):
    station = make_runtime("gate", gate_window_s=10).station
    station.scan(tool(world["assets"][7]))
    clock.advance(seconds=11)
    assert station.tick().headline == "Time is up"
    assert station.scan(badge(OGAKI)).headline == "Hello Ōgaki Hiroshi"


def test_gate_screen_shows_only_the_person_at_the_gate(make_runtime, clock, world):
    """The next person must not see the previous person's tools and decisions."""
    station = make_runtime("gate", gate_window_s=10).station
    grinder = world["assets"][6]                                # out to Jiří
    station.scan(badge(JIRI))
    station.scan(tool(grinder))
    assert [line.state for line in station.view().lines] == ["may leave"]
    clock.advance(seconds=11)
    station.tick()                                              # "Time is up"
    assert station.view().lines == ()
    station.scan(badge(OGAKI))
    station.scan(tool(grinder))
    [only] = station.view().lines
    assert only.state.startswith("This tool is not checked out to you")
    station.scan(badge(ANNA))                                   # someone else, same window
    assert station.view().lines == ()


def test_returns_mark_awaiting_inspection_with_one_receipt_per_batch(make_runtime, store, world):
    runtime = make_runtime("returns")
    station = runtime.station
    grinder, tablet = world["assets"][6], world["assets"][7]
    assert station.scan(tool(grinder)).headline == "Returned"
    row = asset_row(store, grinder)
    assert (row["status"], row["holder"], row["current_location"]) == (
        "awaiting_inspection", None, "CRIB")
    returned = events(store, "loan.returned")[-1]
    assert (returned["actor"], returned["payload"]["via"]) == ("E1002", "returns")
    station.scan(tool(tablet))
    assert station.touch("damaged").headline == "Marked damaged"
    assert asset_row(store, tablet)["status"] == "maintenance"
    assert station.scan(tool(grinder)).headline == "Already returned"
    assert station.scan(tool("NOPE-1")).code == "asset-unknown"
    outcome = station.touch("done")
    assert [i.action for i in outcome.receipt.items] == ["returned", "returned-damaged"]
    assert len(list(runtime.prints_dir.glob("receipt-*.txt"))) == 1
    batch = events(store, "returns.batch_closed")[-1]["payload"]
    assert (batch["returned"], batch["damaged"], batch["refused"]) == (
        [grinder, tablet], [tablet], 1)
    assert station.view().phase == "idle"


def test_returns_batch_closes_when_idle_and_badges_are_not_needed(make_runtime, clock, world):
    station = make_runtime("returns", session_idle_s=30).station
    assert station.scan(badge(JIRI)).headline == "No badge needed"
    station.scan(tool(world["assets"][6]))
    clock.advance(seconds=31)
    assert station.tick().receipt is not None
