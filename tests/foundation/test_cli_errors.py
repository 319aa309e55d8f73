"""Bad input to `kiosk` gives one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kiosk.cli import main
from kiosk.commands import open_store
from kiosk.config import load_settings


@pytest.fixture
def kiosk(config_file, capsys):
    store = open_store(load_settings(config_file))
    with store.transaction() as db:
        db["categories"].insert({"code": "DRL", "name": "Drills"})
        db["people"].insert({"employee_no": "E1", "name": "Anna"})
    store.close()

    def run(*argv: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(["--config", str(config_file), *argv])
        return code, capsys.readouterr().err
    return run


@pytest.mark.parametrize(("argv", "expected"), [
    (("asset", "show", "NOPE-1"), "kiosk: error: no asset 'NOPE-1'"),
    (("history", "NOPE-1"), "kiosk: error: no asset 'NOPE-1'"),
    (("asset", "add", "--name", "x", "--category", "XXX"), "unknown category 'XXX'"),
    (("asset", "add", "--name", "x", "--category", "DRL", "--purchase-date", "2024-02-30"),
     "purchase date '2024-02-30' is not a date like 2026-12-31"),
    (("asset", "add", "--name", "x", "--category", "DRL", "--cost", "lots"),
     "--cost: 'lots' is not an amount of money"),
    (("badge", "add", "--employee-no", "E1", "--badge", "123", "--valid-until", "31.12.2026"),
     "valid until '31.12.2026' is not a date"),
    (("badge", "add", "--employee-no", "E1", "--badge", "XYZ", "--format", "hex"),
     "not a hex card number"),
    (("badge", "add", "--employee-no", "E9", "--badge", "123"), "no person with employee number"),
    (("asset", "attach", "NOPE-1", "/no/such/file.pdf"), "no asset 'NOPE-1'"),
    (("import", "assets", "/no/such/file.csv"), "cannot read /no/such/file.csv"),
])
def test_bad_input_is_one_line_and_exit_1(kiosk, argv, expected):
    code, err = kiosk(*argv)
    assert code == 1
    assert expected in err
    assert len(err.strip().splitlines()) == 1


def test_missing_attachment_file_is_named(kiosk, config_file):
    assert kiosk("asset", "add", "--name", "Drill", "--category", "DRL")[0] == 0
    store = open_store(load_settings(config_file))
    number = store.one("SELECT number FROM assets")["number"]
    code, err = kiosk("asset", "attach", number, "/no/such/invoice.pdf")
    assert code == 1 and "cannot read /no/such/invoice.pdf" in err
    assert store.one("SELECT COUNT(*) AS n FROM documents")["n"] == 0


def test_import_with_errors_exits_1_and_changes_nothing(kiosk, tmp_path, capsys):
    bad = tmp_path / "people.csv"
    bad.write_text("employee_no,name,active\nE2,Ben,maybe\n")
    code = main(["--config", str(tmp_path / "kiosk.toml"), "import", "people", str(bad),
                 "--apply"])
    out = capsys.readouterr().out
    assert code == 1
    assert "error: people.csv line 2, column 3 (active): 'maybe' is not yes/no" in out
    assert "nothing was changed" in out


def test_a_real_process_prints_no_traceback(config_file):
    result = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(config_file),
                             "asset", "show", "\x1b[2JNOPE"], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == "kiosk: error: no asset '\\x1b[2JNOPE'"


def test_database_and_file_system_errors_are_one_line(tmp_path):
    """A read-only data folder gives one sentence, not a traceback."""
    import subprocess
    import sys

    config = tmp_path / "kiosk.toml"
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    config.write_text(f'[kiosk]\nsite = "HAM"\nkiosk_id = "k1"\ndata_dir = "{blocker}/sub"\n')
    result = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(config), "init"],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("kiosk: error:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_closed_pipe_ends_quietly(config_file, kiosk):
    """`kiosk asset show X | head -3`: the reader went away; no error text, exit 141."""
    kiosk("asset", "add", "--name", "Drill", "--category", "DRL")
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `head` having exited before kiosk writes
    try:
        done = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(config_file),
                               "config", "--show"], stdout=write_end, stderr=subprocess.PIPE,
                              text=True, timeout=60, check=False)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (141, "")
