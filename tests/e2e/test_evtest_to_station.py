"""End to end: evtest captures of a badge and three tools, through the real decoder, the
real classifier and the station, into a real SQLite file, with gpiozero mock pins.

The captures in tests/fixtures/e2e are in the text format `evtest` prints, one HID report per
millisecond, as a badge reader and a tool scanner set to the US layout send them.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from gpiozero.pins.mock import MockFactory, MockPin

from drivers.evtest import read_capture
from drivers.keymap import KeyDecoder
from kiosk import bootstrap
from kiosk.scanning import to_scan
from tests.station.conftest import station_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "e2e"
TOOLS = ["HAM-DRL-26000010", "HAM-LAP-26000010", "HAM-TRQ-26000010"]
GREEN = 17


def replay(capture_name: str, device: str, role: str):
    """Feed every event of a capture, at its own timestamps, into a fresh decoder."""
    capture = read_capture(str(FIXTURES / capture_name))
    decoder = KeyDecoder("us")
    decoded = [scan for event in capture.events
               for scan in decoder.feed(event.type, event.code, event.value, event.time)]
    return [to_scan(d, device, role) for d in decoded]


def test_badge_and_three_tools_from_captures_check_out_durably(tmp_path, store, world):
    committed_when_green: list[int] = []

    class CommitCheckingPin(MockPin):
        """Looks at the database from another connection whenever the green LED turns on."""

        def _change_state(self, value):  # noqa: ANN001, ANN202 - gpiozero's signature
            if value and not self.state and self.info.name == f"GPIO{GREEN}":  # rising edge
                with sqlite3.connect(store.path) as other:
                    committed_when_green.append(other.execute(
                        "SELECT count(*) FROM events WHERE type = 'loan.checked_out'"
                    ).fetchone()[0])
            return super()._change_state(value)

    seeded = store.one("SELECT count(*) AS n FROM events WHERE type = 'loan.checked_out'")["n"]
    factory = MockFactory(pin_class=CommitCheckingPin)
    runtime = bootstrap.build(station_settings(tmp_path), "test", pin_factory=factory,
                              store=store)
    try:
        scans = replay("badge-anna.evtest", "usb-RFIDeas-event-kbd", "badge")
        for number in TOOLS:
            scans += replay(f"tool-{number}.evtest", "usb-Honeywell-event-kbd", "tool")
        assert [s.text for s in scans] == ["0004011234", *TOOLS]
        assert all(s.flags == () for s in scans)

        outcomes = []
        for scan in scans:
            classified = runtime.classify(scan)
            outcomes.append(runtime.station.scan(classified))
            runtime.indicator.settle()
        assert [o.tone for o in outcomes] == ["ok", "ok", "ok", "ok"]
        check_loans_recorded(store)
    finally:
        runtime.close()
    # Each green light came after its own loan was committed (visible from outside).
    assert committed_when_green[-3:] == [seeded + 1, seeded + 2, seeded + 3]


def check_loans_recorded(store) -> None:  # noqa: ANN001
    for number in TOOLS:
        row = store.one("SELECT status, holder, due_at FROM assets WHERE number = ?", [number])
        assert row["status"] == "checked_out" and row["holder"] == "E1001" and row["due_at"]
    loans = store.all("SELECT asset, actor, payload FROM events WHERE type = 'loan.checked_out' "
                      "ORDER BY seq")[-3:]   # the seed has loans of its own before these
    assert [e["asset"] for e in loans] == TOOLS
    assert {e["actor"] for e in loans} == {"E1001"}            # employee number, not badge
    assert all("0004011234" not in e["payload"] for e in loans)
    outbox = [json.loads(r["body"]) for r in store.all("SELECT body FROM outbox ORDER BY seq")]
    assert [o["asset"] for o in outbox if o["type"] == "loan.checked_out"][-3:] == TOOLS
