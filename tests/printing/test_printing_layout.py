"""Receipt and label layout: pure functions over plain data."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kiosk.printdoc import (
    MEDIA,
    Barcode,
    Cut,
    Feed,
    PrintLayoutError,
    Qr,
    Text,
    fit_codepage,
    from_primitives,
    to_primitives,
)
from kiosk.receipt import Receipt, label_for, label_ops, receipt_ops

from .conftest import SAMPLE_NAMES


def texts(ops):
    return [op.text for op in ops if isinstance(op, Text)]


def test_receipt_shows_site_person_items_due_dates_refusals_and_a_qr(receipt):
    ops = receipt_ops(receipt, "80", "CP858")
    lines = texts(ops)
    assert lines[0] == "HAM - crib-1" and "CHECKOUT" in lines
    assert "2026-12-03 09:30 UTC" in lines
    assert "Jürgen Müller-Kuce" in lines  # č is not in CP858; ü is
    assert sum(line.startswith("HAM-DRL-2600") for line in lines) == 5
    assert sum("due 2026-12-10 | checked out" in line for line in lines) == 5
    assert "HAM-SAW-26000015" in lines and "  needs the chainsaw qualification" in lines
    assert [op.content for op in ops if isinstance(op, Qr)] == [receipt.transaction_id]
    assert isinstance(ops[-1], Cut)


@pytest.mark.parametrize("kind", ["return", "unattended-return", "gate-refusal"])
def test_every_receipt_kind_has_its_title(receipt, kind):
    other = Receipt(kind=kind, site="HAM", kiosk="gate-1", person_name="", employee_no="",
                    at=dt.datetime(2026, 12, 3, tzinfo=dt.UTC), refusals=[("HAM-X", "no")])
    title = {"return": "RETURN", "unattended-return": "UNATTENDED RETURN",
             "gate-refusal": "GATE: NOT ALLOWED"}[kind]
    assert title in texts(receipt_ops(other))


def test_an_unknown_receipt_kind_is_refused_in_words():
    with pytest.raises(PrintLayoutError, match="unknown receipt kind"):
        Receipt(kind="loan", site="HAM", kiosk="k", person_name="", employee_no="",
                at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


@pytest.mark.parametrize("media", ["58", "80", "label"])
def test_no_text_line_is_wider_than_the_paper(receipt, media):
    for op in receipt_ops(receipt, media) + label_ops(label_for("HAM-1", "x" * 90, "HAM"),
                                                      media):
        if isinstance(op, Text):
            assert len(op.text) * op.size <= MEDIA[media].columns, op


def test_label_has_big_number_name_site_qr_and_code128(label):
    ops = label_ops(label, "80")
    assert ops[0] == Text("HAM-DRL-26000127", bold=True, size=2, align="center")
    assert "Cordless drill Müller €" in texts(ops) and "HAM" in texts(ops)
    assert [op.content for op in ops if isinstance(op, Qr)] == [
        "https://assets.example.com/a/HAM-DRL-26000127"]
    assert [op.data for op in ops if isinstance(op, Barcode)] == ["HAM-DRL-26000127"]


def test_label_qr_holds_the_plain_number_without_a_url_template():
    assert label_for("HAM-DRL-26000127", "Drill", "HAM", "").qr_content == "HAM-DRL-26000127"


def test_label_stock_is_not_cut_but_fed_to_the_next_label(label):
    ops = label_ops(label, "label")
    assert not any(isinstance(op, Cut) for op in ops) and isinstance(ops[-1], Feed)


@pytest.mark.parametrize("number", ["HAM-DRL-ü1", "", "A\x1bB", "X" * 41])
def test_an_unprintable_inventory_number_is_refused_before_printing(number):
    with pytest.raises(PrintLayoutError, match="inventory number"):
        label_ops(label_for(number, "Drill", "HAM"))


@pytest.mark.parametrize(("text", "codepage", "expected"), [
    ("Müller", "CP858", "Müller"),
    ("Kuče", "CP858", "Kuce"),
    ("Kuče", "CP852", "Kuče"),
    ("Ōgaki", "CP858", "Ogaki"),
    ("3,50 €", "CP858", "3,50 €"),
    ("3,50 €", "CP437", "3,50 EUR"),
    ("Bahía Honda", "CP437", "Bahía Honda"),
    ("東京", "CP858", "DongJing"),
])
def test_text_is_kept_where_the_code_page_has_it_and_transliterated_where_not(
        text, codepage, expected):
    assert fit_codepage(text, codepage) == expected


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_names_survive_unchanged_in_cp858(name):
    assert fit_codepage(name, "CP858") == name


def test_control_characters_in_names_never_reach_the_printer():
    assert fit_codepage("Eve\x1b@\x1dV\x00\x9b", "CP858") == "Eve @ V  "


def test_an_unknown_code_page_is_a_clear_error():
    with pytest.raises(PrintLayoutError, match="code page 'CP999' is not supported"):
        fit_codepage("x", "CP999")


def test_operations_round_trip_through_json(receipt):
    ops = receipt_ops(receipt)
    assert from_primitives(json.loads(json.dumps(to_primitives(ops)))) == ops
