"""Recording fakes shared by tests and demo mode: they keep what was asked of them."""

from __future__ import annotations

import re
from pathlib import Path

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class FilePrinter:
    """Saves each printed document as a UTF-8 text file under `folder` (demo and tests).

    Names are made filesystem-safe, so scanned data can never pick the path.
    """

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.saved: list[Path] = []

    def save(self, name: str, text: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = _SAFE_NAME.sub("_", name)[:80] or "print"
        path = self.folder / f"{stem}.txt"
        counter = 1
        while path.exists():
            counter += 1
            path = self.folder / f"{stem}-{counter}.txt"
        path.write_text(text, encoding="utf-8")
        self.saved.append(path)
        return path
