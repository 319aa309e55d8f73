"""From the station's receipt and label records to the printing module's layout data.

The station speaks in `kiosk.outcome` records (what happened); printing lays out
`kiosk.receipt` records (what goes on paper). This is the one translation between them.
"""

from __future__ import annotations

import datetime as dt

from kiosk import outcome
from kiosk.receipt import Label, Receipt, ReceiptItem, Refusal, label_for

OUTCOME_WORDS = {"out": "checked out", "returned": "returned",
                 "returned-damaged": "returned, damaged"}


def _moment(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.now(dt.UTC)


def _kind(record: outcome.Receipt) -> str:
    if record.title == "Returns":
        return "unattended-return"
    if record.title == "Gate":
        return "gate-refusal"
    return "checkout" if any(i.action == "out" for i in record.items) or not record.items \
        else "return"


def printable_receipt(record: outcome.Receipt) -> Receipt:
    items = tuple(ReceiptItem(i.number, i.name, _moment(i.due) if i.due else None,
                              OUTCOME_WORDS.get(i.action, i.action)) for i in record.items)
    refusals = tuple(Refusal(what, reason) for what, reason in record.refusals)
    return Receipt(kind=_kind(record), site=record.site, kiosk=record.kiosk,  # type: ignore[arg-type]
                   person_name=record.person, employee_no=record.employee_no,
                   at=_moment(record.at), items=items, refusals=refusals,
                   transaction_id=record.transaction_id)


def printable_label(request: outcome.LabelRequest, site: str) -> Label:
    return label_for(request.number, request.name, site) if request.qr == request.number \
        else Label(number=request.number, name=request.name, site=site, qr_content=request.qr)
