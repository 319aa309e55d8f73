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
import tempfile
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError
from kiosk.records import get_asset
from kiosk.store import Store

KINDS = ("invoice", "inspection", "photo")
# Content beats the file name: a photo saved as "invoice.pdf" is still a photo.
MAGIC = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"),
         (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"),
         (b"PK\x03\x04", "application/zip"))


def media_type(head: bytes, name: str) -> str:
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def store_file(source: Path, data_dir: Path) -> tuple[str, int, str]:
    """Copy `source` into the document store; returns (sha256, size, media type)."""
    try:
        content = source.read_bytes()
    except OSError as exc:
        raise KioskError(f"cannot read {source}: {exc.strerror or exc}") from None
    digest = hashlib.sha256(content).hexdigest()
    target = data_dir / "documents" / digest[:2] / digest
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
            tmp.write(content)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, target)
    return digest, len(content), media_type(content[:16], source.name)


def document_path(data_dir: Path, sha256: str) -> Path:
    return data_dir / "documents" / sha256[:2] / sha256


def attach(store: Store, data_dir: Path, number: str, source: Path, kind: str = "invoice",
           actor: str | None = None) -> tuple[dict[str, Any], bool]:
    """Attach a file to an asset; returns (document row, newly attached)."""
    if kind not in KINDS:
        raise KioskError(f"unknown document kind {kind!r}; use {', '.join(KINDS)}")
    asset = get_asset(store, number)["number"]
    digest, size, mtype = store_file(Path(source), Path(data_dir))
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
