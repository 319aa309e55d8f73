"""kiosk replay / scanners / scan-test, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scanner_helpers import HID, evtest_text, tokens

from kiosk import records
from kiosk.cli import main
from kiosk.numbering import parse_scheme
from kiosk.store import Identity, Store


@pytest.fixture(autouse=True)
def no_system_config(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "absent.toml"))


def lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_replay_prints_one_json_object_per_scan(capsys) -> None:
    assert main(["replay", str(HID / "C27b.evtest")]) == 0
    out = lines(capsys)
    assert [o["text"] for o in out] == ["96385074", "4006381333931"]
    assert out[1]["kind"] == "gs1" and out[1]["fields"]["values"] == {"01": "04006381333931"}
    assert out[0]["flags"] == [] and out[0]["symbology"] is None


def test_replay_gs1_with_aim_identifier(capsys) -> None:
    main(["replay", str(HID / "GS1-1.evtest")])
    (out,) = lines(capsys)
    assert (out["symbology"], out["kind"]) == ("]d2", "gs1")
    assert out["text"] == "01095060001343521725123110ABC123\x1d21SN0001"
    assert out["fields"]["interpreted"] == {"17": "2025-12-31"}


def test_replay_layout_and_flags(capsys) -> None:
    main(["replay", str(HID / "C11a.evtest"), "--layout", "de"])
    assert [o["text"] for o in lines(capsys)] == ["XYZ-1"]
    main(["replay", str(HID / "C28a.evtest")])
    (out,) = lines(capsys)
    assert out["flags"] == ["unknown-key"] and out["kind"] == "unknown"


def test_replay_profile_and_merged_nodes(tmp_path: Path, capsys) -> None:
    capture = tmp_path / "f8.txt"
    capture.write_text(evtest_text(tokens("1 0 A F8 2 1 B ENTER")))
    main(["replay", str(capture), "--profile", "F8=GS"])
    (out,) = lines(capsys)
    assert out["text"] == "10a\x1d21b" and out["kind"] == "gs1"
    main(["replay", str(HID / "C21b-nodeA.evtest"), str(HID / "C21b-nodeC.evtest")])
    assert [(o["text"], o["node"]) for o in lines(capsys)] == [("123", "C21b-nodeA.evtest")]


def test_replay_resolves_assets_from_the_configured_database(tmp_path: Path, capsys,
                                                             monkeypatch) -> None:
    store = Store(tmp_path / "kiosk.db", Identity("HAM", "crib-1"))
    with store.transaction() as db:
        db["categories"].insert({"code": "DRL", "name": "Drills"})
    number = records.add_asset(store, parse_scheme("{site}-{category}-{yy}{seq:05}{check}"),
                               name="Drill", category="DRL")
    store.close()
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\nsite = "HAM"\nkiosk_id = "crib-1"\ndata_dir = "{tmp_path}"\n')
    keys = " ".join("MINUS" if c == "-" else f"LEFTSHIFT+ {c} LEFTSHIFT-" if c.isalpha()
                    else c for c in number)
    capture = tmp_path / "asset.txt"
    capture.write_text(evtest_text(tokens(f"{keys} ENTER")))
    assert main(["--config", str(config), "replay", str(capture)]) == 0
    (out,) = lines(capsys)
    assert (out["kind"], out["value"]) == ("asset", number), out
    assert out["fields"]["registered"] is True


def test_replay_of_a_missing_file_is_one_clear_error(capsys) -> None:
    assert main(["replay", "/nonexistent/capture.txt"]) == 1
    assert "cannot read the capture" in capsys.readouterr().err


def test_scanners_without_dev_input_says_so(monkeypatch, capsys) -> None:
    monkeypatch.setattr("kiosk.commands.scanner.os.path.isdir", lambda path: False)
    assert main(["scanners"]) == 0
    assert "no /dev/input on this machine" in capsys.readouterr().out


def test_scan_test_without_configured_scanners(capsys) -> None:
    assert main(["scan-test"]) == 1
    assert "kiosk scanners" in capsys.readouterr().out


def missing_scanner_config(tmp_path: Path) -> Path:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\nsite = "HAM"\nkiosk_id = "crib-1"\ndata_dir = "{tmp_path}"\n'
                      '[[scanners]]\npath = "/dev/input/by-id/usb-none-event-kbd"\n')
    return config


def test_scan_test_reports_a_missing_scanner_and_keeps_running(tmp_path: Path, capsys) -> None:
    config = missing_scanner_config(tmp_path)
    assert main(["--config", str(config), "scan-test", "--seconds", "0.05"]) == 0
    assert "usb-none-event-kbd: waiting" in capsys.readouterr().out


def test_scan_test_says_at_once_that_a_scanner_is_missing(tmp_path: Path, capsys) -> None:
    """Not only at the end: while it runs, a missing scanner is named within a second."""
    config = missing_scanner_config(tmp_path)
    assert main(["--config", str(config), "scan-test", "--seconds", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any("is not there" in line for line in lines[1:-1])   # before the final summary


@pytest.mark.parametrize(("option", "value", "words"), [
    ("--layout", "xx", "unknown keyboard layout 'xx'"),
    ("--profile", "F8", "--profile"),
    ("--terminators", "enter,space", "unknown terminator 'space'"),
    ("--idle-ms", "-5", "between 0 and 5000"),
    ("--abandon-ms", "60001", "between 0 and 60000"),
    ("--abandon-ms", "lots", "not a whole number"),
])
def test_replay_bad_option_is_a_usage_error_naming_it(capsys, option, value, words) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["replay", str(HID / "C27b.evtest"), option, value])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}" in err and words in err
    assert "Traceback" not in err and "configuration has" not in err


@pytest.mark.parametrize("content", [
    b"", b"\x00\xff\xfe binary \x1b[2J" * 50,
    b"Input driver version is 1.0.1\nTesting ... (interrupt to exit)\n"],
    ids=["empty", "binary", "header-only"])
def test_replay_without_key_events_says_so(tmp_path: Path, capsys, content) -> None:
    capture = tmp_path / "empty.evtest"
    capture.write_bytes(content)
    assert main(["replay", str(capture)]) == 1
    captured = capsys.readouterr()
    assert f"no key events found in {capture}" in captured.err and captured.out == ""


def test_replay_of_dev_null_says_so(capsys) -> None:
    assert main(["replay", "/dev/null"]) == 1
    assert "no key events found in /dev/null" in capsys.readouterr().err
