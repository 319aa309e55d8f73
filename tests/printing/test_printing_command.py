"""`kiosk print-test` and `kiosk print-jobs` through the real CLI entry point."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import zxingcpp
from PIL import Image

from drivers.escpos_printer import EscposPrinter
from kiosk.cli import main


def write_config(tmp_path, **printer) -> str:
    lines = ["[kiosk]", 'site = "HAM"', 'kiosk_id = "crib-1"', f'data_dir = "{tmp_path}"',
             "[printer]", *(f'{key} = "{value}"' for key, value in printer.items())]
    path = tmp_path / "kiosk.toml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_print_test_on_dummy_writes_bytes_and_preview_and_says_where(tmp_path, capsys):
    config = write_config(tmp_path, connection="dummy")
    assert main(["--config", config, "print-test"]) == 0
    out = capsys.readouterr().out
    bin_path = re.search(r"written to (\S+\.bin)", out).group(1)
    png_path = re.search(r"preview: (\S+\.png)", out).group(1)
    data = Path(bin_path).read_bytes()
    assert bin_path.startswith(str(tmp_path / "prints"))
    assert data.startswith(b"\x1b@\x1bt\x13")  # init, CP858
    assert bytes(range(0x20, 0x50)) in data  # printable ASCII, first line of 48
    assert b"\x80\x81\x82" in data  # the code page's own characters, sent as themselves
    assert b"\x1d(k" in data and b"\x1dkI" in data and data.endswith(b"\x1dV\x01")
    codes = {r.format.name: r.text for r in zxingcpp.read_barcodes(Image.open(png_path))}
    assert codes == {"QRCode": "https://assets.example.com/a/TEST-0001",
                     "Code128": "TEST-0001"}


def test_print_test_on_a_file_connection_writes_the_device_file(tmp_path, capsys):
    device = tmp_path / "lp0"
    config = write_config(tmp_path, connection="file", target=str(device),
                          output_dir=str(tmp_path / "out"))
    assert main(["--config", config, "print-test"]) == 0
    out = capsys.readouterr().out
    assert f"sent to the file printer {device}" in out
    assert device.read_bytes().startswith(b"\x1b@\x1bt\x13")
    assert list((tmp_path / "out").glob("print-test-*.png"))


def test_print_test_to_an_offline_printer_fails_in_one_line(tmp_path, capsys, closed_port):
    config = write_config(tmp_path, connection="network", target=f"127.0.0.1:{closed_port}")
    assert main(["--config", config, "print-test"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kiosk: error: test page not printed: printer offline")
    assert "Traceback" not in err


def test_print_jobs_lists_the_queue(tmp_path, capsys, receipt):
    from kiosk.commands import open_store, settings_from
    from kiosk.print_queue import PrintQueue
    from kiosk.receipt import receipt_ops

    config = write_config(tmp_path, connection="dummy")
    assert main(["--config", config, "print-jobs"]) == 0
    assert "no print jobs" in capsys.readouterr().out

    store = open_store(settings_from(argparse.Namespace(config=config)))
    PrintQueue(store, EscposPrinter("dummy")).enqueue(store, receipt_ops(receipt),
                                                      kind="checkout")
    store.close()
    assert main(["--config", config, "print-jobs", "--status", "pending"]) == 0
    assert re.search(r"#1 .* checkout +pending +tries 0", capsys.readouterr().out)
