"""Connections from config: keyword arguments reach python-escpos; failures read clearly."""

from __future__ import annotations

import contextlib
import socket

import pytest

from drivers.escpos_printer import (
    EscposPrinter,
    PaperOut,
    PrinterError,
    PrinterOffline,
    PrinterTimeout,
    paper_state,
    parse_usb_target,
    printer_from_config,
)
from kiosk.printdoc import to_primitives
from kiosk.receipt import receipt_ops

from .conftest import LoopbackPrinter


def test_usb_settings_reach_the_escpos_object_as_keywords():
    printer = printer_from_config("usb", "04b8:0e15", profile="TM-T20II", timeout_s=2.5,
                                  usb_in_ep=0x81, usb_out_ep=0x02)
    usb = printer.transport()
    assert usb.usb_args == {"idVendor": 0x04B8, "idProduct": 0x0E15}
    assert (usb.timeout, usb.in_ep, usb.out_ep) == (2500, 0x81, 0x02)  # ms, never 0 = forever
    assert usb.profile.profile_data["name"] == "TM-T20II"


def test_network_and_serial_targets_are_parsed_with_defaults():
    net = printer_from_config("network", "10.0.0.7", timeout_s=4).transport()
    assert (net.host, net.port, net.timeout) == ("10.0.0.7", 9100, 4)
    net = printer_from_config("network", "printer.local:9101").transport()
    assert (net.host, net.port) == ("printer.local", 9101)
    ser = printer_from_config("serial", "/dev/ttyUSB0:19200", timeout_s=3).transport()
    assert (ser.devfile, ser.baudrate, ser.timeout) == ("/dev/ttyUSB0", 19200, 3)


@pytest.mark.parametrize("target", ["04b8", "nope:0e15", "04b8:0e15:1"])
def test_a_bad_usb_target_names_the_expected_form(target):
    with pytest.raises(PrinterError, match="VID:PID such as 04b8:0e15"):
        parse_usb_target(target)


def test_an_unknown_connection_is_refused():
    with pytest.raises(PrinterError, match="unknown printer connection 'bluetooth'"):
        EscposPrinter("bluetooth")


def test_network_printer_receives_exactly_the_job(loopback_printer, receipt):
    printer = EscposPrinter("network", f"127.0.0.1:{loopback_printer.port}", timeout_s=5)
    job = printer.render(to_primitives(receipt_ops(receipt)))
    printer.send(job)
    assert loopback_printer.done.wait(10)
    assert bytes(loopback_printer.received) == job


def test_paper_out_reported_by_the_printer_fails_the_job():
    paperless = LoopbackPrinter(status_reply=b"\x72")  # 0x12 | 0x60: paper end
    try:
        printer = EscposPrinter("network", f"127.0.0.1:{paperless.port}", timeout_s=5)
        with pytest.raises(PaperOut, match="out of paper"):
            printer.send(b"\x1b@hello\n")
        assert paperless.done.wait(10)
        assert b"hello" not in paperless.received
    finally:
        paperless.close()


def test_a_refused_connection_is_offline_in_plain_words(closed_port):
    printer = EscposPrinter("network", f"127.0.0.1:{closed_port}", timeout_s=2)
    with pytest.raises(PrinterOffline, match=f"printer offline \\(network 127.0.0.1:{closed_port}"):
        printer.send(b"\x1b@")
    ready, reason = printer.is_ready()
    assert not ready and "printer offline" in reason


def test_a_missing_usb_printer_is_not_ready_with_a_reason():
    ready, reason = EscposPrinter("usb", "ffff:fffe", timeout_s=1).is_ready()
    # Without libusb (CI) or without the device (a Pi), the reason names what to fix.
    assert not ready
    assert "libusb" in reason or "printer offline (usb ffff:fffe)" in reason


def test_file_connection_writes_the_job_to_the_path(tmp_path):
    target = tmp_path / "lp0"
    EscposPrinter("file", str(target)).send(b"\x1b@file job\n")
    assert target.read_bytes() == b"\x1b@file job\n"


def test_a_file_in_a_missing_folder_is_offline(tmp_path):
    with pytest.raises(PrinterOffline):
        EscposPrinter("file", str(tmp_path / "no" / "lp0")).send(b"x")


def test_dummy_keeps_jobs_and_writes_them_to_the_output_folder(tmp_path):
    printer = EscposPrinter("dummy", output_dir=str(tmp_path))
    printer.send(b"one")
    printer.send(b"two")
    assert printer.sent == [b"one", b"two"]
    assert sorted(p.read_bytes() for p in tmp_path.glob("job-*.bin")) == [b"one", b"two"]
    assert printer.is_ready() == (True, "ready")


@pytest.mark.parametrize(("reply", "state"), [
    (b"\x12", "ok"), (b"\x1e", "near-end"), (b"\x72", "out"),
    (b"", "unknown"), (b"\x12\x12", "unknown"), (b"\x00", "unknown"), (b"\xff", "unknown"),
])
def test_paper_status_is_decoded_and_unknown_is_not_out(reply, state):
    assert paper_state(reply) == state


def test_a_printer_that_never_answers_times_out_within_the_configured_time():
    # A listening socket whose backlog is full and which never accepts: the next
    # connect gets no answer at all, like a powered-down printer behind a switch.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    waiting = []
    try:
        for _ in range(2):
            client = socket.socket()
            client.settimeout(0.2)
            with contextlib.suppress(TimeoutError):
                client.connect(("127.0.0.1", port))
            waiting.append(client)
        with pytest.raises(PrinterTimeout, match="did not answer in 0.5 s"):
            EscposPrinter("network", f"127.0.0.1:{port}", timeout_s=0.5).send(b"x")
    finally:
        for client in waiting:
            client.close()
        server.close()
