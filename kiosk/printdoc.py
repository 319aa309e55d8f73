"""A print job as plain data: a list of operations, independent of any printer library.

Layout code (`kiosk.receipt`) produces these operations; the ESC/POS driver turns
their primitive form (`to_primitives`) into bytes, and `kiosk.preview` draws the
same list as a PNG. Text in a `Text` operation is already printable in the job's
code page (`fit_codepage`), so printer and preview show the same characters.
"""

from __future__ import annotations

import codecs
import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Literal

from anyascii import anyascii

from kiosk.errors import KioskError

Align = Literal["left", "center", "right"]

# Code pages the supported profiles offer; each is also a Python codec.
CODEPAGES = ("CP437", "CP850", "CP852", "CP858", "CP1250", "CP1252")

# C0 controls, DEL and C1: a name containing ESC must never become a printer command.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class PrintLayoutError(KioskError, ValueError):
    """A receipt or label cannot be laid out (for example an unprintable inventory number)."""


@dataclass(frozen=True)
class Media:
    """Paper the printer holds: width in characters and dots, and how a job ends."""

    name: str
    columns: int
    dots: int
    cut: bool = True
    label: bool = False


MEDIA = {
    "58": Media("58", columns=32, dots=384),
    "80": Media("80", columns=48, dots=576),
    # Die-cut labels on a receipt printer: no cut, a fixed feed to the next label (ESC-14).
    "label": Media("label", columns=32, dots=384, cut=False, label=True),
}


@dataclass(frozen=True)
class Text:
    """One line of text; `size` multiplies width and height (1-8)."""

    text: str
    bold: bool = False
    size: int = 1
    align: Align = "left"


@dataclass(frozen=True)
class Qr:
    """A QR code; `module` is the dot size of one module (1-16)."""

    content: str
    module: int = 6


@dataclass(frozen=True)
class Barcode:
    """A Code 128 barcode (code set B) with its text printed below."""

    data: str
    height: int = 80
    module: int = 2


@dataclass(frozen=True)
class Feed:
    """Blank lines."""

    lines: int = 1


@dataclass(frozen=True)
class Cut:
    """Feed past the cutter and cut; partial cut where the printer has one."""

    feed_lines: int = 4


Op = Text | Qr | Barcode | Feed | Cut
_OP_TYPES: dict[str, type] = {"text": Text, "qr": Qr, "barcode": Barcode, "feed": Feed,
                              "cut": Cut}
_OP_NAMES = {cls: name for name, cls in _OP_TYPES.items()}


def to_primitives(ops: list[Op]) -> list[dict[str, Any]]:
    """Plain dicts (JSON-ready) for drivers and the print_jobs table."""
    return [{"op": _OP_NAMES[type(op)], **dataclasses.asdict(op)} for op in ops]


def from_primitives(rows: list[dict[str, Any]]) -> list[Op]:
    ops: list[Op] = []
    for row in rows:
        fields = dict(row)
        cls = _OP_TYPES[fields.pop("op")]
        ops.append(cls(**fields))
    return ops


def check_codepage(codepage: str) -> str:
    name = codepage.upper()
    if name not in CODEPAGES:
        raise PrintLayoutError(f"code page {codepage!r} is not supported; use one of "
                               f"{', '.join(CODEPAGES)}")
    return name


def fit_codepage(text: str, codepage: str) -> str:
    """Text the printer can show in `codepage`: kept where it has the character, else ASCII.

    Control characters become spaces. A character the code page lacks is
    transliterated with anyascii ("Ō" -> "O", "č" -> "c" in CP437), never sent as
    a wrong glyph or "?".
    """
    encoding = check_codepage(codepage).lower()
    codecs.lookup(encoding)
    out = []
    for char in _CONTROL.sub(" ", text):
        try:
            char.encode(encoding)
            out.append(char)
        except UnicodeEncodeError:
            out.append(_CONTROL.sub(" ", anyascii(char)) or "?")
    return "".join(out)


def code128_data(number: str) -> str:
    """The inventory number checked against Code 128 set B (printable ASCII only)."""
    if not number or any(not " " <= ch <= "~" for ch in number):
        raise PrintLayoutError(f"inventory number {anyascii(number)!r} cannot be printed as a "
                               "barcode: only letters, digits and ASCII punctuation are allowed")
    if len(number) > 40:
        raise PrintLayoutError(f"inventory number {number!r} is too long for a label barcode "
                               "(at most 40 characters)")
    return number


def media_for(width_mm: int, media: str = "roll") -> Media:
    """The paper from the [printer] settings: label stock, or a 58/80 mm roll."""
    return MEDIA["label"] if media == "label" else MEDIA[str(width_mm)]
