"""Documents attached to an asset (invoice, inspection report, photo).

Files are stored content-addressed: ``<data_dir>/documents/<sha256[:2]>/<sha256>``,
so the same file attached twice is stored once and a stored file can be checked
against its name. The file is written and flushed to disk before the database
row commits (durable before confirmed); a crash between the two leaves only an
unreferenced file, never a row pointing at nothing.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import stat
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image

from kiosk.errors import KioskError
from kiosk.records import get_asset
from kiosk.store import Store

KINDS = ("invoice", "inspection", "photo")
MB = 1024 * 1024
DEFAULT_MAX_BYTES = 50 * MB
CHUNK_BYTES = MB
# Content beats the file name: a photo saved as "invoice.pdf" is still a photo.
MAGIC = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"),
         (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"),
         (b"PK\x03\x04", "application/zip"))


def media_type(head: bytes, name: str) -> str:
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def open_regular(source: Path) -> BinaryIO:
    """Open for reading, refusing devices, pipes and folders (`/dev/zero` never ends)."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it.
        fd = os.open(source, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise KioskError(f"cannot read {source}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise KioskError(f"{source} is not a regular file (a device, pipe or folder cannot be "
                         "attached)")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def copy_hashed(handle: BinaryIO, tmp: BinaryIO, source: Path, max_bytes: int) -> tuple[str, int]:
    """Copy in chunks, hashing as it goes; stops as soon as the limit is passed."""
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise KioskError(f"{source} is larger than the {max_bytes // MB} MB limit "
                             "([kiosk] attachment_max_mb); nothing was attached")
        digest.update(chunk)
        tmp.write(chunk)
    tmp.flush()
    os.fsync(tmp.fileno())
    return digest.hexdigest(), size


def check_image(path: Path, source: Path) -> None:
    """A photo must be an image Pillow can read (header and structure, not every pixel)."""
    try:
        with Image.open(path) as image:
            image.verify()
    except Exception as exc:  # Pillow raises many types for bad files (SyntaxError, OSError...)
        raise KioskError(f"{source} is not a readable image ({type(exc).__name__}); attach "
                         "it with another --kind or choose the photo file") from None


def store_file(source: Path, data_dir: Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
               kind: str = "invoice") -> tuple[str, int, str]:
    """Copy `source` into the document store; returns (sha256, size, media type).

    Streamed to a temporary file inside the documents folder, then renamed into place,
    so memory use stays one chunk whatever the size.
    """
    folder = data_dir / "documents"
    with open_regular(source) as handle:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".incoming-", delete=False) as tmp:
            tmp_path = Path(tmp.name)
            try:
                digest, size = copy_hashed(handle, tmp, source, max_bytes)
            except BaseException:
                tmp_path.unlink(missing_ok=True)
                raise
    try:
        if kind == "photo":
            check_image(tmp_path, source)
        with open(tmp_path, "rb") as head:
            mtype = media_type(head.read(16), source.name)
        target = document_path(data_dir, digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)
    return digest, size, mtype


def document_path(data_dir: Path, sha256: str) -> Path:
    return data_dir / "documents" / sha256[:2] / sha256


def attach(store: Store, data_dir: Path, number: str, source: Path, kind: str = "invoice",
           actor: str | None = None, *,
           max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[dict[str, Any], bool]:
    """Attach a file to an asset; returns (document row, newly attached)."""
    if kind not in KINDS:
        raise KioskError(f"unknown document kind {kind!r}; use {', '.join(KINDS)}")
    asset = get_asset(store, number)["number"]
    digest, size, mtype = store_file(Path(source), Path(data_dir), max_bytes=max_bytes,
                                     kind=kind)
    with store.transaction() as db:
        existing = store.one("SELECT * FROM documents WHERE asset_number = ? AND sha256 = ?",
                             [asset, digest])
        if existing:
            return existing, False
        row = {"asset_number": asset, "sha256": digest, "kind": kind,
               "filename": Path(source).name, "media_type": mtype, "size": size,
               "added_at": store.clock.now().isoformat()}
        db["documents"].insert(row)
        store.record("asset.document_attached", {k: v for k, v in row.items()
                                                 if k not in ("asset_number", "added_at")},
                     actor=actor, asset=asset)
    return row, True


def documents_of(store: Store, number: str) -> list[dict[str, Any]]:
    return store.all("SELECT * FROM documents WHERE asset_number = ? ORDER BY added_at",
                     [number])
