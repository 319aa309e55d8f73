"""`kiosk asset attach` streams files, refuses devices and pipes, limits size, checks photos."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from PIL import Image

from kiosk.cli import main
from kiosk.commands import open_store
from kiosk.config import load_settings
from kiosk.numbering import parse_scheme
from kiosk.records import add_asset


@pytest.fixture
def asset(config_file: Path) -> str:
    store = open_store(load_settings(config_file))
    try:
        with store.transaction() as db:
            db["categories"].insert({"code": "DRL", "name": "Drills"})
        return add_asset(store, parse_scheme("{site}-{category}-{yy}{seq:05}{check}", "damm"),
                         name="Drill", category="DRL")
    finally:
        store.close()


def attach(config_file: Path, number: str, path: Path | str, *extra: str) -> int:
    return main(["--config", str(config_file), "asset", "attach", number, str(path), *extra])


def documents_folder(config_file: Path) -> list[Path]:
    folder = config_file.parent / "documents"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def document_rows(config_file: Path) -> int:
    store = open_store(load_settings(config_file))
    try:
        return store.one("SELECT count(*) AS n FROM documents")["n"]
    finally:
        store.close()


def test_a_device_is_refused_not_read_forever(config_file, asset, capsys):
    assert attach(config_file, asset, "/dev/zero") == 1
    assert "not a regular file" in capsys.readouterr().err
    assert document_rows(config_file) == 0


def test_a_pipe_is_refused_without_waiting_for_a_writer(config_file, asset, tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert attach(config_file, asset, fifo) == 1
    assert "not a regular file" in capsys.readouterr().err


def test_a_folder_is_refused_in_words(config_file, asset, tmp_path, capsys):
    assert attach(config_file, asset, tmp_path) == 1
    assert "not a regular file" in capsys.readouterr().err


def test_a_file_over_the_limit_is_refused_and_leaves_nothing(config_file, asset, tmp_path,
                                                              capsys):
    config_file.write_text(config_file.read_text().replace(
        "[gpio]", "attachment_max_mb = 1\n[gpio]"))
    big = tmp_path / "scan.pdf"
    big.write_bytes(b"%PDF-" + b"x" * (1024 * 1024))
    assert attach(config_file, asset, big) == 1
    err = capsys.readouterr().err
    assert "1 MB limit" in err and "attachment_max_mb" in err
    assert documents_folder(config_file) == []
    assert document_rows(config_file) == 0


def test_a_file_of_several_chunks_is_stored_whole(config_file, asset, tmp_path, capsys):
    content = os.urandom(3 * 1024 * 1024 + 123)  # several 1 MB chunks
    path = tmp_path / "manual.pdf"
    path.write_bytes(content)
    assert attach(config_file, asset, path) == 0
    digest = hashlib.sha256(content).hexdigest()
    assert digest in capsys.readouterr().out
    assert [p.read_bytes() == content for p in documents_folder(config_file)] == [True]


def test_a_photo_must_be_an_image(config_file, asset, tmp_path, capsys):
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"\xff\xd8\xff" + b"not really a jpeg" * 10)
    assert attach(config_file, asset, fake, "--kind", "photo") == 1
    assert "not a readable image" in capsys.readouterr().err
    assert documents_folder(config_file) == [] and document_rows(config_file) == 0
    real = tmp_path / "real.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "blue").save(buffer, format="JPEG")
    real.write_bytes(buffer.getvalue())
    assert attach(config_file, asset, real, "--kind", "photo") == 0
    assert document_rows(config_file) == 1
