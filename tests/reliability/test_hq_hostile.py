"""Master data sent by HQ is data: hostile names, ids and bytes never raise, escape or inject."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.hostile import hostile_text
from bench.reliability_world import build_station, open_store, seed_crib, settings_for
from kiosk.classify import StoreLookups, classify
from kiosk.hq_sync import handle_command
from kiosk.scans import Scan

FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
TOPIC = "crib/HAM/crib-1/cmd/people"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    config = settings_for(tmp_path_factory.mktemp("hq"))
    db = open_store(config)
    seed_crib(db, config)
    yield db
    db.close()


def _reply(store, payload: bytes) -> dict:
    (topic, reply), = handle_command(store, TOPIC, payload)
    assert topic.endswith("/reply")
    return reply


@FUZZ
@given(command_id=hostile_text(), employee_no=hostile_text(), name=hostile_text(),
       version=st.integers(-3, 2**40))
def test_hostile_people_commands_get_a_reply_and_store_only_clean_text(
        store, command_id, employee_no, name, version) -> None:
    payload = json.dumps({"v": 1, "id": command_id, "items": [
        {"employee_no": employee_no, "name": name, "version": version}]}).encode()
    reply = _reply(store, payload)
    assert reply["status"] in ("applied", "partial", "rejected", "duplicate")
    row = store.one("SELECT name FROM people WHERE employee_no = ?", [employee_no.strip()]) \
        if reply["status"] == "applied" else None
    if row is not None:
        assert row["name"] == name.strip()                       # stored as sent
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in row["name"])
    assert store.one("PRAGMA quick_check") == {"quick_check": "ok"}


@FUZZ
@given(payload=st.binary(max_size=2000))
def test_random_bytes_from_hq_are_rejected_in_words(store, payload) -> None:
    reply = _reply(store, payload)
    assert reply["status"] in ("rejected", "applied", "partial", "duplicate")


def test_a_name_hq_sent_is_shown_as_text(tmp_path) -> None:
    config = settings_for(tmp_path)
    store = open_store(config)
    world = seed_crib(store, config)
    name = "[link=http://evil.example]Boss[/link] $(reboot) '; DROP TABLE people;--"
    reply = _reply(store, json.dumps({"v": 1, "id": "c1", "items": [
        {"employee_no": "W000", "name": name, "version": 5}]}).encode())
    assert reply["status"] == "applied"
    runtime, _ = build_station(config, store)
    outcome = runtime.station.scan(classify(Scan(world.badges[0]), StoreLookups(store), config))
    assert outcome.headline == f"Hello {name}"
    runtime.close()


@pytest.mark.parametrize("field", ["id", "employee_no", "name"])
def test_a_lone_surrogate_from_hq_is_refused_not_raised(store, field) -> None:
    """JSON can escape one ("\\ud800"); SQLite cannot store it. Before the fix the id case
    raised out of handle_command, so the publisher never acknowledged the command and the
    broker redelivered it after every reconnect."""
    message = {"v": 1, "id": f"sur-{field}", "items": [
        {"employee_no": "E777", "name": "Eve", "version": 1}]}
    if field == "id":
        message["id"] = "\ud800"
    else:
        message["items"][0][field] = "A\ud800"
    reply = _reply(store, json.dumps(message).encode())
    assert reply["status"] == "rejected"
    assert "not text" in json.dumps(reply["errors"])
