"""Purchase data with straight-line book value, and content-addressed documents."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

from PIL import Image

from kiosk.cli import main
from kiosk.commands import open_store
from kiosk.config import load_settings
from kiosk.depreciation import book_value
from kiosk.documents import attach, documents_of, media_type
from kiosk.numbering import parse_scheme
from kiosk.records import add_asset


def tiny_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(out, format="PNG")
    return out.getvalue()


PNG = tiny_png()


def test_book_value_falls_in_a_straight_line_and_stops_at_zero():
    bought = dt.date(2022, 1, 1)
    assert book_value(1000.0, bought, 4, bought).value == 1000.0
    assert book_value(1000.0, "2022-01-01", 4, dt.date(2024, 1, 1)).value == 500.34
    assert book_value(1000.0, bought, 4, dt.date(2030, 1, 1)).value == 0.0
    assert book_value(1000.0, bought, 4, dt.date(2021, 6, 1)).value == 1000.0  # not yet bought
    assert "straight-line over 4 years from 2022-01-01" in str(book_value(1000.0, bought, 4,
                                                                          bought))


def test_book_value_says_what_is_missing():
    missing = book_value(None, None, 5, dt.date(2024, 1, 1))
    assert missing.value is None
    assert str(missing) == "unknown: no purchase cost and no purchase date"
    assert str(book_value(10.0, "2024-01-01", None, dt.date(2024, 1, 1))) == \
        "unknown: no useful life of the category"


def test_attach_stores_content_addressed_once_with_an_event(store, tmp_path):
    with store.transaction() as db:
        db["categories"].insert({"code": "DRL", "name": "Drills"})
    number = add_asset(store, parse_scheme("{site}-{category}-{yy}{seq:05}{check}", "damm"),
                       name="Drill", category="DRL")
    photo = tmp_path / "front view.jpg.pdf"  # the name lies; the bytes say PNG
    photo.write_bytes(PNG)
    data = tmp_path / "data"
    doc, new = attach(store, data, number.lower(), photo, "photo")
    digest = hashlib.sha256(PNG).hexdigest()
    stored = data / "documents" / digest[:2] / digest
    assert new and stored.read_bytes() == PNG
    assert (doc["sha256"], doc["size"], doc["media_type"]) == (digest, len(PNG), "image/png")
    again, new_again = attach(store, data, number, photo, "photo")
    assert not new_again and again["sha256"] == digest
    assert len(documents_of(store, number)) == 1
    events = store.all("SELECT type, asset, payload FROM events WHERE type LIKE '%document%'")
    assert [(e["type"], e["asset"]) for e in events] == [("asset.document_attached", number)]
    assert json.loads(events[0]["payload"])["filename"] == "front view.jpg.pdf"


def test_media_type_from_content_then_name():
    assert media_type(b"%PDF-1.7", "scan") == "application/pdf"
    assert media_type(b"hello", "notes.txt") == "text/plain"
    assert media_type(b"\x01\x02", "blob") == "application/octet-stream"


def test_cli_asset_show_prints_book_value_and_documents(config_file, tmp_path, capsys):
    base = ["--config", str(config_file)]
    assert main([*base, "init"]) == 0
    store = open_store(load_settings(config_file))
    with store.transaction() as db:
        db["categories"].insert({"code": "DRL", "name": "Drills", "useful_life_years": 5})
    store.close()
    capsys.readouterr()
    assert main([*base, "asset", "add", "--name", "Drill", "--category", "DRL",
                 "--purchase-date", "2020-01-01", "--cost", "1.000,00"]) == 0
    number = capsys.readouterr().out.strip()
    invoice = tmp_path / "invoice.pdf"
    invoice.write_bytes(b"%PDF-1.4 invoice")
    assert main([*base, "asset", "attach", number, str(invoice), "--kind", "invoice"]) == 0
    assert main([*base, "asset", "show", number]) == 0
    out = capsys.readouterr().out
    assert "purchase cost" in out and "1000.0" in out
    assert "book value" in out and "straight-line over 5 years from 2020-01-01" in out
    assert "document" in out and "invoice: invoice.pdf (application/pdf, 16 bytes" in out



def test_store_bench_runs_and_prints_its_figures():
    """The bench must keep working; its figures are read by people, not asserted."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "bench" / "store.py"
    result = subprocess.run([sys.executable, str(script), "--assets", "300", "--events", "2000",
                             "--samples", "200"], capture_output=True, text=True, check=True)
    for line in ("built 300 assets and 2,000 events", "numbers/s", "lookup by number",
                 "checkout transaction + commit", "events after the run: 2,200"):
        assert line in result.stdout
