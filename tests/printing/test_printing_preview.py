"""Previews are decodable: a real barcode reader (zxing-cpp) reads the PNG back."""

from __future__ import annotations

from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from kiosk.preview import render_preview, save_preview
from kiosk.printdoc import MEDIA
from kiosk.receipt import label_for, label_ops, receipt_ops

DOCS = Path(__file__).resolve().parents[2] / "docs"


def decoded(image: Image.Image) -> dict[str, str]:
    found = {}
    for result in zxingcpp.read_barcodes(image):
        found[result.format.name] = result.text
    return found


@pytest.mark.parametrize("media", ["58", "80", "label"])
@pytest.mark.parametrize("template", ["", "https://assets.example.com/a/{number}"])
def test_label_preview_qr_and_code128_decode_to_the_inventory_number(media, template):
    number = "HAM-DRL-26000127"
    label = label_for(number, "Cordless drill Müller", "HAM", template)
    image = render_preview(label_ops(label, media), media)
    assert image.width == MEDIA[media].dots
    codes = decoded(image)
    assert codes["Code128"] == number
    assert codes["QRCode"] == (template.replace("{number}", number) if template else number)


def test_receipt_preview_qr_holds_the_transaction_id(receipt):
    codes = decoded(render_preview(receipt_ops(receipt, "80"), "80"))
    assert codes == {"QRCode": receipt.transaction_id}


def test_preview_is_saved_as_png(tmp_path, label):
    path = save_preview(label_ops(label), tmp_path / "sub" / "label.png")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width == 576


@pytest.mark.parametrize(("name", "expected"), [
    ("receipt-example.png", {"QRCode": "01JEFQ7Z5W4X9K2M3N4P5Q6R7S"}),
    ("label-example.png", {"QRCode": "https://assets.example.com/a/HAM-DRL-26000127",
                           "Code128": "HAM-DRL-26000127"}),
])
def test_the_example_pictures_in_the_docs_decode(name, expected):
    with Image.open(DOCS / name) as image:
        assert decoded(image) == expected
