"""What a scan means, against a real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import records
from kiosk.classify import NoLookups, StoreLookups, classify
from kiosk.config import Settings, parse_settings
from kiosk.numbering import Scheme
from kiosk.scans import Scan
from kiosk.store import Store

GS = "\x1d"
BADGE_HEX = "/dev/input/by-id/usb-RFIDeas-hex-event-kbd"


@pytest.fixture
def config(tmp_path: Path) -> Settings:
    return parse_settings({
        "kiosk": {"site": "HAM", "kiosk_id": "crib-1", "data_dir": str(tmp_path)},
        "station": {"label_url": "https://assets.example.com/a/{number}"},
        "scanners": [
            {"name": "badge", "role": "badge", "path": "/dev/input/by-id/usb-RFIDeas-event-kbd"},
            {"name": "hex badge", "role": "badge", "path": BADGE_HEX, "badge_format": "hex"},
            {"name": "tool", "role": "tool", "vendor": "05E0", "product": "1200"},
        ],
    }, source="test")


@pytest.fixture
def world(store: Store, scheme: Scheme) -> dict[str, str]:
    with store.transaction() as db:
        db["categories"].insert({"code": "DRL", "name": "Drills"})
    drill = records.add_asset(store, scheme, name="Drill", category="DRL")
    wrench = records.add_asset(store, scheme, name="Wrench", category="DRL")
    records.add_person(store, employee_no="E1", name="Anna")
    records.add_badge(store, employee_no="E1", raw="0004011234")
    with store.transaction() as db:
        db["aliases"].insert_all([
            {"alias": "(8004)9506000134KIOSK-07", "asset_number": drill, "kind": "giai"},
            {"alias": "(01)09506000134352(21)SN0001", "asset_number": wrench, "kind": "gtin"},
            {"alias": "OLD-4711", "asset_number": wrench, "kind": "legacy"},
        ])
    return {"drill": drill, "wrench": wrench}


def scan(text: str, role: str = "tool", symbology: str | None = None,
         device: str = "05e0:1200", flags: tuple[str, ...] = ()) -> Scan:
    return Scan(text=text, device=device, role=role, symbology=symbology, flags=flags)


def test_inventory_number_with_valid_check_character(store, world, config) -> None:
    result = classify(scan(world["drill"].lower()), StoreLookups(store), config)
    assert (result.kind, result.value, result.problem) == ("asset", world["drill"], None)
    assert result.fields["registered"] is True


def test_inventory_number_with_wrong_check_character(store, world, config) -> None:
    number = world["drill"]
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    result = classify(scan(wrong), StoreLookups(store), config)
    assert result.kind == "asset" and "check character" in result.problem


def test_alias_resolves_to_the_asset(store, world, config) -> None:
    result = classify(scan("OLD-4711"), StoreLookups(store), config)
    assert (result.kind, result.value) == ("asset", world["wrench"])


def test_giai_resolves_through_aliases(store, world, config) -> None:
    result = classify(scan("414950600013437680049506000134KIOSK-07", symbology="]C1"),
                      StoreLookups(store), config)
    assert (result.kind, result.value) == ("gs1", world["drill"])
    assert result.fields["values"] == {"414": "9506000134376", "8004": "9506000134KIOSK-07"}


def test_gtin_plus_serial_resolves_through_aliases(store, world, config) -> None:
    text = f"01095060001343521725123110ABC123{GS}21SN0001"
    result = classify(scan(text, symbology="]d2"), StoreLookups(store), config)
    assert (result.kind, result.value, result.problem) == ("gs1", world["wrench"], None)
    assert result.fields["interpreted"] == {"17": "2025-12-31"}


def test_gs1_without_aim_is_recognised_by_its_separator(config) -> None:
    result = classify(scan(f"10ABC{GS}21X1"), NoLookups(), config)
    assert result.kind == "gs1" and result.fields["values"] == {"10": "ABC", "21": "X1"}


@pytest.mark.parametrize(("text", "problem"), [
    ("0109506000134353", "check digit wrong in AI 01"),
    ("0109506000134352172502301", "not a valid GS1 code"),   # 30 February
    ("01095060001343521725020010AB#C", "characters GS1 does not allow"),
])
def test_gs1_problems_are_explained(config, text: str, problem: str) -> None:
    result = classify(scan(text, symbology="]C1"), NoLookups(), config)
    assert result.kind == "gs1" and problem in result.problem


def test_gs1_date_with_day_00_is_last_day_of_month(config) -> None:
    result = classify(scan("010950600013435217240200", symbology="]C1"), NoLookups(), config)
    assert result.fields["interpreted"]["17"] == "2024-02-29" and result.problem is None


def test_ean13_by_symbology_and_bare(config) -> None:
    for text, symbology in (("4006381333931", "]E0"), ("4006381333931", None)):
        result = classify(scan(text, symbology=symbology), NoLookups(), config)
        assert result.kind == "gs1" and result.fields["values"] == {"01": "04006381333931"}


def test_our_label_url(store, world, config) -> None:
    result = classify(scan(f"https://assets.example.com/a/{world['drill']}"),
                      StoreLookups(store), config)
    assert (result.kind, result.value, result.fields["registered"]) == (
        "url", world["drill"], True)


def test_foreign_url_is_unknown(config) -> None:
    result = classify(scan("https://evil.example.net/a/HAM-DRL-2600001"), NoLookups(), config)
    assert result.kind == "unknown" and "not one of our labels" in result.problem


def test_iso15434_format_06(store, world, config) -> None:
    text = f"[)>\x1e06{GS}1PABC-123{GS}SOLD-4711{GS}Q2\x1e\x04"
    result = classify(scan(text), StoreLookups(store), config)
    assert result.kind == "iso15434" and result.value == world["wrench"]
    assert result.fields["values"] == {"1P": "ABC-123", "S": "OLD-4711", "Q": "2"}


def test_badge_reader_scans_are_badges_normalized_per_reader(store, world, config) -> None:
    result = classify(scan("0004011234", role="badge",
                           device="/dev/input/by-id/usb-RFIDeas-event-kbd"),
                      StoreLookups(store), config)
    assert (result.kind, result.value, result.fields["registered"]) == ("badge", "4011234", True)
    hex_form = classify(scan("3D34E2", role="badge", device=BADGE_HEX), StoreLookups(store),
                        config)
    assert (hex_form.value, hex_form.fields["registered"]) == ("4011234", True)
    bad = classify(scan("XYZ!", role="badge", device=BADGE_HEX), StoreLookups(store), config)
    assert bad.kind == "badge" and "badge_format" in bad.problem


def test_any_reader_recognises_registered_badges_only(store, world, config) -> None:
    assert classify(scan("4011234", role="any"), StoreLookups(store), config).kind == "badge"
    assert classify(scan("4011235", role="any"), StoreLookups(store), config).kind == "unknown"
    assert classify(scan("4011234", role="tool"), StoreLookups(store), config).kind == "unknown"


def test_flagged_scan_is_never_guessed_at(store, world, config) -> None:
    result = classify(scan(world["drill"], flags=("unknown-key",)), StoreLookups(store), config)
    assert result.kind == "unknown" and "scan again" in result.problem


def test_empty_and_unknown(config) -> None:
    assert classify(scan(""), NoLookups(), config).problem == "empty scan"
    assert classify(scan("hello world"), NoLookups(), config).kind == "unknown"


def test_lookups_use_parameters_not_sql_text(store, world, config) -> None:
    result = classify(scan("x' OR '1'='1"), StoreLookups(store), config)
    assert result.kind == "unknown"


def test_registered_old_label_need_not_fit_the_scheme(store, world, config) -> None:
    with store.transaction() as db:
        db["assets"].insert({"number": "WERK-0815", "name": "Old drill", "category": "DRL",
                             "status": "available"})
    result = classify(scan("WERK-0815"), StoreLookups(store), config)
    assert (result.kind, result.value, result.fields["registered"]) == ("asset", "WERK-0815",
                                                                         True)
    assert classify(scan("WERK-0816"), StoreLookups(store), config).kind == "unknown"
