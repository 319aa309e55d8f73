"""`kiosk category add/list`, `kiosk location add/list`, and the README quick start."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.commands import open_store
from kiosk.config import load_settings


def kiosk(config_file: Path, *argv: str) -> int:
    return main(["--config", str(config_file), *argv])


def events_of(config_file: Path, kind: str) -> list[dict]:
    store = open_store(load_settings(config_file))
    try:
        return [json.loads(e["payload"]) for e in
                store.all("SELECT payload FROM events WHERE type = ? ORDER BY seq", [kind])]
    finally:
        store.close()


def test_quick_start_on_a_fresh_database(config_file, tmp_path, capsys):
    assert kiosk(config_file, "init") == 0
    assert (tmp_path / "prints").is_dir()  # doctor's printer check needs it
    assert kiosk(config_file, "category", "add", "DRL", "--name", "Cordless drills") == 0
    assert kiosk(config_file, "asset", "add", "--name", "Cordless drill",
                 "--category", "DRL") == 0
    number = capsys.readouterr().out.strip().splitlines()[-1]
    assert number.startswith("HAM-DRL-")
    assert kiosk(config_file, "asset", "show", number) == 0
    assert "Cordless drill" in capsys.readouterr().out


def test_category_add_records_an_event_and_list_shows_it(config_file, capsys):
    assert kiosk(config_file, "category", "add", "ldr", "--name", "Ladders", "--loan-days",
                 "2", "--qualification", "ladder", "--inspection-days", "180",
                 "--useful-life-years", "10", "--free-to-leave") == 0
    [event] = events_of(config_file, "category.added")
    assert event == {"source": "cli", "code": "LDR", "name": "Ladders", "loan_days": 2,
                     "qualification": "ladder", "inspection_interval_days": 180,
                     "useful_life_years": 10, "free_to_leave": 1}
    capsys.readouterr()
    assert kiosk(config_file, "category", "list") == 0
    out = capsys.readouterr().out
    assert "LDR" in out and "needs ladder" in out and "inspect every 180 d" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["DRL", "--name", "Again"], "already exists"),
    (["DR L", "--name", "Drills"], "not usable"),
    (["SAW", "--name", "Saws", "--loan-days", "0"], "--loan-days must be 1 or more"),
    (["SAW", "--name", "Sa\x1b[31mws"], "control character"),
    (["SAW", "--name", "  "], "cannot be empty"),
])
def test_category_add_refuses_bad_input_in_words(config_file, capsys, argv, message):
    assert kiosk(config_file, "category", "add", "DRL", "--name", "Drills") == 0
    assert kiosk(config_file, "category", "add", *argv) == 1
    assert message in capsys.readouterr().err
    assert len(events_of(config_file, "category.added")) == 1


def test_location_add_then_an_asset_lives_there(config_file, capsys):
    assert kiosk(config_file, "location", "add", "crib", "--name", "Tool crib") == 0
    assert kiosk(config_file, "location", "add", "SHELF-A", "--name", "Shelf A",
                 "--parent", "CRIB") == 0
    assert kiosk(config_file, "location", "add", "SHELF-B", "--name", "Shelf A") == 1
    assert "already named" in capsys.readouterr().err
    assert kiosk(config_file, "category", "add", "DRL", "--name", "Drills") == 0
    assert kiosk(config_file, "asset", "add", "--name", "Drill", "--category", "DRL",
                 "--location", "SHELF-A") == 0
    assert [e["code"] for e in events_of(config_file, "location.added")] == ["CRIB", "SHELF-A"]
    capsys.readouterr()
    assert kiosk(config_file, "location", "list") == 0
    assert "Shelf A (in CRIB)" in capsys.readouterr().out
