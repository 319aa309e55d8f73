"""Unit files, udev rules and the installer: systemd-analyze verify/security, lints, idempotency."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import load_settings, parse_settings
from kiosk.udev import udev_rules

REPO = Path(__file__).resolve().parents[2]
SYSTEMD = REPO / "systemd"
UNITS = ["kiosk.service", "kiosk-cage.service", "kiosk-publish.service",
         "kiosk-backup.service", "kiosk-backup.timer"]
INSTALLED_KIOSK = "/opt/crib-kiosk/venv/bin/kiosk"
ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze not installed "
                                   "(.ci/run installs it)")


def parse_unit(path: Path) -> list[tuple[str, str, str]]:
    """(section, key, value) for every assignment, keeping repeated keys."""
    section, entries = "", []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        entries.append((section, key.strip(), value.strip()))
    return entries


def values(path: Path, key: str) -> list[str]:
    return [v for _s, k, v in parse_unit(path) if k == key]


def unit_copies(tmp_path: Path) -> Path:
    """Units with the install-time binaries swapped for ones that exist here."""
    folder = tmp_path / "units"
    folder.mkdir()
    kiosk = str(Path(sys.executable).with_name("kiosk"))
    for name in UNITS:
        text = (SYSTEMD / name).read_text().replace(INSTALLED_KIOSK, kiosk)
        text = text.replace("/usr/bin/cage", shutil.which("true") or "/bin/true")
        (folder / name).write_text(text)
    return folder


def documented_thresholds() -> dict[str, float]:
    table = (REPO / "docs" / "pi.md").read_text()
    return {m[1]: float(m[2]) for m in re.finditer(
        r"^\| `([\w.-]+\.service)` \| (\d+\.\d+) \|", table, re.MULTILINE)}


@needs_analyze
def test_units_pass_systemd_analyze_verify(tmp_path):
    folder = unit_copies(tmp_path)
    done = subprocess.run([ANALYZE, "verify", *[str(folder / n) for n in UNITS]],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "" and done.stdout.strip() == ""


@needs_analyze
@pytest.mark.parametrize("unit", [u for u in UNITS if u.endswith(".service")])
def test_security_exposure_is_within_the_documented_threshold(tmp_path, unit):
    threshold = documented_thresholds()[unit]
    folder = unit_copies(tmp_path)
    # --threshold counts on systemd's internal 0..100 scale; the printed level is 0..10.
    done = subprocess.run([ANALYZE, "security", "--offline=yes", "--no-pager",
                           f"--threshold={threshold * 10:.0f}", str(folder / unit)],
                          capture_output=True, text=True)
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert match, done.stdout[-500:] + done.stderr
    assert float(match[1]) <= threshold
    assert done.returncode == 0, done.stderr


def test_the_ui_unit_owns_tty1_with_all_three_streams():
    unit = SYSTEMD / "kiosk.service"
    for key in ("StandardInput", "StandardOutput", "StandardError"):
        assert values(unit, key) == ["tty"]
    assert values(unit, "TTYPath") == ["/dev/tty1"]
    for key in ("TTYReset", "TTYVHangup", "TTYVTDisallocate", "NoNewPrivileges", "PrivateTmp"):
        assert values(unit, key) == ["yes"], key
    assert "getty@tty1.service" in values(unit, "Conflicts")[0]
    assert values(unit, "Type") == ["notify"] and values(unit, "WatchdogSec")
    assert values(unit, "Restart") == ["always"]
    assert values(unit, "StartLimitIntervalSec") == ["0"]  # never stays down for good


@pytest.mark.parametrize("unit", [u for u in UNITS if u.endswith(".service")])
def test_services_are_confined_to_the_data_folder_as_a_dedicated_user(unit):
    path = SYSTEMD / unit
    assert values(path, "User") == ["crib-kiosk"]
    assert values(path, "ProtectSystem") == ["strict"]
    writable = " ".join(values(path, "ReadWritePaths")).split()
    assert writable[0] == "/var/lib/crib-kiosk"
    assert set(writable) <= {"/var/lib/crib-kiosk", "/run/user"}  # cage needs its socket dir
    assert "input" not in " ".join(values(path, "SupplementaryGroups")).split()
    assert not any("network-online" in v for v in values(path, "After") + values(path, "Wants"))


@pytest.mark.parametrize("unit", ["kiosk.service", "kiosk-cage.service", "kiosk-publish.service"])
def test_clock_status_stays_readable_but_not_settable(unit):
    """kiosk/clock.py asks adjtimex(2) whether the clock is synchronized (systemd#26413)."""
    path = SYSTEMD / unit
    assert values(path, "ProtectClock") == ["no"]
    allowed = values(path, "SystemCallFilter")[0].split()
    assert {"@system-service", "adjtimex", "clock_adjtime"} <= set(allowed)
    assert values(path, "CapabilityBoundingSet") == [""]


@pytest.mark.parametrize("unit", ["kiosk.service", "kiosk-cage.service"])
def test_gpiozero_can_read_the_board_revision(unit):
    """gpiozero reads /proc/device-tree and /proc/cpuinfo; ProcSubset=pid would hide them."""
    assert values(SYSTEMD / unit, "ProcSubset") == []


def test_working_directory_is_a_writable_tmpfs_for_lgpio():
    unit = SYSTEMD / "kiosk.service"
    assert values(unit, "RuntimeDirectory") == ["crib-kiosk"]
    assert values(unit, "WorkingDirectory") == ["/run/crib-kiosk"]


def test_shipped_udev_rules_match_the_example_config():
    settings = load_settings(REPO / "config" / "kiosk.example.toml")
    generated = udev_rules(settings).splitlines()[1:]
    shipped = (SYSTEMD / "99-crib-kiosk.rules").read_text().splitlines()[1:]
    assert shipped == generated


def test_udev_rules_hand_over_only_the_configured_devices():
    settings = parse_settings({
        "kiosk": {"site": "HAM", "kiosk_id": "crib-1"},
        "scanners": [{"name": "Tool Scanner", "vendor": "05E0", "product": "1200",
                      "serial": "S123"},
                     {"name": "badge", "path": "/dev/input/by-id/usb-x-event-kbd"}],
        "printer": {"connection": "usb", "target": "04b8:0e15"}})
    rules = [line for line in udev_rules(settings).splitlines()
             if line and not line.startswith("#")]
    scanner = rules[0]
    assert 'ENV{ID_VENDOR_ID}=="05e0"' in scanner and 'ENV{ID_MODEL_ID}=="1200"' in scanner
    assert 'ENV{ID_SERIAL_SHORT}=="S123"' in scanner
    assert 'SYMLINK+="input/crib-kiosk-tool-scanner"' in scanner
    assert 'GROUP="crib-kiosk"' in scanner and 'MODE="0660"' in scanner
    assert any('SYMLINK+="crib-kiosk-printer"' in r and 'ATTR{idVendor}=="04b8"' in r
               for r in rules)
    assert any("gpiochip" in r and 'SYMLINK+="crib-kiosk-gpiochip"' in r for r in rules)
    assert not any('GROUP="input"' in r for r in rules)
    assert len(rules) == 4  # the path-only scanner gets a comment, not a rule
    for rule in rules:
        for pair in rule.split(", "):
            assert re.fullmatch(r'[A-Z_]+(\{[\w]+\})?(==|\+=|=)"[^"]*"', pair), pair


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def run_installer(root: Path) -> str:
    env = {"PATH": "/usr/bin:/bin", "KIOSK_INSTALL_ROOT": str(root),
           "KIOSK_INSTALL_SYSTEM": "no", "KIOSK_BIN": str(Path(sys.executable).with_name("kiosk"))}
    done = subprocess.run(["bash", str(SYSTEMD / "install.sh")], env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_installer_is_safe_to_run_twice_and_keeps_the_config(tmp_path):
    first = run_installer(tmp_path)
    assert "installed: /etc/systemd/system/kiosk.service" in first
    assert "installed: /etc/udev/rules.d/99-crib-kiosk.rules" in first
    config = tmp_path / "etc" / "crib-kiosk" / "kiosk.toml"
    config.write_text(config.read_text().replace('kiosk_id = "crib-1"', 'kiosk_id = "crib-7"'))
    before = tree_digest(tmp_path)
    second = run_installer(tmp_path)
    assert "installed:" not in second
    assert "would run: systemctl daemon-reload" not in second  # nothing changed, no reload
    assert "kept:      /etc/crib-kiosk/kiosk.toml" in second
    assert tree_digest(tmp_path) == before
    assert 'kiosk_id = "crib-7"' in config.read_text()
