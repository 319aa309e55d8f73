from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import describe_fields, load_settings, parse_settings
from kiosk.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_example_config_is_valid_and_documents_every_key():
    settings = load_settings(ROOT / "config" / "kiosk.example.toml")
    assert settings.kiosk.site == "HAM"
    text = (ROOT / "config" / "kiosk.example.toml").read_text()
    missing = [key for key, _, _ in describe_fields() if f"{key.split('.')[1]} =" not in text]
    assert missing == []


def test_every_problem_is_reported_at_once_with_key_path_and_hint():
    with pytest.raises(ConfigError) as info:
        parse_settings({
            "kiosk": {"site": "HAM", "kiosk_id": "k1", "mdoe": "crib"},
            "gpio": {"green": 99, "red": "seven"},
            "printr": {},
            "numbering": {"scheme": "{category}-{seq:05}{check}", "check": "dam"},
        })
    problems = info.value.problems
    text = "\n".join(problems)
    assert "kiosk.mdoe: unknown key; did you mean 'mode'?" in text
    assert "gpio.green: 99 is above the maximum 27" in text
    assert "gpio.red: expected a whole number" in text
    assert "printr: unknown key; did you mean 'printer'?" in text
    assert "numbering.check: 'dam' is not one of" in text
    assert "did you mean 'damm'?" in text
    assert any("same number" in p for p in problems)
    assert len(problems) >= 6


def test_broken_config_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "kiosk.toml"
    bad.write_text('[kiosk]\nsite = "HAM"\nkiosk_idd = "x"\n[gpio]\nred = 17\ngreen = 17\n')
    result = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(bad), "config"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "kiosk.kiosk_idd: unknown key; did you mean 'kiosk_id'?" in result.stderr
    assert "gpio: two devices share one pin" in result.stderr


def test_invalid_toml_and_missing_file_are_one_clear_message(tmp_path):
    bad = tmp_path / "kiosk.toml"
    bad.write_text("[kiosk\nsite=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad)
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(tmp_path / "nope.toml")


def test_config_found_via_environment(tmp_path, monkeypatch):
    from kiosk.config import find_config

    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "x.toml"))
    assert find_config(None) == tmp_path / "x.toml"
    assert find_config("/a.toml") == Path("/a.toml")
    monkeypatch.delenv("KIOSK_CONFIG")
    assert find_config(None) == Path("/etc/crib-kiosk/kiosk.toml")


def test_a_relative_data_dir_is_taken_from_the_config_files_folder(tmp_path, monkeypatch):
    (tmp_path / "etc").mkdir()
    config = tmp_path / "etc" / "kiosk.toml"
    config.write_text('[kiosk]\nsite = "HAM"\nkiosk_id = "k1"\ndata_dir = "var/data"\n')
    monkeypatch.chdir("/")
    settings = load_settings(config)
    assert settings.kiosk.data_dir == str(tmp_path / "etc" / "var" / "data")
    assert settings.kiosk.database_path == tmp_path / "etc" / "var" / "data" / "kiosk.db"
