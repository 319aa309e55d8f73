"""What the station hands to the screen, the indicator and the printer (plain data).

`Receipt` is the seam to the printing module: a flow produces one after its transaction
committed; the printer port turns it into paper (ESC/POS) or, in demo and tests, a text file
(`receipt_text`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.text import visible

# Tones the screen colours by; signals the indicator plays.
OK, DENIED, INFO, ERROR = "ok", "denied", "info", "error"


@dataclass(frozen=True)
class ReceiptItem:
    number: str
    name: str
    action: str              # "out" | "returned" | "returned-damaged"
    due: str = ""            # ISO timestamp when checked out


@dataclass(frozen=True)
class Receipt:
    site: str
    kiosk: str
    title: str               # "Checkout", "Returns", "Gate"
    person: str              # name shown on paper ("" for unattended returns)
    employee_no: str
    at: str                  # ISO timestamp
    transaction_id: str
    items: tuple[ReceiptItem, ...] = ()
    refusals: tuple[tuple[str, str], ...] = ()   # (what was scanned, plain reason)


@dataclass(frozen=True)
class LabelRequest:
    number: str
    name: str
    qr: str                  # QR content: URL from station.label_url, or the plain number
    reprint: bool = False


@dataclass(frozen=True)
class Outcome:
    tone: str
    headline: str
    detail: str = ""
    code: str | None = None          # stable denial or error code
    signal: str | None = None        # accept | deny | alarm | attention
    relay: bool = False
    receipt: Receipt | None = None
    label: LabelRequest | None = None
    quit: bool = False
    warnings: list[str] = field(default_factory=list)


def ok(headline: str, detail: str = "", **kw: object) -> Outcome:
    return Outcome(OK, headline, detail, signal="accept", **kw)  # type: ignore[arg-type]


def denied(headline: str, detail: str, code: str, **kw: object) -> Outcome:
    return Outcome(DENIED, headline, detail, code=code, signal="deny", **kw)  # type: ignore[arg-type]


def info(headline: str, detail: str = "", **kw: object) -> Outcome:
    return Outcome(INFO, headline, detail, **kw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Line:
    """One row of the session list on screen."""

    number: str
    name: str
    state: str               # "out until 2026-12-10", "returned", "refused: ..."
    tone: str = OK


@dataclass(frozen=True)
class View:
    """Everything a screen shows; rebuilt after every scan, touch and tick."""

    mode: str                # crib | gate | returns | attendant
    phase: str               # idle | session | badge | pin | menu | ...
    prompt: str              # what to do next, in plain words
    person: str = ""
    lines: tuple[Line, ...] = ()
    report: tuple[str, ...] = ()   # attendant lists (due list, stocktake result)
    action: str = ""               # attendant: what a tool scan does now


def receipt_text(receipt: Receipt, width: int = 42) -> str:
    """A plain-text rendering used by the demo/test printer until ESC/POS takes over."""
    rule = "-" * width
    lines = [f"{receipt.site} {receipt.kiosk}".center(width), receipt.title.center(width), rule,
             f"Time: {receipt.at}"]
    if receipt.person:
        lines.append(f"Name: {visible(receipt.person, 60)} ({receipt.employee_no})")
    lines.append(rule)
    for item in receipt.items:
        lines.append(f"{visible(item.number, 40)}  {visible(item.name, 60)}")
        due = f" - due {item.due[:10]}" if item.due else ""
        lines.append(f"    {item.action}{due}")
    for scanned, reason in receipt.refusals:
        lines.append(f"REFUSED {visible(scanned, 40)}: {reason}")
    lines += [rule, f"Ref {receipt.transaction_id}", ""]
    return "\n".join(lines)
