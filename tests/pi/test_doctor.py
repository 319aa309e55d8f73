"""`kiosk doctor` against healthy and broken set-ups, with real files, sockets and broker."""

from __future__ import annotations

import datetime as dt
import os
import resource
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.clock import Clock
from kiosk.doctor import FAIL, OK, WARN, Limits, print_report, run_checks
from kiosk.store import Identity, Store

SYNCED = Clock(synced=lambda: True)
FAST = Limits(min_free_mb=0, timeout_s=2.0)
DUMMY_PRINTER = '[printer]\nconnection = "dummy"\n'


def write_config(folder: Path, *, mqtt: str = "", printer: str = "", scanners: str = "") -> Path:
    (folder / "prints").mkdir(exist_ok=True)
    config = folder / "kiosk.toml"
    printer = printer or DUMMY_PRINTER
    config.write_text(f'[kiosk]\nsite = "HAM"\nkiosk_id = "crib-1"\ndata_dir = "{folder}"\n'
                      f'[gpio]\npin_factory = "mock"\n{printer}{mqtt}{scanners}')
    return config


def broker_section(broker, password: str, folder: Path, port: int | None = None) -> str:
    secret = folder / "mqtt-password"
    secret.write_text(password + "\n")
    return (f'[mqtt]\nenabled = true\nhost = "{broker.host}"\nport = {port or broker.port}\n'
            f'username = "{broker.username}"\npassword_file = "{secret}"\n')


def make_db(path: Path, clock: Clock | None = None, events: int = 1) -> None:
    store = Store(path, Identity("HAM", "crib-1"), clock=clock)
    for _ in range(events):
        with store.transaction():
            store.record("note", {})
    store.close()


def by_name(checks):
    return {c.name: c for c in checks}


def test_healthy_setup_passes_every_check(tmp_path, broker, capsys):
    make_db(tmp_path / "kiosk.db")
    config = write_config(tmp_path, mqtt=broker_section(broker, broker.password, tmp_path))
    checks = run_checks(str(config), FAST, clock=SYNCED)
    assert {c.name: c.status for c in checks} == {
        "config": OK, "database": OK, "schema": OK, "disk": OK, "clock": OK, "gpio": OK,
        "printer": OK, "broker": OK, "outbox": OK}
    assert print_report(checks) == 0
    assert "all checks passed" in capsys.readouterr().out


def test_missing_database_fails_and_says_to_run_init(tmp_path, capsys):
    config = write_config(tmp_path)
    assert main(["--config", str(config), "doctor", "--min-free-mb", "0"]) == 1
    out = capsys.readouterr().out
    assert "[FAIL] database" in out and "run `kiosk init`" in out
    assert not (tmp_path / "kiosk.db").exists()  # the doctor never creates it


def test_corrupt_database_fails_and_says_to_restore(tmp_path):
    (tmp_path / "kiosk.db").write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    checks = by_name(run_checks(str(write_config(tmp_path)), FAST, clock=SYNCED))
    assert checks["database"].status == FAIL
    assert "kiosk restore" in checks["database"].fix
    assert "outbox" not in checks


def test_unreachable_broker_fails_with_a_network_hint(tmp_path, broker):
    make_db(tmp_path / "kiosk.db")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nobody = closed.getsockname()[1]  # bound, not listening: connection refused
        config = write_config(tmp_path, mqtt=broker_section(broker, broker.password, tmp_path,
                                                             port=nobody))
        check = by_name(run_checks(str(config), FAST, clock=SYNCED))["broker"]
    assert check.status == FAIL
    assert "cannot reach the broker" in check.detail
    assert "mqtt.host" in check.fix


def test_wrong_credentials_fail_with_the_connack_reason(tmp_path, broker):
    make_db(tmp_path / "kiosk.db")
    config = write_config(tmp_path, mqtt=broker_section(broker, "wrong-password", tmp_path))
    check = by_name(run_checks(str(config), FAST, clock=SYNCED))["broker"]
    assert check.status == FAIL
    # MQTT 5: 134 "Bad user name or password"; mosquitto 2.0 answers 135 "Not authorized".
    assert "refused" in check.detail
    assert "(CONNACK reason 134)" in check.detail or "(CONNACK reason 135)" in check.detail
    assert "password file" in check.fix


def test_invalid_config_is_the_one_failure_reported(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('[kiosk]\nsite = "HAM"\nkiosk_idd = "x"\n')
    checks = run_checks(str(config), FAST, clock=SYNCED)
    assert [(c.name, c.status) for c in checks] == [("config", FAIL)]
    assert "did you mean 'kiosk_id'" in checks[0].detail


def test_missing_and_wrong_scanner_paths_fail(tmp_path):
    make_db(tmp_path / "kiosk.db")
    scanners = ('[[scanners]]\nname = "badge reader"\npath = "/dev/input/by-id/usb-gone"\n'
                '[[scanners]]\nname = "not a scanner"\npath = "/dev/null"\n')
    checks = by_name(run_checks(str(write_config(tmp_path, scanners=scanners)), FAST,
                                clock=SYNCED))
    assert checks["scanner badge reader"].status == FAIL
    assert "unplugged" in checks["scanner badge reader"].detail
    assert "not an input device" in checks["scanner not a scanner"].detail


def fake_printer(status: bytes) -> tuple[socket.socket, list[bytes]]:
    """A TCP 'printer' that answers DLE EOT 4 with one status byte."""
    server = socket.create_server(("127.0.0.1", 0))
    received: list[bytes] = []

    def serve() -> None:
        for _ in range(2):  # reachability check, then the status request
            conn, _ = server.accept()
            with conn:
                conn.settimeout(5)
                data = conn.recv(3)
                received.append(data)
                if data == b"\x10\x04\x04":
                    conn.sendall(status)
    threading.Thread(target=serve, daemon=True).start()
    return server, received


@pytest.mark.parametrize(("status", "expected"), [(b"\x12", OK), (b"\x72", FAIL)])
def test_network_printer_paper_status(tmp_path, status, expected):
    make_db(tmp_path / "kiosk.db")
    server, received = fake_printer(status)
    with server:
        port = server.getsockname()[1]
        printer = f'[printer]\nconnection = "network"\ntarget = "127.0.0.1:{port}"\n'
        checks = by_name(run_checks(str(write_config(tmp_path, printer=printer)), FAST,
                                    clock=SYNCED))
    assert checks["printer"].status == OK
    assert checks["paper"].status == expected
    assert b"\x10\x04\x04" in received


def test_usb_printer_not_plugged_in_fails(tmp_path):
    make_db(tmp_path / "kiosk.db")
    printer = '[printer]\nconnection = "usb"\ntarget = "04b8:0e15"\n'
    check = by_name(run_checks(str(write_config(tmp_path, printer=printer)), FAST,
                               clock=SYNCED))["printer"]
    assert check.status == FAIL and "04b8:0e15" in check.detail


def test_old_outbox_backlog_fails_while_publishing_is_on(tmp_path, broker):
    two_days_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    make_db(tmp_path / "kiosk.db", Clock(now=lambda: two_days_ago, synced=lambda: True), 3)
    config = write_config(tmp_path, mqtt=broker_section(broker, broker.password, tmp_path))
    check = by_name(run_checks(str(config), FAST, clock=SYNCED))["outbox"]
    assert check.status == FAIL and check.detail.startswith("3 events waiting")


def test_unsynchronized_clock_warns(tmp_path):
    make_db(tmp_path / "kiosk.db")
    checks = run_checks(str(write_config(tmp_path)), FAST, clock=Clock(synced=lambda: False))
    assert by_name(checks)["clock"].status == WARN
    assert print_report(checks, out=lambda _line: None) == 0


def can_mount_tmpfs(target: Path) -> bool:
    if os.geteuid() != 0:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(target)],
                          capture_output=True)
    return done.returncode == 0


def test_full_disk_on_a_small_tmpfs_fails(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    if not can_mount_tmpfs(data):
        pytest.skip("needs root and mount(2); test_full_disk_by_file_size_limit covers this")
    try:
        make_db(data / "kiosk.db")
        config = write_config(data)
        assert by_name(run_checks(str(config), FAST, clock=SYNCED))["disk"].status == OK
        with open(data / "filler", "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError:
                pass
        check = by_name(run_checks(str(config), FAST, clock=SYNCED))["disk"]
        assert check.status == FAIL
        assert "No space left" in check.detail
    finally:
        subprocess.run(["umount", str(data)], check=True)


def test_full_disk_by_file_size_limit_fails(tmp_path):
    """Same failure without root: RLIMIT_FSIZE makes the write probe fail with EFBIG."""
    make_db(tmp_path / "kiosk.db")
    config = write_config(tmp_path)

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))

    done = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(config), "doctor",
                           "--min-free-mb", "0"], capture_output=True, text=True,
                          preexec_fn=limit_file_size)
    assert done.returncode == 1
    assert "[FAIL] disk" in done.stdout and "File too large" in done.stdout


@pytest.mark.hardware
def test_scanner_on_uinput_is_grabbable_then_busy_while_grabbed(tmp_path):
    """Needs /dev/uinput (modprobe uinput): a real input device, grabbed twice."""
    evdev = pytest.importorskip("evdev")
    from drivers.probes import input_device_grabbable

    keys = {evdev.ecodes.EV_KEY: [evdev.ecodes.KEY_1, evdev.ecodes.KEY_ENTER]}
    with evdev.UInput(keys, name="crib-kiosk test scanner") as fake:
        assert input_device_grabbable(fake.device.path).ok
        holder = evdev.InputDevice(fake.device.path)
        holder.grab()
        try:
            result = input_device_grabbable(fake.device.path)
        finally:
            holder.ungrab()
            holder.close()
    assert not result.ok and result.busy
