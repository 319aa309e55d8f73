"""Real ESC/POS bytes from python-escpos' Dummy printer (ESC-07, ESC-09, ESC-10, ESC-11)."""

from __future__ import annotations

import re

import pytest

from drivers.escpos_render import RenderError, load_escpos, render
from kiosk.printdoc import Text, to_primitives
from kiosk.receipt import label_ops, receipt_ops

from .conftest import HARD_NAMES, SAMPLE_NAMES

ESC_T_CP858 = b"\x1bt\x13"  # ESC t 19 = CP858 in the Epson profiles
ESC_T_CP437 = b"\x1bt\x00"
ESC_T_CP852 = b"\x1bt\x12"


def job(ops, profile="TM-T20II", codepage="CP858"):
    return render(to_primitives(ops), profile=profile, codepage=codepage)


def line_bytes(text, codepage="CP858", profile="TM-T20II"):
    """The bytes one text line becomes, after the job's init and code page selection."""
    data = job([Text(text)], profile, codepage)
    header = b"\x1b@" + {"CP858": ESC_T_CP858, "CP437": ESC_T_CP437,
                          "CP852": ESC_T_CP852}[codepage]
    assert data.startswith(header)
    return data[len(header):]


def test_job_starts_with_init_and_selects_the_code_page_once(receipt):
    data = job(receipt_ops(receipt))
    assert data.startswith(b"\x1b@" + ESC_T_CP858)
    assert data.count(b"\x1bt") == 1


@pytest.mark.parametrize(("text", "codepage", "expected"), [
    ("Müller", "CP858", b"M\x81ller\n"),
    ("Müller", "CP437", b"M\x81ller\n"),
    ("3,50 €", "CP858", b"3,50 \xd5\n"),
    ("3,50 €", "CP437", b"3,50 EUR\n"),
    ("Kuče", "CP858", b"Kuce\n"),
    ("Kuče", "CP852", b"Ku\x9fe\n"),
    ("Ōgaki", "CP858", b"Ogaki\n"),
    ("Bahía Honda", "CP858", b"Bah\xa1a Honda\n"),
])
def test_characters_print_in_the_code_page_or_transliterated(text, codepage, expected):
    assert line_bytes(text, codepage) == expected


@pytest.mark.parametrize("name", SAMPLE_NAMES + HARD_NAMES)
def test_no_name_ever_prints_as_a_question_mark(receipt, name):
    from kiosk.receipt import Receipt

    other = Receipt(kind="checkout", site=name, kiosk="crib-1", person_name=name,
                    employee_no="E1", at=receipt.at, items=[("HAM-1", name, None, "")])
    data = job(receipt_ops(other))
    assert b"?" not in data


def test_driver_transliterates_even_text_the_layout_did_not_fit():
    # Defence in depth: raw Unicode straight into the driver still gives no garbage.
    assert line_bytes("Kuče Ōgaki 東") == b"Kuce Ogaki Dong\n"


def test_escape_sequences_in_names_are_not_sent_as_commands():
    data = line_bytes("Eve\x1b@\x1dV\x00")
    assert data == b"Eve @ V \n"


def test_python_and_escpos_agree_on_every_cp858_character():
    encoder = load_escpos()["printer"].Dummy(profile="TM-T20II").magic.encoder
    for code in range(0x80, 0x100):
        char = bytes([code]).decode("cp858")
        assert encoder.can_encode("CP858", char), hex(code)
        assert encoder.encode(char, "CP858") == bytes([code]), hex(code)


def test_label_uses_the_native_qr_command_and_printer_code128(label):
    data = job(label_ops(label, "80"))
    url = b"https://assets.example.com/a/HAM-DRL-26000127"
    # GS ( k: store data (fn 80) with its length, then print (fn 81).
    store = b"\x1d(k" + bytes([len(url) + 3, 0]) + b"1P0" + url
    assert store in data and b"\x1d(k\x03\x001Q0" in data
    # GS k 73 (Code 128, function B) with length and the {B code set prefix.
    assert b"\x1dkI" + bytes([len("{BHAM-DRL-26000127")]) + b"{BHAM-DRL-26000127" in data


def test_receipt_ends_with_our_feed_and_a_partial_cut(receipt):
    data = job(receipt_ops(receipt))
    assert data.endswith(b"\n\n\n\n\x1dV\x01")
    assert data.count(b"\x1dV") == 1


def test_a_full_cut_where_the_profile_has_no_partial_cut(receipt):
    caps = load_escpos()["printer"].Dummy(profile="TM-T20II").profile
    assert caps.supports("paperPartCut")
    # TM-U220 has neither cutter in its profile: no cut command at all.
    assert b"\x1dV" not in job(receipt_ops(receipt), profile="TM-U220", codepage="CP437")


def test_alignment_and_size_are_reset_after_a_barcode(label):
    data = job(label_ops(label, "80"))
    after = data[data.index(b"\x1dkI"):]
    assert b"\x1ba\x00" in after


def test_without_native_qr_the_qr_goes_as_an_image(label):
    data = job(label_ops(label, "58"), profile="POS-5890")
    assert b"\x1d(k" not in data
    assert b"\x1dv0" in data  # GS v 0 raster image


def test_a_code_page_the_profile_lacks_is_a_clear_error():
    with pytest.raises(RenderError, match="CP852 is not available"):
        job([Text("x")], profile="TM-U220", codepage="CP852")


def test_an_unknown_profile_is_a_clear_error():
    with pytest.raises(RenderError, match="profile 'TM-NOPE'"):
        job([Text("x")], profile="TM-NOPE")


def test_style_commands_are_sent_only_when_the_style_changes(receipt):
    data = job(receipt_ops(receipt))
    assert len(re.findall(rb"\x1bE[\x00\x01]", data)) <= 2 * 12
    assert len(data) < 4096


def test_raster_fallbacks_for_printers_without_qr_or_code128_still_scan():
    import zxingcpp

    from drivers.escpos_render import code128_image, qr_image

    qr = qr_image("https://assets.example.com/a/HAM-DRL-26000127", 3)
    bars = code128_image("HAM-DRL-26000127", 1, 60)
    assert [r.text for r in zxingcpp.read_barcodes(qr.convert("L"))] == [
        "https://assets.example.com/a/HAM-DRL-26000127"]
    assert [r.text for r in zxingcpp.read_barcodes(bars.convert("L"))] == ["HAM-DRL-26000127"]


def test_a_job_wider_than_the_paper_is_a_render_error_not_a_retry(label):
    # An 80 mm label layout on a 58 mm printer profile: the raster barcode cannot fit.
    with pytest.raises(RenderError, match="does not fit printer profile POS-5890"):
        job(label_ops(label, "80"), profile="POS-5890")
