"""CSV import: dry run, one transaction, errors with line and column, idempotent re-import."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from kiosk.csv_export import export
from kiosk.csv_import import import_file
from kiosk.errors import ImportProblem


def counts(store) -> dict[str, int]:
    return {t: store.one(f"SELECT COUNT(*) AS n FROM {t}")["n"]
            for t in ("assets", "people", "locations", "categories", "events", "outbox")}


def test_snipeit_import_dry_run_apply_and_second_import_changes_nothing(store, csv_dir):
    for kind, name in (("locations", "snipeit-locations.csv"), ("people", "snipeit-users.csv"),
                       ("assets", "snipeit-assets.csv")):
        dry = import_file(store, kind, csv_dir / name, "snipeit")
        assert dry.errors == [] and dry.changes
        before = counts(store)
        import_file(store, kind, csv_dir / name, "snipeit", apply=True)
        after = counts(store)
        assert after[kind] == before[kind] + sum(c.action == "create" for c in dry.changes)
        again = import_file(store, kind, csv_dir / name, "snipeit", apply=True)
        assert again.changes == [] and again.refs.new() == [] and again.errors == []
        assert counts(store) == after
    drill = store.one("SELECT * FROM assets WHERE number = 'NW-100231'")
    assert drill["purchase_date"] == "2023-01-23" and drill["purchase_cost"] == 219.9
    assert drill["notes"] == "charger in case, 2 batteries"
    assert store.one("SELECT name FROM categories WHERE code = ?", [drill["category"]])["name"] \
        == "Power Tools"
    tester = store.one("SELECT * FROM assets WHERE number = 'NW-100233'")
    assert tester["notes"] == "line one\nline two"
    assert (tester["home_location"], tester["current_location"]) == ("MAIN-CRIB", "VAN-3")
    nameless = store.one("SELECT name FROM assets WHERE number = 'NW-100234'")
    assert nameless["name"] == "GBH 2-28"  # Snipe-IT rows without a name take the model
    people = {p["employee_no"]: p for p in store.all("SELECT * FROM people")}
    assert people["E1001"]["name"] == "Anna Müller" and people["E1003"]["active"] == 0
    assert people["jkuce"]["name"] == "Jiří Kuče"  # no employee number: username is the key


def test_snipeit_dry_run_says_what_it_assumed_and_creates(store, csv_dir):
    plan = import_file(store, "assets", csv_dir / "snipeit-assets.csv", "snipeit")
    text = "\n".join(plan.notes)
    assert "read as UTF-8 with byte-order mark" in text
    assert "dates read as month/day/2-digit year (US), e.g. '1/23/23' = 2023-01-23" in text
    assert "checked out to 'jkuce' in Snipe-IT; loans are not imported" in text
    assert {(r.entity, r.name) for r in plan.refs.new()} >= {
        ("category", "Power Tools"), ("category", "Torque Tools, Calibrated"),
        ("location", "Hall 2, Bay 4"), ("location", "Van 3")}
    assert counts(store)["events"] == 0


def test_every_import_change_is_an_event_with_outbox_row(store, csv_dir):
    import_file(store, "assets", csv_dir / "snipeit-assets.csv", "snipeit", apply=True)
    events = store.all("SELECT type, asset, payload FROM events ORDER BY seq")
    types = [e["type"] for e in events]
    assert types.count("asset.registered") == 4 and types.count("category.added") == 3
    assert counts(store)["outbox"] == len(events)
    registered = json.loads(next(e for e in events if e["asset"] == "NW-100232")["payload"])
    assert registered["file"] == "snipeit-assets.csv" and registered["line"] == 3


PEOPLE = ('employee_no,name,department,email,active\n'
          'E1,"Müller, Anna",Wartung,anna@example.com,yes\n'
          'E2,"Sæter ""JK"" Björk","Assembly € 2, Line 2",,0\n')


@pytest.mark.parametrize(("encoding", "newline", "bom"), [
    ("utf-8", "\n", False), ("utf-8", "\r\n", True), ("cp1252", "\r\n", False),
    ("cp1252", "\r", False), ("utf-8", "\r", True)])
def test_spreadsheet_encodings_and_line_ends_read_the_same(store, tmp_path, encoding, newline,
                                                           bom):
    raw = PEOPLE.replace("\n", newline).encode(encoding)
    path = tmp_path / "people.csv"
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + raw)
    plan = import_file(store, "people", path, apply=True)
    assert plan.errors == []
    rows = store.all("SELECT employee_no, name, department, active FROM people ORDER BY 1")
    assert rows[0] == {"employee_no": "E1", "name": "Müller, Anna", "department": "Wartung",
                       "active": 1}
    assert rows[1]["name"] == 'Sæter "JK" Björk' and rows[1]["active"] == 0
    assert rows[1]["department"] == "Assembly € 2, Line 2"
    assert ("Windows-1252" in plan.notes[0]) == (encoding == "cp1252")


def test_semicolon_separated_file_from_a_german_excel(store, tmp_path):
    path = tmp_path / "assets.csv"
    path.write_text("number;name;category;purchase_date;purchase_cost\n"
                    "OLD-1;Bohrer;DRL;18.03.2024;1.234,50\n", encoding="cp1252")
    plan = import_file(store, "assets", path, apply=True)
    assert plan.errors == []
    row = store.one("SELECT * FROM assets WHERE number = 'OLD-1'")
    assert (row["purchase_date"], row["purchase_cost"]) == ("2024-03-18", 1234.5)
    assert "semicolon-separated" in plan.notes[0]


def test_any_error_changes_nothing_and_names_line_and_column(store, tmp_path):
    path = tmp_path / "assets.csv"
    path.write_text("number,name,category,serial,purchase_date,purchase_cost\n"
                    "A-1,Good drill,DRL,S1,2024-01-02,10\n"
                    "A-2,Scientific,DRL,6.37702E+15,2024-01-03,10\n"
                    "A-3,Bad date,DRL,S3,2024-13-45,10\n"
                    "A-4,Bad cost,DRL,S4,2024-01-05,ten euros\n")
    plan = import_file(store, "assets", path, apply=True)
    assert plan.errors == [
        "assets.csv line 3, column 4 (serial): '6.37702E+15' is a number a spreadsheet turned "
        "into scientific notation; the original digits are lost. Format the column as Text "
        "in the spreadsheet, re-enter the values and export again",
        "assets.csv line 4, column 5 (purchase_date): '2024-13-45' does not fit "
        "year-month-day (ISO 8601), the format of the other dates in this column",
        "assets.csv line 5, column 6 (purchase_cost): 'ten euros' is not an amount of money"]
    assert counts(store) == dict.fromkeys(counts(store), 0)


def test_ambiguous_dates_are_read_as_preferred_and_say_so(store, tmp_path):
    path = tmp_path / "assets.csv"
    path.write_text("number,name,purchase_date\nA-1,x,03/04/2024\nA-2,y,05/06/2024\n")
    plan = import_file(store, "assets", path)
    assert any("day/month/year" in n and "--dates mdy" in n for n in plan.notes)
    assert plan.changes[0].fields["purchase_date"] == "2024-04-03"
    us = import_file(store, "assets", path, dates="mdy")
    assert us.changes[0].fields["purchase_date"] == "2024-03-04"


def test_a_date_column_mixing_formats_points_at_the_odd_one(store, tmp_path):
    path = tmp_path / "assets.csv"
    path.write_text("number,name,purchase_date\nA-1,x,2024-01-02\nA-2,y,2024-01-03\n"
                    "A-3,z,13/01/2024\nA-4,w,45000\n")
    plan = import_file(store, "assets", path)
    assert len(plan.errors) == 2
    assert plan.errors[0].startswith("assets.csv line 4, column 3 (purchase_date): '13/01/2024'")
    assert "date serial number" in plan.errors[1]


def test_export_round_trip_changes_nothing_and_an_edit_is_one_update(store, csv_dir, tmp_path):
    import_file(store, "assets", csv_dir / "snipeit-assets.csv", "snipeit", apply=True)
    out = tmp_path / "assets.csv"
    assert export(store, "assets", out) == 4
    assert out.read_bytes().startswith(codecs.BOM_UTF8)
    assert import_file(store, "assets", out, apply=True).changes == []
    edited = out.read_text(encoding="utf-8-sig").replace("Cordless drill", "Cordless drill 18V")
    out.write_text(edited, encoding="utf-8-sig")
    plan = import_file(store, "assets", out, apply=True)
    assert [(c.action, c.key, c.fields) for c in plan.changes] == [
        ("update", "NW-100231", {"name": "Cordless drill 18V"})]
    last = store.one("SELECT type, payload FROM events ORDER BY seq DESC LIMIT 1")
    assert last["type"] == "asset.updated"
    assert json.loads(last["payload"])["changes"] == {"name": ["Cordless drill",
                                                                "Cordless drill 18V"]}


def test_reimport_never_touches_live_loan_state(store, tmp_path):
    path = tmp_path / "assets.csv"
    path.write_text("number,name,status,holder\nA-1,Drill,lost,E9\n")
    import_file(store, "assets", path, apply=True)
    with store.transaction() as db:
        db.execute("UPDATE assets SET current_location = 'VAN' WHERE number = 'A-1'")
    plan = import_file(store, "assets", path, apply=True)
    row = store.one("SELECT status, holder, current_location FROM assets")
    assert plan.changes == [] and row == {"status": "available", "holder": None,
                                          "current_location": "VAN"}


def test_hostile_names_are_stored_as_data(store, tmp_path):
    path = tmp_path / "locations.csv"
    evil = "Shelf'); DROP TABLE assets;--"
    path.write_text(f'name,code\n"{evil}",\nRed,RED\n')
    plan = import_file(store, "locations", path, apply=True)
    assert plan.errors == []
    names = [r["name"] for r in store.all("SELECT name FROM locations ORDER BY code")]
    assert names == ["Red", evil]
    assert store.one("SELECT COUNT(*) AS n FROM assets")["n"] == 0


def test_files_that_are_not_csv_are_refused_in_words(store, tmp_path):
    xlsx = tmp_path / "assets.xlsx"
    xlsx.write_bytes(b"PK\x03\x04rest-of-zip")
    with pytest.raises(ImportProblem, match="Excel workbook"):
        import_file(store, "assets", xlsx)
    broken = tmp_path / "b.csv"
    broken.write_text('number,name\nA-1,"unclosed\n')
    with pytest.raises(ImportProblem, match="broken CSV quoting"):
        import_file(store, "assets", broken)
    with pytest.raises(ImportProblem, match="cannot read"):
        import_file(store, "assets", tmp_path / "missing.csv")


def test_missing_column_and_ragged_row_are_errors(store, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,department\nAnna,Ops\nBen,Ops,extra\n")
    plan = import_file(store, "people", path)
    assert "people.csv line 1: missing column 'employee_no'" in plan.errors
    assert any(e.startswith("people.csv line 3: 3 fields but the header has 2") for e in
               plan.errors)


def test_number_with_wrong_check_character_is_flagged(store, scheme, tmp_path):
    path = tmp_path / "assets.csv"
    path.write_text("number,name\nHAM-DRL-26000011,Typo?\n")  # right check digit is 9
    plan = import_file(store, "assets", path, scheme=scheme)
    assert any("check character is wrong" in n for n in plan.notes)


def test_locations_upsert_by_name_and_refuse_a_code_change(store, tmp_path):
    path = tmp_path / "locations.csv"
    path.write_text("name,code,parent\nMain crib,CRIB,\nShelf A,SHELF-A,CRIB\n")
    import_file(store, "locations", path, apply=True)
    assert store.one("SELECT parent FROM locations WHERE code = 'SHELF-A'")["parent"] == "CRIB"
    Path(path).write_text("name,code\nMain crib,MAIN\n")
    plan = import_file(store, "locations", path, apply=True)
    assert plan.errors == ["locations.csv line 2, column 2 (code): location 'Main crib' has "
                           "code 'CRIB'; a code cannot change"]


def test_names_in_our_code_columns_become_proper_codes(store, tmp_path):
    path = tmp_path / "assets.csv"
    path.write_text("number,name,category,home_location\nA-1,x,Power Tools,CRIB\n"
                    "A-2,y,DRL,Shelf A\n")
    plan = import_file(store, "assets", path, apply=True)
    created = {(r.entity, r.code, r.name) for r in plan.refs.new()}
    assert created == {("category", "PT", "Power Tools"), ("category", "DRL", "DRL"),
                       ("location", "CRIB", "CRIB"), ("location", "SHELF-A", "Shelf A")}
    again = import_file(store, "assets", path, apply=True)
    assert again.changes == [] and again.refs.new() == []


def test_people_and_locations_round_trip_through_export(store, csv_dir, tmp_path):
    import_file(store, "locations", csv_dir / "snipeit-locations.csv", "snipeit", apply=True)
    import_file(store, "people", csv_dir / "snipeit-users.csv", "snipeit", apply=True)
    for kind in ("people", "locations"):
        out = tmp_path / f"{kind}.csv"
        assert export(store, kind, out) > 0
        plan = import_file(store, kind, out, apply=True)
        assert plan.errors == [] and plan.changes == [] and plan.unchanged > 0


def test_export_to_standard_output(config_file, capsys):
    from kiosk.cli import main

    assert main(["--config", str(config_file), "export", "locations"]) == 0
    assert capsys.readouterr().out.splitlines() == ["name,code,parent"]


@pytest.mark.parametrize(("cell", "shown"), [
    ('"Drill\rX"', "\\x0d"), ('"Drill\nX"', "\\x0a"), ("Drill\x1bX", "\\x1b"),
    ("Drill\x01X", "\\x01"), ("Drill\x85X", "\\x85"), ("Drill\x7fX", "\\x7f"),
])
def test_control_characters_in_names_are_refused_and_nothing_changes(store, tmp_path, cell,
                                                                     shown):
    path = tmp_path / "assets.csv"
    path.write_text("number,name,notes\nA-1,Saw,ok\n"
                    f"A-2,{cell},fine\n", encoding="utf-8", newline="")
    before = counts(store)
    plan = import_file(store, "assets", path, apply=True)
    assert plan.errors == [f"assets.csv line 3, column 2 (name): contains the control "
                           f"character {shown} at position 6 ('Drill{shown}X'); remove it "
                           "in the spreadsheet"]
    assert counts(store) == before


def test_notes_keep_line_breaks_but_not_escapes(store, tmp_path):
    path = tmp_path / "assets.csv"
    path.write_text('number,name,notes\nA-1,Saw,"one\r\ntwo\tthree\rfour"\n',
                    encoding="utf-8", newline="")
    import_file(store, "assets", path, apply=True)
    assert store.one("SELECT notes FROM assets")["notes"] == "one\ntwo\tthree\nfour"
    path.write_text('number,name,notes\nA-2,Saw,"bell\x07"\n', encoding="utf-8", newline="")
    assert "column 3 (notes): contains the control character \\x07" in \
        import_file(store, "assets", path).errors[0]
