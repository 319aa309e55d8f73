"""S1/S2: hostile key streams, scans, CSV names and UI input never crash, escape or inject."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.hostile import ESCAPES, hostile_samples, hostile_text, shown_is_safe
from bench.reliability_world import (
    build_station,
    classify_scan,
    open_store,
    seed_crib,
    settings_for,
)
from drivers.keycodes import EV_KEY, EV_MSC, EV_SYN, SYN_DROPPED, SYN_REPORT
from drivers.keymap import KeyDecoder
from kiosk.classify import StoreLookups, classify
from kiosk.csv_import import import_file
from kiosk.errors import KioskError
from kiosk.scans import Scan
from kiosk.text import visible

FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def crib(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("hostile")
    config = settings_for(folder)
    store = open_store(config)
    world = seed_crib(store, config)
    runtime, _ = build_station(config, store)
    yield config, store, runtime, world
    runtime.close()


def _texts_of(outcome, view) -> list[str]:
    texts = [outcome.headline, outcome.detail, *outcome.warnings, view.prompt, view.person]
    texts += [part for line in view.lines for part in (line.number, line.name, line.state)]
    return texts + list(view.report)


def _check_station(crib, scan: Scan) -> None:
    config, store, runtime, _ = crib
    classified = classify(scan, StoreLookups(store), config)
    before = store.one("SELECT COUNT(*) AS n FROM events")["n"]
    outcome = runtime.station.scan(classified)
    # "system-error" is the station's net for an unexpected exception: a crash in disguise.
    assert outcome.code != "system-error", (scan.text[:80], outcome)
    assert outcome.signal != "accept" or classified.kind in ("badge", "asset")
    for text in _texts_of(outcome, runtime.station.view()):
        assert shown_is_safe(visible(text))
    after = store.one("SELECT COUNT(*) AS n FROM events")["n"]
    assert after - before <= 2   # one decision, at most one closed session


key_event = st.one_of(
    st.tuples(st.just(EV_KEY), st.integers(0, 0x2ff), st.sampled_from([0, 1, 1, 2])),
    st.tuples(st.just(EV_SYN), st.sampled_from([SYN_REPORT, SYN_REPORT, SYN_DROPPED]),
              st.just(0)),
    st.tuples(st.just(EV_MSC), st.just(4), st.integers(0, 0xFFFFFFFF)),
    st.tuples(st.integers(0, 31), st.integers(0, 0xffff), st.integers(-(2**31), 2**31 - 1)))


@FUZZ
@given(events=st.lists(key_event, max_size=400), role=st.sampled_from(["any", "tool", "badge"]))
def test_random_key_streams_never_break_decoder_or_station(crib, events, role) -> None:
    decoder, now, scans = KeyDecoder(), 0.0, []
    for type_, code, value in events:
        scans += decoder.feed(type_, code, value, now)
        now += 0.004
    scans += decoder.poll(now + 5)
    config, store, _, _ = crib
    for decoded in scans:
        scan = classify_scan(decoded, store, config)
        _check_station(crib, Scan(scan.scan.text, role=role, flags=scan.scan.flags,
                                  symbology=scan.scan.symbology))


@FUZZ
@given(text=hostile_text(), role=st.sampled_from(["any", "tool", "badge"]))
def test_hostile_scan_text_is_refused_or_handled_never_crashes(crib, text, role) -> None:
    _check_station(crib, Scan(text, role=role))


def test_every_known_payload_after_a_badge(crib) -> None:
    """Inside an open session refusals are listed on screen: each must stay data."""
    _, _, runtime, world = crib
    for payload in hostile_samples(120, seed=3):
        _check_station(crib, Scan(world.badges[0]))
        _check_station(crib, Scan(payload))
    assert runtime.station.view().phase == "session"


def _utf8(text: str) -> bool:
    """A CSV file is UTF-8 bytes: lone surrogates cannot be in one."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


@FUZZ
@given(name=hostile_text().filter(lambda s: s.strip() and len(s) < 2000 and _utf8(s)),
       number=hostile_text().filter(lambda s: 0 < len(s) < 60 and _utf8(s)))
def test_csv_names_and_numbers_stay_data(tmp_path_factory, name, number) -> None:
    folder = tmp_path_factory.mktemp("csv")
    store = open_store(settings_for(folder))
    path = folder / "people.csv"
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([["employee_no", "name"], [number, name]])
        try:
            import_file(store, "people", path, apply=True)
            refusal = ""
        except KioskError as problem:
            refusal = str(problem)
        assert refusal or store.one("SELECT COUNT(*) AS n FROM people")["n"] <= 1
        rows = store.all("SELECT employee_no, name FROM people")
        tables = {r["name"] for r in store.all("SELECT name FROM sqlite_master")}
        assert {"people", "events", "outbox", "assets"} <= tables
        assert len(rows) <= 1
        for row in rows:   # stored as typed: never interpreted as SQL or shell
            assert row["name"].strip() in name or name.strip() in row["name"]
        assert store.one("PRAGMA integrity_check") == {"integrity_check": "ok"}
    finally:
        store.close()


def test_sql_metacharacters_in_a_badge_and_a_name_are_plain_values(tmp_path: Path) -> None:
    config = settings_for(tmp_path)
    store = open_store(config)
    evil = "Robert'); DROP TABLE people;--"
    world = seed_crib(store, config, names={"W000": evil})
    runtime, _ = build_station(config, store)
    outcome = runtime.station.scan(classify(Scan(world.badges[0]), StoreLookups(store), config))
    assert outcome.headline == f"Hello {evil}"
    outcome = runtime.station.scan(classify(Scan("1' OR '1'='1"), StoreLookups(store), config))
    assert outcome.signal == "deny"
    assert store.one("SELECT COUNT(*) AS n FROM people")["n"] > 1
    runtime.close()


def test_escape_payload_list_covers_osc_csi_dcs_and_c1() -> None:
    raws = b"".join(raw for _, raw in ESCAPES)
    for introducer in (b"\x1b]", b"\x1b[", b"\x1bP", b"\xc2\x9b", b"\xc2\x9d"):
        assert introducer in raws
