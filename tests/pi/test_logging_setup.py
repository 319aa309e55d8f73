"""Logging: badge numbers redacted, journal fields on a real datagram socket, never the tty."""

from __future__ import annotations

import json
import logging
import socket
import struct
from collections.abc import Iterator

import pytest

from kiosk.logging_setup import (
    JournalSocketHandler,
    choose_destination,
    handlers_on_terminal,
    redact,
    setup_logging,
)


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in saved:
        root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(False)


@pytest.mark.parametrize(("text", "secret"), [
    ("badge 0012345678 scanned", "12345678"),
    ("reader printed 1A2B3C4D", "1A2B3C4D"),
    ("facility card 123:45678 denied", "45678"),
    ("unknown card '987654'", "987654"),
])
def test_badge_numbers_are_redacted(text, secret):
    shown = redact(text)
    assert secret not in shown
    assert "<badge>" in shown


@pytest.mark.parametrize("text", [
    "asset HAM-T-2600012 checked out by E1001",
    "at 2026-12-03T09:00:00.000Z seq 42",
    "event 01JDQ7ZC4M2V8N6TQJHX5RWK3P published",
])
def test_inventory_numbers_times_and_ids_are_kept(text):
    assert redact(text) == text


def test_file_log_is_json_and_holds_no_badge(tmp_path, capfd):
    log_file = tmp_path / "logs" / "kiosk.log"
    setup_logging(ui_owns_terminal=True, log_file=log_file, env={})
    log = logging.getLogger("kiosk.station")
    log.info("badge %s for %s", "0012345678", "HAM-T-2600012", extra={"badge_raw": "77777777"})
    try:
        raise ValueError("not a hex card number: 'DEADBEEF42'")
    except ValueError:
        log.exception("scan failed")
    text = log_file.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert lines[0]["msg"] == "badge <badge> for HAM-T-2600012"
    assert lines[0]["badge_raw"] == "<badge>"
    assert "DEADBEEF42" not in text and "12345678" not in text and "77777777" not in text
    assert "ValueError" in lines[1]["exc"]
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert handlers_on_terminal() == []


def test_one_shot_commands_log_to_stderr_without_systemd(tmp_path, capfd):
    setup_logging(ui_owns_terminal=False, log_file=tmp_path / "unused.log", env={})
    logging.getLogger("kiosk.cli").warning("badge 55555555 unknown")
    _out, err = capfd.readouterr()
    assert json.loads(err)["msg"] == "badge <badge> unknown"
    assert not (tmp_path / "unused.log").exists()


def parse_journal_datagram(data: bytes) -> dict[str, str]:
    fields, pos = {}, 0
    while pos < len(data):
        end = data.index(b"\n", pos)
        line = data[pos:end]
        if b"=" in line:
            key, value = line.split(b"=", 1)
            fields[key.decode()] = value.decode()
            pos = end + 1
        else:
            (size,) = struct.unpack("<Q", data[end + 1:end + 9])
            fields[line.decode()] = data[end + 9:end + 9 + size].decode()
            pos = end + 9 + size + 1
    return fields


def test_under_systemd_records_go_to_the_journal_socket_as_fields(tmp_path):
    path = tmp_path / "journal.socket"
    journal = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    journal.bind(str(path))
    journal.settimeout(5)
    try:
        env = {"INVOCATION_ID": "0123456789abcdef"}
        assert choose_destination(env, ui_owns_terminal=True, journal_socket=path) == "journal"
        handler = setup_logging(ui_owns_terminal=True, log_file=tmp_path / "no.log", env=env,
                                journal_socket=path, program="kiosk-test")
        assert isinstance(handler, JournalSocketHandler)
        logging.getLogger("kiosk.outbox").error("broker refused\nbadge 0099887766",
                                                extra={"backlog": 12})
        fields = parse_journal_datagram(journal.recv(65536))
    finally:
        journal.close()
    assert fields["MESSAGE"] == "broker refused\nbadge <badge>"
    assert fields["PRIORITY"] == "3"
    assert fields["SYSLOG_IDENTIFIER"] == "kiosk-test"
    assert fields["KIOSK_BACKLOG"] == "12"
    assert not (tmp_path / "no.log").exists()


def test_without_a_journal_socket_systemd_env_falls_back_to_a_file(tmp_path):
    env = {"INVOCATION_ID": "x"}
    assert choose_destination(env, ui_owns_terminal=True,
                              journal_socket=tmp_path / "missing") == "file"
