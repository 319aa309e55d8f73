"""The printing docs and the shipped udev rule stay usable."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk.config import describe_fields

ROOT = Path(__file__).resolve().parents[2]


def test_udev_rule_uses_straight_quotes_a_group_and_no_world_access():
    rules = [line for line in (ROOT / "config" / "60-kiosk-printer.rules").read_text()
             .splitlines() if line and not line.startswith("#")]
    assert rules
    for rule in rules:
        assert not re.search("[\u201c\u201d\u2018\u2019]", rule)  # typographic quotes never match
        assert 'SUBSYSTEM=="usb"' in rule and 'ATTRS{idVendor}=="' in rule
        assert 'ATTRS{idProduct}=="' in rule and 'MODE="0660"' in rule and 'GROUP="' in rule


def test_every_printer_setting_is_documented():
    text = (ROOT / "docs" / "printing.md").read_text()
    for key, _help, _default in describe_fields():
        if key.startswith("printer."):
            assert f"`{key.split('.', 1)[1]}`" in text, key
    assert "`label_url`" in text


def test_docs_name_every_connection_and_the_print_test_command():
    text = (ROOT / "docs" / "printing.md").read_text()
    for word in ("usb", "network", "serial", "file", "dummy", "kiosk print-test",
                 "ESCPOS_CAPABILITIES_PICKLE_DIR", "CP858"):
        assert word in text, word
