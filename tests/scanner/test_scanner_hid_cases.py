"""Every capture in tests/fixtures/hid/ decodes to the result cases.json expects."""

from __future__ import annotations

import json

import pytest
from scanner_helpers import HID

from drivers.evtest import merge_by_time, read_capture
from drivers.framing import Framing
from drivers.keymap import KeyDecoder
from drivers.profiles import parse_profile, parse_terminators
from kiosk.classify import NoLookups, classify
from kiosk.config import Settings
from kiosk.gs1 import parse_gs1
from kiosk.scanning import to_scan

ENTRIES = json.loads((HID / "cases.json").read_text(encoding="utf-8"))["entries"]
BY_FILE = {entry["file"]: entry for entry in ENTRIES}


def framing_of(entry: dict) -> Framing:
    options = entry.get("framing", {})
    terminators, lf = parse_terminators(options.get("terminators", ["enter", "kpenter"]))
    idle = options["idle_ms"] / 1000 if "idle_ms" in options else None
    return Framing(terminators=terminators, lf_terminates=lf, idle_s=idle,
                   abandon_s=options.get("abandon_ms", 1000) / 1000,
                   max_len=options.get("max_len", 4096))


def replay(entries: list[dict]) -> tuple[list[list], list[list[str]]]:
    """Replay one or more node captures merged by timestamp; the capture time is the clock."""
    decoders = [KeyDecoder(e["layout"], parse_profile(_profile(e)), framing_of(e))
                for e in entries]
    captures = [read_capture(str(HID / e["file"])) for e in entries]
    scans: list[list] = [[] for _ in entries]
    last = 0.0
    for index, event in merge_by_time(*(c.events for c in captures)):
        last = event.time
        scans[index] += decoders[index].feed(event.type, event.code, event.value, event.time)
    for index, decoder in enumerate(decoders):
        scans[index] += decoder.poll(last + 2.5)  # README: advance the clock >= 2 s at the end
    return scans, [[d.kind for d in dec.take_diagnostics()] for dec in decoders]


def _profile(entry: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in entry.get("profile", {}).items())


def _group(entry: dict) -> list[dict]:
    return [entry] + [BY_FILE[name] for name in entry.get("merge_with", [])]


def assert_matches(scans: list, expected: list) -> None:
    """Unflagged scans equal the non-null expectations in order; flagged ones only at nulls."""
    assert [s.raw for s in scans if not s.flags] == [e for e in expected if e is not None]
    assert len([s for s in scans if s.flags]) <= expected.count(None)
    for scan, wanted in zip(scans, expected, strict=False):
        assert bool(scan.flags) == (wanted is None), (scan, wanted)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["variant"] for e in ENTRIES])
def test_capture_decodes_as_expected(entry: dict) -> None:
    scans, diagnostics = replay(_group(entry))
    assert_matches(scans[0], entry["expected"])
    for kind in entry.get("expect_diagnostics", []):
        assert kind in diagnostics[0]
    if "flagged_text" in entry:
        assert [s.raw for s in scans[0] if s.flags] == [entry["flagged_text"]]
    if entry.get("expect_flagged") and "flag_reason" in entry and "overflow" not in \
            entry["flag_reason"] and "Alt chord" not in entry["flag_reason"]:
        assert entry["flag_reason"] in " ".join(n for s in scans[0] for n in s.notes)


AIM_ENTRIES = [e for e in ENTRIES if "expect_aim" in e]
GS1_ENTRIES = [e for e in ENTRIES if "expect_gs1" in e]


@pytest.mark.parametrize("entry", AIM_ENTRIES, ids=[e["variant"] for e in AIM_ENTRIES])
def test_aim_identifier_is_split_off(entry: dict) -> None:
    scan = replay([entry])[0][0][0]
    assert (scan.symbology, scan.text) == (entry["expect_aim"], entry["expect_payload"])


@pytest.mark.parametrize("entry", GS1_ENTRIES, ids=[e["variant"] for e in GS1_ENTRIES])
def test_gs1_fields_classified(entry: dict) -> None:
    decoded = replay([entry])[0][0][0]
    classified = classify(to_scan(decoded, role="tool"), NoLookups(), Settings())
    if entry["expect_gs1"] is None:
        assert classified.problem
        return
    assert classified.kind == "gs1"
    assert classified.fields["values"] == entry["expect_gs1"]
    for ai, value in entry.get("expect_gs1_interpreted", {}).items():
        assert classified.fields["interpreted"][ai] == value
    assert parse_gs1(decoded.text).values == entry["expect_gs1"]


def test_alt_chord_flag_names_the_chord() -> None:
    entry = next(e for e in ENTRIES if e["variant"] == "C11c-us")
    (scan,) = replay([entry])[0][0]
    assert scan.flags == ("stray-alt",) and scan.notes == ("Alt chord (RIGHTALT+9)",)


def test_overflow_is_flagged_and_decoder_recovers() -> None:
    entry = next(e for e in ENTRIES if e["variant"] == "C31b")
    flagged, clean = replay([entry])[0][0]
    assert flagged.flags == ("overflow",) and len(flagged.raw) == 4096
    assert flagged.raw.startswith("0123456789") and clean.raw == "9"
