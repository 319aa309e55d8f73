"""Receipts and asset labels: plain data in, a list of print operations out (pure).

The station hands over a `Receipt` or `Label` after its transaction committed;
`receipt_ops` / `label_ops` lay it out for the paper (`Media`) and the printer's
code page. No printer library is imported here.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from kiosk.printdoc import (
    MEDIA,
    Barcode,
    Cut,
    Feed,
    Media,
    Op,
    PrintLayoutError,
    Qr,
    Text,
    code128_data,
    fit_codepage,
)

ReceiptKind = Literal["checkout", "return", "unattended-return", "gate-refusal"]

TITLES: dict[str, str] = {
    "checkout": "CHECKOUT",
    "return": "RETURN",
    "unattended-return": "UNATTENDED RETURN",
    "gate-refusal": "GATE: NOT ALLOWED",
}


@dataclass(frozen=True)
class ReceiptItem:
    number: str
    name: str
    due: dt.date | dt.datetime | None = None
    outcome: str = ""


@dataclass(frozen=True)
class Refusal:
    what: str
    reason: str


@dataclass(frozen=True)
class Receipt:
    """What a receipt shows; items and refusals may be given as plain tuples."""

    kind: ReceiptKind
    site: str
    kiosk: str
    person_name: str
    employee_no: str
    at: dt.datetime
    items: tuple[ReceiptItem, ...] = field(default_factory=tuple)
    refusals: tuple[Refusal, ...] = field(default_factory=tuple)
    transaction_id: str = ""

    def __post_init__(self) -> None:
        if self.kind not in TITLES:
            raise PrintLayoutError(f"unknown receipt kind {self.kind!r}; use one of "
                                   f"{', '.join(TITLES)}")
        items = tuple(i if isinstance(i, ReceiptItem) else ReceiptItem(*i) for i in self.items)
        refusals = tuple(r if isinstance(r, Refusal) else Refusal(*r) for r in self.refusals)
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "refusals", refusals)


@dataclass(frozen=True)
class Label:
    number: str
    name: str
    site: str
    qr_content: str


def label_for(number: str, name: str, site: str, url_template: str = "") -> Label:
    """A label whose QR holds the plain number, or `url_template` filled with it."""
    content = url_template.replace("{number}", number) if url_template else number
    return Label(number=number, name=name, site=site, qr_content=content)


def receipt_ops(receipt: Receipt, media: Media | str = "80", codepage: str = "CP858") -> list[Op]:
    media = _media(media)

    def fit(text: str) -> str:
        return fit_codepage(text, codepage)

    ops: list[Op] = [
        Text(fit(f"{receipt.site} - {receipt.kiosk}"), bold=True, align="center"),
        Text(TITLES[receipt.kind], bold=True, size=2, align="center"),
        Text(receipt.at.strftime("%Y-%m-%d %H:%M %Z").strip(), align="center"),
        Feed(),
    ]
    if receipt.person_name or receipt.employee_no:
        ops += _wrapped(fit(receipt.person_name), media.columns, bold=True)
        ops.append(Text(fit(f"Employee no. {receipt.employee_no}")))
    ops.append(_rule(media))
    for item in receipt.items:
        ops += _item_lines(item, media, fit)
    if receipt.refusals:
        ops.append(Text("NOT ALLOWED:", bold=True))
        for refusal in receipt.refusals:
            ops += _wrapped(fit(refusal.what), media.columns, bold=True)
            ops += _wrapped(fit(refusal.reason), media.columns, indent="  ")
        ops.append(_rule(media))
    if receipt.items:
        ops.append(Text(f"Items: {len(receipt.items)}"))
    if receipt.transaction_id:
        ops += [Feed(), Qr(fit(receipt.transaction_id), module=4),
                Text(fit(receipt.transaction_id), align="center")]
    ops.append(_end(media))
    return ops


def label_ops(label: Label, media: Media | str = "80", codepage: str = "CP858") -> list[Op]:
    """Number large, name, site, native QR, Code 128; fits 58 mm, 80 mm and label stock."""
    media = _media(media)
    number = code128_data(label.number)
    # Double size while the number fits the line, else normal size bold.
    size = 2 if len(number) * 2 <= media.columns else 1
    ops: list[Op] = [Text(number, bold=True, size=size, align="center")]
    ops += _wrapped(fit_codepage(label.name, codepage), media.columns, align="center")
    ops.append(Text(fit_codepage(label.site, codepage), align="center"))
    ops.append(Qr(fit_codepage(label.qr_content, "CP437"), module=5 if media.dots < 500 else 7))
    ops.append(Barcode(number, height=60 if media.label else 80, module=_bar_module(number, media)))
    ops.append(_end(media))
    return ops


def print_test_ops(codepage: str, media: Media | str = "80") -> list[Op]:
    """Installer's test page: all printable ASCII, the code page's specials, QR, Code 128."""
    media = _media(media)
    ascii_chars = "".join(chr(c) for c in range(0x20, 0x7F))
    specials = bytes(range(0x80, 0x100)).decode(codepage.lower(), errors="replace")
    specials = "".join(ch for ch in specials if ch.isprintable() and ch != "\ufffd")
    ops: list[Op] = [Text("crib-kiosk print test", bold=True, size=2, align="center"),
                     Text(f"code page {codepage}, paper {media.name}", align="center"), Feed(),
                     Text("Printable ASCII:", bold=True)]
    ops += [Text(ascii_chars[i:i + media.columns])
            for i in range(0, len(ascii_chars), media.columns)]
    ops.append(Text(f"{codepage} characters 0x80-0xFF:", bold=True))
    ops += [Text(specials[i:i + media.columns]) for i in range(0, len(specials), media.columns)]
    ops += [Text(fit_codepage("Kuče Ōgaki Müller 3,50 € Grüße", codepage)), Feed(),
            Qr("https://assets.example.com/a/TEST-0001", module=5), Barcode("TEST-0001"),
            _end(media)]
    return ops


def _item_lines(item: ReceiptItem, media: Media, fit: Callable[[str], str]) -> list[Op]:
    lines: list[Op] = [Text(fit(item.number), bold=True)]
    lines += _wrapped(fit(item.name), media.columns, indent="  ")
    details = []
    if item.due is not None:
        details.append(f"due {item.due:%Y-%m-%d}")
    if item.outcome:
        details.append(fit(item.outcome))
    if details:
        lines += _wrapped(" | ".join(details), media.columns, indent="  ")
    return lines


def _wrapped(text: str, columns: int, *, bold: bool = False, indent: str = "",
             align: str = "left") -> list[Op]:
    chunks = textwrap.wrap(text, width=columns, initial_indent=indent,
                           subsequent_indent=indent, break_long_words=True) or [indent]
    return [Text(chunk, bold=bold, align=align) for chunk in chunks]  # type: ignore[arg-type]


def _rule(media: Media) -> Text:
    return Text("-" * media.columns)


def _end(media: Media) -> Op:
    return Cut() if media.cut else Feed(3)


def _bar_module(number: str, media: Media) -> int:
    # Code 128 set B: 11 modules per character plus start, check, stop and quiet zones.
    # Below 2 dots per module the printer's own Code 128 cannot draw it; the driver
    # then sends a 1-dot image instead.
    modules = 11 * (len(number) + 3) + 2 + 20
    return max(1, min(4, media.dots // modules))


def _media(media: Media | str) -> Media:
    if isinstance(media, Media):
        return media
    try:
        return MEDIA[media]
    except KeyError:
        raise PrintLayoutError(f"unknown paper {media!r}; use one of {', '.join(MEDIA)}") from None
